"""The ingest's on-disk bookkeeping: files read a batch at a time, duplicates, files to record."""

from __future__ import annotations

from pathlib import Path

from synthscope.io import ImageEntry
from synthscope.workspace._ledger import Ledger, ReadFile


def _named(
    ledger: Ledger, names: list[str], label_maps: bool = False
) -> list[tuple[int, ImageEntry]]:
    entries = [
        ImageEntry(
            Path(f"/images/{name}"),
            "real",
            label_map=Path(f"/labels/{name}") if label_maps else None,
        )
        for name in names
    ]
    assert ledger.add(entries, "/images") is None
    ledger.set_new()
    return list(ledger.new())


def _read(new: list[tuple[int, ImageEntry]], digests: list[str]) -> list[ReadFile]:
    return [
        ReadFile(place, entry, [str(entry.file)], {"image_width": 8}, sha1, 100)
        for (place, entry), sha1 in zip(new, digests, strict=True)
    ]


def test_repeated_bytes_point_to_the_first_file_within_and_across_batches():
    with Ledger() as ledger:
        ledger.note_recorded([("/old/w.png", "w")])
        new = _named(ledger, ["a.png", "b.png", "c.png", "d.png", "e.png", "f.png"])
        read = _read(new, ["x", "y", "x", "w", "y", "x"])
        assert ledger.read(read[:3]) == [None, None, "/images/a.png"]
        assert ledger.read(read[3:]) == ["/old/w.png", "/images/b.png", "/images/a.png"]


def test_files_to_record_are_each_image_then_its_label_map_in_reading_order():
    with Ledger() as ledger:
        new = _named(ledger, ["b.png", "a.png"], label_maps=True)
        ledger.read(_read(new, ["1", "2"]))
        assert list(ledger.files()) == [
            ("/images/b.png", "image", "1", 100),
            ("/labels/b.png", "label_map", None, None),
            ("/images/a.png", "image", "2", 100),
            ("/labels/a.png", "label_map", None, None),
        ]
        first, _ = list(ledger.points())
        assert first == ("real", None, "/labels/b.png", {}, ["/images/b.png"], {"image_width": 8})


def test_a_file_named_again_keeps_its_first_mention_and_the_other_source_is_the_conflict():
    def entry(name: str, source: str) -> ImageEntry:
        return ImageEntry(Path(f"/x/{name}"), source, extras={"n": name})

    with Ledger() as ledger:
        assert ledger.add([], "/x") is None
        assert ledger.add([entry("a", "real"), entry("b", "real")], "/x") is None
        # named again under the same source, from another folder: ignored, no conflict
        assert ledger.add([entry("b", "real"), entry("c", "real")], "/y") is None
        # the first of a batch named before as real, in the batch's order
        assert ledger.add([entry("d", "fake"), entry("c", "fake"), entry("a", "fake")], "/z") == (
            "/x/c",
            "real",
            "/y",
        )
        ledger.set_new()
        assert [(str(e.file), e.source) for _, e in ledger.new()] == [
            ("/x/a", "real"),
            ("/x/b", "real"),
            ("/x/c", "real"),
            ("/x/d", "fake"),
        ]
