"""``pppsim claims`` (the seed documents' claims) and ``pppsim patterns`` (stylised facts)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import scenario_settings


@click.command()
@click.option("--quick", is_flag=True, help="Fewer replications (16 instead of 40 per condition).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/claims"),
              show_default=True, help="Folder for claims.md, claims.csv and the run ledger.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--scheduler", default=None, help="'local' or a Dask scheduler address.")
@click.option("--seed", type=click.IntRange(min=0), default=2024, show_default=True,
              help="Base seed of the paired experiments.")
@click.option("--posterior", type=click.Path(path_type=Path), default=None,
              help="A calibration folder (pppsim calibrate): check the claims at draws of "
                   "its posterior and report the share of draws in which each holds.")
@click.option("--draws", type=click.IntRange(min=1, max=1000), default=20, show_default=True,
              help="Posterior draws, with --posterior.")
@click.option("--retry-failed", is_flag=True,
              help="Re-run the runs that failed in an earlier check into --out.")
def claims(quick: bool, out: Path, workers: int | None, scheduler: str | None,
           seed: int, posterior: Path | None, draws: int, retry_failed: bool) -> None:
    """Check the seed documents' twelve claims as paired experiments."""
    from ..claims import FULL, QUICK, claim_table, run_claims, to_markdown

    mode = QUICK if quick else FULL
    if posterior is not None:
        _claims_under_posterior(posterior, draws, mode, out, workers, scheduler, seed,
                                retry_failed)
        return
    verdicts = run_claims(mode, seed=seed, out=out, workers=workers, scheduler=scheduler,
                          progress=True, retry_failed=retry_failed)
    out.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(out / "claims.csv", index=False)
    (out / "claims.md").write_text(to_markdown(verdicts, mode, seed))
    for number, row in claim_table(verdicts).iterrows():
        checks = verdicts[verdicts["claim"] == number]
        effects = "; ".join(f"{r.statement} = {r.effect:.3g} [{r.low:.3g}, {r.high:.3g}]"
                            for r in checks.itertuples())
        click.echo(f"{'holds' if row.holds else 'FAILS'}  {number:>2}. {row.title} "
                   f"[{row.source}]\n        {effects}")
    summary = claim_table(verdicts)
    click.echo(f"{int(summary['holds'].sum())} of {len(summary)} claims hold "
               f"({mode.name} mode); written to {out}/claims.md and claims.csv")
    if not summary["holds"].all():
        sys.exit(1)


def _claims_under_posterior(posterior: Path, n_draws: int, mode: object, out: Path,
                            workers: int | None, scheduler: str | None, seed: int,
                            retry_failed: bool) -> None:
    """``pppsim claims --posterior DIR``: the share of posterior draws in which each holds."""
    from ..calibration.uncertainty import load_draws
    from ..claims import claims_under_uncertainty, robustness_markdown

    draws = load_draws("posterior", posterior, source="--posterior")
    folder = out / "posterior"
    per_draw = claims_under_uncertainty(draws, n_draws, mode, seed=seed, out=folder,
                                        workers=workers, scheduler=scheduler, progress=True,
                                        retry_failed=retry_failed)
    folder.mkdir(parents=True, exist_ok=True)
    per_draw.to_csv(folder / "claims_by_draw.csv", index=False)
    text = robustness_markdown(per_draw, draws, mode, seed)
    (folder / "claims_under_uncertainty.md").write_text(text)
    click.echo(text)
    click.echo(f"written to {folder}/claims_under_uncertainty.md and claims_by_draw.csv")


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path), default=Path("baseline"))
@scenario_settings
@click.option("--replications", type=click.IntRange(min=2), default=30, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for patterns.md and the run ledger (default: runs/patterns-<name>).")
def patterns(scenario: Path, settings: tuple[str, ...], replications: int, seed: int,
             workers: int | None, out: Path | None) -> None:
    """Stylised facts of SCENARIO (a file or shipped name; default: the baseline) beside
    published patterns."""
    from ..scenario import find_scenario, open_scenario
    from ..validation import stylised_facts, to_markdown

    loaded = open_scenario(scenario, settings)
    stem = find_scenario(scenario).stem + ("-changed" if settings else "")
    out = out or Path("runs") / f"patterns-{stem}"
    facts = stylised_facts(loaded, replications=replications, seed=seed, out=out / "runs",
                           workers=workers, progress=True)
    text = to_markdown(facts, loaded, replications)
    (out / "patterns.md").write_text(text)
    click.echo(text)
    click.echo(f"written to {out}/patterns.md")
