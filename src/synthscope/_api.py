"""The Python API: a workspace as a notebook user holds it.

>>> import synthscope
>>> ws = synthscope.create(folder / "my.ws")                     # doctest: +SKIP
>>> ws.ingest(real=[folder / "real"], fake=[folder / "fake"])    # doctest: +SKIP

:func:`open` and :func:`create` return a :class:`Workspace`: every command of the command line as
a method (``ingest``, ``embed``, ``project``, ``score``, ``relabel``, ``undo``, ``export``),
the points as a pandas DataFrame, the vectors memory-mapped, the projections with their
parameters. Errors are the command line's: the :class:`~synthscope.SynthscopeError` tree, with
one-line messages naming the parameter, file or column. The on-disk store underneath is
:attr:`Workspace.store` (:class:`synthscope.workspace.Workspace`); the server and the widget use it
too, so edits made here show in an open projector and the other way round.
"""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synthscope._params import fail
from synthscope.errors import UnknownFeatureError

if TYPE_CHECKING:
    import pandas as pd

    from synthscope.realism import RealismComparison, RealismReport
    from synthscope.workspace import IngestReport, StoredProjection
    from synthscope.workspace import Workspace as Store

__all__ = ["Workspace", "create", "open"]

Selection = Sequence[int] | np.ndarray | str | Sequence[str]


class Workspace:
    """A synthscope workspace, opened from Python.

    Examples
    --------
    A phantom study from nothing (about 20 s on two cores)::

        >>> import synthscope
        >>> from synthscope.phantom import write_phantom
        >>> _ = write_phantom(folder / "real", n=24, size=64, seed=0, pullbacks=4)
        >>> _ = write_phantom(folder / "fake", n=24, size=64, seed=1, pullbacks=4)
        >>> ws = synthscope.create(folder / "study.ws")
        >>> ws.ingest(real=[folder / "real"], fake=[folder / "fake"]).added
        48
        >>> ws.points["source"].value_counts().to_dict()
        {'real': 24, 'fake': 24}
        >>> ws.vectors("pixels64").shape
        (48, 4096)
        >>> ws.project(method="pca", dims=2).embedding.shape
        (48, 2)
        >>> report = ws.score(n_permutations=20, kid_subsets=5)
        >>> sorted(c for c in ws.points.columns if c.startswith("realism_c2st"))
        ['realism_c2st:pixels64']
        >>> best = ws.points.nlargest(5, "realism_c2st:pixels64").index
        >>> batch = ws.relabel(best, "label", "real")
        >>> int((ws.points["label"] == "real").sum())
        29
        >>> ws.undo() == batch
        True
        >>> len(ws.select("label=real"))
        24
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # Open projector widgets on this workspace: told of edits and new projections or scores.
        self._watchers: weakref.WeakSet[Any] = weakref.WeakSet()

    # -- opening ------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The workspace folder."""
        return self.store.path

    def close(self) -> None:
        """Close the database connections (the object may not be used afterwards)."""
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"synthscope.Workspace({str(self.path)!r}: {self.store.n_points} points, "
            f"features {', '.join(self.features) or 'none'})"
        )

    # -- reading ------------------------------------------------------------------------------
    @property
    def points(self) -> pd.DataFrame:
        """One row per point (index = point id), every column; numbers as floats (NaN missing)."""
        import pandas as pd

        names = self.store.columns()
        rows = self.store.rows(names)
        frame = pd.DataFrame.from_records(rows, columns=names)
        for name in names:
            if name != "id" and self.store.column_kind(name) == "real":
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
        return frame.set_index("id")

    @property
    def features(self) -> list[str]:
        """Names of the stored features."""
        return self.store.features()

    def vectors(self, feature: str = "pixels64") -> np.ndarray:
        """``(n_points, d)`` float32 vectors of ``feature``, memory-mapped read-only."""
        return self.store.vectors(feature)

    @property
    def projections(self) -> list[dict[str, Any]]:
        """Every stored projection's metadata (id, method, dims, feature, parameters, KL, time)."""
        return self.store.projections()

    def projection(self, id: str) -> StoredProjection:
        """A stored projection: ``.embedding`` (n_points x dims float32) and ``.meta``."""
        from synthscope.workspace import StoredProjection

        stored = self.store.load_projection(id)
        if stored is None:
            known = ", ".join(p["id"] for p in self.projections) or "none yet"
            raise UnknownFeatureError(f"no projection {id!r} in {self.path} (projections: {known})")
        return StoredProjection(id, stored[1], stored[0], reused=True)

    def select(self, where: str | Sequence[str]) -> np.ndarray:
        """Ids of the points meeting every condition (``label=real``, ``realism_c2st:pixels64>=0.4``)."""
        from synthscope.workspace import select_points

        return select_points(self.store, [where] if isinstance(where, str) else list(where))

    # -- commands -----------------------------------------------------------------------------
    def ingest(
        self,
        real: Sequence[str | Path] = (),
        fake: Sequence[str | Path] = (),
        **options: Any,
    ) -> IngestReport:
        """Add the images under folders ``real`` and ``fake`` (see :func:`synthscope.workspace.ingest`)."""
        from synthscope.workspace import ingest

        report = ingest(self.path, real, fake, **options)
        self._tell("changed")
        return report

    def embed(
        self, features: str | Sequence[str], *, force: bool = False, cluster: Any = None
    ) -> list[str]:
        """Compute features (``pixels:32``, ``texture``, ``random-cnn``, ...); returns their names.

        ``cluster`` runs them on Dask (see :func:`synthscope.workspace.embed`), started once.
        """
        from contextlib import nullcontext

        from synthscope.workspace import Executor, embed, open_executor

        specs = [features] if isinstance(features, str) else list(features)
        if isinstance(cluster, Executor):
            context = nullcontext(cluster)
        else:
            context = open_executor(cluster, threads=1)
        with context as executor:
            names = [embed(self.store, spec, force=force, cluster=executor) for spec in specs]
        self._tell("changed")
        return names

    def project(self, *, force: bool = False, **request: Any) -> StoredProjection:
        """Compute (or reuse) a projection; keyword arguments are ProjectionRequest's fields."""
        from synthscope.projection import ProjectionRequest
        from synthscope.workspace import project

        stored = project(self.store, ProjectionRequest.from_mapping(request), force=force)
        self._tell("changed")
        return stored

    def score(
        self, features: str | Sequence[str] = "pixels64", **options: Any
    ) -> RealismReport | RealismComparison:
        """Realism tests and per-image scores in one feature (a report) or several (side by side)."""
        from synthscope.workspace import score_features, score_workspace

        if isinstance(features, str):
            report = score_workspace(self.store, features, **options)
        else:
            report = score_features(self.store, list(features), **options)
        self._tell("changed")
        return report

    def relabel(self, points: Selection, column: str, value: object) -> int:
        """Set ``column`` to ``value`` for ``points`` (ids, a boolean mask, or WHERE conditions).

        Goes through the same edit log as the projector; returns the batch (undo it with
        :meth:`undo`). An open :class:`~synthscope.Projector` on this workspace shows the edit.
        """
        batch = self.store.relabel(self._ids(points), column, value)
        self._tell("edited", column)
        return batch

    def undo(self) -> int | None:
        """Undo the last edit batch; returns it, or None when there is nothing to undo."""
        batch = self.store.undo()
        if batch is not None:
            self._tell("edited")
        return batch

    def redo(self) -> int | None:
        """Redo the last undone batch; returns it, or None."""
        batch = self.store.redo()
        if batch is not None:
            self._tell("edited")
        return batch

    def export(
        self,
        out: str | Path,
        format: str = "images",
        *,
        where: str | Sequence[str] = (),
        feature: str = "pixels64",
    ) -> list[Path]:
        """Write a TF Projector bundle, metadata, vectors, or copy chosen images (``where``)."""
        from synthscope.workspace import export

        conditions = [where] if isinstance(where, str) else list(where)
        return export(self.store, out, format, feature=feature, where=conditions)

    # -- open widgets -------------------------------------------------------------------------
    def _watch(self, watcher: Any) -> None:
        """Tell ``watcher._workspace_changed(what, column)`` of changes (held weakly)."""
        self._watchers.add(watcher)

    def _unwatch(self, watcher: Any) -> None:
        self._watchers.discard(watcher)

    def _tell(self, what: str, column: str | None = None, *, origin: Any = None) -> None:
        """``"edited"`` (a column, or None for any) or ``"changed"`` (projections, features,
        columns) to every watcher but ``origin``."""
        for watcher in list(self._watchers):
            if watcher is not origin:
                watcher._workspace_changed(what, column)

    def _ids(self, points: Selection) -> list[int]:
        if isinstance(points, str) or (
            isinstance(points, Sequence) and points and all(isinstance(p, str) for p in points)
        ):
            return [int(i) for i in self.select(points)]  # type: ignore[arg-type]
        array = np.asarray(points)
        if array.dtype == bool:
            if array.shape != (self.store.n_points,):
                raise fail("points", f"mask must have one entry per point ({self.store.n_points})")
            return [int(i) for i in np.flatnonzero(array)]
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise fail("points", "must be point ids, a boolean mask or WHERE conditions")
        return [int(i) for i in array.ravel()]


def open(path: str | Path) -> Workspace:
    """Open the workspace folder ``path``; :class:`~synthscope.WorkspaceError` when it is not one."""
    from synthscope.workspace import Workspace as Store

    return Workspace(Store.open(path))


def create(path: str | Path) -> Workspace:
    """Make an empty workspace at ``path`` (a new or empty folder) and open it."""
    from synthscope.workspace import Workspace as Store

    path = Path(path)
    if path.exists() and (not path.is_dir() or builtins.any(path.iterdir())):
        raise fail("path", f"{path}: exists and is not empty; choose a new folder")
    return Workspace(Store.create(path))
