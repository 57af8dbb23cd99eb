"""Wall time of the shipped calibration (``pppsim calibrate``) on local processes and on Dask.

Runs ``pppsim calibrate experiments/calibration/targets.toml`` in a fresh interpreter and a
fresh folder, as a user does, once on local worker processes (``--workers W``) and once on a
local Dask cluster (``--scheduler local --workers W``), and prints side by side: wall time,
particles simulated (with pyabc's first sample from the prior, which sets the first
tolerance) and, from the measured seconds per particle (all in: start-up, the predictive
check and the plots included), the projected wall time of the shipped settings (a prior
sample plus population x generations of the file's [abc] table at the acceptance rate of the
last measured generation; later generations usually accept fewer, so the projection is a
lower bound; the slice runs with the file's replications per particle).

    .venv/bin/python benchmarks/calibration_wall_time.py                        # a slice
    .venv/bin/python benchmarks/calibration_wall_time.py --population 200 --generations 8
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PPPSIM = Path(sys.executable).parent / "pppsim"
TARGETS = ROOT / "experiments" / "calibration" / "targets.toml"


def measure(targets: Path, folder: Path, options: list[str]) -> dict[str, float]:
    """One calibration in a fresh interpreter: wall time, simulations, acceptance."""
    command = [str(PPPSIM), "calibrate", str(targets), "--out", str(folder), *options]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    generations = pd.read_csv(folder / "generations.csv")
    with sqlite3.connect(folder / "calibration.db") as db:  # pyabc's history
        (prior_sample,) = db.execute("SELECT coalesce(sum(nr_samples), 0) FROM populations "
                                     "WHERE t < 0").fetchone()
    return {"seconds": seconds,
            "simulations": int(generations["simulations"].sum()) + int(prior_sample),
            "last_acceptance": float(generations["acceptance_rate"].iloc[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=Path, default=TARGETS)
    parser.add_argument("--population", type=int, default=24)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shipped = tomllib.loads(args.targets.read_text())["abc"]
    slice_ = ["--population", str(args.population), "--generations", str(args.generations),
              "--workers", str(args.workers)]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="pppsim-calibration-bench-") as tmp:
        rows[f"{args.workers} local processes"] = measure(args.targets, Path(tmp) / "local",
                                                          slice_)
        rows[f"Dask local cluster, {args.workers} workers"] = measure(
            args.targets, Path(tmp) / "dask", [*slice_, "--scheduler", "local"])
    print(f"calibration slice: population {args.population}, {args.generations} generations "
          f"({args.targets.name}; shipped: population {shipped['population']}, "
          f"{shipped['generations']} generations, {shipped['replications']} runs per "
          "particle)")
    print(f"{'executor':<32} {'wall s':>8} {'particles':>10} {'s/particle':>11} "
          f"{'projected shipped h':>20}")
    for name, row in rows.items():
        per_particle = row["seconds"] / row["simulations"]
        particles = shipped["population"] * (1 + shipped["generations"] / max(
            row["last_acceptance"], 1e-9))
        print(f"{name:<32} {row['seconds']:>8.0f} {row['simulations']:>10} "
              f"{per_particle:>11.2f} {particles * per_particle / 3600:>20.1f}")


if __name__ == "__main__":
    main()
