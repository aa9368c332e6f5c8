"""``tonearm user ...``: accounts from the server's own machine.

For the first admin (instead of the first-run page), a forgotten password, roles,
quotas and removing people. Each command is one unit of work through the container's
services, as an admin's request would be; nothing here reads or writes a table itself.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from tonearm.cli.config import build, data_options, settings_from
from tonearm.cli.sizes import format_size, parse_size
from tonearm.errors import Conflict, NotFound, TonearmError
from tonearm.models import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from tonearm.accounts.service import AccountService
    from tonearm.container import Container
    from tonearm.types import UserId

ROLES = click.Choice([r.value for r in Role], case_sensitive=False)
NO_QUOTA = ("none", "unlimited")


@click.group()
def user() -> None:
    """Manage accounts (run where the server's data is)."""


@contextmanager
def _container(options: dict[str, Any]) -> Iterator[Container]:
    c = build(settings_from(**options))
    try:
        yield c
    finally:
        c.close()


@contextmanager
def _failing(what: str) -> Iterator[None]:
    """The services' errors, prefixed with what the command was doing."""
    try:
        yield
    except TonearmError as exc:
        exc.message = f"{what}: {exc.message}"
        raise


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        text = sys.stdin.read().rstrip("\r\n")
        if not text:
            raise click.UsageError("--password-stdin: standard input held no password.")
        if "\n" in text or "\r" in text:
            raise click.UsageError("--password-stdin: give the password on one line.")
        return text
    if not sys.stdin.isatty():
        # getpass would read the pipe with a warning; say what works instead.
        raise click.UsageError(
            "There is no terminal to ask for the password on: pipe it in with --password-stdin."
        )
    return str(click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password"))


def _user_id(accounts: AccountService, session: DbSession, name: str) -> UserId:
    return accounts.user_by_name(session, name).id


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@user.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make an admin (same as --role admin).")
@click.option("--role", type=ROLES, help="admin, moderator or member (default: member).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (default: ask twice, hidden).",
)
@data_options
def add(name: str, admin: bool, role: str | None, password_stdin: bool, **options: Any) -> None:
    """Create the account NAME.

    On a server with no account yet, this creates the first admin, as the first-run
    page would (tracks uploaded before accounts existed become theirs).
    """
    if admin and role is not None and Role(role.lower()) != Role.ADMIN:
        raise click.UsageError(f"--admin and --role {role} disagree: give one of them.")
    chosen = Role.ADMIN if admin else Role((role or Role.MEMBER).lower())
    with _container(options) as c, _failing(f"cannot add {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows.read() as session:
            first = accounts.needs_setup(session)
            try:
                accounts.user_by_name(session, name)
            except NotFound:
                pass
            else:
                raise Conflict("That username is taken.", code="username-taken")
        if first and chosen != Role.ADMIN:
            # A member alone would close first-run setup with nobody able to administer.
            raise click.UsageError(
                "The first account must be an admin: add --admin (or create it on the "
                "server's page)."
            )
        password = _new_password(password_stdin)
        with c.infra.uows() as uow:
            if first:
                made = accounts.setup(uow, name, password)
                c.library.adopt_orphans(uow, made.id)
            else:
                made = accounts.create_user(uow, name, password, chosen)
            username, made_role = made.username, Role(made.role)
    if first:
        click.echo(f"Added {made_role} {username!r}: the server is set up; sign in on its page.")
    else:
        click.echo(f"Added {made_role} {username!r}.")


@user.command("list")
@data_options
def list_users(**options: Any) -> None:
    """Every account: role, whether disabled, quota and storage used."""
    with _container(options) as c, c.infra.uows.read() as session:
        rows = [
            (
                u.username,
                str(u.role),
                "yes" if u.disabled else "no",
                "none" if u.quota_bytes is None else format_size(u.quota_bytes),
                format_size(c.library.usage(session, u.id)),
                _when(u.created_at),
            )
            for u in c.accounts.service.users(session)
        ]
    if not rows:
        click.echo(
            "No accounts yet: run `tonearm user add NAME --admin`, or open the server's page."
        )
        return
    _table(("NAME", "ROLE", "DISABLED", "QUOTA", "USED", "CREATED"), rows)


@user.command("passwd")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from standard input (default: ask twice, hidden).",
)
@data_options
def passwd(name: str, password_stdin: bool, **options: Any) -> None:
    """Set NAME's password; every session of theirs ends (API tokens keep working)."""
    with _container(options) as c, _failing(f"cannot set the password of {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows.read() as session:
            uid = _user_id(accounts, session, name)
        password = _new_password(password_stdin)
        with c.infra.uows() as uow:
            ended = accounts.set_password(uow, uid, password)
    click.echo(f"Password of {name!r} changed; {_plural(ended, 'session')} ended.")


@user.command("role")
@click.argument("name")
@click.argument("role", type=ROLES)
@data_options
def set_role(name: str, role: str, **options: Any) -> None:
    """Make NAME an admin, moderator or member."""
    with _container(options) as c, _failing(f"cannot change the role of {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows() as uow:
            uid = _user_id(accounts, uow.session, name)
            accounts.update_user(uow, uid, role=Role(role.lower()))
    article = "an" if role.lower() == Role.ADMIN else "a"
    click.echo(f"{name!r} is now {article} {role.lower()}.")


@user.command("disable")
@click.argument("name")
@data_options
def disable(name: str, **options: Any) -> None:
    """Lock NAME out: sessions end, sign-in and API tokens are refused, tracks stay."""
    with _container(options) as c, _failing(f"cannot disable {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows() as uow:
            uid = _user_id(accounts, uow.session, name)
            accounts.update_user(uow, uid, disabled=True)
        window = 2 * c.settings.streaming.signed_url_ttl_s
    click.echo(
        f"Disabled {name!r}: signed out everywhere and API tokens refused; media links "
        f"already handed out stop working within {_duration(window)}."
    )


@user.command("enable")
@click.argument("name")
@data_options
def enable(name: str, **options: Any) -> None:
    """Let a disabled NAME sign in again."""
    with _container(options) as c, _failing(f"cannot enable {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows() as uow:
            uid = _user_id(accounts, uow.session, name)
            accounts.update_user(uow, uid, disabled=False)
    click.echo(f"Enabled {name!r}: they can sign in again.")


@user.command("quota")
@click.argument("name")
@click.argument("size", metavar="SIZE|none")
@data_options
def quota(name: str, size: str, **options: Any) -> None:
    """Limit the storage NAME's tracks may take (10G, 500M; binary units), or `none`.

    Every track counts in full against its owner's quota, even when another person
    uploaded the same audio and it is stored once.
    """
    limit = None
    if size.lower() not in NO_QUOTA:
        try:
            limit = parse_size(size)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="SIZE") from None
    with _container(options) as c, _failing(f"cannot set the quota of {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows() as uow:
            uid = _user_id(accounts, uow.session, name)
            accounts.update_user(uow, uid, quota_bytes=limit, clear_quota=limit is None)
            used = c.library.usage(uow.session, uid)
    if limit is None:
        click.echo(f"{name!r} has no quota now (uses {format_size(used)}).")
        return
    click.echo(f"Quota of {name!r}: {format_size(limit)} (uses {format_size(used)}).")
    if used > limit:
        click.echo(
            f"{name!r} is over it: new uploads are refused until they delete "
            f"{format_size(used - limit)}.",
            err=True,
        )


@user.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@data_options
def delete(name: str, yes: bool, **options: Any) -> None:
    """Delete NAME with every track and unfinished upload they own.

    Audio that someone else also uploaded stays theirs; files nobody needs any more
    are removed by the server's next collection.
    """
    with _container(options) as c, _failing(f"cannot delete {name!r}"):
        accounts = c.accounts.service
        with c.infra.uows.read() as session:
            uid = _user_id(accounts, session, name)
            used = c.library.usage(session, uid)
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("There is no terminal to confirm on: add --yes.")
            click.confirm(
                f"Delete {name!r} and every track they own ({format_size(used)})?", abort=True
            )
        # One transaction, as the admin API does: the tracks go with the account or not at all.
        with c.infra.uows() as uow:
            accounts.user(uow.session, uid)
            tracks = c.release_owned(uow, uid)
            accounts.delete_user(uow, uid)
    click.echo(f"Deleted {name!r} and {_plural(tracks, 'track')}.")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return _plural(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return _plural(seconds // 60, "minute")
    return _plural(seconds, "second")


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
