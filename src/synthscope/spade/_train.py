"""One explicit SPADE training loop (in the manner of NVlabs edm's ``training_loop``).

Run folder::

    RUN/options.json              resolved options (label_nc, image_channels filled in)
    RUN/checkpoints/latest.pt     replaced at every epoch end and when the run stops
    RUN/checkpoints/epoch-NNNN.pt kept every ``snapshot_every`` epochs and at the last epoch
    RUN/losses.csv                step, epoch, seconds, images/s and the mean losses per row
    RUN/samples/step-NNNNNNN.png  labels | real | generated (generator in eval mode)

Every batch makes one generator step, then one discriminator step on a freshly generated batch
(as the reference does). Data order and augmentation are functions of (seed, epoch, index) and the
noise comes from one saved generator, so ``resume=True`` continues exactly where a run stopped.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from synthscope._training import restore_rng_state, rng_state
from synthscope.errors import InvalidParameterError
from synthscope.spade._checkpoint import (
    CHECKPOINT_DIR,
    load_checkpoint,
    save_checkpoint,
    snapshot,
)
from synthscope.spade._config import (
    OPTIONS_FILE,
    RESUMABLE,
    SpadeConfig,
    load_config,
    save_config,
)
from synthscope.spade._data import PairedData, epoch_order, load_paired
from synthscope.spade._encoder import reparameterize
from synthscope.spade._grid import sample_grid, write_png
from synthscope.spade._losses import (
    VGGLoss,
    feature_matching_loss,
    hinge_d_loss,
    hinge_g_loss,
    kld_loss,
    load_vgg19,
)
from synthscope.spade._model import (
    SpadeModel,
    autocast,
    resolve_device,
    to_images,
    to_one_hot,
    to_uint8,
)

__all__ = ["TrainResult", "TrainStatus", "training_loop"]

log = logging.getLogger(__name__)

LOSS_NAMES = ("g_gan", "g_feat", "g_vgg", "g_kld", "d_real", "d_fake")
_SAMPLES = 8


@dataclass(frozen=True)
class TrainStatus:
    """What the progress callback receives after every step."""

    step: int
    total_steps: int
    epoch: int
    losses: dict[str, float]
    images_per_s: float


@dataclass(frozen=True)
class TrainResult:
    """Where a finished (or stopped) run stands."""

    run_dir: Path
    config: SpadeConfig
    step: int
    epoch: int
    checkpoint: Path
    losses: dict[str, float] = field(default_factory=dict)


def _lr_factor(config: SpadeConfig, epoch: int) -> float:
    """1 for the first ``epochs`` epochs, then a linear decay towards 0 over ``decay_epochs``."""
    if epoch < config.epochs:
        return 1.0
    return (config.total_epochs - epoch) / (config.decay_epochs + 1)


def _learning_rates(config: SpadeConfig) -> tuple[float, float, tuple[float, float]]:
    """TTUR (Heusel et al. 2017) as SPADE uses it: G lr/2, D 2 lr, betas (0, 0.9)."""
    if config.ttur:
        return config.lr / 2, config.lr * 2, (0.0, 0.9)
    return config.lr, config.lr, (0.5, 0.999)


def _prepare_run(
    data_dir: Path, run_dir: Path, config: SpadeConfig | None, resume: bool
) -> tuple[SpadeConfig, PairedData]:
    """Resolve the options, load and check the data, write ``options.json``."""
    options = run_dir / OPTIONS_FILE
    if resume:
        stored = load_config(run_dir)
        if config is None:
            config = stored
        changed = sorted(
            name
            for name, value in stored.to_dict().items()
            if name not in RESUMABLE and config.to_dict()[name] != value
        )
        # Options inferred from the data are filled in on first use; None means "as stored".
        changed = [n for n in changed if getattr(config, n) is not None]
        if changed:
            raise InvalidParameterError(
                f"cannot resume {run_dir} with changed option(s) {', '.join(changed)};"
                f" only {', '.join(sorted(RESUMABLE))} may change"
            )
        merged = stored.replace(**{name: getattr(config, name) for name in RESUMABLE})
        config = merged
    else:
        if options.exists():
            raise InvalidParameterError(
                f"{run_dir} already holds a run; resume it or choose a new run folder"
            )
        config = config or SpadeConfig()
    data = load_paired(
        data_dir,
        load_size=config.resolved_load_size,
        label_nc=config.label_nc,
        image_channels=config.image_channels,
    )
    if len(data) < config.batch_size:
        raise InvalidParameterError(
            f"batch_size must be <= the number of training pairs"
            f" (got {config.batch_size} for {len(data)} pairs in {data_dir})"
        )
    config = config.replace(label_nc=data.label_nc, image_channels=data.image_channels)
    save_config(config, run_dir)
    return config, data


def training_loop(
    data_dir: str | Path,
    run_dir: str | Path,
    config: SpadeConfig | None = None,
    *,
    resume: bool = False,
    progress: Callable[[TrainStatus], None] | None = None,
) -> TrainResult:
    """Train SPADE on ``DATA/images`` + ``DATA/labels``; write everything into ``run_dir``.

    Parameters
    ----------
    data_dir
        Folder with ``images/`` and ``labels/`` paired by file stem.
    run_dir
        Output folder; must not hold a run unless ``resume`` is set.
    config
        Options (defaults when ``None``; with ``resume``, the stored ones, of which only
        :data:`RESUMABLE` options may be changed).
    resume
        Continue from ``RUN/checkpoints/latest.pt`` exactly (weights, optimizers, random states,
        data order), training up to the (possibly extended) epochs or ``max_steps``.
    progress
        Called after every step with a :class:`TrainStatus`.
    """
    data_dir, run_dir = Path(data_dir), Path(run_dir)
    config, data = _prepare_run(data_dir, run_dir, config, resume)
    device = resolve_device(config.device)
    channels_last = device.type == "cuda"
    model = SpadeModel(config)
    G, D, E = model.generator, model.discriminator, model.encoder
    lr_g, lr_d, betas = _learning_rates(config)
    g_params = list(G.parameters()) + (list(E.parameters()) if E is not None else [])
    opt_g = torch.optim.Adam(g_params, lr=lr_g, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
    noise = torch.Generator(device=device)
    noise.manual_seed(config.seed)

    step = epoch = epoch_step = 0
    saved_step, seconds_before = -1, 0.0
    latest = run_dir / CHECKPOINT_DIR / "latest.pt"
    if resume:
        state = load_checkpoint(latest)
        G.load_state_dict(state["generator"])
        D.load_state_dict(state["discriminator"])
        if E is not None:
            E.load_state_dict(state["encoder"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        step, epoch, epoch_step = state["step"], state["epoch"], state["epoch_step"]
        saved_step, seconds_before = step, float(state.get("seconds", 0.0))
        restore_rng_state(state["rng"], device, {"noise": noise})
        log.info("resumed %s at epoch %d, step %d", run_dir, epoch, step)
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    # Adam's state follows its parameters, which may just have moved.
    for opt in (opt_g, opt_d):
        opt.load_state_dict(opt.state_dict())
    vgg = None
    if config.vgg_weights is not None and config.lambda_vgg > 0:
        vgg = VGGLoss(load_vgg19(config.vgg_weights), config.lambda_vgg).to(device)

    steps_per_epoch = len(data) // config.batch_size  # drop the last partial batch, as SPADE does
    total_steps = steps_per_epoch * config.total_epochs
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    log_path = run_dir / "losses.csv"
    _trim_log(log_path, step)
    sample_idx = np.arange(min(_SAMPLES, len(data)))
    nc = config.label_nc
    assert nc is not None

    def fmt(x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if channels_last else x

    def generate(seg: torch.Tensor, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if E is None:
            return G(seg), torch.zeros((), device=device)
        mu, logvar = E(real)
        z = reparameterize(mu.float(), logvar.float(), noise)
        return G(seg, z), kld_loss(mu, logvar, config.lambda_kld)

    sums = dict.fromkeys(LOSS_NAMES, 0.0)
    rows = 0
    last_time, last_step = time.perf_counter(), step
    started = time.perf_counter() - seconds_before  # the log's seconds count across resumes
    losses: dict[str, float] = {}
    model.train()
    while step < total_steps:
        factor = _lr_factor(config, epoch)
        for group in opt_g.param_groups:
            group["lr"] = lr_g * factor
        for group in opt_d.param_groups:
            group["lr"] = lr_d * factor
        order = epoch_order(len(data), seed=config.seed, epoch=epoch)
        while epoch_step < steps_per_epoch and step < total_steps:
            idx = order[epoch_step * config.batch_size : (epoch_step + 1) * config.batch_size]
            images, labels = data.batch(
                idx, size=config.size, flip=config.flip, seed=config.seed, epoch=epoch
            )
            real = fmt(to_images(images, device))
            seg = fmt(to_one_hot(labels, nc, device))

            # Generator step; D's weights need no gradients here.
            D.requires_grad_(False)
            opt_g.zero_grad(set_to_none=True)
            with autocast(device, config.precision):
                fake, g_kld = generate(seg, real)
                feats = D(torch.cat([torch.cat([seg, fake], 1), torch.cat([seg, real], 1)], 0))
                feats_fake = [[f[: len(idx)] for f in scale] for scale in feats]
                feats_real = [[f[len(idx) :] for f in scale] for scale in feats]
                g_gan = hinge_g_loss(feats_fake)
                g_feat = (
                    feature_matching_loss(feats_fake, feats_real, config.lambda_feat)
                    if config.lambda_feat > 0
                    else torch.zeros((), device=device)
                )
                g_vgg = vgg(fake, real) if vgg is not None else torch.zeros((), device=device)
            (g_gan.float() + g_feat + g_vgg + g_kld).backward()
            opt_g.step()
            D.requires_grad_(True)

            # Discriminator step on a batch from the updated generator.
            opt_d.zero_grad(set_to_none=True)
            with autocast(device, config.precision):
                with torch.no_grad():
                    fake, _ = generate(seg, real)
                feats = D(torch.cat([torch.cat([seg, fake], 1), torch.cat([seg, real], 1)], 0))
                d_real, d_fake = hinge_d_loss(
                    [[s[-1][len(idx) :]] for s in feats], [[s[-1][: len(idx)]] for s in feats]
                )
            (d_real.float() + d_fake.float()).backward()
            opt_d.step()

            step += 1
            epoch_step += 1
            values = (g_gan, g_feat, g_vgg, g_kld, d_real, d_fake)
            losses = {n: float(v.detach().float()) for n, v in zip(LOSS_NAMES, values, strict=True)}
            for name, value in losses.items():
                sums[name] += value
            rows += 1
            now = time.perf_counter()
            rate = (step - last_step) * config.batch_size / max(now - last_time, 1e-9)
            if step % config.log_every == 0 or step == total_steps:
                _append_log(log_path, step, epoch, now - started, rate, sums, rows)
                sums, rows = dict.fromkeys(LOSS_NAMES, 0.0), 0
                last_time, last_step = now, step
            if step % config.sample_every == 0 or step == total_steps:
                _write_samples(run_dir, step, model, data, sample_idx, device, config)
            if progress is not None:
                progress(TrainStatus(step, total_steps, epoch, losses, rate))
        if epoch_step >= steps_per_epoch:
            epoch, epoch_step = epoch + 1, 0
            _save(
                latest,
                model,
                opt_g,
                opt_d,
                noise,
                device,
                config,
                step,
                epoch,
                epoch_step,
                time.perf_counter() - started,
            )
            saved_step = step
            if epoch % config.snapshot_every == 0 or epoch == config.total_epochs:
                snapshot(latest, epoch)
    if saved_step != step:
        seconds = time.perf_counter() - started
        _save(latest, model, opt_g, opt_d, noise, device, config, step, epoch, epoch_step, seconds)
    return TrainResult(run_dir, config, step, epoch, latest, losses)


def _save(
    path: Path,
    model: SpadeModel,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    noise: torch.Generator,
    device: torch.device,
    config: SpadeConfig,
    step: int,
    epoch: int,
    epoch_step: int,
    seconds: float,
) -> None:
    def cpu(state: dict) -> dict:
        return {k: v.detach().cpu() if torch.is_tensor(v) else v for k, v in state.items()}

    save_checkpoint(
        path,
        {
            "config": config.to_dict(),
            "generator": cpu(model.generator.state_dict()),
            "discriminator": cpu(model.discriminator.state_dict()),
            "encoder": cpu(model.encoder.state_dict()) if model.encoder is not None else None,
            "opt_g": opt_g.state_dict(),
            "opt_d": opt_d.state_dict(),
            # bf16 autocast needs no loss scaler, so there is no scaler state to keep.
            "scaler": None,
            "step": step,
            "epoch": epoch,
            "epoch_step": epoch_step,
            "seconds": seconds,
            "rng": rng_state(device, {"noise": noise}),
        },
    )


def _trim_log(path: Path, step: int) -> None:
    """Drop rows after ``step`` (written after the checkpoint a resumed run starts from)."""
    if not path.is_file():
        return
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step] if rows else []
    if len(kept) != len(rows):
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows(kept)


def _append_log(
    path: Path,
    step: int,
    epoch: int,
    seconds: float,
    rate: float,
    sums: dict[str, float],
    rows: int,
) -> None:
    new = not path.is_file()
    with path.open("a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["step", "epoch", "seconds", "images_per_s", *LOSS_NAMES])
        means = [f"{sums[n] / max(rows, 1):.6g}" for n in LOSS_NAMES]
        writer.writerow([step, epoch, f"{seconds:.3f}", f"{rate:.4g}", *means])


@torch.no_grad()
def _write_samples(
    run_dir: Path,
    step: int,
    model: SpadeModel,
    data: PairedData,
    indices: np.ndarray,
    device: torch.device,
    config: SpadeConfig,
) -> None:
    """labels | real | generated for fixed centre crops, with the generator in eval mode."""
    load, size = data.labels.shape[1], config.size
    top = (load - size) // 2
    crop = np.s_[top : top + size, top : top + size]
    labels = data.labels[indices][:, crop[0], crop[1]]
    images = data.images[indices][:, crop[0], crop[1]]
    chw = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    seg = to_one_hot(labels, data.label_nc, device)
    was_training = model.training
    model.eval()
    with autocast(device, config.precision):
        z = None
        if model.encoder is not None:
            z = model.encoder(to_images(chw, device))[0].float()  # the mean: no noise drawn
        fake = model.generator(seg, z)
    model.train(was_training)
    grid = sample_grid(labels, images, to_uint8(fake))
    write_png(run_dir / "samples" / f"step-{step:07d}.png", grid)
