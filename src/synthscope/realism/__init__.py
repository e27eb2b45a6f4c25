"""Realism numbers: can generated images be told from real ones, by how much, and which pass.

Every function takes ``(real, fake)`` float arrays of shape ``(N, d)`` and ``(M, d)`` (plus
optional ``groups``, one per pooled point, real first) and returns a frozen result dataclass that
records its parameters, its seed and the value expected when both sets come from one
distribution. Nothing here knows about workspaces: ``synthscope.workspace.score_workspace`` runs
the report on a workspace's points and stores the per-image scores.
"""

from synthscope.realism._c2st import C2STResult, c2st
from synthscope.realism._checks import MIN_POINTS
from synthscope.realism._comparison import RealismComparison, compare_reports
from synthscope.realism._fidelity import FrechetResult, KIDResult, frechet_distance, kid
from synthscope.realism._memorization import MemorizationResult, memorization
from synthscope.realism._mmd import MMDResult, mmd_test
from synthscope.realism._one_nn import OneNNResult, one_nn_test
from synthscope.realism._prdc import PRDCResult, prdc
from synthscope.realism._report import RealismReport, realism_report
from synthscope.realism._scores import RealismScores, realism_scores

__all__ = [
    "C2STResult",
    "FrechetResult",
    "KIDResult",
    "MIN_POINTS",
    "MMDResult",
    "MemorizationResult",
    "OneNNResult",
    "PRDCResult",
    "RealismComparison",
    "RealismReport",
    "RealismScores",
    "c2st",
    "compare_reports",
    "frechet_distance",
    "kid",
    "memorization",
    "mmd_test",
    "one_nn_test",
    "prdc",
    "realism_report",
    "realism_scores",
]
