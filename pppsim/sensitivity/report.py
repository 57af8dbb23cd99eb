"""Writing a sensitivity analysis to a folder: CSV tables, figures and a plain-words report.

Files written into the study folder::

    indices.csv            one row per (output, statistic, parameter): the method's indices
                           and their confidence half-widths (``*_conf``)
    second_order.csv       Sobol with second order: S2 and S2_conf per parameter pair
    noise.csv              per output: replications, runs, undefined (NaN) runs, noise share
                           in single runs (with its interval) and in means, replications needed
    screening.csv          Morris: per parameter, mu* of every output's mean over that output's
                           largest, and their average (the ranking over all outputs)
    convergence.csv        Sobol: the indices at every N up to the study's
    convergence_summary.csv  Sobol: per output, converged or the N needed
    report.md              the parameters ranked by influence for each output, in words
    plots/<output>.png, plots/morris_<output>.png, plots/convergence_<output>.png
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import NOISE_TARGET, SensitivityResult
from .convergence import convergence_summary
from .plots import convergence_figure, indices_figure, morris_figure
from .problem import DUMMY, Method, SensitivityDesign

SCREENING_SHARE = 0.1
"""Morris: a parameter survives screening if its mu* is above the dummy's and at least this
share of the largest mu* of some output."""
SHOWN = 3
"""Influential parameters named in the report's sentence for an output."""
LISTED = 10
"""Parameters without detectable influence named before "and N more"."""
METHOD_NAMES = {Method.SOBOL: "Sobol (Saltelli sampling of a Sobol' sequence)",
                Method.MORRIS: "Morris elementary effects", Method.FAST: "extended FAST",
                Method.RBD_FAST: "RBD-FAST on a Latin hypercube",
                Method.PAWN: "PAWN on a Latin hypercube"}


def slug(name: str) -> str:
    """A file-name-safe version of an output name (``end_share:x`` -> ``end_share_x``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def screened(result: SensitivityResult, share: float = SCREENING_SHARE
             ) -> dict[str, list[str]]:
    """Screening: per output, the parameters that may matter for its mean.

    A parameter survives when its main index (Morris: mu*) lies above the dummy's interval
    and is at least ``share`` of the largest index of that output.  This errs on the side of
    keeping a parameter (its own interval may still overlap the dummy's): a parameter
    dropped at screening is never looked at again.
    """
    main = result.method.main_index
    survivors = {}
    for output in result.outputs:
        table = result.table(output)
        conf = table.get(f"{main}_conf", 0.0)
        floor = (table[main] + conf).get(DUMMY, 0.0)
        real = table[main].drop(index=DUMMY, errors="ignore").sort_values(ascending=False)
        survivors[output] = list(real.index[(real > floor) & (real >= share * real.max())])
    return survivors


def overall_ranking(result: SensitivityResult) -> pd.DataFrame:
    """Screening over all outputs at once: each parameter's main index on the mean of every
    output relative to that output's largest, and their average over the outputs.

    Outputs are on different scales; relative to its largest index every output counts the
    same.  The dummy's row shows the average a parameter the model never reads reaches, so
    a parameter ranked near it moves no output beyond noise.  Sorted by the average.
    """
    main = result.method.main_index
    columns = {}
    for output in result.outputs:
        table = result.table(output)
        if main in table and np.isfinite(table[main]).any() and table[main].max() > 0:
            columns[output] = table[main] / table[main].max()
    frame = pd.DataFrame(columns)
    frame.insert(0, "mean relative", frame.mean(axis=1))
    return frame.sort_values("mean relative", ascending=False).rename_axis("parameter")


def _value(row: pd.Series, main: str) -> str:
    if not np.isfinite(row["index"]):
        return f"{main} not estimable"
    p_value = row.get("p_value")
    if p_value is not None and np.isfinite(p_value):
        return f"{main} = {row['index']:.2f}, p = {p_value:.3f}"
    conf = (f" ± {row['conf']:.2f}" if np.isfinite(row["conf"]) and row["conf"] > 0
            else ", interval undefined" if not np.isfinite(row["conf"]) else "")
    return f"{main} = {row['index']:.2f}{conf}"


def index_words(result: SensitivityResult) -> str:
    """How the ranking index is named in the report (``corrected ST`` for ``ST_corrected``)."""
    main = result.main_index
    return f"corrected {main.removesuffix('_corrected')}" if result.corrected else main


def describe(result: SensitivityResult, output: str, statistic: str = "mean") -> str:
    """One paragraph ranking the parameters' influence on ``output``, in plain words."""
    method, main = result.method, index_words(result)
    ranked = result.ranking(output, statistic)
    table = result.table(output, statistic)
    first = "S1_corrected" if result.corrected else "S1"
    strong = ranked[ranked["influential"]]
    weak = [p for p in ranked.index if p not in strong.index]
    if strong.empty:
        largest = "; ".join(f"{name} ({_value(row, main)})"
                            for name, row in ranked.head(SHOWN).iterrows())
        floor = ("an inert parameter's index (permutation test)" if method is Method.PAWN
                 else "the dummy parameter")
        text = (f"No parameter stands out from {floor}: at this sample size and "
                f"number of replications, none has a detectable influence (largest: {largest}).")
    else:
        parts = []
        for name, row in strong.head(SHOWN).iterrows():
            words = f"**{name}** ({_value(row, main)}"
            if method in (Method.SOBOL, Method.FAST) and row["index"] > 0:
                alone = table.loc[name, first] / row["index"]
                words += ("; mostly through interactions" if alone < 0.5
                          else "; mostly on its own")
            elif method is Method.MORRIS and row["index"] > 0:
                ratio = table.loc[name, "sigma"] / row["index"]
                words += ("; non-linear or interacting" if ratio > 1
                          else "; roughly linear")
            parts.append(words + ")")
        text = parts[0] + " matters most"
        if len(parts) > 1:
            text += ", then " + ", ".join(parts[1:])
        text += "."
        if len(strong) > SHOWN:
            more = len(strong) - SHOWN
            text += (f" {more} more parameter{'s' if more > 1 else ''} also "
                     f"stand{'' if more > 1 else 's'} out from noise.")
    if weak and not strong.empty:
        listed = ", ".join(weak[:LISTED]) + (f" and {len(weak) - LISTED} more"
                                             if len(weak) > LISTED else "")
        text += f" No detectable influence (not above the noise floor, or negligible): {listed}."
    return text


def _convergence_words(summary: pd.DataFrame, output: str, command: str | None,
                       out: Path) -> str:
    rows = summary[(summary["output"] == output) & (summary["statistic"] == "mean")]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    index = str(row["index"])
    index = f"corrected {index.removesuffix('_corrected')}" if "_corrected" in index else index
    if row["converged"]:
        return (f"Converged at N = {row['n']}: every {index} interval is within "
                f"± {row['widest']:.3f} and no index moved more than the tolerance since N/2.")
    hint = f" (`{command} --out {out} --extend`, repeatedly)" if command else ""
    if not np.isfinite(row["n_needed"]):
        return (f"Not converged at N = {row['n']}: some {index} interval is undefined (the "
                "dummy's index reaches 1); add replications.")
    return (f"Not converged at N = {row['n']}: the widest {index} interval is "
            f"± {row['widest']:.3f}; about N = {int(row['n_needed'])} is needed{hint}.")


def write_report(result: SensitivityResult, out: str | Path, *, title: str,
                 convergence: pd.DataFrame | None = None, tolerance: float = 0.05,
                 descriptions: Mapping[str, str] | None = None, command: str | None = None,
                 runs: int | None = None, plots: bool = True,
                 into: str | Path | None = None) -> list[Path]:
    """Write the tables, figures and ``report.md`` of ``result`` into ``out``.

    Parameters
    ----------
    result
        The analysis.
    out
        Folder to write into.
    title
        What was analysed (the report's heading).
    convergence
        From :func:`pppsim.sensitivity.convergence` (Sobol), or None.
    tolerance
        Stopping tolerance of the convergence summary.
    descriptions
        Plain-language descriptions of the outputs, by name.
    command
        The command that made the study, without ``--out`` (e.g. ``pppsim sensitivity
        experiments/x.toml``), quoted in the report's advice.
    runs
        Number of model runs, for the report's header.
    plots
        Also draw the figures.
    into
        Write the files here instead (a staging folder whose files are then moved into
        ``out``); the report still names ``out``.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    folder = Path(into) if into is not None else out
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def save_table(frame: pd.DataFrame, name: str) -> None:
        if not frame.empty:
            frame.to_csv(folder / name, index=False)
            written.append(folder / name)

    save_table(result.indices, "indices.csv")
    if result.design.method is Method.MORRIS and result.outputs:
        save_table(overall_ranking(result).reset_index(), "screening.csv")
    save_table(result.second_order, "second_order.csv")
    save_table(result.noise, "noise.csv")
    summary = pd.DataFrame()
    if convergence is not None:
        summary = convergence_summary(convergence, tolerance)
        save_table(convergence, "convergence.csv")
        save_table(summary, "convergence_summary.csv")
    if plots:
        written += _figures(result, folder / "plots", convergence, tolerance)
    report = folder / "report.md"
    report.write_text(_markdown(result, title, summary, descriptions or {}, command, runs,
                                out))
    return [*written, report]


def _figures(result: SensitivityResult, folder: Path, convergence: pd.DataFrame | None,
             tolerance: float) -> list[Path]:
    folder.mkdir(exist_ok=True)
    figures = []
    for output in result.outputs:
        figures.append((indices_figure(result, output), folder / f"{slug(output)}.png"))
        if result.method is Method.MORRIS:
            figures.append((morris_figure(result, output),
                            folder / f"morris_{slug(output)}.png"))
        if convergence is not None and (convergence["output"] == output).any():
            figures.append((convergence_figure(convergence, output, tolerance=tolerance),
                            folder / f"convergence_{slug(output)}.png"))
    for figure, path in figures:
        figure.savefig(path, dpi=110)
    return [path for _, path in figures]


def _size_words(design: SensitivityDesign) -> str:
    if design.method is Method.SOBOL:
        return f"N = {design.n} base samples ({design.rows_per_sample} rows each)"
    if design.method is Method.MORRIS:
        return f"{design.n} trajectories on {design.options['levels']} levels"
    if design.method is Method.FAST:
        return (f"{design.n} samples per parameter in each of {design.options['replicates']} "
                "random phase shifts")
    return f"{design.n} points"


def _ranking_words(result: SensitivityResult) -> str:
    method = result.method
    if result.corrected:
        return ("- Ranking by the dummy-corrected ST, (ST - ST_dummy) / (1 - ST_dummy), which "
                "removes what noise adds to every raw ST; a parameter is called influential "
                "when the interval of its corrected ST lies above 0 (the same bootstrap "
                "resamples for it and the dummy). Read the corrected indices; SALib's raw S1 "
                "and ST are in indices.csv for comparison.")
    if method is Method.PAWN:
        return ("- Ranking by the median KS statistic over the conditioning slides; a "
                "parameter is called influential when its index exceeds what an inert "
                f"parameter reaches in {result.confidence:.0%} of random permutations "
                "(`median_floor`, `p_value` in indices.csv).")
    return ("- A parameter is called influential when its index lies above the dummy's: the "
            "dummy shows how large an index noise and sampling error alone produce.")


def _noise_words(row: pd.Series, reps: int, confidence: float) -> str:
    low, high = row.get("noise_share_low"), row.get("noise_share_high")
    interval = (f" ({confidence:.0%} interval {low:.0%}–{high:.0%})"
                if low is not None and np.isfinite(low) else "")
    text = (f"Noise: {row['noise_share']:.0%}{interval} of the variance of single runs is "
            f"run-to-run noise; {row['noise_share_of_means']:.0%} of the variance of the means "
            f"of {reps} replications")
    needed = row["replications_needed"]
    if row["noise_share_of_means"] > NOISE_TARGET:
        more = (f"{needed:.0f} replications would bring it to {NOISE_TARGET:.0%}"
                if np.isfinite(needed) else "no number of replications brings it down")
        text += (f", more than the {NOISE_TARGET:.0%} target ({more}): at this design's "
                 "budget the indices of this output are noise-limited.")
    else:
        text += f" (within the {NOISE_TARGET:.0%} target)."
    return text


def _markdown(result: SensitivityResult, title: str, summary: pd.DataFrame,
              descriptions: Mapping[str, str], command: str | None, runs: int | None,
              out: Path) -> str:
    design = result.design
    reps = int(result.noise["replications"].max()) if not result.noise.empty else 1
    lines = [f"# Sensitivity analysis: {title}", ""]
    size = _size_words(design)
    interval = ("t intervals over the phase-shift replicates" if design.method is Method.FAST
                else "permutation tests" if design.method is Method.PAWN
                else "bootstrap confidence intervals")
    lines += [
        f"- Method: {METHOD_NAMES[design.method]}, {size}, {len(design.samples)} design rows"
        f" x {reps} replications" + (f" = {runs} model runs" if runs else "") + ".",
        f"- Parameters: {', '.join(design.parameters)}"
        + (" and a dummy parameter that the model never reads." if design.dummy else "."),
        f"- Sampler seed {design.seed}; {result.confidence:.0%} {interval}; ranking by "
        f"{index_words(result)}.",
        _ranking_words(result), ""]
    if result.warnings:
        lines += ["## Warnings", "", *[f"- {w}" for w in result.warnings], ""]
    if result.skipped:
        lines += ["## Not analysed", "", *[f"- {k}: {v}" for k, v in result.skipped.items()],
                  ""]
    if design.method is Method.MORRIS:
        survivors = screened(result)
        keep = [p for p in design.parameters if any(p in v for v in survivors.values())]
        lines += ["## Screening", "",
                  f"Parameters that may matter (mu* above the dummy's interval and at least "
                  f"{SCREENING_SHARE:.0%} of the largest mu* of the output), by output:", "",
                  *[f"- {output}: {', '.join(names) or 'none'}"
                    for output, names in survivors.items()], "",
                  f"All outputs together: {len(keep)} of {len(design.parameters)} parameters."]
        ranking = overall_ranking(result)
        if len(ranking.columns) > 1:
            main = result.method.main_index
            lines += ["", f"Ranked over all outputs by their mean relative {main} (each "
                      f"output's {main} over its largest; `screening.csv` has every "
                      "parameter):", "",
                      "| rank | parameter | mean relative | " +
                      " | ".join(c.replace("|", "\\|") for c in ranking.columns[1:]) + " |",
                      "|---|---|---|" + "---|" * (len(ranking.columns) - 1)]
            for rank, (name, row) in enumerate(ranking.iterrows(), start=1):
                if rank > 20 and name != DUMMY:
                    continue
                lines.append(f"| {rank} | {name} | " + " | ".join(
                    f"{v:.2f}" for v in row.to_numpy()) + " |")
        if keep and command:
            lines += ["", "Next, Sobol indices of these parameters (add `--outputs` to analyse "
                      "only the outputs of interest, and keep only their survivors):", "",
                      f"    {command} --method sobol --samples 64 --only {','.join(keep)} "
                      "--out <new folder>"]
        lines.append("")
    noise = result.noise.set_index("output") if not result.noise.empty else None
    for output in result.outputs:
        source = result.sources.get(output, output)
        heading = f"## {output}"
        if source in descriptions:
            heading += f": {descriptions[source]}"
        lines += [heading, ""]
        if noise is not None and output in noise.index:
            row = noise.loc[output]
            if row["undefined_runs"]:
                lines += [f"Undefined: {int(row['undefined_runs'])} of {int(row['runs'])} runs "
                          f"({row['undefined_runs'] / row['runs']:.0%}) leave {source} "
                          "undefined (NaN); the indices below are those of its mean over the "
                          "runs where it is defined, design row by design row.", ""]
            if reps > 1:
                lines += [_noise_words(row, reps, result.confidence), ""]
        statistics = result.indices.loc[result.indices["output"] == output, "statistic"]
        for statistic in dict.fromkeys(statistics):
            label = "Mean" if statistic == "mean" else "Spread between replications (SD)"
            lines += [f"{label}: {describe(result, output, statistic)}", ""]
        words = (_convergence_words(summary, output, command, out) if not summary.empty
                 else "")
        if words:
            lines += [words, ""]
    return "\n".join(lines).rstrip() + "\n"


def metric_descriptions(names: Sequence[str]) -> dict[str, str]:
    """Plain-language descriptions of the model's metrics (``end_share:<cause>`` included)."""
    from ..model.outputs import METRIC_DESCRIPTIONS

    described = {}
    for name in names:
        if name in METRIC_DESCRIPTIONS:
            described[name] = METRIC_DESCRIPTIONS[name]
        elif name.startswith("end_share:"):
            cause = name.split(":", 1)[1].replace("_", " ")
            described[name] = f"share of ended partnerships that ended by {cause}"
    return described
