"""The classroom commands: ``pppsim demo``, ``pppsim explain``, ``pppsim cases`` and
``pppsim app``.

``app`` serves the teaching page (:mod:`pppsim.app`) on this computer only; ``demo`` runs a
demonstration of :mod:`pppsim.teaching`; ``explain`` tells the stories of
:mod:`pppsim.explain`; ``cases`` checks the case library of :mod:`pppsim.cases`.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import click

from ..limits import MONTHS_RANGE
from .common import language_option

HOST = "127.0.0.1"
"""The page is served on the loopback interface only: nobody else on the network sees it."""
OFFLINE_SETTINGS = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
"""Solara settings for a page that works with no internet: no usage statistics sent.  Its
front-end files come from the solara-assets package (a dependency), installed in the
environment's ``share/solara/cdn``, which the server serves locally."""
APP_MODULE = "pppsim.app"


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether ``host:port`` can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@click.command(name="app")
@click.option("--port", type=click.IntRange(1024, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 to serve the page on.")
@language_option
def app(port: int, lang: str | None) -> None:
    """Serve the live teaching page at http://127.0.0.1:PORT (Ctrl-C stops it).

    The page opens in the language of --lang (or $PPPSIM_LANG, else English); its language
    setting switches it for each viewer.
    """
    from ..i18n import LANGUAGE_VARIABLE

    for key, value in OFFLINE_SETTINGS.items():
        os.environ.setdefault(key, value)
    if lang:
        os.environ[LANGUAGE_VARIABLE] = lang  # the page's first language (pppsim.app)
    from solara.__main__ import run as solara_run

    if not port_is_free(port):
        raise click.BadParameter(f"port {port} on {HOST} is already in use",
                                 param_hint="--port")
    from ..model import accelerator

    accelerator.warm_up()  # the page's first Step then runs at its speed
    click.echo(f"pppsim: teaching page at http://{HOST}:{port}  (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt, click.exceptions.Abort):  # Ctrl-C
        solara_run.main([APP_MODULE, "--host", HOST, "--port", str(port), "--no-open",
                         "--production"], standalone_mode=False)
    click.echo("pppsim: teaching page stopped")


@click.command(name="explain")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed (default: the scenario's seed).")
@click.option("--months", type=click.IntRange(*MONTHS_RANGE), default=None,
              help="Horizon in months (default: the scenario's).")
@click.option("--partnership", "partnership_id", type=int, default=None,
              help="Tell only the story of this partnership (its number: 1 is the first "
              "to start negotiating).")
@language_option
def explain(scenario: Path, seed: int | None, months: int | None,
            partnership_id: int | None, lang: str | None) -> None:
    """Tell the story of each partnership in a run of SCENARIO (or of one).

    SCENARIO is a scenario file or the name of a shipped scenario or case
    (``pppsim explain holsteiner``); a case is told with its history, sources and documented
    trajectory, and whether this run shows it.
    """
    from ..cases import case_header, run_verdict
    from ..explain import explain as stories
    from ..i18n import language
    from ..model.events import EventKind
    from ..run import simulate
    from ..scenario import open_scenario

    loaded = open_scenario(scenario)
    result = simulate(loaded, seed=seed, months=months)
    try:
        with language(lang):
            told = stories(result.model, partnership_id)
    except KeyError:
        started = len(result.model.events.of_kind(EventKind.NEGOTIATION_STARTED))
        known = f"partnerships are numbered 1 to {started}" if started else "none formed"
        raise click.BadParameter(f"no partnership #{partnership_id} in this run ({known})",
                                 param_hint="--partnership") from None
    if loaded.case is not None and partnership_id is None:
        click.echo(case_header(loaded) + "\n" + run_verdict(loaded, result.model) + "\n")
    click.echo(told)


@click.command(name="demo")
@click.argument("name", required=False)
@click.option("--seeds", type=click.IntRange(2, 100), default=None,
              help="Replications per side (default: the demonstration's).")
@click.option("--months", type=click.IntRange(*MONTHS_RANGE), default=None,
              help="Horizon in months (default: the demonstration's).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Figure file (default: runs/demos/<name>.png).")
@click.option("--markdown", is_flag=True,
              help="Run every demonstration and print the table of docs/teachers.md.")
def demo(name: str | None, seeds: int | None, months: int | None,
         out: Path | None, markdown: bool) -> None:
    """Run the classroom demonstration NAME (no NAME: list them)."""
    import matplotlib.pyplot as plt

    from ..teaching import (
        contrast_figure,
        contrast_text,
        list_demos,
        load_demo,
        markdown_table,
        run_demo,
    )

    if markdown:
        click.echo(markdown_table([run_demo(d, seeds, months) for d in list_demos()]))
        return
    if name is None:
        for each in list_demos():
            click.echo(f"{each.name:24} {each.title}")
        return
    chosen = load_demo(name)
    result = run_demo(chosen, seeds, months)
    click.echo(contrast_text(result))
    out = out or Path("runs") / "demos" / f"{chosen.name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = contrast_figure(result)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    click.echo(f"\nfigure written to {out}")


@click.command(name="cases")
@click.argument("names", nargs=-1)
@click.option("--replications", type=click.IntRange(2, 200), default=None,
              help="Runs per case, seeds 1..N (default: each case's own).")
@click.option("--markdown", is_flag=True, help="Print the case table of docs/teachers.md.")
def cases(names: tuple[str, ...], replications: int | None, markdown: bool) -> None:
    """Run the case library (or the named cases) and report in how many runs each case's
    documented trajectory occurs."""
    from ..cases import case_paths, case_report, load_case, markdown_table, run_case

    chosen = [load_case(name) for name in names] or [load_case(p) for p in case_paths()]
    results = [run_case(case, replications) for case in chosen]
    click.echo(markdown_table(results) if markdown else case_report(results))
