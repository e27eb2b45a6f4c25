"""The API routers, one module per resource; :data:`ROUTERS` is what the app mounts under /api."""

from synthscope.server.routes import (
    columns,
    dataset,
    downloads,
    exports,
    images,
    labels,
    neighbors,
    palette,
    projections,
    realism,
    utility,
)

ROUTERS = [
    dataset.router,
    columns.router,
    projections.router,
    images.router,
    labels.router,
    downloads.router,
    neighbors.router,
    realism.router,
    palette.router,
    exports.router,
    utility.router,
]

__all__ = ["ROUTERS"]
