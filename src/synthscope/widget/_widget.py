"""``synthscope.Projector``: the projector as a Jupyter widget (anywidget).

The front end is the page's own code (one build makes both, ``web/src/widget.ts`` is the entry):
the same store, renderer and panels, mounted in a shadow root on the widget's element. Data come
from :class:`~synthscope.widget._backend.Backend` over the widget's custom messages, as binary
buffers; the view is in synced traits.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from synthscope._api import Workspace
from synthscope._params import fail
from synthscope.errors import SynthscopeError, UnknownFeatureError
from synthscope.server import _queries
from synthscope.widget._backend import Backend

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Projector", "bundle_path"]


def bundle_path() -> Path:
    """The widget's ES module, built by ``npm run build`` (``make web``) into the package."""
    from synthscope.server import package_static_dir

    return package_static_dir() / "widget.js"


@functools.lru_cache(maxsize=2)
def _bundle(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def _esm() -> str:
    path = bundle_path()
    if not path.is_file():
        raise SynthscopeError(
            f"the projector's front end is not built ({path} is missing): run `make web`, "
            "or `npm ci && npm run build` in web/"
        )
    return _bundle(path, path.stat().st_mtime)


class Projector(anywidget.AnyWidget):
    """The synthscope projector in a notebook, with its selection and view synced to Python.

    Parameters
    ----------
    ws
        A :class:`synthscope.Workspace` (edits made through it show in the widget) or the path of
        one.
    projection
        Id of the stored projection to show (``ws.projections`` lists them); None shows the
        newest 3-D one, as the page does.
    color_by
        The column the points are coloured by.
    height
        Height of the widget in pixels.

    Attributes
    ----------
    selection : list of int
        The selected point ids, sorted. A box, lasso, legend click or search in the widget sets
        it; set it (ids, a NumPy array, a boolean mask or WHERE conditions such as
        ``"label=real"``) and the widget highlights those points.
    color_by : str
        The colouring column; set it to recolour.
    projection : str or None
        The shown projection's id; set it to show another.
    filter : dict
        Column filters, ``{"label": {"values": ["real"]}, "realism_c2st:pixels64": {"range":
        [0.5, 1.0]}}``; ``{"label": ["real"]}`` and ``{"score": (0.5, 1.0)}`` are accepted too.

    Examples
    --------
    >>> import synthscope
    >>> ws = synthscope.open("study.ws")                       # doctest: +SKIP
    >>> view = synthscope.Projector(ws, color_by="source")     # doctest: +SKIP
    >>> view                                                    # doctest: +SKIP
    >>> ws.points.loc[view.selection]                           # doctest: +SKIP
    >>> view.selection = ws.select("realism_c2st:pixels64>=0.5")  # doctest: +SKIP
    """

    selection = traitlets.Any().tag(sync=True)
    color_by = traitlets.Unicode("label").tag(sync=True)
    projection = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    filter = traitlets.Any().tag(sync=True)
    height = traitlets.Int(600).tag(sync=True)
    #: What else the view keeps (camera, PCA axes, brushing mode): the widget shown again opens
    #: as it was left.
    _view = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        ws: Workspace | str | Path,
        projection: str | None = None,
        color_by: str = "label",
        height: int = 600,
        **kwargs: Any,
    ) -> None:
        import synthscope

        if isinstance(ws, str | Path):
            ws = synthscope.open(ws)
        elif not isinstance(ws, Workspace):
            raise fail("ws", f"must be a synthscope.Workspace or a path (got {type(ws).__name__})")
        self._esm = _esm()
        self._workspace = ws
        self._backend = Backend(
            ws.store,
            self._post,
            on_edit=lambda column: ws._tell("edited", column, origin=self),
            on_change=lambda: ws._tell("changed"),
        )
        kwargs.setdefault("selection", [])
        kwargs.setdefault("filter", {})
        super().__init__(projection=projection, color_by=color_by, height=height, **kwargs)
        self.on_msg(self._receive)
        ws._watch(self)

    # -- Python side ---------------------------------------------------------------------------
    @property
    def workspace(self) -> Workspace:
        """The workspace shown."""
        return self._workspace

    @property
    def selected_points(self) -> pd.DataFrame:
        """The selected points' rows of :attr:`Workspace.points <synthscope.Workspace.points>`."""
        return self._workspace.points.loc[list(self.selection)]

    def close(self) -> None:
        """Stop this widget's streams and close it (projections it started still finish)."""
        # Also called by ipywidgets on garbage collection, even of a widget whose __init__ failed.
        backend, ws = getattr(self, "_backend", None), getattr(self, "_workspace", None)
        if backend is not None:
            backend.close()
        if ws is not None:
            ws._unwatch(self)
        super().close()

    # -- checks of what Python sets (the widget's own changes pass them too) --------------------
    @traitlets.validate("selection")
    def _check_selection(self, proposal: dict) -> list[int]:
        value = proposal["value"]
        if value is None:
            return []
        ids = self._workspace._ids(value)
        return _queries.check_ids(ids, self._workspace.store.n_points)

    @traitlets.validate("color_by")
    def _check_color_by(self, proposal: dict) -> str:
        name = proposal["value"]
        self._workspace.store.column_kind(name)  # UnknownFeatureError naming the columns
        return name

    @traitlets.validate("projection")
    def _check_projection(self, proposal: dict) -> str | None:
        pid = proposal["value"] or None
        if pid is not None and self._workspace.store.load_projection(pid) is None:
            known = ", ".join(p["id"] for p in self._workspace.projections) or "none yet"
            raise UnknownFeatureError(f"no stored projection {pid!r} (stored: {known})")
        return pid

    @traitlets.validate("filter")
    def _check_filter(self, proposal: dict) -> dict[str, dict[str, list]]:
        value = proposal["value"] or {}
        if not isinstance(value, Mapping):
            raise fail("filter", f"must be a dict of column filters (got {type(value).__name__})")
        return {name: self._one_filter(name, f) for name, f in value.items()}

    def _one_filter(self, name: str, given: object) -> dict[str, list]:
        kind = self._workspace.store.column_kind(name)  # UnknownFeatureError for unknown columns
        if isinstance(given, Mapping) and set(given) <= {"range", "values"} and len(given) == 1:
            ((key, value),) = given.items()
            given = tuple(value) if key == "range" else list(value)
        if isinstance(given, tuple) and len(given) == 2:
            lo, hi = given
            if kind != "real":
                raise fail("filter", f"{name} is a text column: give a list of values, not a range")
            if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in given):
                raise fail("filter", f"{name}: a range is two numbers (got {given!r})")
            if lo > hi:
                raise fail("filter", f"{name}: the range runs backwards ({lo} > {hi})")
            return {"range": [float(lo), float(hi)]}
        if isinstance(given, list | set | frozenset):
            return {"values": sorted(_value_text(v) for v in given)}
        raise fail(
            "filter",
            f"{name}: give a list of values or a (low, high) range, or {{'values': [...]}} / "
            f"{{'range': [low, high]}} (got {given!r})",
        )

    @traitlets.validate("height")
    def _check_height(self, proposal: dict) -> int:
        height = proposal["value"]
        if not 200 <= height <= 4000:
            raise fail("height", f"must be 200 to 4000 pixels (got {height})")
        return height

    # -- messages ------------------------------------------------------------------------------
    def _post(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers=buffers or None)

    def _receive(self, _widget: object, content: object, buffers: list[bytes]) -> None:
        if isinstance(content, Mapping) and content.get("type") == "request":
            reply, payload = self._backend.handle(content)
            self._post(reply, payload)

    def _workspace_changed(self, what: str, column: str | None) -> None:
        """Told by the workspace: an edit (``"edited"``) or new projections or scores."""
        if self.comm is not None:
            self._post({"type": what, "column": column}, [])


def _value_text(value: object) -> str:
    """A filter value as the widget compares it: text, whole numbers without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
