"""CPU seconds the command line takes to start: ``pppsim --help``, ``--version`` and
``status``, this checkout against an earlier commit, measured side by side.

Each command runs in a fresh interpreter (user + system CPU of the child, from
``resource.getrusage``), several times in turn for both versions; the median is printed.  The
earlier version is extracted from git (``git archive``) and put first on the path.  ``status``
reads a small sweep folder that this script makes first (with this checkout).

    .venv/bin/python benchmarks/cli_startup.py [--against REV] [--repeats N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from model_scaling import extract  # the same git archive of an earlier version

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--help"], ["--version"], ["status"])
RUNNER = "import sys; sys.path.insert(0, sys.argv[1]); from pppsim.cli import main; " \
         "main(sys.argv[2:])"


def cpu_seconds(source: Path, args: list[str]) -> float:
    """User + system CPU of one ``pppsim ARGS`` with the package from ``source``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", RUNNER, str(source), *args], check=True,
                   capture_output=True, cwd=source)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="6448b18",
                        help="git revision to compare with (default: 6448b18)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sweep"
        experiment = Path(tmp) / "tiny.toml"
        experiment.write_text(
            f'name = "tiny"\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\n'
            'months = 6\nreplications = 2\n[fixed]\nn_organisations = 12\n'
            '[design]\nkind = "factorial"\n[vary]\nlegal_barrier = [0.2, 0.8]\n')
        subprocess.run([sys.executable, "-c", RUNNER, str(ROOT), "sweep", str(experiment),
                        "--out", str(folder), "--workers", "1", "--quiet"], check=True,
                       capture_output=True)
        versions = {"before": extract(args.against), "after": ROOT}
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeats):
            for command in COMMANDS:
                full = [*command, str(folder)] if command == ["status"] else command
                for version, source in versions.items():
                    times.setdefault((command[0], version), []).append(
                        cpu_seconds(source, full))
    print(f"median CPU seconds (user + system) over {args.repeats} runs; "
          f"before = {args.against}, after = this checkout")
    print(f"{'command':>18} {'before s':>9} {'after s':>8} {'speed-up':>9}")
    for command in COMMANDS:
        before = statistics.median(times[command[0], "before"])
        after = statistics.median(times[command[0], "after"])
        print(f"{'pppsim ' + command[0]:>18} {before:>9.2f} {after:>8.2f} "
              f"{before / after:>9.1f}")


if __name__ == "__main__":
    main()
