"""The ``tonearm`` command: serve, worker, db, user."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from tonearm.cli import imports, radio, report, search, users
from tonearm.cli.config import build, data_options, settings_from
from tonearm.errors import TonearmError

log = logging.getLogger("tonearm")


@click.group()
@click.version_option(package_name="tonearm")
def main() -> None:
    """tonearm: self-hostable music streaming."""


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where everything lives.")
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8000).")
@click.option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir).")
@click.option("--queue-url", help="Job queue URL (default: embedded SQLite store).")
@click.option(
    "--workers",
    "embedded_workers",
    type=int,
    help="Processing threads inside this process (0: leave it to `tonearm worker`).",
)
def serve(**options: Any) -> None:
    """Run the API, the web player and (by default) background processing."""
    import uvicorn

    from tonearm.http.app import create_app
    from tonearm.worker.runtime import WorkerPool, recover

    settings = settings_from(**options)
    c = build(settings)
    threads = settings.jobs.embedded_workers
    pool = WorkerPool(c, threads) if threads > 0 else None
    config = uvicorn.Config(
        create_app(c),
        host=settings.http.host,
        port=settings.http.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        timeout_keep_alive=30,
        lifespan="off",
        # X-Forwarded-For / -Proto only from a proxy named in the settings; without one
        # the middleware is left out (it costs every segment request a header scan).
        server_header=False,  # names no implementation, and saves every response a header
        proxy_headers=bool(settings.http.trusted_proxies),
        forwarded_allow_ips=list(settings.http.trusted_proxies) or None,
    )
    events = c.infra.events

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            # uvicorn waits for open responses before it stops; event streams never
            # end by themselves, so closing the feed ends them first.
            events.close()
            super().handle_exit(sig, frame)

        async def shutdown(self, sockets: Any = None) -> None:
            await super().shutdown(sockets)
            # uvicorn re-raises SIGTERM/SIGINT once it has stopped, which ends the
            # process before the ``finally`` below: heard seconds are flushed here.
            await asyncio.to_thread(c.listening.close)

    server = Server(config)
    url = settings.http.public_url or f"http://{settings.http.host}:{settings.http.port}/"
    threading.Thread(target=recover, args=(c,), name="recover", daemon=True).start()
    if pool is not None:
        pool.start()
    c.listening.flusher.start()
    click.echo(f"tonearm is running: open {url}", err=False)
    sys.stdout.flush()
    try:
        server.run()
    finally:
        if pool is not None:
            pool.stop()
        c.close()


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path))
@click.option("--database-url")
@click.option("--queue-url")
@click.option(
    "--threads",
    type=int,
    default=1,
    show_default=True,
    help="Jobs run at once (each job runs its own ffmpeg processes).",
)
def worker(threads: int, **options: Any) -> None:
    """Process uploads (a separate process against the same data)."""
    from tonearm.worker.runtime import WorkerPool, recover

    c = build(settings_from(**options))
    recover(c)
    pool = WorkerPool(c, threads)

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: finishing", signum)
        pool.stop(timeout=0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    pool.start()
    click.echo(f"tonearm worker {c.infra.worker_name} is running")
    pool.wait()
    pool.stop()
    c.close()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@data_options
def db_upgrade(**options: Any) -> None:
    """Bring the database schema up to date (serve and worker do this on start)."""
    build(settings_from(**options))
    click.echo("database is up to date")


main.add_command(users.user)
main.add_command(imports.import_folder)
main.add_command(radio.radio)
main.add_command(search.search)
main.add_command(report.report)

# An error's kind -> the exit status; 1: aborted; 2: bad usage or input (click's own 2
# for usage errors, and any kind not listed); 7: `import` finished but some files failed.
EXIT_CODES = {"not_found": 3, "conflict": 4, "forbidden": 5, "unavailable": 6}


def run() -> None:
    """The console script: errors a person can act on become a message and an exit code."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TonearmError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_CODES.get(exc.kind, 2))
    except OperationalError as exc:
        # A wrong URL, a stopped server, a locked file: what the driver says, not a traceback.
        reason = str(exc.orig or exc).strip().splitlines()[0]
        click.echo(f"error: cannot use the database: {reason}", err=True)
        sys.exit(EXIT_CODES["unavailable"])
