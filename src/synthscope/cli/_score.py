"""``synthscope score``: can the generated images be told from the real ones, in each feature space?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say


@app.command("score")
def score_command(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)],
    features: Annotated[
        list[str] | None,
        typer.Option(
            "--features",
            help="A stored feature to compare (see `embed`); repeat to compare several side by side.",
        ),
    ] = None,
    groups: Annotated[
        str,
        typer.Option(
            "--groups",
            help="scoped: a group name means one group only within the folder it was ingested "
            "from (real pb000 and generated pb000 are different pullbacks); shared: equal names "
            "are one group across folders (generated frames made from that patient's label maps).",
        ),
    ] = "scoped",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON report here.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    n_permutations: Annotated[
        int, typer.Option("--permutations", help="Permutations of each two-sample test.")
    ] = 200,
    n_components: Annotated[
        int, typer.Option("--components", help="PCA dimension of the two-sample tests.")
    ] = 50,
) -> None:
    """Test whether WORKSPACE's generated images can be told from its real ones.

    Runs 1-NN, classifier and MMD two-sample tests (permuting whole groups when a `group` column
    exists), Fréchet distance, KID, precision/recall/density/coverage and a memorisation check in
    each feature named; stores per-image columns realism_c2st:FEATURE, realism_knn:FEATURE,
    nearest_real_id:FEATURE, nearest_real_ratio:FEATURE and likely_copy:FEATURE, and the reports
    under WORKSPACE/realism/. With several features, a side-by-side table comes first.
    """
    from synthscope.workspace import score_features, score_workspace

    names = features or ["pixels64"]
    options = {
        "groups": groups,
        "n_components": n_components,
        "n_permutations": n_permutations,
        "seed": seed,
        "json_path": json_out,
        "html_path": html_out,
    }
    with progress_bar("scoring") as progress:
        if len(names) == 1:
            reports = {names[0]: score_workspace(workspace, names[0], progress=progress, **options)}
            comparison = None
        else:
            comparison = score_features(workspace, names, progress=progress, **options)
            reports = comparison.reports
    # The cues are the images', not a space's: said once, before any verdict.
    for warning in dict.fromkeys(w for r in reports.values() for w in r.warnings):
        say(f"warning: {warning}", style="yellow")
    if comparison is not None:
        say(comparison.headline(), style="bold")
        say(comparison.agreement())
        say(comparison.table())
    for name, report in reports.items():
        say(f"{name}: {report.verdict}" if comparison is not None else report.verdict, style="bold")
        for line in report.evidence:
            say(f"  - {line}")
    say(f"stored realism_*:FEATURE columns and reports under {workspace / 'realism'}")
    for path in (json_out, html_out):
        if path is not None:
            say(f"wrote {path}")
