"""The classroom commands: ``pppsim demo``, ``pppsim explain`` and ``pppsim app``.

``app`` serves the teaching page (:mod:`pppsim.app`) on this computer only; ``demo`` runs a
demonstration of :mod:`pppsim.teaching`; ``explain`` tells the stories of
:mod:`pppsim.explain`.
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import click

from ..limits import MONTHS_RANGE
from .common import language_option

HOST = "127.0.0.1"
"""The page is served on the loopback interface only: nobody else on the network sees it."""
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
def app(port: int) -> None:
    """Serve the live teaching page at http://127.0.0.1:PORT (Ctrl-C stops it)."""
    from solara.__main__ import run as solara_run

    if not port_is_free(port):
        raise click.BadParameter(f"port {port} on {HOST} is already in use",
                                 param_hint="--port")
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
              help="Tell only the story of this partnership (its id).")
@language_option
def explain(scenario: Path, seed: int | None, months: int | None,
            partnership_id: int | None, lang: str | None) -> None:
    """Tell the story of each partnership in a run of SCENARIO (a file or shipped name), or
    of one."""
    from ..explain import explain as stories
    from ..i18n import language
    from ..model.events import EventKind
    from ..run import simulate
    from ..scenario import open_scenario

    result = simulate(open_scenario(scenario), seed=seed, months=months)
    try:
        with language(lang):
            click.echo(stories(result.model, partnership_id))
    except KeyError:
        started = result.model.events.of_kind(EventKind.NEGOTIATION_STARTED)
        ids = [row.partnership for row in started]
        known = f"ids run from {min(ids)} to {max(ids)}" if ids else "none formed"
        raise click.BadParameter(f"no partnership #{partnership_id} in this run ({known})",
                                 param_hint="--partnership") from None


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
