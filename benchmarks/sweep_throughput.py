"""Sweep throughput: pppsim's engine vs mesa.batch_run vs EMA Workbench, on this machine.

The same design (``--points`` values of ``legal_barrier`` x ``--replications`` seeds, the same
run seeds for every tool) is run by

* pppsim's engine (``pppsim.experiment.sweep``: results committed to SQLite as they finish),
* ``mesa.batch_run`` (results in memory; ``number_processes``),
* EMA Workbench's ``MultiprocessingEvaluator`` (``n_processes``),

each with 1 and 2 workers, plus the model alone in a plain loop (the floor).  Every
measurement runs in a fresh interpreter (``batch_run`` sets the global start method to spawn
at import, which would otherwise leak into the others); its clock starts after the model is
imported (for every tool) and includes pool start-up, as a user experiences it.  pppsim and
the plain loop compute the end-of-run metrics of every run, ``batch_run`` records the
``DataCollector``'s last row.  Prints runs per second, ratios to
pppsim, parallel efficiency (rate at 2 workers / twice the rate at 1) and pppsim's overhead
per run.  A peer that is not installed is skipped with a note.  With ``--repeats N`` every
measurement is taken N times, each in a fresh interpreter, in turns (tool after tool), and the
median is reported: fresh interpreters of the same code differ by several per cent in speed.

    .venv/bin/python benchmarks/sweep_throughput.py [--points 8 --replications 4 --repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from typing import Any

TOOLS = {"model alone": None, "pppsim": None, "mesa.batch_run": "mesa",
         "EMA Workbench": "ema_workbench"}


def design(args: argparse.Namespace) -> tuple[list[float], list[int], dict[str, Any]]:
    """The varied values, the run seeds (one per replication, common to all points), fixed."""
    from pppsim.experiment import run_seed

    values = [round(0.1 + 0.8 * i / max(args.points - 1, 1), 4) for i in range(args.points)]
    seeds = [run_seed(args.seed, 0, r) for r in range(args.replications)]
    return values, seeds, {"n_organisations": args.organisations}


def model_run(legal_barrier: float, seed: int, n_organisations: int, months: int
              ) -> dict[str, float]:
    """One run reduced to two metrics (what the loop and EMA evaluate)."""
    from pppsim.model import PartnershipModel
    from pppsim.model.outputs import summary_metrics

    model = PartnershipModel(rng=int(seed), n_organisations=n_organisations,
                             legal_barrier=legal_barrier)
    for _ in range(months):
        model.step()
    metrics = summary_metrics(model)
    return {"harm_prevented": metrics["harm_prevented"],
            "partnerships_launched": metrics["partnerships_launched"]}


def measure(tool: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run the design once with ``tool`` and ``workers``; returns seconds and extras.

    The model is imported before the clock starts for every tool, as a user of
    ``mesa.batch_run`` imports the model class before calling it."""
    # The model module (with Mesa and the outputs it imports), for every tool: pppsim.model
    # loads its modules on first use, and a first model built inside the clock would count
    # the model's import.
    import pppsim.model.model  # noqa: F401

    values, seeds, fixed = design(args)
    runs = len(values) * len(seeds)
    extra: dict[str, Any] = {}
    if tool == "model alone":
        start = time.perf_counter()
        for v in values:
            for s in seeds:
                model_run(v, s, fixed["n_organisations"], args.months)
    elif tool == "pppsim":
        from pppsim.experiment import Experiment, sweep

        exp = Experiment.from_points([{"legal_barrier": v} for v in values], base=fixed,
                                     replications=len(seeds), seed=args.seed,
                                     months=args.months,
                                     outputs=("harm_prevented", "partnerships_launched"))
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            stats = sweep(exp, folder, workers=workers, progress=False)
            seconds = time.perf_counter() - start
            if stats.failed:
                from pppsim.experiment import load_results

                errors = load_results(folder, include_failed=True)["error"].dropna()
                raise RuntimeError(f"{stats.failed} runs failed: {errors.iloc[0]}")
        extra = {"model_seconds_per_run": stats.seconds_per_run}
        return {"seconds": seconds, "runs": runs, **extra}
    elif tool == "mesa.batch_run":
        from mesa.batchrunner import batch_run

        from pppsim.model import PartnershipModel

        start = time.perf_counter()
        rows = batch_run(PartnershipModel, {"legal_barrier": values, **fixed},
                         number_processes=workers, max_steps=args.months,
                         data_collection_period=-1, display_progress=False, rng=seeds)
        assert len(rows) == runs
    else:
        from ema_workbench import (
            Constant,
            IntegerParameter,
            Model,
            MultiprocessingEvaluator,
            RealParameter,
            ScalarOutcome,
        )
        from ema_workbench.em_framework.points import Sample

        model = Model("pppsim", function=model_run)
        model.uncertainties = [RealParameter("legal_barrier", 0.0, 1.0),
                               IntegerParameter("seed", 0, 2**63 - 1)]
        model.constants = [Constant("n_organisations", fixed["n_organisations"]),
                           Constant("months", args.months)]
        model.outcomes = [ScalarOutcome("harm_prevented"),
                          ScalarOutcome("partnerships_launched")]
        samples = [Sample(legal_barrier=v, seed=s) for v in values for s in seeds]
        start = time.perf_counter()
        with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
            _, outcomes = evaluator.perform_experiments(scenarios=samples)
        assert len(outcomes["harm_prevented"]) == runs
    return {"seconds": time.perf_counter() - start, "runs": runs, **extra}


def child(tool: str, workers: int, args: argparse.Namespace) -> dict[str, Any] | None:
    """``measure`` in a fresh interpreter; None if it failed."""
    command = [sys.executable, __file__, "--measure", tool, "--workers", str(workers),
               "--points", str(args.points), "--replications", str(args.replications),
               "--months", str(args.months), "--organisations", str(args.organisations),
               "--seed", str(args.seed)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600,
                            check=False)
    if result.returncode != 0:
        print(f"  {tool} with {workers} workers failed:\n{result.stderr[-2000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1,
                        help="measurements per tool and worker count (median reported)")
    parser.add_argument("--measure", choices=list(TOOLS), help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.workers, args)))
        return

    runs = args.points * args.replications
    print(f"design: {args.points} points x {args.replications} replications = {runs} runs, "
          f"{args.organisations} organisations, {args.months} months"
          + (f"; median of {args.repeats} measurements each" if args.repeats > 1 else ""))
    cases = []
    for tool, package in TOOLS.items():
        if package and find_spec(package) is None:
            print(f"  {tool}: skipped ({package} is not installed)")
            continue
        cases += [(tool, workers) for workers in ((1,) if tool == "model alone" else (1, 2))]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {case: [] for case in cases}
    for _ in range(args.repeats):
        for tool, workers in cases:
            result = child(tool, workers, args)
            if result is not None:
                results[tool, workers].append(result)
    rates: dict[tuple[str, int], float] = {}
    pppsim_model_time = None
    for (tool, workers), measured in results.items():
        if not measured:
            continue
        seconds = statistics.median(r["seconds"] for r in measured)
        rates[tool, workers] = runs / seconds
        if tool == "pppsim" and workers == 1:
            pppsim_model_time = statistics.median(r["model_seconds_per_run"] for r in measured)
        print(f"  {tool:15s} {workers} worker{'s' if workers > 1 else ' '}: "
              f"{seconds:7.2f} s  {rates[tool, workers]:6.2f} runs/s")

    print("\nruns per second (ratio to pppsim at the same worker count)")
    for tool in TOOLS:
        cells = []
        for workers in (1, 2):
            if (tool, workers) in rates:
                ratio = rates[tool, workers] / rates.get(("pppsim", workers), float("nan"))
                cells.append(f"{workers}w {rates[tool, workers]:6.2f} ({ratio:4.2f}x)")
        if cells:
            efficiency = ""
            if (tool, 2) in rates:
                efficiency = f"  parallel efficiency {rates[tool, 2] / (2 * rates[tool, 1]):.0%}"
            print(f"  {tool:15s} " + "   ".join(cells) + efficiency)
    if pppsim_model_time is not None:
        engine = 1 / rates["pppsim", 1]
        overhead = engine - pppsim_model_time
        print(f"\npppsim at 1 worker: {engine * 1000:.1f} ms per run, of which "
              f"{pppsim_model_time * 1000:.1f} ms inside the model: engine overhead "
              f"{overhead * 1000:.1f} ms per run = {overhead / pppsim_model_time:.1%} of the "
              "model's own time (set-up of the store and manifest included)")
        if ("model alone", 1) in rates:
            print(f"model alone in a plain loop (separate process, same machine load "
                  f"permitting): {1000 / rates['model alone', 1]:.1f} ms per run")

if __name__ == "__main__":
    main()
