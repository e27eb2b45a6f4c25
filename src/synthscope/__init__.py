"""synthscope: can generated medical images pass for real ones?

Ingest real and generated images into a workspace, turn them into vectors, project them with
PCA, t-SNE or UMAP, test whether the two sets can be told apart, and curate the generated images
that pass, in a browser projector or a notebook. See the README for the two commands a newcomer
runs; from Python::

    import synthscope
    ws = synthscope.open("my.ws")       # or synthscope.create("new.ws")
    ws.points                           # a pandas DataFrame, one row per image
    synthscope.Projector(ws)            # the projector in a notebook (synthscope[notebook])
"""

import logging

from synthscope._api import Workspace, create, open
from synthscope.errors import (
    ImageReadError,
    InputError,
    InvalidParameterError,
    SynthscopeError,
    TableError,
    UnknownFeatureError,
    WorkspaceError,
)

__version__ = "0.1.0"

# A library logs and never prints: without a handler of the application's, nothing is shown
# (the command line says what matters itself, and reports carry every warning).
logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # The widget needs the notebook extra (anywidget); importing synthscope must not.
    if name == "Projector":
        try:
            from synthscope.widget import Projector
        except ModuleNotFoundError as error:
            if error.name not in ("anywidget", "traitlets", "ipywidgets"):
                raise
            raise ModuleNotFoundError(
                f"synthscope.Projector needs {error.name}: pip install 'synthscope[notebook]'",
                name=error.name,
            ) from None
        return Projector
    raise AttributeError(f"module 'synthscope' has no attribute {name!r}")


__all__ = [
    "ImageReadError",
    "InputError",
    "InvalidParameterError",
    "Projector",
    "SynthscopeError",
    "TableError",
    "UnknownFeatureError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "create",
    "open",
]
