"""The commands' progress display: a spinner while the work has no count yet, then the bar."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from synthscope.cli import _app


class RecordingStatus:
    """Stands in for ``console.status(...)``: records when it is started and stopped."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def start(self) -> None:
        self.events.append("start")

    def stop(self) -> None:
        self.events.append("stop")

    def __enter__(self) -> RecordingStatus:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def terminal(monkeypatch):
    """A terminal console writing to a buffer, as the commands' console; and the spinner's
    events."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    events: list[str] = []
    texts: list[str] = []

    def status(text: str) -> RecordingStatus:
        texts.append(text)
        return RecordingStatus(events)

    monkeypatch.setattr(_app, "console", console)
    monkeypatch.setattr(console, "status", status)
    return buffer, events, texts


def test_the_spinner_runs_until_the_first_count_then_the_bar(terminal):
    buffer, events, texts = terminal
    with _app.progress_bar("decoding", waiting="scanning the folders") as update:
        assert texts == ["scanning the folders"] and events == ["start"]
        update(0, 4)
        assert events == ["start", "stop"]  # gone before the bar starts
        update(4, 4)
    assert events == ["start", "stop"]
    assert "decoding" in buffer.getvalue() and "4/4" in buffer.getvalue()


def test_a_failure_before_the_first_count_stops_the_spinner(terminal):
    buffer, events, _ = terminal
    with (
        pytest.raises(ValueError, match="no such folder"),
        _app.progress_bar("decoding", waiting="scanning the folders"),
    ):
        raise ValueError("no such folder")
    assert events == ["start", "stop"]
    assert "decoding" not in buffer.getvalue()  # no bar was shown


def test_work_with_nothing_to_count_stops_the_spinner(terminal):
    _, events, _ = terminal
    with _app.progress_bar("decoding", waiting="scanning the folders"):
        pass
    assert events == ["start", "stop"]


def test_no_spinner_unless_asked(terminal):
    buffer, events, texts = terminal
    with _app.progress_bar("embedding") as update:
        update(1, 2)
    assert texts == [] and events == []
    assert "embedding" in buffer.getvalue()


def test_a_real_spinner_gives_way_to_the_bar(monkeypatch):
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(_app, "console", console)
    # Rich before 14 refuses a second live display (LiveError); later ones stack them.
    stack = lambda: getattr(console, "_live_stack", None)  # noqa: E731
    with _app.progress_bar("decoding", waiting="scanning the folders") as update:
        update(0, 2)
        assert stack() is None or len(stack()) == 1  # the bar alone: the spinner has stopped
        update(2, 2)
    assert not stack()
    assert "scanning the folders" in buffer.getvalue() and "2/2" in buffer.getvalue()


@pytest.fixture
def opening(terminal, monkeypatch):
    """``open_executor`` replaced by a recorder: the spinner's events show whether it ran
    while the cluster was being opened."""
    import synthscope.workspace

    _, events, texts = terminal

    def open_executor(cluster, *, threads=None):
        events.append(f"open {cluster}")
        if cluster == "tcp://127.0.0.1:9":
            raise ConnectionError("no scheduler")
        return object()

    monkeypatch.setattr(synthscope.workspace, "open_executor", open_executor)
    monkeypatch.delenv("SYNTHSCOPE_CLUSTER", raising=False)
    return events, texts


def test_a_spinner_while_a_cluster_starts_or_answers(opening):
    from synthscope.cli._workspace_commands import _open_cluster

    events, texts = opening
    _open_cluster("local:2")
    assert texts == ["starting a local Dask cluster"]
    assert events == ["start", "open local:2", "stop"]
    events.clear()
    with pytest.raises(ConnectionError):
        _open_cluster("tcp://127.0.0.1:9")
    assert texts[-1] == "connecting to tcp://127.0.0.1:9"
    assert events == ["start", "open tcp://127.0.0.1:9", "stop"]


def test_no_spinner_for_threads_in_this_process(opening, monkeypatch):
    from synthscope.cli._workspace_commands import _open_cluster

    events, texts = opening
    _open_cluster(None)
    assert texts == [] and events == ["open none"]
    monkeypatch.setenv("SYNTHSCOPE_CLUSTER", "local:1")  # the variable counts as the option
    _open_cluster(None)
    assert texts == ["starting a local Dask cluster"]
    assert events[1:] == ["start", "open None", "stop"]  # as given: errors name the variable
