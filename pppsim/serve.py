"""``pppsim app``: serve the teaching page (:mod:`pppsim.app`) on this computer only."""

from __future__ import annotations

import contextlib
import socket

import click

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
def app_command(port: int) -> None:
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
