"""Which sidecar row and which label map a scanned image gets."""

from __future__ import annotations

from PIL import Image

from synthscope.io import iter_folder


def _touch_png(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (4, 4)).save(path)


def test_a_row_matched_by_path_beats_name_beats_stem_and_the_last_label_map_wins(tmp_path):
    for name in ("images/a.png", "images/sub/b.png", "labels/a.png", "labels/x/a.png"):
        _touch_png(tmp_path / name)
    # A row is found by its key, the key's name and its stem, later rows winning: so each
    # of these names (path, name, stem) leads to its own row.
    (tmp_path / "frames.tsv").write_text("stem\tx\na.png\tby-name\na\tby-stem\n")
    (tmp_path / "images" / "sub" / "frames.tsv").write_text(
        "file\tx\nsub/b.png\tby-path\nb.png\tby-name\nb\tby-stem\n"
    )
    a, b = iter_folder(tmp_path, "real")
    assert (a.file.name, a.extras, a.group) == ("a.png", {"x": "by-name"}, None)
    assert a.label_map == tmp_path / "labels" / "x" / "a.png"  # sorted last of the same stem
    assert (b.file.name, b.extras, b.group) == ("b.png", {"x": "by-path"}, "sub")
    assert b.label_map is None
