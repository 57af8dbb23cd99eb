"""Server CPU of one Step on the teaching page: the model's month and the page's redraw.

Renders the page without a browser (``solara.render``, the same components and widgets the
server drives), presses Step month after month, and prints the CPU time of each press beside
the model's month alone, at 100 organisations (the baseline scenario), with the page in the
language of ``--lang`` (switched with its language setting, as a viewer would).  The target is at
most 100 ms of server CPU per Step.  The compiled month is loaded first, as ``pppsim app`` does
before it serves the page.

    .venv/bin/python benchmarks/app_step.py [--months 60] [--lang en|nl|sv]
"""

from __future__ import annotations

import argparse
import statistics
import time

import ipyvuetify as vw
import solara

from pppsim import app
from pppsim.i18n import LANGUAGES, translator
from pppsim.model import PartnershipModel, accelerator
from pppsim.scenario import load_scenario

TARGET_MS = 100.0


def cpu_ms(action) -> float:
    start = time.process_time()
    action()
    return 1000 * (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    args = parser.parse_args()

    accelerator.warm_up()  # as `pppsim app` does before it serves the page
    scenario = load_scenario(app.SCENARIO_DIR / f"{app.DEFAULT_SCENARIO}.toml")
    model = PartnershipModel(rng=scenario.seed, **scenario.params)
    model_ms = [cpu_ms(model.step) for _ in range(args.months)]

    _box, rc = solara.render(app.page, handle_error=False)
    rc.find(vw.Select, label=translator(app.page_language()).gettext(app.text.LANGUAGE)
            ).widget.v_model = args.lang
    step = rc.find(vw.Btn, children=[translator(args.lang).gettext(app.text.CONTROLS["step"])]
                   ).widget
    step_ms = [cpu_ms(step.click) for _ in range(args.months)]

    print(f"teaching page ({args.lang}), {scenario.params['n_organisations']} organisations, "
          f"{args.months} Steps (server CPU per Step, ms)")
    print(f"{'':22} {'median':>8} {'p90':>8} {'max':>8}")
    for label, values in (("model month alone", model_ms), ("Step: month + redraw", step_ms)):
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{label:22} {statistics.median(values):8.1f} {p90:8.1f} {max(values):8.1f}")
    verdict = "within" if statistics.median(step_ms) <= TARGET_MS else "ABOVE"
    print(f"median Step {verdict} the target of {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
