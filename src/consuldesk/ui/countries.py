"""Countries as the officer reads them, and the country drop-down the forms share."""

from __future__ import annotations

from collections.abc import Iterable

import pycountry
from PySide6.QtWidgets import QComboBox

from consuldesk.domain.countries import country_name
from consuldesk.domain.errors import ValidationError
from consuldesk.i18n import language


def country_text(code: str | None) -> str:
    """A country code as the officer reads it (the code itself when unknown)."""
    if not code:
        return ""
    try:
        return country_name(code, language())
    except ValidationError:
        return code


def fill_countries(
    box: QComboBox, first: Iterable[str], current: str | None, none_label: str
) -> None:
    """Fill a combo with countries: ``none_label`` (no country), the likely ones (``first``),
    then all by name.

    Selects ``current`` (added if it is not a known code). Typing a few letters in the closed
    combo jumps to a country, so the long list stays quick to use from the keyboard.
    """
    box.blockSignals(True)  # refilling is not the officer's choice
    box.clear()
    box.addItem(none_label, None)
    top = list(dict.fromkeys(c.upper() for c in first if c))
    if current and current.upper() not in top:
        top.insert(0, current.upper())
    box.insertSeparator(1)
    for code in top:
        box.addItem(country_text(code), code)
    rest = sorted(
        ((country_text(c.alpha_2), c.alpha_2) for c in pycountry.countries if c.alpha_2 not in top),
        key=lambda p: p[0].casefold(),
    )
    box.insertSeparator(box.count())
    for name, code in rest:
        box.addItem(name, code)
    index = box.findData(current.upper()) if current else -1
    box.setCurrentIndex(max(index, 0))
    box.blockSignals(False)


__all__ = ["country_text", "fill_countries"]
