"""Where a run's CPU goes, part by part of the month, without a profiler's distortion.

Wraps each part that ``PartnershipModel.step`` calls (the crime update, formation, negotiation,
the month of joint work, funding/evaluation/exits, recruitment, the overcommitment check, the
harm accounting, the month's end, the reporters) in a CPU timer (``time.process_time``), runs
the default scenario a few times after one warm-up run, and prints the milliseconds per run of
each part and of model creation and the end-of-run metrics. With ``--month`` it also times the
steps of a month of joint work (:class:`pppsim.model.partnership.operation.Month`: its set-up
and each step ``Month.run`` calls) and prints microseconds per month of joint work; the
compiled month is one call, so ``--month`` needs ``PPPSIM_ACCELERATOR=numpy``. Every timed call
adds two clock reads of its own (a fraction of a microsecond each), which count in its part:
parts called once per partnership (negotiation, settling, recruitment) are inflated most, and
the total is above the CPU of an untimed run (``benchmarks/model_scaling.py``).

    .venv/bin/python benchmarks/model_phases.py [--organisations 100] [--runs 8] [--month]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pppsim.model import PartnershipModel, accelerator
from pppsim.model import model as model_module
from pppsim.model.outputs import summary_metrics
from pppsim.model.partnership.operation import Month

SPENT: dict[str, float] = defaultdict(float)
REPORTERS = "reporters (collect)"

PARTS = {
    "crime (update_crime)": (PartnershipModel, "update_crime"),
    "formation (form_partnerships)": (PartnershipModel, "form_partnerships"),
    "negotiation (negotiate_all)": (model_module, "negotiate_all"),
    "joint work (operate_all)": (model_module, "operate_all"),
    "funding, evaluation, exits (settle_all)": (model_module, "settle_all"),
    "recruitment (grow)": (PartnershipModel, "grow"),
    "overcommitment (release_overcommitted)": (PartnershipModel, "release_overcommitted"),
    "harm accounting (finish_month_accounting)": (PartnershipModel, "finish_month_accounting"),
    "month's end (end_month)": (PartnershipModel, "end_month"),
    REPORTERS: (PartnershipModel, "collect"),
}


MONTH_SET_UP = "set-up (Month.__init__)"
MONTH_STEPS = ("contribute", "share", "produce", "value", "update_trust", "update_members",
               "update_standing", "close")
"""The steps ``Month.run`` calls, in its order."""
MONTH: dict[str, float] = defaultdict(float)


def timed(name: str, function: Callable[..., Any],
          spent: dict[str, float] = SPENT) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
    return wrapper


def time_the_month() -> None:
    """Time the set-up and each step of a month of joint work (into :data:`MONTH`)."""
    Month.__init__ = timed(MONTH_SET_UP, Month.__init__, MONTH)
    for step in MONTH_STEPS:
        setattr(Month, step, timed(step, getattr(Month, step), MONTH))


def print_the_month(organisations: int, runs: int) -> None:
    count = MONTH.pop("months", 0)
    if not count:  # no partnership reached its first month of joint work
        print(f"\nno month of joint work in {runs} runs of {organisations} organisations")
        return
    print(f"\nCPU microseconds per month of joint work, {organisations} organisations, "
          f"{count / runs:.0f} such months per run")
    for name in (MONTH_SET_UP, *MONTH_STEPS):
        print(f"  {name:44s} {1e6 * MONTH[name] / count:7.1f}")
    print(f"  {'total':44s} {1e6 * sum(MONTH.values()) / count:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--month", action="store_true",
                        help="also time the steps of a month of joint work")
    args = parser.parse_args()
    if args.month and accelerator.compiled() is not None:
        # the compiled month runs as one call (pppsim.model.compiled.month): no steps to time
        parser.exit(2, f"model_phases.py: --month times the steps of the numpy month; with "
                       f"the compiled month on, run it with {accelerator.VARIABLE}=numpy\n")
    PartnershipModel(n_organisations=args.organisations, rng=10_000).run(args.months)
    untimed = 0.0
    for seed in range(args.runs):  # the same runs without the timers, for comparison
        start = time.process_time()
        model = PartnershipModel(n_organisations=args.organisations, rng=seed)
        model.run(args.months)
        summary_metrics(model)
        untimed += time.process_time() - start
    for name, (owner, attribute) in PARTS.items():
        setattr(owner, attribute, timed(name, getattr(owner, attribute)))
    if args.month:
        time_the_month()
        counted = Month.__init__

        def counting(self: Month, *given: Any) -> None:
            MONTH["months"] += 1
            counted(self, *given)

        Month.__init__ = counting
    SPENT.clear()
    MONTH.clear()
    total = 0.0
    for seed in range(args.runs):
        start = time.process_time()
        before = SPENT[REPORTERS]
        model = PartnershipModel(n_organisations=args.organisations, rng=seed)
        created = time.process_time()
        SPENT[REPORTERS] = before  # creation records month 0: counted as creation only
        SPENT["model creation"] += created - start
        model.run(args.months)
        ran = time.process_time()
        summary_metrics(model)
        done = time.process_time()
        SPENT["run (all months)"] += ran - created
        SPENT["end-of-run metrics"] += done - ran
        total += done - start
    months = SPENT.pop("run (all months)")
    inside = sum(SPENT[name] for name in PARTS)
    print(f"CPU ms per run, {args.organisations} organisations, {args.months} months, "
          f"mean of {args.runs} runs (seeds 0-{args.runs - 1})")
    for name in [*PARTS, "model creation", "end-of-run metrics"]:
        print(f"  {name:44s} {1000 * SPENT[name] / args.runs:7.1f}")
    print(f"  {'the rest of the months (step itself)':44s} "
          f"{1000 * (months - inside) / args.runs:7.1f}")
    print(f"  {'total':44s} {1000 * total / args.runs:7.1f}")
    print(f"  {'total of the same runs without the timers':44s} {1000 * untimed / args.runs:7.1f}")
    if args.month:
        print_the_month(args.organisations, args.runs)


if __name__ == "__main__":
    main()
