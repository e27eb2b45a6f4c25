"""The self-supervised objectives: VICReg (the default) and SimCLR.

Why VICReg (Bardes, Ponce & LeCun, ICLR 2022). Two views of one image should map to the same
vector (invariance), while each coordinate keeps a spread of at least 1 across the batch
(variance) and coordinates stay decorrelated (covariance); the last two prevent collapse without
negatives, without a momentum encoder and without asymmetric tricks. That suits this setting:

- SimCLR (Chen et al., ICML 2020) learns by pushing each image away from the others in the
  batch; it needs batches of hundreds to thousands to work well, which a CPU cannot afford, and
  frames of one pullback look alike, so its "negatives" are often near-copies of the positive.
- BYOL (Grill et al., NeurIPS 2020) avoids negatives with a momentum target network and a
  predictor: a second copy of the network to run and to store in every checkpoint, and a result
  that depends on a delicate moving-average schedule.
- VICReg's paper shows it stable at batch sizes of 128-256 where SimCLR degrades; its loss is
  three plain terms whose values say what goes on (the variance term is 1 at total collapse).

SimCLR's NT-Xent is kept as the alternative (``method="simclr"``) for comparison.
Both are computed in float32 (covariances in bf16 lose the signal).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

__all__ = ["OBJECTIVES", "simclr_loss", "vicreg_loss"]

# The paper's coefficients (lambda = mu = 25, nu = 1) and epsilon.
VICREG_SIM, VICREG_STD, VICREG_COV, VICREG_EPS = 25.0, 25.0, 1.0, 1e-4
# SimCLR's temperature for small batches (its paper's Table 5: 0.1-0.5 work; 0.2 here).
SIMCLR_TEMPERATURE = 0.2


def _off_diagonal_sq(cov: torch.Tensor) -> torch.Tensor:
    return cov.pow(2).sum() - torch.diagonal(cov).pow(2).sum()


def vicreg_loss(z1: torch.Tensor, z2: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
    """VICReg on two ``(n, d)`` batches of projections; returns the loss and its three terms."""
    z1, z2 = z1.float(), z2.float()
    n, d = z1.shape
    invariance = F.mse_loss(z1, z2)
    z1 = z1 - z1.mean(dim=0)
    z2 = z2 - z2.mean(dim=0)
    std1 = torch.sqrt(z1.var(dim=0) + VICREG_EPS)
    std2 = torch.sqrt(z2.var(dim=0) + VICREG_EPS)
    variance = (F.relu(1 - std1).mean() + F.relu(1 - std2).mean()) / 2
    cov1 = (z1.T @ z1) / (n - 1)
    cov2 = (z2.T @ z2) / (n - 1)
    covariance = (_off_diagonal_sq(cov1) + _off_diagonal_sq(cov2)) / d
    loss = VICREG_SIM * invariance + VICREG_STD * variance + VICREG_COV * covariance
    parts = {
        "invariance": float(invariance.detach()),
        "variance": float(variance.detach()),
        "covariance": float(covariance.detach()),
    }
    return loss, parts


def simclr_loss(z1: torch.Tensor, z2: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
    """NT-Xent: each view must pick its partner among the other ``2n - 1`` views."""
    z = F.normalize(torch.cat([z1.float(), z2.float()]), dim=1)
    n = z1.shape[0]
    logits = (z @ z.T) / SIMCLR_TEMPERATURE
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    loss = F.cross_entropy(logits, targets)
    accuracy = (logits.argmax(dim=1) == targets).float().mean()
    return loss, {"pair_accuracy": float(accuracy.detach())}


OBJECTIVES: dict[str, Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, dict]]] = {
    "vicreg": vicreg_loss,
    "simclr": simclr_loss,
}
