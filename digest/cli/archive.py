"""Commands over the archive: ``init`` (a starter config), ``archive`` (list the days), ``serve``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DigestError
from .core import LOGGER, _out_option, _settings, cli


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Write a commented starter digest.toml in the current folder (never overwrites one).

    Every setting is there, commented out at its default; uncomment and edit what you need
    (at least a [[sources]] entry for `digest run`). digest reads ./digest.toml by itself.

    \b
    Example:
      mkdir ~/digest && cd ~/digest && digest init && $EDITOR digest.toml
    """
    from ..config import CONFIG_NAME, STARTER_CONFIG

    target = Path.cwd() / CONFIG_NAME
    try:
        with target.open("x", encoding="utf-8") as fh:  # "x": fails if it exists, even in a race
            fh.write(STARTER_CONFIG)
    except FileExistsError:
        raise DigestError(f"{target} already exists; edit it, or move it away and run `digest init` again") from None
    except OSError as exc:
        raise DigestError(f"cannot write {target}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {target}; add [[sources]] to it, then `digest run`")


@cli.command()
@_out_option
@click.pass_context
def archive(ctx: click.Context, out_dir: Path | None) -> None:
    """List the days in the archive, oldest first: date, stories, folder.

    \b
    Example:
      digest archive --out briefings/
    """
    from ..delivery import archive_days, read_briefing_stories

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    days = archive_days(out)
    for day in days:
        try:
            stories = str(len(read_briefing_stories(out / day.isoformat())))
        except (OSError, ValueError, AttributeError):
            stories = "?"
        click.echo(f"{day}\t{stories} stories\t{out / day.isoformat()}/")
    if not days:
        click.echo(f"no briefings in {out}/", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@_out_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out_dir: Path | None) -> None:
    """Serve the archive as a web app: every day, search, story timelines, regenerate.

    / lists the days, /YYYY-MM-DD/ shows one (with its PDF, email, text and JSON),
    /stories/ID follows a story across days, /search?q=... searches every story.
    Each day's page has a button that rebuilds it from the store (as `digest build
    --date D` does). Off loopback, that button also needs [serve] token (or
    DIGEST_SERVE_TOKEN). Stop it with Ctrl-C.

    \b
    Examples:
      digest serve                                  # http://127.0.0.1:8000/
      DIGEST_SERVE_TOKEN=... digest serve --host 0.0.0.0 --port 8080
    """
    from ..web import create_app, is_loopback, make_server

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    app = create_app(settings, out, host)
    try:
        server = make_server(app, host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {out}/ on http://{shown}:{server.effective_port}/ (Ctrl-C to stop)")
    if not is_loopback(host) and not settings.serve.token:
        click.echo("regenerating is off: not on loopback and no [serve] token (or DIGEST_SERVE_TOKEN)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        LOGGER.info("serve stopped")
    finally:
        server.close()
        app.extensions["digest"].close()
