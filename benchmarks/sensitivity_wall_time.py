"""Wall time of the ready Sobol design (``pppsim sensitivity``) at 1 and 2 workers.

Each measurement runs ``pppsim sensitivity EXPERIMENT --workers W`` in a fresh interpreter and
a fresh study folder, as a user does (imports, sampling, all runs, analysis, tables, report;
figures are skipped with ``--no-plots`` unless ``--plots``), then times the analysis alone
(reading the results, indices, convergence, report) on the finished folder in another fresh
interpreter.  Prints the wall times, runs per second and the parallel speed-up.

    .venv/bin/python benchmarks/sensitivity_wall_time.py                  # the ready design
    .venv/bin/python benchmarks/sensitivity_wall_time.py --samples 16     # a reduced N
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PPPSIM = Path(sys.executable).parent / "pppsim"


def timed(command: list[str]) -> tuple[float, str]:
    """Run ``command``; returns its wall time and its first line of output."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return seconds, result.stdout.splitlines()[0]


ANALYSIS = """
import sys, time
from pppsim.experiment import load_experiment
from pppsim.sensitivity import analyse, convergence
from pppsim.sensitivity.report import write_report
from pppsim.sensitivity.study import outputs, prepare, read_settings
from pathlib import Path
start = time.perf_counter()
experiment = load_experiment(sys.argv[1])
stored = read_settings(Path(sys.argv[2]))
study = prepare(experiment, sys.argv[2], replications=stored.replications)
values = outputs(study)
result = analyse(study.design, values, seed=experiment.seed, skip_invalid=True)
table = convergence(study.design, values, seed=experiment.seed)
write_report(result, sys.argv[2], title=experiment.name, convergence=table, plots=False)
print(f"{time.perf_counter() - start:.2f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", type=Path,
                        default=ROOT / "experiments" / "sobol_main_levers.toml")
    parser.add_argument("--samples", type=int, default=None,
                        help="Sobol N (default: the experiment's).")
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--plots", action="store_true", help="Also time the figures.")
    args = parser.parse_args()

    options = [f"--{name}={value}" for name, value in
               (("samples", args.samples), ("replications", args.replications))
               if value is not None]
    if not args.plots:
        options.append("--no-plots")
    print(f"{args.experiment.name} {' '.join(options)}")
    rows = []
    for workers in args.workers:
        with tempfile.TemporaryDirectory(prefix="pppsim-sensitivity-bench-") as folder:
            command = [str(PPPSIM), "sensitivity", str(args.experiment), "--out",
                       str(Path(folder) / "study"), "--quiet", *options]
            total, first_line = timed([*command, f"--workers={workers}"])
            analysis = float(timed([sys.executable, "-c", ANALYSIS, str(args.experiment),
                                    str(Path(folder) / "study")])[1])
        runs = int(first_line.split("=")[-1].split()[0])
        rows.append((workers, total, analysis, runs))
        print(f"  {workers} worker(s): {total:7.1f} s in all, of which about {analysis:5.1f} s "
              f"analysis; {runs} runs, {runs / (total - analysis):6.1f} runs/s")
    if len(rows) > 1:
        base = rows[0][1] - rows[0][2]
        for workers, total, analysis, _ in rows[1:]:
            print(f"  speed-up of the runs at {workers} workers: "
                  f"{base / (total - analysis):.2f}x")


if __name__ == "__main__":
    main()
