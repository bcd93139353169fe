"""Where case files live: platformdirs' user data dir, overridable for tests and portable use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from consuldesk.store.private import make_private, private_dir

APP_NAME = "ConsulDesk"
DATA_DIR_ENV = "CONSULDESK_DATA_DIR"
CONFIG_DIR_ENV = "CONSULDESK_CONFIG_DIR"
CASEFILE_SUFFIX = ".consuldesk"


def data_dir(override: str | Path | None = None) -> Path:
    """The folder that holds case files: ``override``, else ``$CONSULDESK_DATA_DIR``, else
    platformdirs' user data dir. Created when missing."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    path = private_dir(Path(chosen or platformdirs.user_data_dir(APP_NAME, False)).expanduser())
    if not chosen:
        make_private(path)  # ours: made 755 by an older version
    return path


def config_dir() -> Path:
    """The folder for settings: ``$CONSULDESK_CONFIG_DIR`` or platformdirs' user config dir."""
    chosen = os.environ.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir(APP_NAME, False)
    return private_dir(Path(chosen).expanduser())


def log_dir() -> Path:
    """The folder for logs of unexpected failures: platformdirs' user log dir (beside the
    settings when ``$CONSULDESK_CONFIG_DIR`` is set, as in tests). Created when missing."""
    configured = os.environ.get(CONFIG_DIR_ENV)
    chosen = Path(configured) / "logs" if configured else platformdirs.user_log_dir(APP_NAME, False)
    return private_dir(Path(chosen).expanduser())


def casefile_path(post_code: str, override: str | Path | None = None) -> Path:
    """Default path of the case file of a post, e.g. ``…/ConsulDesk/ABU-DHABI.consuldesk``."""
    return data_dir(override) / f"{post_code.upper()}{CASEFILE_SUFFIX}"


def list_casefiles(override: str | Path | None = None) -> list[Path]:
    """Case files in the data dir, newest first."""
    found = data_dir(override).glob(f"*{CASEFILE_SUFFIX}")
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)
