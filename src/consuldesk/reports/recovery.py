"""The recovery sheet: a case file's recovery key on paper, for headquarters' safe.

One A4 page: the post, the case file's name, when it was printed and by whom, the key in large
monospaced groups (and as a QR code, so headquarters can type it without mistakes), and what
to do with it. The key opens the case file and its backups when every passphrase is lost; the
sheet says so, in English and the second language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from consuldesk.reports.common import (
    ReportStyles,
    bilingual,
    build_document,
    check_second_language,
    draw_qr,
    labeller,
    para,
)
from consuldesk.reports.fonts import register_fonts

LABELS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Recovery key of a ConsulDesk case file",
        "kk": "ConsulDesk іс файлының қалпына келтіру кілті",
        "ru": "Ключ восстановления файла дела ConsulDesk",
    },
    "post": {"en": "Post", "kk": "Мекеме", "ru": "Представительство"},
    "file": {"en": "Case file", "kk": "Іс файлы", "ru": "Файл дела"},
    "printed": {"en": "Printed", "kk": "Басылған", "ru": "Напечатан"},
    "key": {"en": "Recovery key", "kk": "Қалпына келтіру кілті", "ru": "Ключ восстановления"},
    "what": {
        "en": (
            "This key opens the case file and every backup of it without any officer's "
            "passphrase. Keep this sheet in headquarters' safe; keep no copy on the laptop. "
            "Use it only with headquarters' approval: consuldesk-cli recover, or “Recovery "
            "key…” at the login, then set a new passphrase."
        ),
        "kk": (
            "Бұл кілт іс файлын және оның барлық сақтық көшірмелерін ешбір қызметкердің "
            "құпия сөзінсіз ашады. Бұл парақты орталық аппараттың сейфінде сақтаңыз; "
            "ноутбукта көшірмесін қалдырмаңыз. Тек орталық аппараттың рұқсатымен "
            "қолданыңыз: consuldesk-cli recover немесе кіру терезесіндегі «Қалпына келтіру "
            "кілті…», содан кейін жаңа құпия сөз орнатыңыз."
        ),
        "ru": (
            "Этот ключ открывает файл дела и все его резервные копии без пароля какого-либо "
            "сотрудника. Храните этот лист в сейфе центрального аппарата; не оставляйте "
            "копию на ноутбуке. Используйте только с одобрения центрального аппарата: "
            "consuldesk-cli recover или «Ключ восстановления…» при входе, затем задайте "
            "новый пароль."
        ),
    },
}


@dataclass(frozen=True)
class RecoverySheet:
    """What the sheet shows."""

    post_code: str
    post_name: str
    file_name: str
    printed_at: datetime
    printed_by: str
    key: str


class _QR(Flowable):
    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.payload, self.size = payload, size
        self.width = self.height = size

    def draw(self) -> None:
        draw_qr(self.canv, self.payload, 0, 0, self.size, level="M")


def render_recovery_sheet(sheet: RecoverySheet, out_path: Path | str, second_language: str) -> Path:
    """Write the sheet as a one-page PDF, atomically."""
    check_second_language(second_language)
    regular, bold = register_fonts()
    label = labeller(LABELS, second_language)
    styles = ReportStyles(regular, bold)
    key_style = styles.value.clone("key", fontName="Courier-Bold", fontSize=17, leading=24)
    groups = sheet.key.split("-")
    key_lines = ["  ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
    facts = Table(
        [
            [
                para(label("post"), styles.label),
                para(f"{sheet.post_code} — {sheet.post_name}", styles.value),
            ],
            [para(label("file"), styles.label), para(sheet.file_name, styles.value)],
            [
                para(label("printed"), styles.label),
                para(f"{sheet.printed_at:%d.%m.%Y %H:%M} — {sheet.printed_by}", styles.value),
            ],
        ],
        colWidths=[45 * mm, 125 * mm],
    )
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Flowable] = [
        para(bilingual(LABELS, "title", second_language), styles.title),
        Spacer(0, 6 * mm),
        facts,
        Spacer(0, 8 * mm),
        para(label("key"), styles.label),
        Spacer(0, 2 * mm),
        *[Paragraph(line, key_style) for line in key_lines],
        Spacer(0, 6 * mm),
        _QR(sheet.key, 45 * mm),
        Spacer(0, 8 * mm),
        para(LABELS["what"]["en"], styles.value),
        Spacer(0, 3 * mm),
        para(LABELS["what"][second_language], styles.value),
    ]
    return build_document(
        out_path,
        story,
        second_language=second_language,
        font=regular,
        title=LABELS["title"]["en"],
        author=sheet.printed_by,
        subject=sheet.post_code,
        footer_left=f"ConsulDesk · {sheet.post_code}",
        margin=20 * mm,
    )
