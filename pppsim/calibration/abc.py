"""ABC-SMC calibration on pyabc, every simulation made by the experiments engine.

:func:`calibrate` draws parameter sets from the priors, simulates each ``replications`` times
through :class:`pppsim.experiment.RunConfiguration` (the runs of a sweep), measures the
calibration file's patterns on those runs and keeps the parameter sets whose patterns fall
close enough to the published bands (Toni et al. 2009; Beaumont et al. 2009, as implemented
by pyabc, Schälte et al. 2022).  The distance of a parameter set is the Euclidean norm of how
far each *target* lies outside its band, in band widths: 0 when every target is inside its
band.  The tolerance epsilon shrinks generation by generation (a quantile of the last
generation's distances, or a fixed list).

Reproducibility: the seed of every simulation is a pure function of the calibration's seed,
the particle's parameter values and the replication (:func:`particle_seed`), so any particle
of the posterior can be re-simulated exactly.  With one worker the whole calibration is
reproducible from its seed; with several, which proposals are accepted first depends on
timing (pyabc's parallel samplers), so two runs give two samples of the same posterior.

Resuming: pyabc keeps every finished generation in ``DIR/calibration.db`` (SQLite); running
the same command again continues after the last finished generation (a generation cut off by
a kill is simulated again).  A folder made from another calibration file is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import Experiment, RunConfiguration
from ..experiment.seeds import SEED_BITS
from .targets import RUN_METRICS, CalibrationError, CalibrationSpec, Pattern, Prior

DATABASE = "calibration.db"
DEFINITION = "calibration.json"
NAN_STATISTIC = float("nan")


def particle_seed(base_seed: int, params: Mapping[str, Any], replication: int) -> int:
    """The seed of replication ``replication`` of a particle: a pure function of the base
    seed, the particle's parameter values and the replication."""
    text = json.dumps(dict(sorted(params.items())), sort_keys=True, default=str)
    key = int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)
    state = np.random.SeedSequence(entropy=base_seed, spawn_key=(key, replication))
    return int(state.generate_state(1, dtype=np.uint64)[0]) >> (64 - SEED_BITS)


@dataclass(frozen=True)
class Simulator:
    """pyabc's model: one particle's patterns, from ``replications`` engine runs.

    Instances are sent to workers (cloudpickle), so they hold plain data only.
    """

    base: Mapping[str, Any]
    priors: tuple[Prior, ...]
    patterns: tuple[Pattern, ...]
    months: int
    replications: int
    seed: int
    numerics: str | None = None
    """The numerics fingerprint every run must be made with (:mod:`pppsim.numerics`), or
    None for any."""

    def parameters(self, particle: Mapping[str, float]) -> dict[str, Any]:
        """The full parameter set of a particle: the base scenario with the drawn values."""
        return dict(self.base) | {p.name: p.from_unit(particle[p.name]) for p in self.priors}

    def runs(self, params: Mapping[str, Any]) -> pd.DataFrame:
        """The engine's metrics of the particle's runs, one row per run (NaN if one fails)."""
        experiment = Experiment.from_points([params], replications=self.replications,
                                            months=self.months, outputs=RUN_METRICS,
                                            name="calibration")
        config = RunConfiguration.of(experiment)
        rows = []
        for spec in experiment.runs():
            seed = particle_seed(self.seed, params, spec.replication)
            record = config.execute(type(spec)(spec.run_id, spec.point, spec.replication,
                                               seed, spec.params))
            if self.numerics is not None and record.numerics != self.numerics:
                raise CalibrationError(
                    f"a worker ({record.worker}) computes with numerics {record.numerics}, "
                    f"the calibration with {self.numerics}; use workers of one kind "
                    "(docs/sweeps.md §5)")
            rows.append(record.metrics if record.metrics is not None
                        else dict.fromkeys(RUN_METRICS, NAN_STATISTIC))
        frame = pd.DataFrame(rows)
        frame.attrs["months"] = self.months
        return frame

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        runs = self.runs(self.parameters(particle))
        return {p.name: p.measure(runs) for p in self.patterns}


@dataclass(frozen=True)
class BandDistance:
    """Euclidean norm of the targets' misses, each in band widths (0: all inside)."""

    targets: tuple[Pattern, ...]

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        misses = [t.miss(float(x[t.name])) for t in self.targets]
        return float(np.sqrt(np.sum(np.square(misses))))


def observed(spec: CalibrationSpec) -> dict[str, float]:
    """The band middles of every pattern (pyabc stores them as the observed data)."""
    return {p.name: (p.low + p.high) / 2 for p in spec.patterns}


def prior_distribution(priors: tuple[Prior, ...]) -> Any:
    import pyabc

    return pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0.0, 1.0) for p in priors})


def unit_frame_to_values(priors: tuple[Prior, ...], frame: pd.DataFrame) -> pd.DataFrame:
    """A generation of pyabc's History (every parameter on [0, 1]) as parameter values."""
    return pd.DataFrame({p.name: [p.from_unit(u) for u in frame[p.name]] for p in priors},
                        index=frame.index)


def _epsilon(spec: CalibrationSpec) -> Any:
    import pyabc

    if spec.abc.epsilon == "quantile":
        return pyabc.QuantileEpsilon(alpha=spec.abc.quantile)
    return pyabc.ListEpsilon(list(spec.abc.epsilon))


def check_folder(spec: CalibrationSpec, folder: Path) -> tuple[bool, str | None]:
    """Whether ``folder`` holds a calibration of ``spec`` to resume, and the numerics its runs
    were made with (None if none or unknown: folders made before it was recorded); refuse
    another calibration."""
    definition = folder / DEFINITION
    if not definition.exists():
        if (folder / DATABASE).exists():
            raise CalibrationError(f"{folder}: holds {DATABASE} but no {DEFINITION}; choose "
                                   "another --out")
        return False, None
    try:
        stored = json.loads(definition.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"{definition}: cannot be read ({exc}); choose another "
                               "--out") from None
    if stored.get("fingerprint") != spec.fingerprint:
        raise CalibrationError(
            f"{folder}: holds another calibration (another file, mode, seed or model "
            "version); choose another --out, or delete the folder to start again")
    resume = (folder / DATABASE).exists()
    return resume, stored.get("numerics") if resume else None


def calibrate(spec: CalibrationSpec, folder: str | Path, *, workers: int | None = None,
              scheduler: str | None = None) -> Any:
    """Run (or resume) ABC-SMC for ``spec`` in ``folder``; returns pyabc's History.

    Parameters
    ----------
    spec
        The calibration (see :func:`pppsim.calibration.load_calibration`).
    folder
        Where the history database and the outputs go; an unfinished calibration of the same
        spec there is resumed after its last finished generation.
    workers, scheduler
        As for :func:`pppsim.run_experiment`: local processes (1 runs in this process,
        reproducibly) or a Dask cluster (``"local"`` or an address).
    """
    import pyabc

    from ..experiment.executors import open_executor

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resume, made = check_folder(spec, folder)  # another calibration: refused before workers start
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyabc")
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    database = f"sqlite:///{os.path.abspath(folder / DATABASE)}"
    np.random.seed(spec.seed % 2**32)
    with open_executor(workers, scheduler) as info:
        # the workers' numerics (one kind), kept with the definition: a resumed calibration
        # continues with runs made alike (docs/sweeps.md §5)
        if made is not None and made != info.numerics:
            raise CalibrationError(
                f"{folder}: its runs were made with numerics {made}, the workers now compute "
                f"with {info.numerics}: the same seeds would give results that differ in the "
                "last bits (docs/sweeps.md §5); resume it on machines of the kind that started "
                "it, or choose another --out")
        (folder / DEFINITION).write_text(json.dumps(
            {"fingerprint": spec.fingerprint, "name": spec.name,
             "source": str(spec.path) if spec.path else "", "definition": spec.definition(),
             "numerics": info.numerics}, indent=2, sort_keys=True, default=str))
        simulator = Simulator(spec.base_parameters(), spec.priors, spec.patterns, spec.months,
                              spec.abc.replications, spec.seed, info.numerics)
        if info.workers == 1 and scheduler is None:
            sampler = pyabc.SingleCoreSampler()
        else:
            sampler = pyabc.sampler.ConcurrentFutureSampler(info.executor,
                                                            client_max_jobs=info.workers)
        abc = pyabc.ABCSMC(simulator, prior_distribution(spec.priors),
                           BandDistance(spec.targets), population_size=spec.abc.population,
                           sampler=sampler, eps=_epsilon(spec),
                           transitions=pyabc.MultivariateNormalTransition(
                               scaling=spec.abc.transition_scaling))
        history = abc.load(database, 1) if resume else abc.new(database, observed(spec))
        done = history.max_t + 1
        remaining = spec.abc.generations - done
        if remaining > 0 and not _converged(history, spec):
            history = abc.run(minimum_epsilon=spec.abc.minimum_epsilon,
                              max_nr_populations=remaining)
    return history


def _converged(history: Any, spec: CalibrationSpec) -> bool:
    """True when the last finished generation already reached the minimum epsilon."""
    if history.max_t < 0:
        return False
    populations = history.get_all_populations()
    last = populations[populations["t"] >= 0]["epsilon"]
    return bool(len(last) and last.iloc[-1] <= spec.abc.minimum_epsilon)


def open_history(folder: str | Path) -> Any:
    """pyabc's History of a calibration folder (read only)."""
    import pyabc

    path = Path(folder) / DATABASE
    if not path.is_file():
        raise CalibrationError(f"{folder}: no {DATABASE}; is it a calibration folder?")
    return pyabc.History(f"sqlite:///{os.path.abspath(path)}", _id=1)
