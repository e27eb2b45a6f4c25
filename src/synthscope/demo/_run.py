"""``run_demo``: the founding study end to end on the built-in phantom.

Real frames with label maps are simulated; a SPADE generator trained by synthscope on other phantom
pullbacks turns held-out label maps into generated frames; both sets are ingested, described by raw
pixels and by the generator's own discriminator, projected with a 3-D t-SNE and tested for whether
they can be told apart.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from synthscope._files import write_text_atomic
from synthscope.demo._plan import DemoPlan, demo_plan
from synthscope.demo._steps import SilentReporter, StepLog, StepReporter, StepRunner
from synthscope.errors import InputError
from synthscope.features import file_digest

__all__ = ["DemoResult", "findings_lines", "run_demo", "shipped_model"]

PIXELS = "pixels64"


@dataclass(frozen=True)
class DemoResult:
    """Where the demo put things, and what the realism report concluded."""

    workdir: Path
    workspace: Path
    report_json: Path
    report_html: Path
    verdict: str
    evidence: tuple[str, ...]
    agreement: str
    table: str
    projections: tuple[str, ...]
    steps: tuple[StepLog, ...]


def findings_lines(verdict: str, evidence: tuple[str, ...] | list[str]) -> list[str]:
    """What the demo prints about raw pixels: the verdict line, then one line per finding.

    ``synthscope demo`` prints these, and ``benchmarks/make_readme_demo_block.py`` copies them
    into the README: one function, so the README shows what the demo says.
    """
    return [f"verdict ({PIXELS}): {verdict}", *(f"  - {line}" for line in evidence)]


def shipped_model() -> Path:
    """The SPADE run shipped with synthscope (see ``docs/demo.md`` for the command that made it)."""
    return Path(str(resources.files("synthscope.demo") / "model"))


def _rename_pullbacks(folder: Path, prefix: str) -> None:
    """Held-out pullbacks are other vessels: give them names no real pullback has."""
    table = folder / "frames.tsv"
    rows = list(csv.reader(io.StringIO(table.read_text()), delimiter="\t"))
    column = rows[0].index("pullback")
    for row in rows[1:]:
        row[column] = prefix + row[column]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
    write_text_atomic(table, buffer.getvalue())


def run_demo(
    workdir: str | Path,
    size: str | DemoPlan = "small",
    *,
    model: str | Path | None = None,
    reporter: StepReporter | None = None,
) -> DemoResult:
    """Run (or finish) the demo in ``workdir``; finished steps with unchanged inputs are reused."""
    from synthscope.phantom import write_phantom
    from synthscope.projection import ProjectionRequest
    from synthscope.spade import generate_images
    from synthscope.workspace import (
        Workspace,
        embed,
        feature_name,
        ingest,
        project,
        score_features,
    )

    plan = size if isinstance(size, DemoPlan) else demo_plan(size)
    workdir = Path(workdir)
    model = Path(model) if model is not None else shipped_model()
    checkpoint = model / "checkpoints" / "latest.pt"
    if not checkpoint.is_file():
        raise InputError(checkpoint, "the demo's SPADE generator is missing (see docs/demo.md)")
    model_key = {"model": file_digest(checkpoint)}
    runner = StepRunner(workdir, plan.as_dict(), reporter or SilentReporter())
    real, heldout = workdir / "real", workdir / "heldout"
    generated, ws_path = workdir / "generated", workdir / "workspace"
    report_json, report_html = workdir / "realism.json", workdir / "realism.html"

    def simulate(out: Path, n: int, seed: int, progress) -> None:
        write_phantom(
            out, n=n, size=plan.frame_size, seed=seed, pullbacks=plan.pullbacks, progress=progress
        )

    runner.run(
        "real",
        f"simulating {plan.n_real} real frames",
        lambda p: simulate(real, plan.n_real, plan.real_seed, p),
        outputs=(real,),
    )

    def simulate_heldout(progress) -> None:
        simulate(heldout, plan.n_heldout, plan.heldout_seed, progress)
        _rename_pullbacks(heldout, "heldout-")

    runner.run(
        "heldout",
        f"simulating {plan.n_heldout} held-out label maps",
        simulate_heldout,
        outputs=(heldout,),
    )
    runner.run(
        "generate",
        "generating frames with SPADE",
        lambda p: generate_images(
            model, heldout / "labels", generated, seed=plan.generate_seed, progress=p
        ),
        outputs=(generated,),
        inputs=model_key,
    )
    runner.run(
        "ingest",
        "ingesting real and generated frames",
        lambda p: ingest(ws_path, [real], [generated], progress=p),
        outputs=(ws_path,),
    )
    disc = feature_name(f"spade-disc:{model}")
    with Workspace.open(ws_path) as ws:
        runner.run(
            "features",
            "discriminator features",
            lambda p: embed(ws, f"spade-disc:{model}", force=True, progress=p),
            inputs=model_key,
        )
        projections = []
        for feature in (PIXELS, disc):
            request = ProjectionRequest(
                method="tsne",
                dims=3,
                feature=feature,
                seed=plan.projection_seed,
                perplexity=plan.tsne_perplexity,
                iterations=plan.tsne_iterations,
            )
            ids: list[str] = []
            runner.run(
                f"tsne-{feature}",
                f"3-D t-SNE of {feature}",
                lambda p, request=request, ids=ids: ids.append(project(ws, request, progress=p).id),
            )
            projections.append(ids[0] if ids else project(ws, request).id)

        def score(progress) -> None:
            score_features(
                ws,
                [PIXELS, disc],
                n_permutations=plan.score_permutations,
                json_path=report_json,
                html_path=report_html,
                progress=progress,
            )

        runner.run(
            "score",
            "realism tests and scores",
            score,
            outputs=(report_json, report_html),
        )
    import json

    comparison = json.loads(report_json.read_text())
    report = comparison["features"][PIXELS]
    return DemoResult(
        workdir=workdir,
        workspace=ws_path,
        report_json=report_json,
        report_html=report_html,
        verdict=str(report.get("verdict", "")),
        evidence=tuple(report.get("evidence", ())),
        agreement=str(comparison.get("agreement", "")),
        table=str(comparison.get("table_text", "")),
        projections=tuple(projections),
        steps=tuple(runner.log),
    )
