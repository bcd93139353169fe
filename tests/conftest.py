"""Suite-wide fixtures: offscreen Qt and private data directories for every test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run of the suite (CI on a clean clone
# passes or fails as it did here); `make fuzz` draws new ones, many more, to look for bugs.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """Point platformdirs-based paths at the test's own folder so no test touches real data."""
    monkeypatch.setenv("CONSULDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONSULDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # Passphrase slots with Argon2id's smallest accepted memory (8 MiB, not 64): the suite
    # makes hundreds; tests/unit/store/test_keyring.py checks the real cost is the default.
    monkeypatch.setenv("CONSULDESK_KDF_MEMORY_KIB", "8192")
    # The CLI makes encrypted case files and opens them with this passphrase, as a script would.
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "test passphrase of the suite")
    monkeypatch.setenv("CONSULDESK_OFFICER", "Test")
    yield
    from consuldesk import i18n

    i18n.install("en")  # a test that ran the CLI with --lang ru leaves English behind


TODAY = __import__("datetime").date(2026, 3, 10)


@pytest.fixture
def desk(tmp_path):
    """A fresh case file of the Abu Dhabi embassy (migrations applied), with a fixed today."""
    from consuldesk.services.casefile import create_casefile

    d = create_casefile(
        tmp_path / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="Embassy of Kazakhstan in Abu Dhabi",
        host_country="AE",
        officer="Officer Test",
    )
    d.today = lambda: TODAY
    yield d
    d.close()


@pytest.fixture
def fast_seal(monkeypatch):
    """Keys sealed under a passphrase without age's scrypt (about 2 s a seal or unseal here).

    The stand-in keeps what the services rely on: the passphrase must match, a damaged seal
    does not open, and nothing sealed is readable. tests/unit/sync/test_keys.py seals for real.
    """
    import hashlib

    import pyrage

    identity = pyrage.x25519.Identity.generate()
    magic = b"test-seal\n"

    def encrypt(data: bytes, passphrase: str, armored: bool = False) -> bytes:
        tag = hashlib.sha256(passphrase.encode()).digest()
        return magic + tag + pyrage.encrypt(bytes(data), [identity.to_public()])

    def decrypt(data: bytes, passphrase: str) -> bytes:
        tag = hashlib.sha256(passphrase.encode()).digest()
        if not data.startswith(magic + tag):
            raise pyrage.DecryptError("Decryption failed")
        return pyrage.decrypt(data[len(magic) + len(tag) :], [identity])

    monkeypatch.setattr(pyrage.passphrase, "encrypt", encrypt)
    monkeypatch.setattr(pyrage.passphrase, "decrypt", decrypt)
