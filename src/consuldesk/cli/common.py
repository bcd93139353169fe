"""What the command groups share: exit codes, errors, choosing and opening the case file,
printing (JSON, written files), ids typed short, option types."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_CASEFILE = 0, 1, 2, 3, 4


CASE_FILE_ENV = "CONSULDESK_CASE_FILE"


OFFICER_ENV = "CONSULDESK_OFFICER"
#: The officer's passphrase for scripts (else it is asked for at the terminal).
PASSPHRASE_ENV = "CONSULDESK_PASSPHRASE"
#: A new passphrase for scripts: ``passphrase``, ``officer add``, ``officer reset``, ``encrypt``.
NEW_PASSPHRASE_ENV = "CONSULDESK_NEW_PASSPHRASE"


class CliError(Exception):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _add_doc_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        dest="doc_lang",
        choices=["kk", "ru"],
        help="language printed beside English (default: the --lang of messages if kk or ru, "
        "else ru)",
    )


def _unexpected(exc: BaseException) -> str:
    """One line for a failure ConsulDesk did not foresee; the traceback goes to the log."""
    import traceback

    from consuldesk.store.paths import log_dir

    first = (str(exc).strip().splitlines() or [""])[0]  # SQL errors go on for pages
    detail = f"{type(exc).__name__}: {first[:300]}".strip().rstrip(":")
    try:
        log = log_dir() / "consuldesk-cli.log"
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {sys.argv[1:]}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return _("Unexpected error: {detail}").format(detail=detail)
    return _("Unexpected error: {detail} (details in {log})").format(detail=detail, log=log)


def _describe(exc: BaseException) -> str:
    from consuldesk.store.errors import CaseFileError, NotFound

    if isinstance(exc, CaseFileError) and exc.code == "casefile.corrupt":
        return "{}\n{}".format(
            describe(exc),
            _(
                "The backups beside it: 'consuldesk-cli backups'; put one in place: "
                "'consuldesk-cli restore'."
            ),
        )
    if isinstance(exc, NotFound):  # deleted meanwhile (another window, a sync)
        what = _(NOT_FOUND_LABELS.get(exc.table, exc.table))
        return _("There is no {what} with the id {id} (deleted?)").format(
            what=what, id=exc.record_id
        )
    return describe(exc)


def _exit_code_for(exc: BaseException) -> int:
    from consuldesk.domain.errors import DomainError
    from consuldesk.services.errors import ServiceError
    from consuldesk.store.errors import CaseFileError, NotFound
    from consuldesk.store.keyring import KeyringError

    if isinstance(exc, CaseFileError):
        return EXIT_CASEFILE
    if isinstance(exc, KeyringError):  # a wrong passphrase is bad input; a lost keyring is not
        return (
            EXIT_CASEFILE
            if exc.code in ("keyring.missing", "keyring.missing_copy", "keyring.damaged")
            else EXIT_BAD_INPUT
        )
    if isinstance(exc, ServiceError) and exc.code == "backup.source_damaged":
        return EXIT_CASEFILE  # the case file itself is damaged
    if isinstance(exc, (DomainError, ServiceError, NotFound)):
        return EXIT_BAD_INPUT
    try:
        from consuldesk.services.lists import ListError
    except ImportError:  # pragma: no cover
        return EXIT_FAILURE
    if isinstance(exc, ListError):
        return EXIT_BAD_INPUT
    from consuldesk.sync.errors import SyncError

    if isinstance(exc, SyncError):
        return EXIT_BAD_INPUT
    return EXIT_FAILURE


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _day(text: str) -> date:
    from consuldesk.domain.dates import parse_date
    from consuldesk.domain.errors import ValidationError

    try:
        day = parse_date(text, "on")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(describe(exc)) from None
    if day is None:
        raise argparse.ArgumentTypeError("a date is needed")
    return day


#: Records a command asked for by id that vanished meanwhile (store.errors.NotFound.table).
NOT_FOUND_LABELS = {
    "evacuation_operation": "evacuation operation",
    "trip": "trip",
    "manifest_entry": "passenger entry",
    "national": "national",
    "hotel": "hotel",
    "placement": "hotel stay",
    "household": "household",
    "assistance_request": "request",
}


#: Shortest id prefix accepted for OPERATION and TRIP, and shortest shown by 'evac list'.
MIN_ID_PREFIX, SHOWN_ID_PREFIX = 6, 8


def _when(text: str) -> datetime:
    """A date and time in this computer's local time (or with an explicit offset), as UTC."""
    cleaned = " ".join(text.split())
    if ":" in cleaned:
        for fmt in (None, "%d.%m.%Y %H:%M"):
            try:
                value = (
                    datetime.fromisoformat(cleaned)
                    if fmt is None
                    else datetime.strptime(cleaned, fmt)
                )
            except ValueError:
                continue
            return value.astimezone(UTC)  # a naive value is taken as local time
    raise argparse.ArgumentTypeError(
        _("“{value}” is not a date and time (use 2026-03-12 06:00 or 12.03.2026 06:00)").format(
            value=text
        )
    )


def _default_officer() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "officer"


def _err(message: str) -> None:
    print(f"consuldesk-cli: {message}", file=sys.stderr)


def _err_json(message: str, exit_code: int, cause: BaseException | None) -> None:
    """A command run with ``--json`` that fails says so as JSON on stderr (stdout stays empty,
    so a script that saves the output never saves an error as data): the sentence, the exit
    code, and the message code and parameters of the error behind it, when it has them."""
    error: dict[str, Any] = {"message": message, "exit_code": exit_code}
    code = getattr(cause, "code", None)
    if isinstance(code, str):
        error["code"] = code
        error["params"] = _jsonable(dict(getattr(cause, "params", None) or {}))
    path = getattr(cause, "path", None)
    if isinstance(path, (str, Path)):  # the file a list or case file error is about
        error["path"] = str(path)
    json.dump({"error": error}, sys.stderr, ensure_ascii=False, default=str)
    sys.stderr.write("\n")


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _refuse_existing(path: Path, hint: str) -> None:
    if path.exists() and path.stat().st_size > 0:
        raise CliError(
            _("A case file already exists at {path}: {hint}.").format(path=path, hint=hint),
            EXIT_BAD_INPUT,
        )


def _add_replace(parser: argparse.ArgumentParser) -> None:
    """``--replace``: a command that writes a file may write over one that exists."""
    parser.add_argument(
        "--replace", action="store_true", help="write over the file if it exists already"
    )


def _refuse_overwrite(path: Path, args: argparse.Namespace) -> None:
    """Refuse to write over an existing file unless ``--replace`` was given: it may be the
    list the people came from, or another bus's manifest."""
    if path.is_file() and not getattr(args, "replace", False):
        from consuldesk.services.errors import ServiceError

        cause = ServiceError("file.exists", "path", path=str(path))
        raise CliError(_describe(cause), EXIT_BAD_INPUT) from cause


def _print_json(value: Any) -> None:
    print(json.dumps(_jsonable(value), ensure_ascii=False, indent=2))


def _is_demo(path: Path) -> bool:
    """Whether the case file at ``path`` is a demo: its keyring says so, or its name is the
    demo's (``DEMO.consuldesk``, ``DEMO2``…: a demo made with the officer's own login)."""
    from consuldesk.store import keyring as kr

    if path.stem.upper().startswith("DEMO"):
        return True
    try:
        return kr.read_keyring(kr.keyring_path(path)).demo
    except kr.KeyringError:  # no keyring (a plain file), or one unreadable: not a known demo
        return False


def _last_opened() -> Path | None:
    """The case file the window opened last (its settings, read without Qt), if any."""
    import configparser

    from consuldesk.store.paths import config_dir

    ini = configparser.ConfigParser(interpolation=None)
    try:
        ini.read(config_dir() / "settings.ini", encoding="utf-8")
        last = ini.get("casefile", "last", fallback="").strip().strip('"')
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    return Path(last) if last else None


def _casefile_path(args: argparse.Namespace, *, writes: bool = False) -> Path:
    """The case file to use. With several in the data folder and none named, commands that
    write refuse (a real list must never land in the demo file); others use the one the
    window opened last, else the most recent that is not a demo, and say so on stderr."""
    from consuldesk.store.paths import list_casefiles

    if args.case_file:
        return Path(args.case_file)
    if env := os.environ.get(CASE_FILE_ENV):
        return Path(env)
    found = list_casefiles(args.data_dir)
    if not found:
        raise CliError(
            _("No case file yet. Create one with 'consuldesk-cli init' or 'consuldesk-cli demo'."),
            EXIT_CASEFILE,
        )
    if len(found) > 1:
        # The post's own case file before a demo made beside it later: reading the demo
        # instead, an officer is told their login does not exist.
        found.sort(key=_is_demo)  # stable: the most recent first within each
        last = _last_opened()
        found.sort(key=lambda p: last is None or p.resolve() != last.resolve())
        listing = "\n".join(f"  {p}" for p in found)
        if writes:
            raise CliError(
                _(
                    "There are several case files; say which one with --case-file "
                    "(or $CONSULDESK_CASE_FILE):\n{files}"
                ).format(files=listing),
                EXIT_USAGE,
            )
        _err(
            _("using {path} (one of {n} case files here; choose another with --case-file)").format(
                path=found[0], n=len(found)
            )
        )
    return found[0]


#: The case files opened by this command (their ``unrecorded`` files are said at its end).
_OPENED: list[Any] = []


def _say_unrecorded() -> None:
    """Tell the officer which files written by the command its case file could not record in
    its audit trail (read-only, damaged, full): the file was written all the same."""
    from consuldesk.messages import describe_code

    for desk in _OPENED:
        for path, code in desk.unrecorded:
            _err(
                _(
                    "note: {path} was written, but the audit trail could not record it: {why}"
                ).format(path=path, why=describe_code(code, "", path=str(desk.path)))
            )
    _OPENED.clear()


def _open(args: argparse.Namespace, *, writes: bool = False) -> Any:
    desk = _open_desk(args, writes=writes)
    _OPENED.append(desk)
    return desk


def _open_desk(args: argparse.Namespace, *, writes: bool = False) -> Any:
    """Open the case file: an encrypted one as ``--officer`` with their passphrase
    ($CONSULDESK_PASSPHRASE, else asked at the terminal); a plain one with a reminder that it
    is not encrypted. A command that writes reads every page first and is refused (exit 4)
    when one is damaged: nothing is ever written into a damaged file."""
    from consuldesk.services import access
    from consuldesk.services.casefile import open_casefile

    path = _casefile_path(args, writes=writes)
    if path.exists() and path.stat().st_size > 0 and access.is_encrypted(path):
        if access.login_hint(path) and not os.environ.get(PASSPHRASE_ENV):
            # The demo case file's login is printed on every screen: no need to type it.
            return open_casefile(
                path,
                access.DEMO_OFFICER,
                access.DEMO_PASSPHRASE,
                writing=writes,
                record_login_now=False,
            )
        passphrase = _passphrase(_("Passphrase of {officer}: ").format(officer=args.officer))
        # Recorded with the command's first change: a command that only reads, or is refused
        # (a damaged bundle), leaves the case file as it was, byte for byte.
        return open_casefile(path, args.officer, passphrase, writing=writes, record_login_now=False)
    desk = open_casefile(path, args.officer, writing=writes)
    if sys.stderr.isatty():  # said to the officer at the terminal, not into a script's log
        _err(
            _(
                "note: {path} is not encrypted; anyone holding this computer can read it. "
                "Encrypt it with 'consuldesk-cli encrypt'."
            ).format(path=path)
        )
    return desk


def _data_key(args: argparse.Namespace, path: Path) -> bytes | None:
    """The data key of the case file at ``path`` when it is encrypted (the login's
    passphrase unwraps it; the file itself is not opened: it may be too damaged to open)."""
    from consuldesk.services import access

    if not path.exists() or path.stat().st_size == 0 or not access.is_encrypted(path):
        return None
    if access.login_hint(path) and not os.environ.get(PASSPHRASE_ENV):
        return access.data_key(path, access.DEMO_OFFICER, access.DEMO_PASSPHRASE)
    passphrase = _passphrase(_("Passphrase of {officer}: ").format(officer=args.officer))
    return access.data_key(path, args.officer, passphrase)


def _passphrase(prompt: str, *, new: bool = False, first: bool = False) -> str:
    """A passphrase from the environment ($CONSULDESK_PASSPHRASE; ``new``:
    $CONSULDESK_NEW_PASSPHRASE, and for the ``first`` passphrase of a file made now either)
    or, at a terminal, typed without echo (a new one twice)."""
    import getpass

    names = [NEW_PASSPHRASE_ENV, PASSPHRASE_ENV] if first else []
    names = names or [NEW_PASSPHRASE_ENV if new else PASSPHRASE_ENV]
    env = next((os.environ[n] for n in names if os.environ.get(n)), None)
    if env:
        return env
    if not new and _TYPED:
        return _TYPED[-1]  # the login's, typed once for the whole command
    if not sys.stdin.isatty():
        raise CliError(
            _("A passphrase is needed: set ${env} or run the command in a terminal.").format(
                env=NEW_PASSPHRASE_ENV if new else PASSPHRASE_ENV
            ),
            EXIT_USAGE,
        )
    try:
        typed = getpass.getpass(prompt)
        if new and getpass.getpass(_("The same passphrase again: ")) != typed:
            raise CliError(_("The two passphrases differ; nothing was changed."), EXIT_USAGE)
    except EOFError:  # Ctrl+D at the prompt
        raise CliError(_("No passphrase given; nothing was done."), EXIT_USAGE) from None
    if not new:
        _TYPED.append(typed)
    return typed


#: The passphrase typed at the terminal in this command (asked once, used again).
_TYPED: list[str] = []

#: The answers to a [y/N] question that mean yes, in the three languages.
_YES = ("y", "yes", "д", "да", "иә")


def _confirmed(question: str, without_terminal: str) -> bool:
    """Ask ``question`` ([y/N]) at the terminal before what cannot be undone; without one
    (a script), refuse with ``without_terminal`` (which names ``--yes``). Ctrl+D is no."""
    if not sys.stdin.isatty():
        raise CliError(without_terminal, EXIT_USAGE)
    try:
        answer = input(question)
    except EOFError:
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in _YES


def _id_key(text: str) -> str:
    return text.strip().lower().replace("-", "")


def _short_ids(ids: Iterable[str], minimum: int = SHOWN_ID_PREFIX) -> dict[str, str]:
    """Each id cut to one common length, the shortest that tells them apart, at a dash of the
    id (8, 13, 18, 23 characters, then whole): a list shows ids of the same shape from one
    run to the next (``01a24d98``, ``01a24d98-7263``), never ``01a24d98-b0c``.

    Ids are time-ordered (UUIDv7), so records made in the same minute share their first eight
    characters, and those made in one go (the demo) share twelve.
    """
    unique = sorted(set(ids))
    longest = max((len(i) for i in unique), default=0)
    cuts = [n for n in (8, 13, 18, 23) if n >= minimum] + [longest]
    n = cuts[0]
    for n in cuts:
        if len({i[:n] for i in unique}) == len(unique):
            break
    return {i: i[:n] for i in unique}


def _pick_id(text: str, labels: dict[str, str], kind: str) -> str:
    """The one id among ``labels`` (id → what it is) that ``text`` names: the whole id or a
    prefix of six or more characters (dashes optional), like git. ``kind`` is what the ids
    are (``trip``, ``operation``, ``conflict``, ``pair``, ``hotel``, ``request``,
    ``placement``): the messages name it and where ids are listed."""
    key = _id_key(text)
    if len(key) < MIN_ID_PREFIX:
        too_short = {
            "conflict": _(
                "“{prefix}” is too short: give at least 6 characters of the id "
                "(see 'consuldesk-cli conflicts list')"
            ),
            "pair": _("“{prefix}” is too short: give at least 6 characters of the pair's id"),
            "hotel": _(
                "“{prefix}” is too short: give the hotel's name or at least 6 characters of "
                "its id (see 'consuldesk-cli hotels list')"
            ),
            "request": _(
                "“{prefix}” is too short: give at least 6 characters of the request's id "
                "(see 'consuldesk-cli requests list')"
            ),
            "placement": _(
                "“{prefix}” is too short: give the guest's passport or IIN, or at least 6 "
                "characters of the stay's id (see 'consuldesk-cli hotels guests')"
            ),
        }.get(
            kind,
            _(
                "“{prefix}” is too short: give at least 6 characters of the id "
                "(see 'consuldesk-cli evac list')"
            ),
        )
        raise CliError(too_short.format(prefix=text), EXIT_BAD_INPUT)
    found = [i for i in labels if _id_key(i) == key] or [
        i for i in labels if _id_key(i).startswith(key)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        none = {
            "trip": _(
                "No trip has an id starting with “{prefix}” (see 'consuldesk-cli evac list')"
            ),
            "conflict": _(
                "No conflict has an id starting with “{prefix}” "
                "(see 'consuldesk-cli conflicts list')"
            ),
            "pair": _(
                "No open pair of probable duplicates has an id starting with “{prefix}” "
                "(see 'consuldesk-cli duplicates')"
            ),
            "hotel": _(
                "No hotel is called “{prefix}” or has an id starting with it "
                "(see 'consuldesk-cli hotels list')"
            ),
            "request": _(
                "No request has an id starting with “{prefix}” (see 'consuldesk-cli requests list')"
            ),
            "placement": _(
                "No stay has an id starting with “{prefix}” (see 'consuldesk-cli hotels guests')"
            ),
        }.get(
            kind,
            _(
                "No evacuation operation has an id starting with “{prefix}” "
                "(see 'consuldesk-cli evac list')"
            ),
        )
        raise CliError(none.format(prefix=text), EXIT_BAD_INPUT)
    short = _short_ids(found, len(text.strip()) + 1)
    shown = [f"{short[i]} ({labels[i]})" for i in sorted(found)[:5]]
    if len(found) > 5:
        shown.append("…")
    n = len(found)
    many = {
        "trip": ngettext(
            "“{prefix}” matches {n} trip: {matches}; give more characters",
            "“{prefix}” matches {n} trips: {matches}; give more characters",
            n,
        ),
        "conflict": ngettext(
            "“{prefix}” matches {n} conflict: {matches}; give more characters",
            "“{prefix}” matches {n} conflicts: {matches}; give more characters",
            n,
        ),
        "pair": ngettext(
            "“{prefix}” matches {n} pair: {matches}; give more characters",
            "“{prefix}” matches {n} pairs: {matches}; give more characters",
            n,
        ),
        "hotel": ngettext(
            "“{prefix}” matches {n} hotel: {matches}; give more of its name or id",
            "“{prefix}” matches {n} hotels: {matches}; give more of its name or id",
            n,
        ),
        "request": ngettext(
            "“{prefix}” matches {n} request: {matches}; give more characters",
            "“{prefix}” matches {n} requests: {matches}; give more characters",
            n,
        ),
        "placement": ngettext(
            "“{prefix}” matches {n} stay: {matches}; give more characters",
            "“{prefix}” matches {n} stays: {matches}; give more characters",
            n,
        ),
    }.get(
        kind,
        ngettext(
            "“{prefix}” matches {n} operation: {matches}; give more characters",
            "“{prefix}” matches {n} operations: {matches}; give more characters",
            n,
        ),
    )
    raise CliError(many.format(prefix=text, n=n, matches=", ".join(shown)), EXIT_BAD_INPUT)


def _find_person(desk: Any, text: str) -> Any:
    """The one live national ``text`` names: a passport number or IIN exactly, an id or its
    first six or more characters, or a search that finds one person only."""
    from consuldesk.services.nationals import search

    wanted = text.strip()
    rows = search(desk, wanted, limit=20).rows
    exact = [r for r in rows if wanted.upper() in {r.passport_no or "", r.iin or ""}]
    key = _id_key(wanted)
    by_id = [r for r in rows if len(key) >= MIN_ID_PREFIX and _id_key(r.id).startswith(key)]
    found = exact or by_id or rows
    if len(found) == 1:
        return found[0]
    if not found:
        raise CliError(
            _("Nobody found for “{text}” (consuldesk-cli search finds people)").format(text=text),
            EXIT_BAD_INPUT,
        )
    names = "; ".join(f"{r.name} ({r.passport_no or r.iin or r.id[:8]})" for r in found[:5])
    raise CliError(
        ngettext(
            "“{text}” names {n} person: {names}; give a passport number or IIN",
            "“{text}” names {n} people: {names}; give a passport number or IIN",
            len(found),
        ).format(text=text, n=len(found), names=names),
        EXIT_BAD_INPUT,
    )


@contextmanager
def _blame(options: dict[str, str], hint: str = "") -> Iterator[None]:
    """Errors about a field the command line set name its option: ``--capacity: …``."""
    from consuldesk.domain.errors import ValidationError
    from consuldesk.services.errors import ServiceError

    try:
        yield
    except (ServiceError, ValidationError) as exc:
        option = options.get(exc.field or "")
        if option is None:
            raise
        raise CliError(f"{option}: {describe(exc)}{hint}", EXIT_BAD_INPUT) from exc


def _local(when: datetime | None) -> str:
    return when.astimezone().strftime("%d.%m.%Y %H:%M") if when else "—"


def _doc_language(args: argparse.Namespace) -> Literal["kk", "ru"]:
    """The language printed beside English: --lang of the command, else of messages, else ru."""
    for lang in (args.doc_lang, args.lang):
        if lang == "kk" or lang == "ru":
            return lang
    return "ru"


def _print_written(args: argparse.Namespace, path: Path, **extra: Any) -> int:
    if args.json:
        _print_json({"file": path, **extra})
    else:
        print(path)
    return EXIT_OK


def command_with_actions(
    add: Callable[..., argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
    **kwargs: Any,
) -> Callable[..., argparse.ArgumentParser]:
    """Add command ``name`` whose actions are chosen by ``<name>_command`` (``keys rotate``);
    returns the function that adds an action, with the options every command takes."""
    parser = add(name, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
    actions = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")

    def action(action_name: str, **action_kwargs: Any) -> argparse.ArgumentParser:
        return actions.add_parser(action_name, parents=[common], **action_kwargs)

    return action
