"""Creating and opening a post's case file."""

from __future__ import annotations

import os
import re
from pathlib import Path

from consuldesk.domain.countries import country_code
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.store.db import CaseFile
from consuldesk.store.errors import CaseFileError
from consuldesk.store.models import Post

_POST_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,15}$")


def normalise_post_code(code: str) -> str:
    """Upper-case a post code and check it: 2–16 of A–Z, 0–9 and ``-``.

    Raises:
        ServiceError: ``post.code`` (params ``value``).
    """
    cleaned = code.strip().upper()
    if not _POST_CODE.match(cleaned):
        raise ServiceError("post.code", "code", value=code)
    return cleaned


def create_casefile(
    path: Path,
    *,
    post_code: str,
    post_name: str,
    host_country: str | None,
    officer: str,
    headquarters: bool = False,
    passphrase: str | None = None,
    demo: bool = False,
) -> Desk:
    """Create a new, empty case file owned by a post, encrypted under a new data key whose
    keyring gives ``officer`` (head of the consular section) a slot under ``passphrase``;
    with no passphrase, a plain file (tests, and tools that encrypt it afterwards).

    Raises:
        CaseFileError: ``casefile.exists`` when a case file is already at ``path``.
        ServiceError / ValidationError: the post code or host country is not valid, or the
            passphrase too short.
    """
    from consuldesk.services import access
    from consuldesk.store.keyring import keyring_path

    code = normalise_post_code(post_code)
    country = country_code(host_country, field="host_country") if host_country else None
    if path.exists() and path.stat().st_size > 0:
        raise CaseFileError("casefile.exists", path)
    key = access.new_encrypted(path, officer, passphrase, demo=demo) if passphrase else None
    try:
        casefile = CaseFile.open(path, create=True, key=key)
    except BaseException:
        if key is not None:
            keyring_path(path).unlink(missing_ok=True)
        raise
    try:
        with casefile.write(officer) as tx:
            if key is not None:
                access.add_first_account(tx, officer)
            post = Post(  # type: ignore[call-arg]
                code=code,
                name=post_name.strip() or code,
                host_country=country,
                is_headquarters=headquarters,
            )
            casefile.set_local_post(tx.session, post)
            tx.post_code = code
            tx.clock.node = code
            tx.add(post)
    except BaseException:
        casefile.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        if key is not None:
            keyring_path(path).unlink(missing_ok=True)
        raise
    return Desk(casefile, officer)


def open_casefile(
    path: Path,
    officer: str,
    passphrase: str | None = None,
    *,
    writing: bool = False,
    record_login_now: bool = True,
) -> Desk:
    """Open an existing case file (upgrading an older schema, with a backup kept beside it):
    an encrypted one with ``officer``'s passphrase (:func:`consuldesk.services.access.login`),
    a plain one as ``officer`` with every power.

    ``record_login_now=False``: the login is recorded with the session's first change (see
    :func:`consuldesk.services.access.login`).

    ``writing``: for work that will write, refused up front when the file is read-only or
    any page is damaged (every page is read: SQLite's ``quick_check``, about 0.6 s at
    100,000 people), so that nothing is ever written into a damaged file.

    Raises:
        CaseFileError: see :meth:`consuldesk.store.db.CaseFile.open`; ``casefile.no_post`` when
            the file has no owning post; ``casefile.encrypted`` when it is encrypted and no
            passphrase was given; with ``writing``, ``casefile.readonly`` or
            ``casefile.corrupt``.
        KeyringError, ServiceError: see :func:`consuldesk.services.access.login`.
    """
    from consuldesk.services import access

    path = Path(path)
    if writing and path.is_file() and not os.access(path, os.W_OK):
        raise CaseFileError("casefile.readonly", path)
    if passphrase is not None and access.is_encrypted(path):
        desk = access.login(path, officer, passphrase, record_now=record_login_now)
        casefile = desk.casefile
    else:
        casefile = CaseFile.open(path)
        desk = Desk(casefile, officer)
    if writing:
        try:
            casefile.check_pages()
        except CaseFileError:
            casefile.close()
            raise
    if casefile.local_post() is None:
        casefile.close()
        raise CaseFileError("casefile.no_post", path)
    return desk
