"""Paired images and label maps: find them, check them before training, batch and augment them.

Layout (the phantom's): ``DATA/images/<stem>.png`` and ``DATA/labels/<stem>.png``, paired by
stem. Label maps are single-channel integer images holding class indices 0..K-1. The reference
code fails late and cryptically on RGB colour maps, 0/255 masks and out-of-range values (CUDA
"index out of bounds"); here every label map is read once up front and such a file stops the run
with an :class:`~synthscope.errors.InputError` naming it and the values found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope.errors import ImageReadError, InputError

__all__ = [
    "IMAGE_SUFFIXES",
    "PairedData",
    "check_label_values",
    "epoch_order",
    "image_channels_of",
    "list_images",
    "load_paired",
    "read_image",
    "read_label_map",
    "resize_image",
    "resize_label",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
# Without an explicit class count, a value this large is far likelier a colour or mask value than
# a class index, and would silently make a huge one-hot input.
_MAX_INFERRED_CLASSES = 64
# Tags that keep the seed streams of data order and augmentation apart.
DATA_ORDER = 1
_AUGMENT = 2


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def list_images(directory: Path) -> list[Path]:
    """Image files of a folder (not recursive), in natural order; duplicate stems are an error."""
    if not directory.is_dir():
        raise InputError(directory, "folder not found")
    files = sorted(
        (p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        key=_natural_key,
    )
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise InputError(
                path, f"has the same stem as {seen[path.stem].name}; stems must be unique"
            )
        seen[path.stem] = path
    return files


def _open(path: Path) -> Image.Image:
    try:
        image = Image.open(path)
        image.load()
    except (OSError, ValueError) as error:
        raise ImageReadError(path, f"cannot read the image ({error})") from error
    return image


def read_label_map(path: str | Path) -> np.ndarray:
    """A label map as an (H, W) uint8 array of class indices.

    Palette images give their indices; an RGB map is accepted only when its channels are equal.
    """
    path = Path(path)
    image = _open(path)
    if image.mode in ("RGB", "RGBA"):
        array = np.asarray(image.convert("RGB"))
        if not (
            np.array_equal(array[..., 0], array[..., 1])
            and np.array_equal(array[..., 0], array[..., 2])
        ):
            colours = np.unique(array.reshape(-1, 3), axis=0)
            shown = ", ".join(str(tuple(int(v) for v in c)) for c in colours[:5])
            more = f" and {len(colours) - 5} more" if len(colours) > 5 else ""
            raise InputError(
                path,
                f"is a colour (RGB) label map with colours {shown}{more}; convert each colour to a"
                " class index 0..K-1 and save a single-channel PNG",
            )
        array = array[..., 0]
    elif image.mode in ("L", "P", "1"):
        array = np.asarray(image)
    elif image.mode in ("LA", "PA"):
        array = np.asarray(image)[..., 0]
    elif image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        array = np.asarray(image)
        if array.dtype.kind == "f" and not np.all(array == np.round(array)):
            raise InputError(path, "holds non-integer values; label maps need class indices")
    else:
        raise InputError(path, f"has image mode {image.mode!r}; label maps need one channel")
    array = np.asarray(array)
    if array.ndim != 2:
        raise InputError(path, f"label map must be 2-D (got shape {array.shape})")
    if array.min() < 0 or array.max() > 255:
        raise InputError(
            path,
            f"holds values {int(array.min())}..{int(array.max())}; class indices must be 0..255",
        )
    return array.astype(np.uint8)


def check_label_values(path: str | Path, labels: np.ndarray, label_nc: int | None) -> np.ndarray:
    """Raise :class:`InputError` for a 0/255 mask or values >= ``label_nc``; return the values."""
    values = np.unique(labels)
    if values.size and values.max() == 255 and set(values.tolist()) <= {0, 255}:
        raise InputError(
            path,
            "holds only the values 0 and 255 (a binary mask?); label maps need class indices"
            " 0..K-1: divide the mask by 255",
        )
    if label_nc is not None and values.size and values.max() >= label_nc:
        bad = values[values >= label_nc].tolist()
        raise InputError(
            path,
            f"label values {_show(bad)} are out of range for {label_nc} classes (0..{label_nc - 1});"
            f" values found: {_show(values.tolist())}",
        )
    return values


def _show(values: list[int]) -> str:
    return ", ".join(str(v) for v in values[:12]) + (", ..." if len(values) > 12 else "")


def read_image(path: str | Path, channels: int) -> np.ndarray:
    """An image as uint8, (H, W) for ``channels == 1`` or (H, W, 3)."""
    path = Path(path)
    image = _open(path)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image).astype(np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(array.max()), 1.0)
        image = Image.fromarray(np.clip(array / top * 255 + 0.5, 0, 255).astype(np.uint8))
    image = image.convert("L" if channels == 1 else "RGB")
    return np.asarray(image)


def image_channels_of(path: Path) -> int:
    """1 for a grayscale file, 3 for colour (from the file's mode, without decoding pixels)."""
    try:
        with Image.open(path) as image:
            mode = image.mode
    except (OSError, ValueError) as error:
        raise ImageReadError(path, f"cannot read the image ({error})") from error
    return 1 if mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F") else 3


def resize_image(array: np.ndarray, size: int) -> np.ndarray:
    """Bicubic resize to size x size (as the reference does for images)."""
    if array.shape[0] == size and array.shape[1] == size:
        return array
    return np.asarray(Image.fromarray(array).resize((size, size), Image.Resampling.BICUBIC))


def resize_label(array: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour resize to size x size, so no new class values appear."""
    if array.shape[0] == size and array.shape[1] == size:
        return array
    return np.asarray(Image.fromarray(array).resize((size, size), Image.Resampling.NEAREST))


@dataclass(frozen=True)
class PairedData:
    """Checked, resized training pairs held in memory.

    Attributes
    ----------
    stems
        Pair names in natural order.
    images
        (N, L, L) or (N, L, L, 3) uint8 at the load size.
    labels
        (N, L, L) uint8 class indices at the load size.
    label_nc, image_channels
        Resolved class count and image channels.
    """

    stems: list[str]
    images: np.ndarray
    labels: np.ndarray
    label_nc: int
    image_channels: int

    def __len__(self) -> int:
        return len(self.stems)

    def batch(
        self, indices: np.ndarray, *, size: int, flip: bool, seed: int, epoch: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Random crops (and flips) of the given pairs: images (B, C, S, S) uint8, labels (B, S, S).

        Each pair's crop and flip depend only on (seed, epoch, index), so a resumed run draws
        exactly what an uninterrupted one would.
        """
        load = self.labels.shape[1]
        images, labels = [], []
        for index in indices.tolist():
            rng = np.random.default_rng([seed, _AUGMENT, epoch, index])
            top, left = (int(v) for v in rng.integers(0, load - size + 1, size=2))
            image = self.images[index, top : top + size, left : left + size]
            label = self.labels[index, top : top + size, left : left + size]
            if flip and rng.random() < 0.5:
                image, label = image[:, ::-1], label[:, ::-1]
            images.append(image if image.ndim == 3 else image[..., None])
            labels.append(label)
        return np.stack(images).transpose(0, 3, 1, 2).copy(), np.stack(labels).copy()


def load_paired(
    data_dir: str | Path,
    *,
    load_size: int,
    label_nc: int | None = None,
    image_channels: int | None = None,
) -> PairedData:
    """Find, check and load ``DATA/images`` and ``DATA/labels`` (paired by stem).

    Raises :class:`InputError` naming the file for unpaired stems, mismatched sizes, RGB or 0/255
    label maps and out-of-range label values, before any training starts.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError(data_dir, "data folder not found")
    image_files = list_images(data_dir / "images")
    label_files = list_images(data_dir / "labels")
    images_by_stem = {p.stem: p for p in image_files}
    labels_by_stem = {p.stem: p for p in label_files}
    for path in image_files:
        if path.stem not in labels_by_stem:
            raise InputError(path, f"has no label map with the same stem in {data_dir / 'labels'}")
    for path in label_files:
        if path.stem not in images_by_stem:
            raise InputError(path, f"has no image with the same stem in {data_dir / 'images'}")
    if not image_files:
        raise InputError(data_dir / "images", "holds no images (.png, .jpg, .tif, .bmp)")
    channels = image_channels or image_channels_of(image_files[0])

    raw_labels, largest, largest_path = [], -1, label_files[0]
    for path in label_files:
        labels = read_label_map(path)
        values = check_label_values(path, labels, label_nc)
        if values.size and int(values.max()) > largest:
            largest, largest_path = int(values.max()), path
        raw_labels.append(labels)
    if label_nc is None:
        if largest + 1 > _MAX_INFERRED_CLASSES:
            raise InputError(
                largest_path,
                f"holds label value {largest}; label maps need class indices 0..K-1"
                f" (give the class count explicitly to use more than {_MAX_INFERRED_CLASSES})",
            )
        label_nc = max(largest + 1, 2)

    images, labels = [], []
    for path, label in zip(image_files, raw_labels, strict=True):
        image = read_image(path, channels)
        if image.shape[:2] != label.shape:
            raise InputError(
                path,
                f"is {image.shape[1]}x{image.shape[0]} but its label map"
                f" {labels_by_stem[path.stem].name} is {label.shape[1]}x{label.shape[0]}",
            )
        images.append(resize_image(image, load_size))
        labels.append(resize_label(label, load_size))
    return PairedData(
        stems=[p.stem for p in image_files],
        images=np.stack(images),
        labels=np.stack(labels),
        label_nc=label_nc,
        image_channels=channels,
    )


def epoch_order(n: int, *, seed: int, epoch: int) -> np.ndarray:
    """The shuffled order of ``n`` pairs in ``epoch``: a function of (seed, epoch) only."""
    return np.random.default_rng([seed, DATA_ORDER, epoch]).permutation(n)
