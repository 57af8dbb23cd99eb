"""The compiled month of joint work (pppsim.model.compiled, numba) computes what the numpy
month computes: the same month from the same state, and the same runs, up to the last bits
of floating-point arithmetic; and the environment variable that chooses between them."""

from __future__ import annotations

import copy
import math
import sys

import numpy as np
import pytest

from pppsim.errors import PppsimError
from pppsim.model import PartnershipModel, accelerator
from pppsim.model.outputs import summary_metrics
from pppsim.model.partnership import operation

numba = pytest.importorskip("numba")
from pppsim.model import compiled  # noqa: E402  (needs numba)

SETTINGS = (
    {},  # the defaults
    # umbrella organisations, several representatives with turnover, privacy technology,
    # grants, a broad scope: every branch of the month
    {"n_organisations": 80, "umbrella_partnering": 0.6, "representatives_per_member": 2,
     "representative_turnover": 0.05, "pet_share": 0.5, "scope_domains": 2,
     "grant_share": 0.5},
)


def _run_as(patch: pytest.MonkeyPatch, way: str) -> None:
    """Within ``patch``'s context, the model runs compiled or as numpy code, whatever
    PPPSIM_ACCELERATOR says."""
    patch.setattr(accelerator, "compiled", (lambda: compiled) if way == "compiled"
                  else (lambda: None))


def _state(model: PartnershipModel) -> dict[str, np.ndarray]:
    """Everything a month of joint work writes."""
    table, ptable = model.ledgers, model.partnership_table
    arrays = {f"organisations.{name}": getattr(model.organisation_arrays, name)
              for name in ("trust", "standing")}
    arrays |= {f"members.{name}": getattr(table, name)[:table.size]
               for name in (*table.FLOATS, *table.vectors)}
    arrays |= {f"partnerships.{name}": getattr(ptable, name)[:ptable.size]
               for name in (*ptable.FLOATS, *ptable.INTS, "pipeline")}
    arrays["harm"] = model.harm
    arrays["trust_history"] = np.array([p.trust_history[-1] if p.trust_history else np.nan
                                        for p in model.partnerships_ever])
    return {name: np.array(values, dtype=float) for name, values in arrays.items()}


@pytest.mark.parametrize("settings", SETTINGS, ids=("defaults", "every-branch"))
def test_one_month_from_the_same_state_is_the_numpy_month(settings, monkeypatch) -> None:
    """From the same state, one month of joint work of every operating partnership writes the
    same values compiled as numpy does (to 1e-12 relative), month after month."""
    model = PartnershipModel(rng=3, **settings)
    compared = 0
    for _ in range(48):
        model.step()
        operating = [p for p in model.partnerships if p.is_operating]
        if not operating:
            continue
        states = {}
        for way in ("numpy", "compiled"):
            twin = copy.deepcopy(model)
            with monkeypatch.context() as patch:
                _run_as(patch, way)
                operation.operate_all([p for p in twin.partnerships if p.is_operating])
            states[way] = _state(twin)
        for name, values in states["numpy"].items():
            np.testing.assert_allclose(states["compiled"][name], values, rtol=1e-12,
                                       atol=1e-15, equal_nan=True, err_msg=name)
        compared += 1
    assert compared > 30


def _metrics(seed: int, settings: dict) -> dict[str, float]:
    model = PartnershipModel(rng=seed, **settings)
    model.run(120)
    return summary_metrics(model)


@pytest.mark.parametrize("settings", SETTINGS, ids=("defaults", "every-branch"))
def test_runs_give_the_numpy_months_results(settings, monkeypatch) -> None:
    """Whole runs: every count is the same and every other end-of-run metric the same to
    1e-9 relative, over several seeds (a last-bit difference could tip a draw against a
    chance, but does not at these seeds)."""
    with monkeypatch.context() as patch:
        _run_as(patch, "compiled")
        with_numba = {seed: _metrics(seed, settings) for seed in range(4)}
    _run_as(monkeypatch, "numpy")
    for seed, with_numpy in ((seed, _metrics(seed, settings)) for seed in range(4)):
        assert with_numba[seed].keys() == with_numpy.keys()
        for name, value in with_numpy.items():
            other = with_numba[seed][name]
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(other), (seed, name)
            else:
                assert other == pytest.approx(value, rel=1e-9, abs=1e-12), (seed, name)


def test_the_month_is_compiled_where_numba_is_installed(monkeypatch) -> None:
    monkeypatch.delenv(accelerator.VARIABLE, raising=False)  # the default: auto
    monkeypatch.setattr(accelerator, "compiled", accelerator.compiled.__wrapped__)
    assert accelerator.compiled() is not None
    assert accelerator.name() == f"numba {numba.__version__}"


def test_an_unknown_choice_is_one_line_naming_the_variable_and_the_choices(
        monkeypatch) -> None:
    monkeypatch.setenv(accelerator.VARIABLE, "fortran")
    monkeypatch.setattr(accelerator, "compiled", accelerator.compiled.__wrapped__)
    with pytest.raises(PppsimError) as raised:
        accelerator.compiled()
    assert str(raised.value) == ("environment variable PPPSIM_ACCELERATOR='fortran': "
                                 "allowed are auto, numba, numpy")


def test_numba_asked_for_but_missing_is_an_error_and_auto_falls_back(monkeypatch) -> None:
    monkeypatch.setattr(accelerator, "compiled", accelerator.compiled.__wrapped__)
    monkeypatch.delitem(sys.modules, "pppsim.model.compiled", raising=False)
    monkeypatch.delattr(sys.modules["pppsim.model"], "compiled", raising=False)
    monkeypatch.setitem(sys.modules, "numba", None)  # as if not installed
    monkeypatch.setenv(accelerator.VARIABLE, "numba")
    with pytest.raises(PppsimError, match=r"PPPSIM_ACCELERATOR=numba, but numba does not "
                                          r"import .*install pppsim\[fast\]"):
        accelerator.compiled()
    monkeypatch.setenv(accelerator.VARIABLE, "auto")
    assert accelerator.compiled() is None
    monkeypatch.setenv(accelerator.VARIABLE, "numpy")
    assert accelerator.compiled() is None


def test_the_compiled_month_is_cached_in_a_folder_of_its_code_and_numba(
        monkeypatch, tmp_path) -> None:
    """numba checks a cached function against its own file only: the folder is one per
    version of the model's code and of numba."""
    assert compiled.cached()  # compiled or loaded before the tests (conftest)
    here = compiled.cache_folder()
    monkeypatch.setattr(compiled.numba, "__version__", "0.0.0")
    assert compiled.cache_folder() != here
    assert compiled.cache_folder().parent == here.parent
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compiled.cache_folder().is_relative_to(tmp_path)
    assert not compiled.cached()


@pytest.mark.parametrize("writable", [True, False], ids=("cache", "no-cache"))
def test_a_first_compile_says_so_and_where_it_keeps_it(tmp_path, writable) -> None:
    """A process that finds nothing cached says, in one line on stderr, that the month is
    being compiled and where it is kept, or that every process will compile it."""
    import os
    import subprocess

    home = tmp_path
    if not writable:  # a file where the cache's folder would be made
        home = tmp_path / "a-file"
        home.write_text("")
    done = subprocess.run([sys.executable, "-c", "import pppsim.model.compiled"],
                          env={**os.environ, "XDG_CACHE_HOME": str(home)},
                          capture_output=True, text=True, check=True, timeout=120)
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pppsim: compiling the month of joint work with numba")
    if writable:
        assert f"kept in {home}/pppsim/numba/" in lines[0]
    else:
        assert "cannot be written, so every process compiles it" in lines[0]
