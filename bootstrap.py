#!/usr/bin/env python3
"""Set up pppsim in ./.venv with a Python 3.12+ interpreter, then run it or test it.

    python3 bootstrap.py run [PPPSIM RUN ARGS]   install, then run the baseline scenario
    python3 bootstrap.py test [PYTEST ARGS]      install with test extras, then run every test
                                                 tier (fast, slow, browser; -m picks fewer)

Both install the optional accelerator too (the extra ``fast``: numba compiles the month of
joint work; the first run compiles it, in about 20 s, and later runs load it).

Works with any python3 on the PATH (3.8+): it finds a 3.12+ interpreter itself, from
$PPPSIM_PYTHON, the PATH, the Windows launcher or pyenv, and builds the virtual environment
with it.  Later calls reuse the environment.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = (3, 12)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def version(command):
    """(major, minor) of an interpreter command, or None if it does not run."""
    try:
        out = subprocess.run(command + ["-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def candidates():
    if os.environ.get("PPPSIM_PYTHON"):
        yield [os.environ["PPPSIM_PYTHON"]]
    yield [sys.executable]
    for minor in range(20, MINIMUM[1] - 1, -1):
        yield [f"python3.{minor}"]
    yield ["python3"]
    yield ["python"]
    if shutil.which("py"):
        for minor in range(20, MINIMUM[1] - 1, -1):
            yield ["py", f"-3.{minor}"]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for exe in sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")),
                      reverse=True):
        yield [exe]


def find_python():
    for command in candidates():
        found = version(command)
        if found and found >= MINIMUM:
            return command
    sys.exit("bootstrap: no Python %d.%d+ found; install one or set PPPSIM_PYTHON" % MINIMUM)


def install(extras):
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    if not python.exists() or (version([str(python)]) or (0, 0)) < MINIMUM:
        command = find_python()
        print("bootstrap: creating .venv with", " ".join(command), flush=True)
        subprocess.run(command + ["-m", "venv", "--clear", str(VENV)], check=True)
    spec = ".[%s]" % extras if extras else "."
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    marker = VENV / ".pppsim-installed"
    if not marker.exists() or stamp not in marker.read_text().split():
        print("bootstrap: installing pppsim%s into .venv" % (spec[1:]), flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", spec],
                       check=True, cwd=ROOT)
        previous = marker.read_text().split() if marker.exists() else []
        marker.write_text("\n".join(previous + [stamp]))
    return python


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        sys.exit(__doc__)
    action, rest = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if action == "run":
        python = install("fast")
        args = rest or ["scenarios/baseline.toml"]
        code = subprocess.call([str(python), "-m", "pppsim.cli", "run", *args])
    else:
        python = install("test,fast")
        # every tier: '-m ""' lifts the fast-tier default of pyproject.toml; a -m in ``rest``
        # comes later and so still picks a tier
        code = subprocess.call([str(python), "-m", "pytest", "-m", "", *rest])
    sys.exit(code)


if __name__ == "__main__":
    main()
