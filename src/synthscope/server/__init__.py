"""The projector server: a FastAPI app over one workspace, and the built front end.

``create_app(Settings(workspace=path))`` gives the ASGI app; ``synthscope serve`` runs it with
uvicorn. Routes live in :mod:`synthscope.server.routes`, one module per resource, under ``/api``;
their data calls, without HTTP, are in :mod:`synthscope.server._queries`, which the Jupyter
widget (:mod:`synthscope.widget`) answers with too.
"""

from synthscope.server._app import create_app
from synthscope.server._settings import Settings, is_loopback, package_static_dir

__all__ = ["Settings", "create_app", "is_loopback", "package_static_dir"]
