"""One explicit training function with a fixed number of gradient steps, and prediction.

Every arm of a utility study trains for the same number of steps on batches of the same size, so
an arm with more training images does not simply train longer (compare arms at equal compute).
Batches are drawn from shuffled passes over the training set by a seeded numpy generator; the
weights start from a seeded torch generator. On the CPU, with the same thread count, the same
inputs and seeds give the same weights bit for bit; CUDA kernels may not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from synthscope._params import Integral, Interval, Options, Real, check_params
from synthscope.errors import InvalidParameterError
from synthscope.utility._nets import SmallCNN, UNet

__all__ = ["TASKS", "TrainConfig", "predict", "resolve_device", "training_loop"]

TASKS = ("segment", "classify")

#: Called every few steps with ``(step, steps)``.
StepCallback = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """How each network of a utility study is trained (the same for every arm and repeat).

    steps
        Gradient steps (Adam, cosine decay of the learning rate to zero).
    batch_size
        Images per step, drawn from shuffled passes over the arm's training set.
    learning_rate
        Adam's initial step size.
    width
        Channels of the networks' first level (doubling at each pooling).
    augment
        Random flips and quarter turns of each training image (and its label map): IVUS frames
        have no preferred orientation.
    device
        ``"auto"`` (CUDA when present, else the CPU), ``"cpu"`` or ``"cuda"``.
    """

    steps: int = 300
    batch_size: int = 8
    learning_rate: float = 1e-2
    width: int = 8
    augment: bool = True
    device: str = "auto"

    CONSTRAINTS = {  # noqa: RUF012  (a class-level table, not a field)
        "steps": [Interval(Integral, 1, 1_000_000)],
        "batch_size": [Interval(Integral, 1, 4096)],
        "learning_rate": [Interval(Real, 0, 1, closed="right")],
        "width": [Interval(Integral, 1, 256)],
        "augment": [Options(True, False)],
        "device": [Options("auto", "cpu", "cuda")],
    }

    def check(self) -> TrainConfig:
        check_params(asdict(self), self.CONSTRAINTS)
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_device(device: str) -> torch.device:
    """``auto`` -> CUDA when available, else the CPU; ``cuda`` without CUDA is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            "device 'cuda' asked for, but torch sees no CUDA device", parameter="device"
        )
    return torch.device(device)


def _as_input(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W) -> float32 (N, 1, H, W) centred near 0."""
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.uint8)).float()
    return ((x / 255.0 - 0.5) / 0.25).unsqueeze(1)


def _augment(
    x: torch.Tensor, y: torch.Tensor, rng: np.random.Generator, segment: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same random flip and quarter turn for each image and its label map."""
    xs, ys = [], []
    for i in range(x.shape[0]):
        turns, flip = int(rng.integers(4)), bool(rng.integers(2))
        xi, yi = torch.rot90(x[i], turns, dims=(-2, -1)), y[i]
        if segment:
            yi = torch.rot90(yi, turns, dims=(-2, -1))
        if flip:
            xi = torch.flip(xi, dims=(-1,))
            if segment:
                yi = torch.flip(yi, dims=(-1,))
        xs.append(xi)
        ys.append(yi)
    return torch.stack(xs), torch.stack(ys)


def _soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - mean soft Dice over classes 1.. (class 0, outside the field of view, is left out)."""
    n_classes = logits.shape[1]
    probs = logits.softmax(dim=1)[:, 1:]
    onehot = F.one_hot(target, n_classes).permute(0, 3, 1, 2)[:, 1:].float()
    dims = (0, 2, 3)
    inter = (probs * onehot).sum(dims)
    total = probs.sum(dims) + onehot.sum(dims)
    return 1.0 - ((2 * inter + 1.0) / (total + 1.0)).mean()


class _Adam:
    """Adam (Kingma & Ba 2015, default betas and eps) in a few lines.

    ``torch.optim`` imports ``torch._dynamo`` on its first optimizer, which takes 3-8 s on a
    shared 2-core machine: longer than a small study's training.
    """

    def __init__(self, params: list[torch.nn.Parameter], lr: float) -> None:
        self.params, self.lr, self.t = params, lr, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, scale: float) -> None:
        self.t += 1
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        correction1, correction2 = 1 - beta1**self.t, 1 - beta2**self.t
        size = self.lr * scale / correction1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.mul_(beta1).add_(p.grad, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            p.addcdiv_(m, (v / correction2).sqrt_().add_(eps), value=-size)


def _batches(n: int, batch_size: int, steps: int, rng: np.random.Generator):
    """``steps`` index arrays of ``batch_size``, walking shuffled passes over ``range(n)``."""
    order, at = rng.permutation(n), 0
    for _ in range(steps):
        picked = []
        while len(picked) < batch_size:
            if at == n:
                order, at = rng.permutation(n), 0
            take = min(batch_size - len(picked), n - at)
            picked.extend(order[at : at + take])
            at += take
        yield np.asarray(picked)


def training_loop(
    task: str,
    images: np.ndarray,
    targets: np.ndarray,
    *,
    n_classes: int,
    config: TrainConfig,
    init_seed: int,
    batch_seed: int,
    on_step: StepCallback | None = None,
) -> torch.nn.Module:
    """Train a fresh network for ``config.steps`` gradient steps and return it in eval mode.

    Parameters
    ----------
    task
        ``"segment"`` (a :class:`UNet`; cross-entropy plus soft Dice over classes 1..) or
        ``"classify"`` (a :class:`SmallCNN`; cross-entropy weighted by inverse class frequency,
        so balanced accuracy is what it learns for). Segmentation weights its cross-entropy by
        the square root of inverse pixel frequency.
    images
        ``(N, H, W)`` uint8.
    targets
        ``(N, H, W)`` integer label maps (segment) or ``(N,)`` class indices (classify), all in
        ``0 .. n_classes - 1``.
    init_seed, batch_seed
        Seeds of the initial weights and of the batches and augmentations. A study gives every
        arm of one repeat the same ``init_seed``, so arms differ in their data only.
    on_step
        Called with ``(step, steps)`` every 10 steps and at the end.
    """
    config.check()
    if task not in TASKS:
        raise InvalidParameterError(f"task must be one of {TASKS} (got {task!r})", parameter="task")
    device = resolve_device(config.device)
    segment = task == "segment"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed)
        model = (UNet if segment else SmallCNN)(n_classes, config.width)
    model.to(device).train()
    x_all = _as_input(images)
    y_all = torch.from_numpy(np.asarray(targets, dtype=np.int64))
    # Classes weighted by inverse frequency (its square root for pixels): without it, small
    # classes (lumen, plaque at 32 px) went unlearned in one of six 60-step trainings.
    counts = np.bincount(y_all.numpy().ravel(), minlength=n_classes).astype(np.float64)
    inverse = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / n_classes, 0.0)
    weight = torch.tensor(np.sqrt(inverse) if segment else inverse, dtype=torch.float32)
    weight = weight.to(device)
    optimizer = _Adam(list(model.parameters()), config.learning_rate)
    steps = config.steps
    rng = np.random.default_rng(batch_seed)
    for step, index in enumerate(_batches(len(x_all), config.batch_size, steps, rng), start=1):
        x, y = x_all[index], y_all[index]
        if config.augment:
            x, y = _augment(x, y, rng, segment)
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y, weight=weight)
        if segment:
            loss = loss + _soft_dice_loss(logits, y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        # Cosine decay from the initial rate to zero at the last step.
        optimizer.step(0.5 * (1.0 + math.cos(math.pi * (step - 1) / steps)))
        if on_step is not None and (step % 10 == 0 or step == steps):
            on_step(step, steps)
    return model.eval()


@torch.no_grad()
def predict(model: torch.nn.Module, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """A U-Net's label maps ``(N, H, W)`` uint8 (argmax), or a classifier's class
    probabilities ``(N, C)`` float64."""
    device = next(model.parameters()).device
    segment = isinstance(model, UNet)
    out = []
    for start in range(0, len(images), batch_size):
        logits = model(_as_input(images[start : start + batch_size]).to(device))
        if segment:
            out.append(logits.argmax(dim=1).to(torch.uint8).cpu().numpy())
        else:
            out.append(logits.double().softmax(dim=1).cpu().numpy())
    return np.concatenate(out)
