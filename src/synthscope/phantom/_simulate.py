"""Pullbacks of frames: seeding, per-frame records, and the in-memory simulation API.

Seeds: pullback ``p`` of a set made with ``seed`` draws its anatomy from
``SeedSequence(seed, spawn_key=(p, 0))`` and frame ``k``'s scatterers and noise from
``SeedSequence(seed, spawn_key=(p, 1, k))``, the keys ``SeedSequence.spawn`` would give. Frames are
therefore independent of how many frames or pullbacks are drawn, of the order threads render
them in, and of every other seed: two seeds give independent draws of one distribution.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from synthscope._params import Integral, Interval, check_params, check_value, fail
from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError
from synthscope.phantom._anatomy import FrameAnatomy, PullbackAnatomy
from synthscope.phantom._echo import draw_frame
from synthscope.phantom._params import PhantomParams
from synthscope.phantom._render import label_frame, render_frame
from synthscope.phantom._scan import ScanGeometry, scan_geometry

__all__ = ["FrameRecord", "PhantomFrames", "simulate", "simulate_pullback"]


@dataclass(frozen=True)
class FrameRecord:
    """What ``frames.tsv`` says about one frame (column order = field order)."""

    stem: str
    pullback: str
    frame: int
    position_mm: float
    lumen_area_mm2: float
    eem_area_mm2: float
    plaque_burden: float
    calcium_present: int
    calcium_arc_deg: float
    guidewire_angle_deg: float | None


@dataclass(frozen=True)
class PhantomFrames:
    """Simulated frames held in memory: ``images`` and ``labels`` are ``(n, size, size)`` uint8."""

    images: np.ndarray
    labels: np.ndarray
    records: tuple[FrameRecord, ...]
    params: PhantomParams


@dataclass(frozen=True)
class _Task:
    pullback: int
    frame: int
    stem: str


def check_counts(n: int, size: int, seed: int, pullbacks: int) -> None:
    """Raise :class:`InvalidParameterError` for counts a phantom cannot be made with."""
    check_params(
        {"n": n, "size": size, "pullbacks": pullbacks, "seed": seed},
        {
            "n": Interval(Integral, 1, None),
            "size": Interval(Integral, 32, 4096),
            "pullbacks": Interval(Integral, 1, None),
            "seed": Interval(Integral, 0, None),
        },
    )
    if pullbacks > n:
        raise fail(
            "pullbacks",
            f"must be <= n, each pullback needs a frame (got {pullbacks} for {n} frames)",
        )


def _tasks(n: int, pullbacks: int) -> list[_Task]:
    """Split ``n`` frames over pullbacks (the first ``n % pullbacks`` get one more)."""
    per, extra = divmod(n, pullbacks)
    pb_width = max(3, len(str(pullbacks - 1)))
    frame_width = max(4, len(str(per)))
    tasks = []
    for p in range(pullbacks):
        for k in range(per + (p < extra)):
            tasks.append(_Task(p, k, f"pb{p:0{pb_width}d}_f{k:0{frame_width}d}"))
    return tasks


def _anatomy(params: PhantomParams, seed: int, pullback: int) -> PullbackAnatomy:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(pullback, 0)))
    return PullbackAnatomy(params, rng)


def _record(task: _Task, anatomy: FrameAnatomy, pullback_name: str) -> FrameRecord:
    step = 2 * np.pi / anatomy.lumen.size
    lumen_area = float(0.5 * np.sum(anatomy.lumen.astype(np.float64) ** 2) * step)
    eem_area = float(0.5 * np.sum(anatomy.eem.astype(np.float64) ** 2) * step)
    arc_lines = int(np.count_nonzero(anatomy.calcium_outer > anatomy.calcium_inner))
    wire = anatomy.guidewire
    return FrameRecord(
        stem=task.stem,
        pullback=pullback_name,
        frame=task.frame,
        position_mm=round(anatomy.position_mm, 6),
        lumen_area_mm2=round(lumen_area, 4),
        eem_area_mm2=round(eem_area, 4),
        plaque_burden=round(1.0 - lumen_area / eem_area, 4),
        calcium_present=int(arc_lines > 0),
        calcium_arc_deg=round(arc_lines * 360.0 / anatomy.lumen.size, 2),
        guidewire_angle_deg=None if wire is None else round(math.degrees(wire[0]), 2),
    )


class _Renderer:
    """Renders the tasks of one set."""

    def __init__(self, params: PhantomParams, size: int, seed: int, pullbacks: Sequence[int]):
        self.params = params
        self.seed = seed
        self.geometry: ScanGeometry = scan_geometry(size, params.n_lines, params.field_of_view_mm)
        self.anatomies = {p: _anatomy(params, seed, p) for p in pullbacks}

    def __call__(self, task: _Task) -> tuple[np.ndarray, np.ndarray, FrameRecord]:
        anatomy = self.anatomies[task.pullback].frame(task.frame)
        seq = np.random.SeedSequence(self.seed, spawn_key=(task.pullback, 1, task.frame))
        g = self.geometry
        draws = draw_frame(np.random.default_rng(seq), g.n_lines, g.n_depth)
        image = render_frame(anatomy, draws, self.params, g)
        labels = label_frame(anatomy, g)
        return image, labels, _record(task, anatomy, task.stem.split("_")[0])


def default_workers() -> int:
    """Worker processes used when none are named: the cores this process may use (at most 8)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


class _Job:
    """A picklable unit of work: renders (and optionally writes) one task; built lazily per process."""

    def __init__(
        self,
        params: PhantomParams,
        size: int,
        seed: int,
        pullbacks: Sequence[int],
        write: Callable[[str, np.ndarray, np.ndarray], None] | None = None,
    ) -> None:
        self.args = (params, size, seed, tuple(pullbacks))
        self.write = write
        self._renderer: _Renderer | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"args": self.args, "write": self.write, "_renderer": None}

    def prepare(self) -> _Renderer:
        if self._renderer is None:
            self._renderer = _Renderer(*self.args)
        return self._renderer

    def __call__(self, task: _Task) -> tuple[np.ndarray | None, np.ndarray | None, FrameRecord]:
        image, labels, record = self.prepare()(task)
        if self.write is None:
            return image, labels, record
        self.write(task.stem, image, labels)
        return None, None, record


_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _work(task: _Task) -> tuple[np.ndarray | None, np.ndarray | None, FrameRecord]:
    assert _WORKER_JOB is not None
    return _WORKER_JOB(task)


def _backend(workers: int) -> str:
    """``serial``, ``fork`` (worker processes) or ``threads``.

    Forked processes scale best, as much of a frame is small numpy calls and PNG encoding that
    hold the GIL, and unlike ``spawn`` they need no ``if __name__ == "__main__"`` guard in the
    caller's script. Forking a process that runs other threads can deadlock, so such callers
    (the server, notebooks with background threads) get a thread pool instead.
    """
    if workers == 1:
        return "serial"
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "threads"


def run_ordered(
    job: _Job,
    tasks: Sequence[_Task],
    workers: int | None,
    progress: ProgressCallback | None,
    backend: str | None = None,
) -> Iterator[tuple[np.ndarray | None, np.ndarray | None, FrameRecord]]:
    """Yield ``job(task)`` in task order, computed serially, on forked processes or threads."""
    workers = default_workers() if workers is None else workers
    check_value("workers", workers, Interval(Integral, 1, None))
    total = len(tasks)
    workers = min(workers, max(1, total // 4))  # starting a worker costs about a frame or two
    backend = _backend(workers) if backend is None else backend
    results: Iterator[tuple[np.ndarray | None, np.ndarray | None, FrameRecord]]
    if backend == "serial":
        results = map(job, tasks)
        pool = None
    elif backend == "fork":
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(workers, context, initializer=_init_worker, initargs=(job,))
        chunk = max(1, min(8, total // (8 * workers)))
        results = pool.map(_work, tasks, chunksize=chunk)
    elif backend == "threads":
        job.prepare()  # build the shared renderer before threads race to do it
        pool = ThreadPoolExecutor(workers, thread_name_prefix="phantom")
        results = pool.map(job, tasks)
    else:
        raise InvalidParameterError(f"backend must be serial, fork or threads (got {backend!r})")
    # Only now report: a progress display may start a thread, which must not exist at fork time.
    if progress is not None:
        progress(0, total)
    try:
        for done, result in enumerate(results, start=1):
            yield result
            if progress is not None:
                progress(done, total)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _stack(
    results: Iterator[tuple[np.ndarray, np.ndarray, FrameRecord]], n: int, size: int
) -> tuple[np.ndarray, np.ndarray, tuple[FrameRecord, ...]]:
    images = np.empty((n, size, size), dtype=np.uint8)
    labels = np.empty((n, size, size), dtype=np.uint8)
    records = []
    for i, (image, label, record) in enumerate(results):
        images[i], labels[i] = image, label
        records.append(record)
    return images, labels, tuple(records)


def simulate(
    n: int = 16,
    *,
    size: int = 500,
    seed: int = 0,
    pullbacks: int = 1,
    params: PhantomParams | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> PhantomFrames:
    """Simulate ``n`` frames split over ``pullbacks`` pullbacks, in memory (no files).

    Frames come in pullback, then frame order, as in ``frames.tsv``. Holds every frame: for
    thousands of frames at full size use :func:`write_phantom`, which streams to disk.
    """
    params = PhantomParams() if params is None else params
    check_counts(n, size, seed, pullbacks)
    tasks = _tasks(n, pullbacks)
    job = _Job(params, size, seed, range(pullbacks))
    images, labels, records = _stack(run_ordered(job, tasks, workers, progress), n, size)
    return PhantomFrames(images=images, labels=labels, records=records, params=params)


def simulate_pullback(
    n_frames: int,
    *,
    size: int = 500,
    seed: int = 0,
    pullback: int = 0,
    first_frame: int = 0,
    params: PhantomParams | None = None,
    workers: int | None = None,
) -> PhantomFrames:
    """Simulate frames ``first_frame .. first_frame + n_frames - 1`` of pullback ``pullback``.

    Gives exactly the frames :func:`simulate` and :func:`write_phantom` give for that pullback
    under the same seed.
    """
    params = PhantomParams() if params is None else params
    check_counts(n_frames, size, seed, 1)
    check_params(
        {"pullback": pullback, "first_frame": first_frame},
        {"pullback": Interval(Integral, 0, None), "first_frame": Interval(Integral, 0, None)},
    )
    last = first_frame + n_frames - 1
    width = max(4, len(str(last)))
    tasks = [
        _Task(pullback, k, f"pb{pullback:03d}_f{k:0{width}d}") for k in range(first_frame, last + 1)
    ]
    job = _Job(params, size, seed, [pullback])
    images, labels, records = _stack(run_ordered(job, tasks, workers, None), n_frames, size)
    return PhantomFrames(images=images, labels=labels, records=records, params=params)
