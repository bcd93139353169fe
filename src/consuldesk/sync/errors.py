"""Errors of keys and bundles."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """A key, a key file or a bundle cannot be used: ``code`` says why, ``params`` the details.

    Keys: ``keys.passphrase_short`` (param ``minimum``), ``keys.passphrase_wrong``,
    ``keys.sealed_damaged`` (the sealed keys in the case file cannot be read),
    ``keys.not_key_file`` (param ``path``), ``keys.format_unsupported`` (params ``path``,
    ``version``), ``keys.signature_bad`` (param ``path``: the file was altered),
    ``keys.none`` (this case file has no keys yet), ``keys.exist`` (param ``fingerprint``),
    ``keys.fingerprint_mismatch`` (params ``post``, ``fingerprint``: what the file holds),
    ``keys.fingerprint_length`` (param ``digits``: not 25 digits),
    ``keys.own_post`` (param ``post``: a file of this post's own keys), ``keys.peer_changed``
    (params ``post``, ``old``, ``new``: fingerprints), ``keys.revoked`` (params ``post``,
    ``fingerprint``), ``keys.unknown`` (param ``key``), ``keys.unknown_post`` (param ``post``),
    ``keys.statement_signer`` (params ``post``, ``signer``: a statement not signed by a key
    that may make it), ``keys.not_recipient`` (not an age recipient),
    ``keys.escrow_not_hq`` (only headquarters adds escrow recipients).
    """

    def __init__(self, code: str, field: str | None = None, /, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code} {field or ''} {params}".strip())
