"""Registration of the bundled Unicode font used by every report.

The standard PDF fonts (Helvetica, Times) have no Kazakh or Russian glyphs and ReportLab draws
black boxes for them without warning, so every style in ``consuldesk.reports`` must use the
names returned by :func:`register_fonts`.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_FAMILY = "DejaVuSans"

_FILES = {FONT_REGULAR: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def font_dir() -> Path:
    """Return the folder holding the bundled font files.

    Returns:
        The ``typefaces`` data folder next to this module, inside the installed package.
    """
    # ``typefaces/`` holds data only (no __init__), so resolve it from this package's root.
    return Path(str(resources.files("consuldesk.reports"))) / "typefaces"


def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans regular and bold with ReportLab, once per process.

    Safe to call from any report and from several threads; later calls do nothing.

    Returns:
        The registered font names ``(regular, bold)`` to use in paragraph and table styles.

    Raises:
        FileNotFoundError: If the bundled font files are missing from the installation.
    """
    global _registered
    with _lock:
        if not _registered:
            folder = font_dir()
            for name, filename in _FILES.items():
                path = folder / filename
                if not path.is_file():
                    raise FileNotFoundError(f"bundled font missing: {path}")
                pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(
                FONT_FAMILY,
                normal=FONT_REGULAR,
                bold=FONT_BOLD,
                italic=FONT_REGULAR,
                boldItalic=FONT_BOLD,
            )
            _registered = True
    return FONT_REGULAR, FONT_BOLD
