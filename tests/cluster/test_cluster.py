"""Ingest and embed on Dask: real scheduler and worker processes on loopback (see conftest.py),
the same bytes as in-process, and the faults a user meets."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from synthscope.errors import ImageReadError, InputError, InvalidParameterError
from synthscope.features import parse_spec
from synthscope.workspace import Workspace, embed, ingest, open_executor
from synthscope.workspace._cluster import (
    CLUSTER_ENV,
    CONNECT_TIMEOUT_S,
    _this_version,
    check_versions,
    resolve_cluster,
    worker_cache_info,
)
from tests.helpers import write_dicom, write_images

pytestmark = pytest.mark.timeout(180)


def _files(workspace: Path) -> dict[str, bytes]:
    """Every vector, thumbnail and tile file of a workspace, by relative path."""
    found = [*workspace.glob("vectors/*.npy"), *workspace.glob("thumbs/*")]
    return {str(p.relative_to(workspace)): p.read_bytes() for p in sorted(found)}


def assert_same_workspace(a: Path, b: Path) -> None:
    files_a, files_b = _files(a), _files(b)
    assert sorted(files_a) == sorted(files_b)
    for name, data in files_a.items():
        assert data == files_b[name], f"{name} differs"
    with Workspace.open(a) as one, Workspace.open(b) as other:
        assert one.rows() == other.rows()
        for feature in one.features():
            assert one.vectors_digest(feature) == other.vectors_digest(feature)


def _folders(tmp_path: Path, image_folders) -> tuple[Path, Path]:
    real, fake = image_folders(6, 5)
    frames = np.random.default_rng(4).integers(0, 4096, size=(3, 20, 24))
    (real / "pb3").mkdir()
    write_dicom(real / "pb3" / "multi.dcm", frames, window=(2000, 4000))
    return real, fake


def test_ingest_on_a_scheduler_and_on_local_workers_matches_in_process_byte_for_byte(
    tmp_path, image_folders, cluster_address
):
    real, fake = _folders(tmp_path, image_folders)
    ingest(tmp_path / "here", [real], [fake])
    report = ingest(tmp_path / "tcp", [real], [fake], cluster=cluster_address)
    assert report.added == 14 and report.created
    assert_same_workspace(tmp_path / "here", tmp_path / "tcp")
    # local:1 starts (and stops) a LocalCluster of one worker process
    ingest(tmp_path / "local", [real], [fake], cluster="local:1")
    assert_same_workspace(tmp_path / "here", tmp_path / "local")
    # appending on the cluster: the old rows are kept, the new ones follow, bytes as here
    more = write_images(tmp_path / "more", 3, seed=9)[0].parent
    ingest(tmp_path / "here", [more])
    ingest(tmp_path / "tcp", [more], cluster=cluster_address)
    assert_same_workspace(tmp_path / "here", tmp_path / "tcp")


def test_embed_on_a_cluster_matches_in_process_and_prepares_each_extractor_once_per_worker(
    tmp_path, image_folders, cluster_address
):
    real, fake = _folders(tmp_path, image_folders)
    ingest(tmp_path / "here", [real], [fake])
    shutil.copytree(tmp_path / "here", tmp_path / "there")
    specs = ["pixels:32", "random-cnn:1"]
    extractors = [parse_spec(spec) for spec in specs]
    for extractor in extractors:
        extractor.batch_size = 5  # 14 points: batches of 5, 5 and 4 (a file's frames together)
    with Workspace.open(tmp_path / "here") as here:
        for extractor in extractors:
            embed(here, extractor)
    with Workspace.open(tmp_path / "there") as there, open_executor(cluster_address) as executor:
        for extractor in extractors:
            embed(there, extractor, cluster=executor)
        served = executor.client.run(worker_cache_info)
    assert_same_workspace(tmp_path / "here", tmp_path / "there")
    # one worker: each extractor was shipped and prepared there once, then served every batch
    (cache,) = served.values()
    assert list(cache.values()) == [3, 3]


def test_a_file_a_worker_cannot_read_is_named_and_skip_goes_on(
    tmp_path, image_folders, cluster_address
):
    real, fake = image_folders(4, 3)
    bad = real / "pb1" / "img000.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    ws = tmp_path / "ws"
    with pytest.raises(ImageReadError, match=re.escape(str(bad))) as failed:
        ingest(ws, [real], [fake], cluster=cluster_address)
    assert not ws.exists()
    with pytest.raises(ImageReadError) as here:
        ingest(ws, [real], [fake])
    assert str(failed.value) == str(here.value)
    report = ingest(ws, [real], [fake], on_error="skip", cluster=cluster_address)
    assert [item.path for item in report.skipped] == [str(bad)]
    assert report.added == 6


def test_an_extractor_whose_model_fails_to_load_on_a_worker_names_the_file(
    tmp_path, image_folders, cluster_address
):
    real, fake = image_folders(2, 1)
    ingest(tmp_path / "ws", [real], [fake])
    model = tmp_path / "garbage.pt"
    model.write_bytes(b"not a model at all" * 10)
    with Workspace.open(tmp_path / "ws") as ws:
        with pytest.raises(InputError) as here:
            embed(ws, f"torchscript:{model}")
        with pytest.raises(InputError) as there:  # raised on the worker, intact here
            embed(ws, f"torchscript:{model}", cluster=cluster_address)
        assert "torchscript.garbage" not in ws.features()
    assert str(there.value) == str(here.value)
    assert there.value.path == str(model)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    """``synthscope ARGS`` in this process: (exit status, stdout, stderr)."""
    from synthscope.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def test_an_unreachable_scheduler_is_one_line_naming_it_and_nothing_is_written(
    tmp_path, image_folders, monkeypatch, capsys
):
    real, _ = image_folders(2, 0)
    address = f"tcp://127.0.0.1:{_free_port()}"
    ws = tmp_path / "ws"
    assert CONNECT_TIMEOUT_S < 10  # the error comes within ten seconds
    # one line, naming the flag (the library's parameter 'cluster') ...
    code, _, err = run_cli(capsys, "ingest", ws, "--real", real, "--cluster", address)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith(f"error: --cluster {address}: no Dask scheduler answered")
    assert not ws.exists()
    # ... or the variable, when the address came from it: the user may not know it is set
    monkeypatch.setenv(CLUSTER_ENV, address)
    code, _, err = run_cli(capsys, "ingest", ws, "--real", real)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith(f"error: {CLUSTER_ENV}={address}: no Dask scheduler answered")
    assert not ws.exists()
    # and --cluster none runs in this process whatever the variable says
    code, _, err = run_cli(capsys, "ingest", ws, "--real", real, "--cluster", "none")
    assert code == 0 and "running on Dask" not in err, err


def test_embed_starts_no_cluster_when_every_feature_is_current(tmp_path, image_folders, capsys):
    real, _ = image_folders(3, 0)
    ws = tmp_path / "ws"
    ingest(ws, [real])
    assert run_cli(capsys, "embed", ws, "--features", "pixels:16")[0] == 0
    nobody = f"tcp://127.0.0.1:{_free_port()}"  # would fail in 5 s if it were reached
    code, _, err = run_cli(capsys, "embed", ws, "--features", "pixels:16", "--cluster", nobody)
    assert code == 0 and "already current" in err and "running on" not in err, err
    code, _, err = run_cli(capsys, "embed", ws, "--features", "pixels:16", "--cluster", "loca")
    assert code == 1 and "--cluster must be" in err, err  # still checked
    code, _, err = run_cli(capsys, "embed", ws, "--features", "pixels:8", "--cluster", nobody)
    assert code == 1 and "no Dask scheduler answered" in err, err  # one to compute: reached


@pytest.mark.parametrize("talks", [False, True], ids=["silent", "http"])
def test_something_else_listening_at_the_address_is_refused_within_ten_seconds(talks):
    """A port where a web server (or the scheduler's dashboard) listens: Dask's handshake would
    wait for ever, or read an HTTP reply as a frame size of exabytes."""
    server = socket.create_server(("127.0.0.1", 0))
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)  # kept open: a silent peer
            if talks:
                connection.sendall(b"HTTP/1.0 400 Bad request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    outcome: list[BaseException] = []

    def open_it() -> None:
        try:
            open_executor(address)
        except BaseException as error:
            outcome.append(error)

    opener = threading.Thread(target=open_it, daemon=True)
    started = time.monotonic()
    opener.start()
    opener.join(timeout=15)
    server.close()
    for connection in held:
        connection.close()
    assert not opener.is_alive(), "open_executor still waits on a peer that is not Dask"
    assert time.monotonic() - started < 10
    assert len(outcome) == 1 and isinstance(outcome[0], InvalidParameterError), outcome
    assert str(outcome[0]).startswith(f"cluster {address}: ")
    assert "\n" not in str(outcome[0])


def test_the_cluster_option_runs_ingest_and_embed_on_the_scheduler(
    tmp_path, image_folders, cluster_address, monkeypatch, capsys
):
    real, fake = image_folders(3, 2)
    ws = tmp_path / "ws"
    code, _, err = run_cli(
        capsys, "ingest", ws, "--real", real, "--fake", fake, "--cluster", cluster_address
    )
    assert code == 0, err
    assert f"running on Dask cluster {cluster_address}" in err and "5 points added" in err
    monkeypatch.setenv(CLUSTER_ENV, cluster_address)
    code, _, err = run_cli(capsys, "embed", ws, "--features", "pixels:16")
    assert code == 0, err
    assert f"running on Dask cluster {cluster_address}" in err
    with Workspace.open(ws) as opened:
        assert opened.vectors("pixels16").shape == (5, 256)


def test_a_worker_killed_mid_run_is_retried_and_every_point_arrives_once(tmp_path, new_cluster):
    folders = [write_images(tmp_path / "real" / f"pb{k}", 40, seed=k)[0].parent for k in range(4)]
    new_cluster.start_worker("steady")
    victim = new_cluster.start_worker("victim")
    new_cluster.wait_for_workers(2)
    ingest(tmp_path / "here", [tmp_path / "real"])
    killed_at: list[int] = []

    def progress(done: int, total: int) -> None:
        if not killed_at and done >= 20:
            victim.send_signal(signal.SIGKILL)
            killed_at.append(done)

    report = ingest(
        tmp_path / "ws", [tmp_path / "real"], cluster=new_cluster.address, progress=progress
    )
    assert killed_at and killed_at[0] < 160  # mid-run: most batches were still to come
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert report.added == 160
    with Workspace.open(tmp_path / "ws") as ws:
        paths = [row[0] for row in ws.rows(["path"])]
    expected = sorted(str(p.resolve()) for folder in folders for p in folder.glob("*.png"))
    assert paths == expected  # every point once, in order
    assert_same_workspace(tmp_path / "here", tmp_path / "ws")


def test_workers_with_another_synthscope_are_refused_naming_both_versions(
    tmp_path, image_folders, new_cluster
):
    other = tmp_path / "other"
    (other / "synthscope-0.0.1.dist-info").mkdir(parents=True)
    (other / "synthscope-0.0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: synthscope\nVersion: 0.0.1\n"
    )
    new_cluster.start_worker("old", extra_path=other)
    new_cluster.wait_for_workers(1)
    real, _ = image_folders(2, 0)
    here = re.escape(_this_version())
    with pytest.raises(
        InvalidParameterError,
        match=rf"worker tcp://127\.0\.0\.1:\d+ runs synthscope 0\.0\.1, "
        rf"this process runs synthscope {here}",
    ):
        ingest(tmp_path / "ws", [real], cluster=new_cluster.address)
    assert not (tmp_path / "ws").exists()


def test_check_versions_names_a_worker_without_synthscope():
    with pytest.raises(InvalidParameterError, match="worker tcp://a:1 does not have synthscope"):
        check_versions("cluster tcp://s:1", {"tcp://a:1": None, "tcp://b:1": "0.1.0"}, "0.1.0")
    check_versions("cluster tcp://s:1", {"tcp://b:1": "0.1.0"}, "0.1.0")


@pytest.mark.parametrize(
    "value", ["local:0", "cluster", "http://host:8786", "tcp://host", "local:x"]
)
def test_bad_cluster_values_are_refused(value, monkeypatch):
    with pytest.raises(InvalidParameterError, match="cluster") as info:
        resolve_cluster(value)
    assert info.value.parameter == "cluster"
    monkeypatch.setenv(CLUSTER_ENV, value)
    with pytest.raises(InvalidParameterError, match=re.escape(value)):
        resolve_cluster(None)


def test_the_probe_connects_with_the_configured_tls_settings(monkeypatch):
    """A tls:// scheduler needs the Dask configuration's certificates, as Client uses them."""
    import distributed.comm
    import distributed.security

    from synthscope.workspace._cluster import _probe

    context = object()
    given: dict = {}

    def connect(address, timeout=None, **kwargs):
        given.update(kwargs)
        raise OSError("refused")

    monkeypatch.setattr(
        distributed.security.Security,
        "get_connection_args",
        lambda self, role: {"ssl_context": context, "require_encryption": True},
    )
    monkeypatch.setattr(distributed.comm, "connect", connect)
    assert "no Dask scheduler answered" in _probe("tls://127.0.0.1:8786")
    assert given.get("ssl_context") is context


def test_the_probe_keeps_its_deadline_when_a_name_lookup_is_slow(monkeypatch):
    from synthscope.workspace._cluster import _probe

    real_lookup = socket.getaddrinfo

    def slow_lookup(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            time.sleep(15)
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    started = time.monotonic()
    problem = _probe("tcp://scheduler.invalid:8786")
    assert time.monotonic() - started < CONNECT_TIMEOUT_S + 3
    assert problem is not None and "no Dask scheduler answered" in problem


def test_values_from_the_variable_are_refused_naming_it(monkeypatch):
    monkeypatch.setenv(CLUSTER_ENV, "loca")
    with pytest.raises(InvalidParameterError, match=f"^{CLUSTER_ENV} must be .*'loca'"):
        resolve_cluster(None)
    with pytest.raises(InvalidParameterError, match=r"^cluster must be"):
        resolve_cluster("loca")


def test_a_port_out_of_range_is_refused_as_such():
    with pytest.raises(InvalidParameterError, match=re.escape("port must be 1..65535")):
        resolve_cluster("tcp://127.0.0.1:99999")
    with pytest.raises(InvalidParameterError, match=re.escape("port must be 1..65535")):
        resolve_cluster("tcp://127.0.0.1:0")
    assert resolve_cluster("tcp://127.0.0.1:65535") == "tcp://127.0.0.1:65535"


@pytest.mark.parametrize("value", ["none", "NONE", " None "])
def test_none_means_this_process_whatever_the_variable_says(value, monkeypatch):
    monkeypatch.setenv(CLUSTER_ENV, "tcp://127.0.0.1:1")
    assert resolve_cluster(value) is None
    with open_executor(value, threads=2) as executor:
        assert not executor.remote and executor.slots == 2


def test_without_a_cluster_the_work_stays_in_this_process(monkeypatch):
    monkeypatch.delenv(CLUSTER_ENV, raising=False)
    assert resolve_cluster(None) is None
    with open_executor(None, threads=3) as executor:
        assert not executor.remote and executor.slots == 3
    monkeypatch.setenv(CLUSTER_ENV, "local:2")
    assert resolve_cluster(None) == "local:2"
