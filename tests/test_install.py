"""A built wheel installed into a fresh virtual environment works from an empty folder.

The wheel is built from this checkout and installed without its dependencies into a new
venv; the dependencies are borrowed from the test environment through a ``.pth`` path line
and links to its data folders (``etc/`` and ``share/``: the Jupyter widget configuration and
the page's front-end files), so the test downloads nothing, while ``pppsim`` itself and its
scenarios, cases and classroom demonstrations come only from the wheel: the checkout is
nowhere on the path.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout[-1500:]}\n{done.stderr[-1500:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(bin folder of a fresh venv with the wheel installed, an empty folder to work in)."""
    root = tmp_path_factory.mktemp("install")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist",
        REPO, cwd=root)
    wheel = next((root / "dist").glob("pppsim-*.whl"))
    run(sys.executable, "-m", "venv", root / "venv", cwd=root)
    bin_dir = root / "venv" / ("Scripts" if sys.platform == "win32" else "bin")
    fresh = run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()"
                "['purelib'])", cwd=root).stdout.strip()
    (Path(fresh) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    for data in ("etc", "share"):
        if (Path(sys.prefix) / data).is_dir() and not (root / "venv" / data).exists():
            (root / "venv" / data).symlink_to(Path(sys.prefix) / data)
    run(bin_dir / "python", "-m", "pip", "install", "--no-deps", "--quiet", wheel, cwd=root)
    empty = root / "empty"
    empty.mkdir()
    return bin_dir, empty


def test_the_installed_package_carries_its_scenarios_cases_and_demos(
        installed: tuple[Path, Path]) -> None:
    bin_dir, empty = installed
    done = run(bin_dir / "python", "-c",
               "import pppsim, pppsim.library as l, pppsim.app as a; "
               "print(pppsim.__file__); print(l.SCENARIO_DIR); print(l.DEMO_DIR); "
               "print(len(a.scenario_choices())); "
               "from pppsim.scenario import load_scenario; "
               "s = load_scenario(l.SCENARIO_DIR / 'baseline_uncertain.toml'); "
               "print(len(s.uncertainty.draw(3, 1)))", cwd=empty)
    package, scenarios, demos, choices, draws = done.stdout.split()
    assert int(draws) == 3, "the shipped posterior travels with the wheel"
    venv = bin_dir.parent.resolve()
    for path in (package, scenarios, demos):
        assert Path(path).resolve().is_relative_to(venv), path
    assert int(choices) >= 12 + 6, "the shipped scenarios and at least six cases"


def test_demo_and_explain_run_from_an_empty_folder(installed: tuple[Path, Path]) -> None:
    bin_dir, empty = installed
    listed = run(bin_dir / "pppsim", "demo", cwd=empty).stdout
    assert "grant_ends" in listed and "barriers" in listed
    shown = run(bin_dir / "pppsim", "demo", "barriers", "--seeds", "2", "--months", "12",
                cwd=empty).stdout
    assert "figure written to" in shown and (empty / "runs" / "demos" / "barriers.png").is_file()
    story = run(bin_dir / "pppsim", "explain", "holsteiner", "--months", "12", cwd=empty).stdout
    assert story.startswith("Case: Holsteiner")


def test_app_starts_and_serves_from_an_empty_folder(installed: tuple[Path, Path]) -> None:
    bin_dir, empty = installed
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(bin_dir / "pppsim"), "app", "--port", str(port)], cwd=empty,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()[-2000:]
                assert time.monotonic() < deadline, "pppsim app did not serve in 90 s"
                time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
