"""Where ingest and embed run their batches: threads in this process, or a Dask cluster.

::

    cluster=None                 ``$SYNTHSCOPE_CLUSTER``; when unset, threads in this process
                                 (Pillow, numba and torch release the GIL)
    cluster="none"               threads in this process, whatever the variable says
    cluster="local" | "local:N"  a Dask LocalCluster of N worker processes on this machine
    cluster="tcp://HOST:PORT"    a running Dask scheduler (``dask scheduler``, dask-jobqueue on
                                 SLURM, the Dask Kubernetes operator)
    cluster=Client(...)          a ``distributed.Client`` of the caller's (left open)

Errors name the variable when the value came from it. Both kinds of :class:`Executor` offer
one operation, :meth:`Executor.imap`: a function over items, results in the items' order, at
most ``window`` items in flight. The driver consumes the results and stays the workspace's only
writer; workers read image files and return arrays, so the files must be visible to every worker
under the same paths (a shared file system).

A worker lost mid-run is Dask's to handle: its tasks, and results it held that were not yet
fetched, are run again elsewhere, and each result still reaches the driver once. An extractor is
shipped to a worker as its small settings (its ``_loaded*`` model attributes stay behind, see
:class:`~synthscope.features.Extractor`) and prepared there once: :meth:`Executor.share` returns
a handle whose :meth:`Shared.get` finds the prepared copy in a per-process cache keyed by the
extractor's pickled settings and identity (which holds the model file's SHA-1).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypeVar

from synthscope.errors import InvalidParameterError, WorkspaceError

__all__ = [
    "CLUSTER_ENV",
    "CLUSTER_SYNTAX",
    "CONNECT_TIMEOUT_S",
    "DaskExecutor",
    "Executor",
    "Shared",
    "ThreadExecutor",
    "check_versions",
    "executor_for",
    "open_executor",
    "resolve_cluster",
    "usable_cores",
    "worker_cache_info",
]

log = logging.getLogger(__name__)

CLUSTER_ENV = "SYNTHSCOPE_CLUSTER"
CLUSTER_SYNTAX = "local[:N] | tcp://HOST:PORT | none"
#: How long to try to reach a scheduler, and to wait for its first worker.
CONNECT_TIMEOUT_S = 5.0
WORKERS_TIMEOUT_S = 10.0
CLIENT_WORKERS_TIMEOUT_S = 600.0  # for a distributed.Client given from Python
_RECOUNT_S = 2.0  # how often a running imap recounts the cluster's threads
_LOCAL = re.compile(r"^local(?::(\d+))?$")
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/]+:(\d+)$")

Item = TypeVar("Item")
Result = TypeVar("Result")


def usable_cores() -> int:
    """CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


# -- sharing an object (an extractor) with the workers ---------------------------------------
class Shared:
    """A handle to an object with a ``prepare()`` method, usable wherever the work runs.

    In this process the object itself is prepared once. Shipped to a worker, the handle carries
    the object's settings and a key; the first :meth:`get` in a worker process prepares a copy
    and keeps it (the two most recent keys) for every later batch.
    """

    def __init__(self, value: Any, *, ship: bool) -> None:
        self.value = value
        self.key: str | None = None
        if ship:
            settings = pickle.dumps(value)
            identity = getattr(value, "identity", None)
            described = json.dumps(identity() if identity else None, sort_keys=True, default=str)
            self.key = hashlib.sha1(
                settings + described.encode(), usedforsecurity=False
            ).hexdigest()
        else:
            value.prepare()

    def get(self) -> Any:
        """The prepared object."""
        if self.key is None:
            return self.value
        return _prepared(self.key, self.value)


_CACHE: OrderedDict[str, list] = OrderedDict()  # key -> [prepared object, batches served]
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def _prepared(key: str, value: Any) -> Any:
    with _CACHE_LOCK:  # one load per process, even when a worker runs several threads
        entry = _CACHE.get(key)
        if entry is None:
            value.prepare()
            entry = _CACHE[key] = [value, 0]
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        entry[1] += 1
        return entry[0]


def worker_cache_info() -> dict[str, int]:
    """Key -> batches served by the prepared objects this process holds (for tests and logs)."""
    with _CACHE_LOCK:
        return {key: entry[1] for key, entry in _CACHE.items()}


# -- executors -------------------------------------------------------------------------------
class Executor:
    """Runs a function over items, in order, with a bounded number of items in flight."""

    #: Items that run at once (threads here, or worker threads over the cluster).
    slots: int = 1
    #: Whether work leaves this process (objects are shipped, not shared).
    remote: bool = False

    def imap(
        self,
        function: Callable[[Item], Result],
        items: Iterable[Item],
        *,
        window: int | None = None,
    ) -> Iterator[Result]:
        """``function(item)`` for each item, yielded in the items' order.

        At most ``window`` items (twice :attr:`slots` by default) are submitted ahead of the one
        the caller waits for, so results held at once stay bounded. The first exception (in
        order) is raised at its place; the items after it are cancelled.
        """
        raise NotImplementedError

    def share(self, value: Any) -> Shared:
        """A handle to ``value`` (an extractor) that work functions turn into the prepared object."""
        return Shared(_absolute_paths(value) if self.remote else value, ship=self.remote)

    def describe(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release what this executor started (a LocalCluster); a caller's client stays open."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThreadExecutor(Executor):
    """Threads in this process."""

    def __init__(self, threads: int | None = None) -> None:
        self.slots = max(1, int(threads or usable_cores()))

    def describe(self) -> str:
        return f"{self.slots} thread{'s' * (self.slots != 1)} in this process"

    def imap(self, function, items, *, window=None):
        window = max(1, window or 2 * self.slots)
        pool = ThreadPoolExecutor(max_workers=self.slots)
        pending: deque = deque()
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) > window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A ``distributed.Client``: every item is one task on the cluster."""

    remote = True

    def __init__(self, client: Any, *, address: str, owned: tuple = ()) -> None:
        self.client = client
        self.address = address
        self._owned = owned  # what close() shuts: (client, LocalCluster) when we made them
        self.slots = max(1, sum(client.nthreads().values()))

    def describe(self) -> str:
        workers = len(self.client.nthreads())

        def count(n: int, what: str) -> str:
            return f"{n} {what}{'s' * (n != 1)}"

        return f"Dask cluster {self.address} ({count(workers, 'worker')}, {count(self.slots, 'thread')})"

    def imap(self, function, items, *, window=None):
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        checked = time.monotonic()

        def ahead() -> int:  # twice the cluster's threads, which an adaptive cluster changes
            nonlocal checked
            if window:
                return max(1, window)
            if time.monotonic() - checked > _RECOUNT_S:
                self.slots = max(1, sum(self.client.nthreads().values()))
                checked = time.monotonic()
            return 2 * self.slots

        run = uuid.uuid4().hex[:8]
        name = getattr(function, "__name__", None) or getattr(
            getattr(function, "func", None), "__name__", "work"
        )
        pending: deque = deque()

        def result(future: Any) -> Any:
            try:
                return future.result()
            except KilledWorker as error:
                task = getattr(error, "task", None) or "a batch"
                raise WorkspaceError(
                    f"cluster {self.address}: every worker that ran {task} died running it; "
                    "they may lack memory (see the workers' logs)"
                ) from None
            except FutureCancelledError as error:
                raise WorkspaceError(
                    f"cluster {self.address}: the scheduler dropped the work ({error}); "
                    "is it still running?"
                ) from None

        try:
            for index, item in enumerate(items):
                key = f"synthscope-{name}-{run}-{index}"
                pending.append(self.client.submit(function, item, key=key, pure=False))
                if len(pending) > ahead():
                    yield result(pending.popleft())
            while pending:
                yield result(pending.popleft())
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        for thing in self._owned:
            try:
                thing.close()
            except Exception as error:  # closing must not hide the error that got us here
                log.debug("closing %s: %s", thing, error)
        self._owned = ()


# -- choosing and opening one ----------------------------------------------------------------
def resolve_cluster(cluster: Any = None) -> Any:
    """``cluster``, or ``$SYNTHSCOPE_CLUSTER`` when it is None; checked; None means in-process
    (``"none"`` says so, over the variable). A bad value is refused naming where it came from."""
    source = "cluster"
    if cluster is None:
        cluster, source = os.environ.get(CLUSTER_ENV) or None, CLUSTER_ENV
    if cluster is None or not isinstance(cluster, str):
        return cluster
    text = cluster.strip()
    if text.lower() == "none":
        return None
    local = _LOCAL.match(text)
    if local:
        if local.group(1) is not None and int(local.group(1)) < 1:
            raise InvalidParameterError(
                f"{source} {cluster!r}: local needs at least one worker", parameter="cluster"
            )
        return text
    address = _ADDRESS.match(text)
    if address and 0 < int(address.group(2)) < 65536:
        return text
    if address:
        raise InvalidParameterError(
            f"{source} {cluster!r}: the port must be 1..65535", parameter="cluster"
        )
    raise InvalidParameterError(
        f"{source} must be {CLUSTER_SYNTAX} (got {cluster!r})", parameter="cluster"
    )


def _version_of(packages: dict | None) -> str | None:
    return None if packages is None else packages.get("synthscope")


def _this_version() -> str:
    try:
        return importlib.metadata.version("synthscope")
    except importlib.metadata.PackageNotFoundError:
        from synthscope import __version__

        return __version__


def check_versions(named: str, workers: dict[str, str | None], here: str) -> None:
    """Refuse workers whose synthscope is missing or another version than ``here``; ``named``
    names the cluster in the message (see :func:`open_executor`)."""
    for worker, version in sorted(workers.items()):
        if version != here:
            found = "does not have synthscope" if version is None else f"runs synthscope {version}"
            raise InvalidParameterError(
                f"{named}: worker {worker} {found}, this process runs synthscope "
                f"{here}; install synthscope {here} on every worker",
                parameter="cluster",
            )


def _probe(address: str) -> str | None:
    """Why ``address`` is not a Dask scheduler answering within :data:`CONNECT_TIMEOUT_S`, or None.

    ``Client``'s timeout bounds the TCP connection, not the handshake after it (distributed
    2026.8 reads the peer's handshake with no deadline): on a port where something else listens,
    a web server or the scheduler's own dashboard, it waits for ever, or reads an HTTP reply as
    a frame size in exabytes. So first ask the scheduler who it is, on an event loop of our own
    in a daemon thread (the caller, a notebook, may run a loop already), and wait for the answer
    no longer than the deadline: a slow name lookup keeps only that thread.
    """
    import asyncio
    from concurrent.futures import Future

    from distributed.comm import connect
    from distributed.security import Security

    # As Client connects: TLS settings (tls://) from the Dask configuration.
    connection_args = Security().get_connection_args("client")

    async def ask() -> Any:
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S, **connection_args)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    answer: Future = Future()

    def run() -> None:
        try:
            answer.set_result(asyncio.run(asyncio.wait_for(ask(), CONNECT_TIMEOUT_S)))
        except BaseException as error:
            answer.set_exception(error)

    threading.Thread(target=run, name="synthscope-probe", daemon=True).start()
    try:
        reply = answer.result(timeout=CONNECT_TIMEOUT_S + 1)
    except (OSError, TimeoutError) as error:
        return _no_answer(error)
    except Exception as error:  # garbage read as Dask frames: MemoryError, ValueError, ...
        return f"what answers does not speak Dask's protocol ({type(error).__name__})"
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        return f"what answers is not a Dask scheduler (it says it is {kind or 'nothing known'})"
    return None


def _no_answer(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    reason = "" if not text or "Timed out" in text else f" ({text})"
    return f"no Dask scheduler answered within {CONNECT_TIMEOUT_S:g} s{reason}"


def _connect(address: str, named: str) -> Any:
    from distributed import Client

    problem = _probe(address)
    if problem is None:
        try:
            return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            problem = _no_answer(error)
    raise InvalidParameterError(
        f"{named}: {problem}; start one with `dask scheduler`, or use local[:N]",
        parameter="cluster",
    )


def _start_local(n_workers: int) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its HTTP routes (no dashboard without bokeh)
        silence_logs=logging.ERROR,
    )
    try:
        return cluster, Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise


def open_executor(cluster: Any = None, *, threads: int | None = None) -> Executor:
    """The executor ``cluster`` names (see the module's doc); in-process threads when None.

    Raises :class:`~synthscope.errors.InvalidParameterError` (parameter ``cluster``) for a bad
    value, a scheduler that does not answer within :data:`CONNECT_TIMEOUT_S`, one without
    workers, or workers whose synthscope differs from this process's.
    """
    from_environment = cluster is None
    cluster = resolve_cluster(cluster)
    if cluster is None:
        return ThreadExecutor(threads)
    # Errors name a value from the variable as the variable: the user may not know it is set.
    return _open_dask(cluster, f"{CLUSTER_ENV}={cluster}" if from_environment else None)


def _open_dask(cluster: Any, named: str | None) -> Executor:
    """A :class:`DaskExecutor` for a checked ``cluster``; errors begin with ``named``, or
    ``cluster ADDRESS``."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InvalidParameterError(
            "cluster needs Dask's distributed package: pip install 'synthscope[cluster]'",
            parameter="cluster",
        ) from None
    if isinstance(cluster, str):
        local = _LOCAL.match(cluster)
        if local:
            n_workers = int(local.group(1) or usable_cores())
            made, client = _start_local(n_workers)
            owned: tuple = (client, made)
            address = f"local:{n_workers}"
        else:
            client = _connect(cluster, named or f"cluster {cluster}")
            owned = (client,)
            address = cluster
    else:
        client, owned = cluster, ()
        address = str(getattr(client.scheduler, "address", "client"))
    named = named or f"cluster {address}"
    # A caller's own client may belong to an adaptive cluster whose jobs wait in a queue.
    patience = WORKERS_TIMEOUT_S if owned else CLIENT_WORKERS_TIMEOUT_S
    try:
        try:
            client.wait_for_workers(1, timeout=patience)
        except Exception:
            raise InvalidParameterError(
                f"{named}: the scheduler has no workers after "
                f"{patience:g} s; start some with `dask worker {address}`",
                parameter="cluster",
            ) from None
        versions = client.get_versions(packages=["synthscope"])
        workers = {
            worker: _version_of(info.get("packages"))
            for worker, info in versions["workers"].items()
        }
        check_versions(named, workers, _this_version())
        executor = DaskExecutor(client, address=address, owned=owned)
    except BaseException:
        for thing in owned:
            thing.close()
        raise
    log.info("running on %s", executor.describe())
    return executor


def executor_for(cluster: Any = None, *, threads: int | None = None) -> Any:
    """A context giving the executor for ``cluster``: an open :class:`Executor` is used as it
    is (and left open); anything else goes to :func:`open_executor` and is closed after."""
    if isinstance(cluster, Executor):
        return nullcontext(cluster)
    return open_executor(cluster, threads=threads)


def _absolute_paths(value: Any) -> Any:
    """A shallow copy of ``value`` whose relative :class:`~pathlib.Path` attributes are absolute.

    Workers have their own working folders: a model given as ``run/`` must reach them as the
    absolute path it means here.
    """
    state = getattr(value, "__dict__", None)
    if not state or not any(isinstance(v, Path) and not v.is_absolute() for v in state.values()):
        return value
    value = copy.copy(value)
    for name, item in state.items():
        if isinstance(item, Path) and not item.is_absolute():
            setattr(value, name, item.absolute())
    return value
