"""The ingest's on-disk bookkeeping: files read a batch at a time, duplicates, files to record."""

from __future__ import annotations

from pathlib import Path

from synthscope.io import ImageEntry
from synthscope.workspace._ledger import Ledger, ReadFile


def _named(
    ledger: Ledger, names: list[str], label_maps: bool = False
) -> list[tuple[int, ImageEntry]]:
    for name in names:
        label_map = Path(f"/labels/{name}") if label_maps else None
        ledger.add(ImageEntry(Path(f"/images/{name}"), "real", label_map=label_map), "/images")
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
        (entry, keys, properties), _ = list(ledger.points())
        assert (entry.file, keys, properties) == (
            Path("/images/b.png"),
            ["/images/b.png"],
            {"image_width": 8},
        )
