"""argparse's own words in the CLI's language: usage, the error line, "unrecognized
arguments", "positional arguments"… argparse looks them up through module-level ``_`` and
``ngettext`` (from :mod:`gettext`, which knows no catalog of ours); :func:`speak` points those at
ConsulDesk's catalogs, where the messages below are translated (this module lists them for
``pybabel extract``, exactly as argparse spells them)."""

from __future__ import annotations

import argparse

from consuldesk import i18n
from consuldesk.i18n import _, ngettext


def speak() -> None:
    """Make argparse speak the language installed (:func:`consuldesk.i18n.install`)."""
    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _catalog() -> None:  # pragma: no cover - never called: read by pybabel extract
    _("usage: ")
    _("argument %(argument_name)s: %(message)s")
    _("positional arguments")
    _("options")
    _("show this help message and exit")
    _("show program's version number and exit")
    _("unrecognized arguments: %s")
    _("not allowed with argument %s")
    _("the following arguments are required: %s")
    _("one of the arguments %s is required")
    _("expected one argument")
    _("expected at most one argument")
    _("expected at least one argument")
    ngettext("expected %s argument", "expected %s arguments", 2)
    _("ambiguous option: %(option)s could match %(matches)s")
    _("invalid %(type)s value: %(value)r")
    _("invalid choice: %(value)r (choose from %(choices)s)")
    _("%(prog)s: error: %(message)s\n")
    _("unknown parser %(parser_name)r (choices: %(choices)s)")
    _("can't open '%(filename)s': %(error)s")


__all__ = ["speak"]
