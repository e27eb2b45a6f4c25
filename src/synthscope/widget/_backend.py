"""The kernel's side of the widget: one request in, one reply (and its binary payload) out.

The widget's front end (``web/src/api/widget-host.ts``) sends ``{"type": "request", "id",
"method", "args"}``; :meth:`Backend.handle` answers ``{"type": "reply", "id", "value"}`` with at
most one buffer, or ``{"type": "reply", "id", "error": {"detail", "error", "parameter"}}``: the
server's one error shape, one line. Every answer comes from the functions the server's routes
call (:mod:`synthscope.server._queries`), so the page and the widget read the same data the same
way. Payloads are binary, never JSON lists: a column is the server's column container, coordinates
little-endian float32 (row-major), images and atlas tiles PNG files, a selection TSV UTF-8 text.

A projection started here runs in a worker thread (the server's job machinery); ``stream`` sends
its iterates as ``{"type": "frame", "stream"}`` + the frame, and ``{"type": "status", "stream",
"status"}``, from a pump thread, until it ends or ``unstream`` is asked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from synthscope._params import fail
from synthscope.errors import SynthscopeError, UnknownFeatureError
from synthscope.io import AtlasLayout
from synthscope.server import _queries
from synthscope.server._atlas import AtlasCache
from synthscope.server._jobs import TERMINAL, JobRegistry, encode_frame

__all__ = ["Backend", "Send"]

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any], list[bytes]], None]
"""``send(content, buffers)``: a message to every view of the widget."""

Reply = tuple[Any, bytes | None]

_STREAM_POLL_S = 0.05  # how often a stream looks for a new iterate (a browser draws no faster)

# One job registry per workspace folder: two widgets asking for the same projection share its job.
_REGISTRIES: dict[str, JobRegistry] = {}
_REGISTRIES_LOCK = threading.Lock()


def _registry(path: object) -> JobRegistry:
    with _REGISTRIES_LOCK:
        return _REGISTRIES.setdefault(str(path), JobRegistry())


def _text(args: Mapping[str, Any], name: str, *, optional: bool = False) -> str | None:
    value = args.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise fail(name, f"must be text (got {value!r})")
    return value


def _int(args: Mapping[str, Any], name: str) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(name, f"must be a whole number (got {value!r})")
    return value


class Backend:
    """Answers one widget's requests about one workspace.

    Parameters
    ----------
    store
        The workspace store (:class:`synthscope.workspace.Workspace`).
    send
        Sends a message (and buffers) to the widget's views: stream frames and statuses.
    on_edit
        Called with the column after an edit, undo or redo made here (None: any column), so other
        widgets on the workspace reload it.
    on_change
        Called after a projection made here is stored, renamed or deleted.
    compute
        Computes projections (tests pass stand-ins); None runs the real method.
    """

    def __init__(
        self,
        store: Any,
        send: Send,
        *,
        on_edit: Callable[[str | None], None] | None = None,
        on_change: Callable[[], None] | None = None,
        compute: Callable[..., Any] | None = None,
    ) -> None:
        self.store = store
        self._send = send
        self._on_edit = on_edit or (lambda column: None)
        self._on_change = on_change or (lambda: None)
        self.compute = compute
        self.jobs = _registry(store.path)
        self.write_lock = threading.Lock()
        self._thumbs: AtlasCache | None = None
        self._streams: dict[str, threading.Event] = {}
        self._streams_lock = threading.Lock()
        self._methods: dict[str, Callable[[Mapping[str, Any]], Reply]] = {
            "dataset": self._dataset,
            "column": self._column,
            "projection": self._projection,
            "components": self._components,
            "projectionSchema": self._schema,
            "startProjection": self._start,
            "stream": self._stream,
            "unstream": self._unstream,
            "control": self._control,
            "renameProjection": self._rename,
            "deleteProjection": self._delete,
            "point": self._point,
            "neighbors": self._neighbors,
            "realism": self._realism,
            "utility": self._utility,
            "relabel": self._relabel,
            "undo": self._undo,
            "redo": self._redo,
            "history": self._history,
            "palette": self._palette,
            "exportImages": self._export,
            "selectionTsv": self._selection,
            "image": self._image,
            "labelMap": self._label_map,
            "thumbTile": self._thumb_tile,
        }

    # -- the one entry point -------------------------------------------------------------------
    def handle(self, message: Mapping[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        """The reply to one request message, and its buffers (never raises)."""
        request_id = message.get("id") if isinstance(message, Mapping) else None
        try:
            if not isinstance(message, Mapping) or message.get("type") != "request":
                raise fail("message", "must be a request ({type: 'request', id, method, args})")
            method = message.get("method")
            handler = self._methods.get(method) if isinstance(method, str) else None
            if handler is None:
                raise fail("method", f"{method!r} is not a request the widget answers")
            args = message.get("args") or {}
            if not isinstance(args, Mapping):
                raise fail("args", "must be an object")
            value, payload = handler(args)
        except SynthscopeError as error:
            return self._error(request_id, error), []
        except Exception as error:  # a bug: the view must hear why, the log gets the trace
            logger.exception("widget request %r failed", message)
            detail = f"{type(error).__name__}: {error}".split("\n")[0]
            return {
                "type": "reply",
                "id": request_id,
                "error": {"detail": detail, "error": "InternalError"},
            }, []
        return {"type": "reply", "id": request_id, "value": value}, [] if payload is None else [
            payload
        ]

    @staticmethod
    def _error(request_id: object, error: SynthscopeError) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": str(error).split("\n")[0], "error": type(error).__name__}
        parameter = getattr(error, "parameter", None)
        if parameter is not None:
            body["parameter"] = parameter
        return {"type": "reply", "id": request_id, "error": body}

    # -- reads ---------------------------------------------------------------------------------
    def _layout(self) -> AtlasLayout:
        if self._thumbs is None:
            self._thumbs = AtlasCache(self.store.thumbnails, capacity=8)
        return self._thumbs.layout()

    def _dataset(self, args: Mapping[str, Any]) -> Reply:
        name = self.store.path.name
        return _queries.dataset_summary(self.store, name, self._layout().to_json()), None

    def _column(self, args: Mapping[str, Any]) -> Reply:
        from synthscope.server._tables import encode_column

        name = _text(args, "name")
        return {"name": name}, encode_column(name, self.store.column(name))

    def _projection(self, args: Mapping[str, Any]) -> Reply:
        embedding = _queries.stored_projection(self.store, _text(args, "id"))[0]
        coords = np.ascontiguousarray(embedding, dtype="<f4")
        return {"n": int(coords.shape[0]), "dims": int(coords.shape[1])}, coords.tobytes()

    def _components(self, args: Mapping[str, Any]) -> Reply:
        scores, variance = _queries.pca_components(self.store, _text(args, "id"), _int(args, "k"))
        value = {"n": int(scores.shape[0]), "dims": int(scores.shape[1]), "variance": variance}
        return value, scores.tobytes()

    def _schema(self, args: Mapping[str, Any]) -> Reply:
        from synthscope.projection import ProjectionRequest

        return ProjectionRequest.schema(), None

    def _point(self, args: Mapping[str, Any]) -> Reply:
        return _queries.point_values(self.store, _int(args, "id")), None

    def _neighbors(self, args: Mapping[str, Any]) -> Reply:
        point, k = _int(args, "id"), _int(args, "k")
        metric = _text(args, "metric")
        feature = _text(args, "feature", optional=True)
        return _queries.neighbors(self.store, point, k, metric, feature), None

    def _realism(self, args: Mapping[str, Any]) -> Reply:
        return _queries.realism_report(self.store, _text(args, "feature", optional=True)), None

    def _utility(self, args: Mapping[str, Any]) -> Reply:
        return _queries.utility_result(self.store), None

    def _history(self, args: Mapping[str, Any]) -> Reply:
        limit = args.get("limit", 50)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise fail("limit", f"must be a whole number from 1 to 1000 (got {limit!r})")
        return {"batches": self.store.edits(limit)}, None

    def _selection(self, args: Mapping[str, Any]) -> Reply:
        ids = _queries.check_ids(args.get("ids"), self.store.n_points)
        return {"count": len(ids)}, _queries.selection_tsv(self.store, ids).encode("utf-8")

    def _image(self, args: Mapping[str, Any]) -> Reply:
        point = _queries.check_point(self.store, args.get("id"))
        return {"id": point}, _queries.image_png(self.store, point)

    def _label_map(self, args: Mapping[str, Any]) -> Reply:
        point = _queries.check_point(self.store, args.get("id"))
        png = _queries.label_map_png(self.store, point)
        if png is None:
            return None, None
        return {"id": point}, png

    def _thumb_tile(self, args: Mapping[str, Any]) -> Reply:
        tile = _int(args, "tile")
        layout = self._layout()
        if not 0 <= tile < layout.n_tiles:
            raise fail("tile", f"{tile} is not a tile: tiles run from 0 to {layout.n_tiles - 1}")
        try:  # written at ingest: sent as it is
            return {"tile": tile}, self.store.thumbnail_tile(tile).read_bytes()
        except UnknownFeatureError:
            assert self._thumbs is not None
            return {"tile": tile}, self._thumbs.tile_png(tile)

    # -- writes --------------------------------------------------------------------------------
    def _relabel(self, args: Mapping[str, Any]) -> Reply:
        ids = _queries.check_ids(args.get("ids"), self.store.n_points)
        if not ids:
            raise fail("ids", "must name at least one point: select points first")
        column = _text(args, "column")
        with self.write_lock:
            ack = _queries.relabel(self.store, ids, column, args.get("value"))
        self._on_edit(column)
        return ack, None

    def _undo(self, args: Mapping[str, Any]) -> Reply:
        with self.write_lock:
            batch = self.store.undo()
        if batch is not None:
            self._on_edit(None)
        return {"batch": batch}, None

    def _redo(self, args: Mapping[str, Any]) -> Reply:
        with self.write_lock:
            batch = self.store.redo()
        if batch is not None:
            self._on_edit(None)
        return {"batch": batch}, None

    def _palette(self, args: Mapping[str, Any]) -> Reply:
        with self.write_lock:
            return _queries.assign_palette(self.store, args.get("key"), args.get("values")), None

    def _export(self, args: Mapping[str, Any]) -> Reply:
        ids = _queries.check_ids(args.get("ids"), self.store.n_points)
        if not ids:
            raise fail("ids", "must name at least one point: select points first")
        name = _text(args, "name", optional=True)
        with self.write_lock:
            return _queries.export_images(self.store, ids, name), None

    # -- projections ---------------------------------------------------------------------------
    def _start(self, args: Mapping[str, Any]) -> Reply:
        given = args.get("request")
        if not isinstance(given, Mapping):
            raise fail("request", "must be an object of ProjectionRequest fields")
        request = _queries.resolve_request(given, self.store)
        started = _queries.start_projection(
            self.store, self.jobs, request, self.compute, on_done=lambda job: self._on_change()
        )
        return started, None

    def _rename(self, args: Mapping[str, Any]) -> Reply:
        pid, name = _text(args, "id"), _text(args, "name")
        with self.write_lock:
            meta = self.store.rename_projection(pid, name)
        self._on_change()
        return meta, None

    def _delete(self, args: Mapping[str, Any]) -> Reply:
        with self.write_lock:
            answer = _queries.delete_projection(self.store, self.jobs, _text(args, "id"))
        self._on_change()
        return answer, None

    def _control(self, args: Mapping[str, Any]) -> Reply:
        pid, action = _text(args, "id"), _text(args, "action")
        if action not in ("pause", "resume", "stop"):
            raise fail("action", f"must be pause, resume or stop (got {action!r})")
        job = self.jobs.get(pid)
        if job is None:
            raise UnknownFeatureError(f"no projection job {pid!r} in this kernel")
        job.control(action)
        return job.status(), None

    def _stream(self, args: Mapping[str, Any]) -> Reply:
        stream, pid = _text(args, "stream"), _text(args, "id")
        job = self.jobs.get(pid)
        if job is None:  # finished before this kernel started it, or stored by another
            embedding, meta = _queries.stored_projection(self.store, pid)
            frame = encode_frame(int(meta.get("iterations", 0)), 0, embedding)
            self._send({"type": "frame", "stream": stream}, [frame])
            status = {"id": pid, "state": "done", "iteration": 0, "total": 0}
            self._send({"type": "status", "stream": stream, "status": status}, [])
            return {"stream": stream}, None
        stop = threading.Event()
        with self._streams_lock:
            self._streams[stream] = stop
        threading.Thread(
            target=self._pump, args=(stream, job, stop), name=f"stream-{pid}", daemon=True
        ).start()
        return {"stream": stream}, None

    def _pump(self, stream: str, job: Any, stop: threading.Event) -> None:
        """Send the job's newest iterate and state whenever they change, until it ends."""
        seen, sent = -1, None
        try:
            while not stop.is_set():
                version, frame = job.frame()
                if version != seen:
                    seen = version
                    status = job.status()
                    if frame is not None and frame is not sent:
                        self._send({"type": "frame", "stream": stream}, [frame])
                        sent = frame
                    self._send({"type": "status", "stream": stream, "status": status}, [])
                    if status["state"] in TERMINAL:
                        return
                stop.wait(_STREAM_POLL_S)
        except Exception:  # the widget went away mid-send: nothing to tell
            logger.debug("stream %s ended early", stream, exc_info=True)
        finally:
            with self._streams_lock:
                self._streams.pop(stream, None)

    def _unstream(self, args: Mapping[str, Any]) -> Reply:
        with self._streams_lock:
            stop = self._streams.pop(_text(args, "stream"), None)
        if stop is not None:
            stop.set()
        return {"stopped": stop is not None}, None

    def close(self) -> None:
        """Stop every stream (running jobs finish and are stored, as the server's do)."""
        with self._streams_lock:
            streams = list(self._streams.values())
            self._streams.clear()
        for stop in streams:
            stop.set()
