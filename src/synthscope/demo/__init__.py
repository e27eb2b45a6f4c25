"""``synthscope demo``: the founding IVUS study, end to end, on the built-in phantom."""

from synthscope.demo._plan import DEMO_SIZES, DemoPlan, demo_plan
from synthscope.demo._run import DemoResult, findings_lines, run_demo, shipped_model
from synthscope.demo._steps import StepLog, StepReporter

__all__ = [
    "DEMO_SIZES",
    "DemoPlan",
    "DemoResult",
    "StepLog",
    "StepReporter",
    "demo_plan",
    "findings_lines",
    "run_demo",
    "shipped_model",
]
