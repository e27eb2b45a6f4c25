"""``run_demo``: the founding study end to end on the built-in phantom.

Real frames with label maps are simulated; a SPADE generator trained by synthscope on other phantom
pullbacks turns held-out label maps into generated frames; both sets are ingested, described by raw
pixels and by the generator's own discriminator, projected with a 3-D t-SNE and tested for whether
they can be told apart.
"""

from __future__ import annotations

import csv
import io
import shutil
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
    warnings: tuple[str, ...]
    utility: tuple[str, ...] | None  # the utility study's verdict, then its evidence
    projections: tuple[str, ...]
    steps: tuple[StepLog, ...]


def findings_lines(result: DemoResult) -> list[str]:
    """What the demo prints about its findings, one string per line.

    Cue warnings, the side-by-side agreement and table, the raw-pixel verdict with one line per
    finding, and the utility answer when it was measured. ``synthscope demo`` prints these, and
    ``benchmarks/make_readme_demo_block.py`` copies them into the README: one function, so the
    README shows what the demo says.
    """
    lines = [f"warning: {warning}" for warning in result.warnings]
    lines.append(f"side by side: {result.agreement}")
    lines.extend(result.table.splitlines())
    lines.append(f"verdict ({PIXELS}): {result.verdict}")
    lines.extend(f"  - {line}" for line in result.evidence)
    if result.utility:
        verdict, *evidence = result.utility
        lines.append(f"does curation help? {verdict}")
        lines.extend(f"  - {line}" for line in evidence)
    return lines


def _utility_lines(path: Path) -> tuple[str, ...]:
    import json

    result = json.loads(path.read_text())
    return (str(result.get("verdict", "")), *map(str, result.get("evidence", ())))


#: The feature spaces computed beside raw pixels and the discriminator: texture statistics and
#: random networks see what the 64 x 64 pixel reduction averages away (speckle, blur).
FEATURES = ("texture", "random-cnn")


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
    utility: bool = False,
    reporter: StepReporter | None = None,
) -> DemoResult:
    """Run (or finish) the demo in ``workdir``; finished steps with unchanged inputs are reused.

    ``utility`` adds the downstream study (minutes): does adding the generated frames the texture
    space ranks most real help a segmentation model on held-out real pullbacks, more than as many
    generated frames drawn at random?
    """
    from synthscope.phantom import write_phantom
    from synthscope.projection import ProjectionRequest
    from synthscope.spade import generate_images, load_config
    from synthscope.workspace import (
        Workspace,
        embed,
        feature_name,
        ingest,
        project,
        score_features,
        train_encoder,
        utility_workspace,
    )

    plan = size if isinstance(size, DemoPlan) else demo_plan(size)
    workdir = Path(workdir)
    model = Path(model) if model is not None else shipped_model()
    checkpoint = model / "checkpoints" / "latest.pt"
    if not checkpoint.is_file():
        raise InputError(checkpoint, "the demo's SPADE generator is missing (see docs/demo.md)")
    model_key = {"model": file_digest(checkpoint)}
    runner = StepRunner(workdir, plan.steps_key(), reporter or SilentReporter())
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
    # Compare like with like: the generator writes frames at its own size, so the real frames are
    # brought to that size by ingest's one resize (a no-op when they are already that size).
    resize = load_config(model).size
    runner.run(
        "ingest",
        "ingesting real and generated frames",
        lambda p: ingest(ws_path, [real], [generated], resize=resize, progress=p),
        outputs=(ws_path,),
        inputs={"resize": resize},
    )
    disc = feature_name(f"spade-disc:{model}")
    with Workspace.open(ws_path) as ws:
        runner.run(
            "features",
            "discriminator features",
            lambda p: embed(ws, f"spade-disc:{model}", force=True, progress=p),
            inputs=model_key,
        )
        for spec in FEATURES:
            runner.run(
                f"features-{spec}",
                f"{spec} features",
                lambda p, spec=spec: embed(ws, spec, progress=p),
            )
        encoder_run = workdir / "encoder"

        def train(progress) -> None:
            from synthscope.encoder import EncoderConfig

            config = EncoderConfig(
                size=resize,
                width=plan.encoder_width,
                epochs=plan.encoder_epochs,
                seed=plan.projection_seed,
            )
            shutil.rmtree(encoder_run, ignore_errors=True)
            train_encoder(
                ws_path,
                encoder_run,
                config=config,
                progress=lambda s: progress(s.done, s.total) if s.phase == "training" else None,
            )
            embed(ws, f"ssl:{encoder_run}", force=True)

        runner.run(
            "encoder",
            "training the self-supervised encoder on the real frames",
            train,
            outputs=(encoder_run,),
        )
        projections = []
        for feature in (PIXELS, "texture", disc):
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
                [PIXELS, *FEATURES, "ssl.encoder", disc],
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
        utility_json = workdir / "utility.json"
        if utility:
            runner.run(
                "utility",
                "does curation help? (training segmentation models)",
                lambda p: utility_workspace(
                    ws,
                    rank_by=["realism_knn:texture", "realism_c2st:texture"],
                    top=plan.n_heldout // 4,
                    repeats=plan.utility_repeats,
                    steps=plan.utility_steps,
                    test_fraction=plan.utility_test_fraction,
                    seed=plan.projection_seed,
                    noun="frames",
                    json_path=utility_json,
                    html_path=workdir / "utility.html",
                    progress=p,
                ),
                outputs=(utility_json,),
                inputs=plan.utility_settings(),
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
        warnings=tuple(comparison.get("warnings", ())),
        utility=_utility_lines(utility_json) if utility and utility_json.is_file() else None,
        projections=tuple(projections),
        steps=tuple(runner.log),
    )
