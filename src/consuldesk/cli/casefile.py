"""Creating a case file and saying what it holds: ``init``, ``demo``, ``info``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from consuldesk.cli.common import (
    EXIT_OK,
    PASSPHRASE_ENV,
    _jsonable,
    _open,
    _passphrase,
    _print_json,
    _refuse_existing,
)
from consuldesk.i18n import _


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    p = add(
        "init",
        help="create an empty, encrypted case file for a post; --officer is its first head "
        "of section (asks for a new passphrase, or takes $CONSULDESK_NEW_PASSPHRASE)",
    )
    p.add_argument("--post", required=True, help="post code, e.g. AE-ABU")
    p.add_argument("--name", required=True, help="post name, e.g. 'Embassy in Abu Dhabi'")
    p.add_argument("--country", help="host country (code or name)")
    p.add_argument("--hq", action="store_true", help="this case file is headquarters'")

    p = add(
        "demo",
        help="create an encrypted case file filled with realistic demo data (its login is "
        "printed; with $CONSULDESK_PASSPHRASE set, --officer with that passphrase)",
    )
    p.add_argument("--count", type=int, default=3000, help="number of nationals (default 3000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    p.add_argument("--post", default="DEMO", help="post code of the demo case file")

    p = add("info", help="which case file, its post and what it holds")


def cmd_init(args: argparse.Namespace) -> int:
    """Create an empty case file."""
    from consuldesk.services.casefile import create_casefile, normalise_post_code
    from consuldesk.store.paths import casefile_path

    code = normalise_post_code(args.post)
    path = args.case_file or casefile_path(code, args.data_dir)
    _refuse_existing(Path(path), _("use it with --case-file, or choose another --post"))
    passphrase = _passphrase(
        _("New passphrase of {officer}: ").format(officer=args.officer), new=True, first=True
    )
    desk = create_casefile(
        Path(path),
        post_code=code,
        post_name=args.name,
        host_country=args.country,
        officer=args.officer,
        headquarters=args.hq,
        passphrase=passphrase,
    )
    desk.close()
    if args.json:
        _print_json({"case_file": path, "post": code, "officer": args.officer})
    else:
        print(
            _(
                "Created case file {path} for post {code}, encrypted; {officer} is its head of "
                "section."
            ).format(path=path, code=code, officer=args.officer)
        )
        print(
            _("Print its recovery key for the safe: consuldesk-cli recovery-key --out recovery.pdf")
            if args.hq
            else _(
                "Print its recovery key for headquarters: consuldesk-cli recovery-key --out "
                "recovery.pdf"
            )
        )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Create and fill a demo case file."""
    from consuldesk.services.casefile import create_casefile, normalise_post_code
    from consuldesk.services.demo import seed_demo
    from consuldesk.store.paths import casefile_path

    code = normalise_post_code(args.post)
    path = Path(args.case_file or casefile_path(code, args.data_dir))
    _refuse_existing(path, _("open it with --case-file, or make another demo with --post DEMO2"))
    import os

    from consuldesk.services.access import DEMO_OFFICER, DEMO_PASSPHRASE

    given = os.environ.get(PASSPHRASE_ENV)
    officer, passphrase = (args.officer, given) if given else (DEMO_OFFICER, DEMO_PASSPHRASE)
    desk = create_casefile(
        path,
        post_code=code,
        post_name="Demo embassy",
        host_country="AE",
        officer=officer,
        passphrase=passphrase,
        demo=not given,
    )
    try:
        summary = seed_demo(desk, count=args.count, seed=args.seed)
    except BaseException:
        desk.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.keyring")):
            leftover.unlink(missing_ok=True)
        raise
    desk.close()
    if args.json:
        _print_json({"case_file": path, "officer": officer, "summary": summary})
    else:
        print(_("Created demo case file {path}.").format(path=path))
        if not given:
            print(
                _(
                    "Its login: officer “{officer}”, passphrase “{passphrase}” (for example "
                    "CONSULDESK_OFFICER={officer} CONSULDESK_PASSPHRASE={passphrase})."
                ).format(officer=officer, passphrase=passphrase)
            )
        for key, value in _jsonable(summary).items():
            print(f"  {key}: {value}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Describe the case file in use."""
    from consuldesk.services.stats import situation
    from consuldesk.store.migrate import inspect_revision

    desk = _open(args)
    try:
        post = desk.casefile.local_post()
        revision = inspect_revision(desk.casefile.engine).current
        counts = situation(desk)
        info = {
            "case_file": desk.path,
            "post": {"code": post.code, "name": post.name, "host_country": post.host_country},
            "schema": revision,
            "nationals": counts.nationals,
        }
    finally:
        desk.close()
    if args.json:
        _print_json(info)
    else:
        print(_("Case file: {path}").format(path=info["case_file"]))
        if post.host_country:
            line = _("Post: {code} — {name} ({country})").format(
                code=post.code, name=post.name, country=post.host_country
            )
        else:  # headquarters (or a post with no country): no "(—)"
            line = _("Post: {code} — {name}").format(code=post.code, name=post.name)
        print(line)
        print(_("Schema: {rev}").format(rev=revision))
        print(_("Nationals: {n}").format(n=info["nationals"]))
    return EXIT_OK


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "info": cmd_info,
}
