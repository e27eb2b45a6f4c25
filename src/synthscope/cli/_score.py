"""``synthscope score``: can the generated images be told from the real ones?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say


@app.command("score")
def score_command(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)],
    feature: Annotated[
        str, typer.Option("--features", help="The stored feature to compare (see `embed`).")
    ] = "pixels64",
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
    exists), Fréchet distance, KID, precision/recall/density/coverage and a memorisation check;
    stores per-image columns realism_c2st, realism_knn, nearest_real_id, nearest_real_ratio and
    likely_copy, and writes WORKSPACE/realism.json.
    """
    from synthscope.workspace import score_workspace

    with progress_bar("scoring") as progress:
        report = score_workspace(
            workspace,
            feature,
            n_components=n_components,
            n_permutations=n_permutations,
            seed=seed,
            json_path=json_out,
            html_path=html_out,
            progress=progress,
        )
    say(report.verdict, style="bold")
    for line in report.evidence:
        say(f"  - {line}")
    say(
        "stored columns realism_c2st, realism_knn, nearest_real_id, nearest_real_ratio, "
        f"likely_copy and realism.json in {workspace}"
    )
    for path in (json_out, html_out):
        if path is not None:
            say(f"wrote {path}")
