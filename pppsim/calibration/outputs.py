"""What a calibration writes: the posterior, acceptance per generation, plots, posterior
predictive checks and a plain-language summary of what the patterns pin down.

Files in the calibration folder:

* ``posterior.csv`` — the last generation's particles: one column per calibrated parameter
  (schema values, integers rounded) and ``weight`` (summing to 1);
* ``generations.csv`` — per generation: epsilon, simulations, accepted particles, acceptance
  rate;
* ``predictive.csv`` — posterior predictive check of every pattern (targets and independent
  checks): the spread of the pattern over posterior draws, each simulated afresh, and at
  the scenario's own values;
* ``parameters.csv`` — per parameter: prior range, posterior mean and 90% interval, and the
  posterior's width as a share of the prior's;
* ``point.csv`` — candidate points for the scenario's defaults (the posterior particles of
  highest weight and the posterior mean), each simulated afresh with common random numbers:
  their patterns and their distance to the targets' bands; the closest is marked ``chosen``;
* ``marginals.png``, ``pairs.png`` — pyabc's weighted kernel density plots;
* ``summary.md`` — all of it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import Experiment, load_results, run_experiment
from .abc import open_history, unit_frame_to_values
from .targets import CHECK, TARGET, CalibrationSpec

POSTERIOR = "posterior.csv"
PINNED, NARROWED = 0.5, 0.8
"""Posterior 90% width over prior 90% width: below 0.5 the patterns pin a parameter down,
below 0.8 they narrow it, above they leave it open."""
FEW_PARTICLES = 50
ROUGH = (": so few that the widths are rough, and parameters look pinned down by chance; "
         "use a larger population for conclusions")
PAIRS_MAX = 6
"""Parameters in the pairs plot: the most narrowed ones (a 30 x 30 grid is unreadable)."""


def posterior_table(spec: CalibrationSpec, history: Any) -> pd.DataFrame:
    """The last generation's weighted particles as schema values."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    table = unit_frame_to_values(spec.priors, frame)
    table["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return table


def generation_table(history: Any) -> pd.DataFrame:
    """Per generation: epsilon, simulations, accepted particles and the acceptance rate."""
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    table = pd.DataFrame({"generation": populations["t"].astype(int),
                          "epsilon": populations["epsilon"].astype(float),
                          "simulations": populations["samples"].astype(int),
                          "accepted": populations["particles"].astype(int)})
    table["acceptance_rate"] = table["accepted"] / table["simulations"]
    return table.reset_index(drop=True)


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                        qs: Sequence[float]) -> list[float]:
    from pyabc.weighted_statistics import weighted_quantile

    return [float(weighted_quantile(values, weights, alpha=q)) for q in qs]


def parameter_table(spec: CalibrationSpec, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior, posterior mean and 90% interval, width ratio and a verdict."""
    weights = posterior["weight"].to_numpy()
    rows = []
    for prior in spec.priors:
        values = posterior[prior.name].to_numpy(dtype=float)
        low, median, high = _weighted_quantiles(values, weights, (0.05, 0.5, 0.95))
        ratio = (high - low) / (0.9 * (prior.high - prior.low))
        verdict = ("pinned down" if ratio < PINNED else "narrowed" if ratio < NARROWED
                   else "left open")
        rows.append({"parameter": prior.name, "prior_low": prior.low,
                     "prior_high": prior.high,
                     "scenario_value": spec.scenario.params[prior.name],
                     "posterior_mean": float(np.sum(values * weights)),
                     "posterior_median": median, "posterior_p05": low, "posterior_p95": high,
                     "width_ratio": ratio, "verdict": verdict})
    return pd.DataFrame(rows).sort_values("width_ratio", ignore_index=True)


def draw_particles(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` particles drawn with replacement in proportion to their weights (seeded)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(posterior), size=n, replace=True,
                      p=posterior["weight"].to_numpy())
    names = [c for c in posterior.columns if c != "weight"]
    return [{name: _plain(posterior.iloc[i][name]) for name in names} for i in rows]


def _plain(value: Any) -> Any:
    """A NumPy scalar from a frame as the Python number."""
    return value.item() if hasattr(value, "item") else value


def _patterns_at(spec: CalibrationSpec, points: list[dict[str, Any]], labels: list[str], *,
                 replications: int, seed: int, random_numbers: str, name: str, store: Path,
                 workers: int | None, scheduler: str | None) -> list[dict[str, float]]:
    """Run every point (parameter values over the scenario's) ``replications`` times on the
    experiments engine (a resumable sweep in ``store``) and measure every pattern of ``spec``
    over each point's runs; one dict of patterns per point, in the points' order."""
    from .targets import RUN_METRICS

    experiment = Experiment.from_points(
        points, base=spec.scenario, labels=labels, replications=replications, seed=seed,
        months=spec.months, outputs=RUN_METRICS, random_numbers=random_numbers, name=name)
    run_experiment(experiment, store, workers=workers, scheduler=scheduler)
    runs = load_results(store)
    measured = []
    for index in range(len(points)):
        group = runs[runs["point"] == index].copy()
        group.attrs["months"] = spec.months
        measured.append({p.name: p.measure(group) for p in spec.patterns})
    return measured


def _role_words(role: str) -> str:
    return "target" if role == TARGET else "independent check" if role == CHECK else role


def predictive_check(spec: CalibrationSpec, posterior: pd.DataFrame, folder: Path,
                     generation: int, *, workers: int | None = None,
                     scheduler: str | None = None) -> pd.DataFrame:
    """Posterior predictive check of every pattern, on the experiments engine.

    ``predictive_draws`` posterior draws, each simulated ``replications`` times with fresh
    seeds (a resumable sweep in ``folder/predictive-<generation>``), plus the scenario's own
    values as a reference point.  Per pattern: the median and 90% range over draws of the
    pattern, the share of draws inside the band, and the value at the scenario's own
    parameters.
    """
    draws = draw_particles(posterior, spec.abc.predictive_draws, spec.seed + 1)
    draws = [{p.name: p.cast(d[p.name]) for p in spec.priors} for d in draws]
    measured = _patterns_at(spec, [{}, *draws], ["scenario", *map(str, range(len(draws)))],
                            replications=spec.abc.replications, seed=spec.seed + 1,
                            random_numbers="independent", name="posterior-predictive",
                            store=folder / f"predictive-{generation}", workers=workers,
                            scheduler=scheduler)
    rows = []
    for pattern in spec.patterns:
        at_scenario = measured[0][pattern.name]
        drawn = np.array([m[pattern.name] for m in measured[1:]], dtype=float)
        defined = drawn[np.isfinite(drawn)]
        inside = float(np.mean((defined >= pattern.low) & (defined <= pattern.high))) \
            if defined.size else float("nan")
        q05, q50, q95 = (np.quantile(defined, (0.05, 0.5, 0.95)) if defined.size
                         else (np.nan,) * 3)
        rows.append({"pattern": pattern.name, "role": pattern.role, "meaning": pattern.meaning,
                     "low": pattern.low, "high": pattern.high, "source": pattern.source,
                     "predictive_p05": float(q05), "predictive_median": float(q50),
                     "predictive_p95": float(q95), "share_inside": inside,
                     "draws": len(drawn), "undefined": int(len(drawn) - defined.size),
                     "at_scenario_values": at_scenario})
    return pd.DataFrame(rows)


def point_estimate(spec: CalibrationSpec, posterior: pd.DataFrame, folder: Path,
                   generation: int, *, workers: int | None = None,
                   scheduler: str | None = None) -> pd.DataFrame:
    """A point of the posterior for the scenario's defaults, chosen on fresh runs.

    Marginal means or medians of a posterior are no point of it when its parameters trade off
    against each other (the joint region can miss the means), and a particle was accepted on
    ``replications`` runs that may have been lucky.  So the ``point_candidates`` particles of
    highest weight and the posterior mean are each simulated ``point_replications`` times
    afresh, with common random numbers across the candidates (a resumable sweep in
    ``folder/point-<generation>``), their patterns measured over those runs, and the candidate
    whose targets lie closest to their bands (the calibration's distance; ties to the higher
    weight) is ``chosen``.  One row per candidate: its parameter values, weight, every
    pattern, the distance and whether it was chosen.
    """
    from .abc import BandDistance

    names = [p.name for p in spec.priors]
    top = posterior.sort_values("weight", ascending=False, kind="stable")
    top = top.head(spec.abc.point_candidates)
    mean = {p.name: float(np.average(posterior[p.name], weights=posterior["weight"]))
            for p in spec.priors}
    points = [{p.name: p.cast(_plain(row[p.name])) for p in spec.priors}
              for _, row in top.iterrows()]
    points.append({p.name: p.cast(mean[p.name]) for p in spec.priors})
    labels = [f"particle {i}" for i in top.index] + ["posterior mean"]
    weights = [*top["weight"].astype(float), float("nan")]
    measured = _patterns_at(spec, points, labels, replications=spec.abc.point_replications,
                            seed=spec.seed + 2, random_numbers="common",
                            name="calibration-point", store=folder / f"point-{generation}",
                            workers=workers, scheduler=scheduler)
    distance = BandDistance(spec.targets)
    rows = [{"candidate": label, **{n: point[n] for n in names}, "weight": weight,
             **patterns, "distance": distance(patterns, {})}
            for label, point, weight, patterns in zip(labels, points, weights, measured,
                                                      strict=True)]
    table = pd.DataFrame(rows)
    order = table.assign(w=table["weight"].fillna(-1.0)).sort_values(
        ["distance", "w"], ascending=[True, False], kind="stable")
    table["chosen"] = False
    table.loc[order.index[0], "chosen"] = True
    return table


def plot(spec: CalibrationSpec, history: Any, parameters: pd.DataFrame, folder: Path
         ) -> list[Path]:
    """``marginals.png`` (every parameter) and ``pairs.png`` (the most narrowed ones)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pyabc.visualization import plot_kde_1d, plot_kde_matrix

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = unit_frame_to_values(spec.priors, frame).astype(float)
    n = len(spec.priors)
    cols = min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, prior in zip(axes.flat, spec.priors, strict=False):
        plot_kde_1d(frame, weights, x=prior.name, xmin=prior.low, xmax=prior.high, ax=ax,
                    label="posterior")
        ax.axhline(1.0 / (prior.high - prior.low), color="grey", linestyle=":",
                   label="prior")
        ax.axvline(spec.scenario.params[prior.name], color="black", linewidth=0.8,
                   label="scenario value")
        ax.set_title(prior.name, fontsize=8)
        ax.set_xlabel("")
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=6)
    fig.suptitle(f"{spec.name}: posterior marginals (generation {history.max_t})")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / (2.4 * rows)))  # room for the title
    marginals = folder / "marginals.png"
    fig.savefig(marginals, dpi=80)
    plt.close(fig)
    names = parameters["parameter"].head(PAIRS_MAX).tolist()
    limits = {p.name: (p.low, p.high) for p in spec.priors if p.name in names}
    plot_kde_matrix(frame[names], weights, limits=limits)
    pairs = folder / "pairs.png"
    plt.gcf().savefig(pairs, dpi=90)
    plt.close("all")
    return [marginals, pairs]


def _runs(n: int) -> str:
    return "one run" if n == 1 else f"{n} runs"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _percent(x: float) -> str:
    return "undefined" if not np.isfinite(x) else f"{100 * x:.0f}%"


def summary_markdown(spec: CalibrationSpec, posterior: pd.DataFrame,
                     generations: pd.DataFrame, parameters: pd.DataFrame,
                     predictive: pd.DataFrame, command: str,
                     point: pd.DataFrame | None = None) -> str:
    """The calibration in words: what was fitted, what the patterns pin down and leave open,
    and how the posterior does on the targets and on the independent checks."""
    from pyabc.weighted_statistics import effective_sample_size

    last = generations.iloc[-1]
    effective_size = float(effective_sample_size(posterior["weight"].to_numpy()))
    pinned = parameters[parameters["verdict"] == "pinned down"]["parameter"].tolist()
    narrowed = parameters[parameters["verdict"] == "narrowed"]["parameter"].tolist()
    open_ = parameters[parameters["verdict"] == "left open"]["parameter"].tolist()
    lines = [f"# Calibration: {spec.name}", "",
             f"Written by `{command}`. ABC-SMC (pyabc) from the scenario "
             f"*{spec.scenario.name}*, {spec.months} months, {_runs(spec.abc.replications)} per "
             f"particle, {spec.abc.population} particles per generation; "
             f"{len(generations)} generations, {int(generations['simulations'].sum())} "
             f"particles simulated; last epsilon {last['epsilon']:.3g} (distance 0 = every "
             "target inside its band), acceptance rate in the last generation "
             f"{_percent(last['acceptance_rate'])}; effective sample size of the posterior "
             f"{effective_size:.0f} particles (widths below are estimated from them"
             f"{ROUGH if effective_size < FEW_PARTICLES else ''}).", "",
             "## What the patterns pin down", "",
             f"Of {len(parameters)} uncertain parameters, the targets **pin down** "
             f"{len(pinned)} (posterior 90% interval under half the prior's), **narrow** "
             f"{len(narrowed)} and **leave open** {len(open_)}.", ""]
    for verdict, names in (("Pinned down", pinned), ("Narrowed", narrowed),
                           ("Left open", open_)):
        if names:
            lines.append(f"- {verdict}: " + ", ".join(f"`{n}`" for n in names))
    lines += ["", "A parameter left open is one the patterns cannot tell apart over its range: "
              "its uncertainty is carried into every result that draws from this posterior.",
              "", "| parameter | prior | scenario value | posterior mean | 90% interval | "
              "width / prior width | verdict |", "|---|---|---|---|---|---|---|"]
    for r in parameters.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior_low:g}–{r.prior_high:g} | "
                     f"{r.scenario_value:g} | {r.posterior_mean:.3g} | "
                     f"[{r.posterior_p05:.3g}, {r.posterior_p95:.3g}] | {r.width_ratio:.2f} | "
                     f"{r.verdict} |")
    lines += ["", "## Posterior predictive checks", "",
              f"{int(predictive['draws'].iloc[0])} posterior draws, each simulated afresh "
              f"({_times(spec.abc.replications)}). Targets were fitted; checks were not, and test "
              "the fit.", "",
              "| pattern | role | band | source | posterior predictive median [90%] | "
              "draws inside the band | at the scenario's values |", "|---|---|---|---|---|---|---|"]
    for r in predictive.itertuples():
        lines.append(f"| {r.meaning} | {_role_words(r.role)} | {r.low:g}–{r.high:g} | "
                     f"{r.source} | "
                     f"{r.predictive_median:.3g} [{r.predictive_p05:.3g}, "
                     f"{r.predictive_p95:.3g}] | {_percent(r.share_inside)} | "
                     f"{r.at_scenario_values:.3g} |")
    if point is not None and len(point):
        chosen = point[point["chosen"]].iloc[0]
        runs = _runs(spec.abc.point_replications)
        lines += ["", "## A point for the defaults", "",
                  f"The {len(point) - 1} particles of highest weight and the posterior mean, "
                  f"each simulated afresh ({runs}, the same random numbers for every "
                  "candidate): the closest to the targets' bands is "
                  f"**{chosen['candidate']}**, at distance {chosen['distance']:.3g} (0 = every "
                  "target inside its band; `point.csv` has every candidate).", "",
                  "| parameter | scenario value | chosen point |", "|---|---|---|"]
        for p in spec.priors:
            lines.append(f"| `{p.name}` | {spec.scenario.params[p.name]:g} | "
                         f"{chosen[p.name]:.3g} |")
        lines += ["", "| pattern | role | band | at the chosen point |", "|---|---|---|---|"]
        for pattern in spec.patterns:
            lines.append(f"| {pattern.meaning} | {_role_words(pattern.role)} | "
                         f"{pattern.low:g}–{pattern.high:g} | "
                         f"{chosen[pattern.name]:.3g} |")
    lines += ["", "## Generations", "", "| generation | epsilon | simulated | accepted | "
              "acceptance rate |", "|---|---|---|---|---|"]
    for r in generations.itertuples():
        lines.append(f"| {r.generation} | {r.epsilon:.3g} | {r.simulations} | {r.accepted} | "
                     f"{_percent(r.acceptance_rate)} |")
    return "\n".join(lines) + "\n"


def write_outputs(spec: CalibrationSpec, folder: str | Path, *, command: str,
                  workers: int | None = None, scheduler: str | None = None
                  ) -> dict[str, Any]:
    """Write every output of a finished (or stopped) calibration in ``folder``."""
    folder = Path(folder)
    history = open_history(folder)
    if history.max_t < 0:
        from .targets import CalibrationError

        raise CalibrationError(f"{folder}: no finished generation yet; run the same command "
                               "again to continue")
    posterior = posterior_table(spec, history)
    generations = generation_table(history)
    parameters = parameter_table(spec, posterior)
    predictive = predictive_check(spec, posterior, folder, history.max_t, workers=workers,
                                  scheduler=scheduler)
    point = point_estimate(spec, posterior, folder, history.max_t, workers=workers,
                           scheduler=scheduler)
    posterior.to_csv(folder / POSTERIOR, index=False)
    point.to_csv(folder / "point.csv", index=False)
    generations.to_csv(folder / "generations.csv", index=False)
    parameters.to_csv(folder / "parameters.csv", index=False)
    predictive.to_csv(folder / "predictive.csv", index=False)
    plot(spec, history, parameters, folder)
    text = summary_markdown(spec, posterior, generations, parameters, predictive, command,
                            point)
    (folder / "summary.md").write_text(text)
    return {"posterior": posterior, "generations": generations, "parameters": parameters,
            "predictive": predictive, "point": point, "summary": text}
