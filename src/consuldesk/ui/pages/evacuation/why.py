"""The "why" panel: who the selected person is and why they sit where they sit."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
)

from consuldesk.domain.enums import Vulnerability
from consuldesk.i18n import _
from consuldesk.messages import (
    PRIORITY_CLASS_LABELS,
    PROBLEM_LABELS,
    explain_reason,
)
from consuldesk.services.evacuation import (
    PassengerRow,
)
from consuldesk.ui.models.nationals import FLAG_LABELS
from consuldesk.ui.models.passengers import (
    PROBLEM_MARK,
    status_text,
)
from consuldesk.ui.pages.evacuation.base import PageBase
from consuldesk.ui.pages.evacuation.texts import (
    _FAIL_STYLE,
    _local,
)


class WhyPart(PageBase):
    """The panel (under the trips) explaining the selected passenger's place."""

    def _build_why_widgets(self) -> None:
        self.why_box = QGroupBox(_("Why here?"))
        self.why_label = QLabel()
        self.why_label.setWordWrap(True)
        self.why_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long explanation scrolls inside the panel: it must never make the window grow.
        self.why_scroll = QScrollArea()
        self.why_scroll.setWidgetResizable(True)
        self.why_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.why_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.why_scroll.setWidget(self.why_label)
        QVBoxLayout(self.why_box).addWidget(self.why_scroll, 1)

    def _show_why(self, row: PassengerRow | None) -> None:
        if row is None:
            self.why_label.setText(
                _("Select a person to see why they are on this vehicle or waiting.")
            )
            return
        p = row.person
        esc = html.escape
        lines = [f"<b>{esc(p.name_cyr or p.name)}</b>"]
        if p.name_lat:
            lines.append(esc(p.name_lat))
        details = []
        if p.passport_no:
            details.append(_("Passport {number}").format(number=esc(p.passport_no)))
        if p.birth_date:
            age = p.age(self.ctx.desk.today())
            details.append(
                _("born {date} ({age})").format(date=f"{p.birth_date:%d.%m.%Y}", age=age)
            )
        if details:
            lines.append(" · ".join(details))
        lines.append("")
        reason = explain_reason(row.reason_code, row.reason_params)
        if reason:
            lines.append(esc(reason))
            lines.append("")
        lines.append(_("Status: {status}").format(status=esc(status_text(row.status))))
        if row.seat:
            lines.append(_("Seat: {seat}").format(seat=esc(row.seat)))
        if row.boarded_at:
            when = _local(row.boarded_at)
            lines.append(_("Boarded at {when}").format(when=f"{when:%H:%M %d.%m.%Y}"))
        if row.priority_class:
            cls = _(PRIORITY_CLASS_LABELS.get(row.priority_class, row.priority_class))
            lines.append(_("Priority: {cls}").format(cls=esc(cls)))
        flags = [_(FLAG_LABELS[v]) for v in Vulnerability if v in p.vulnerabilities]
        if flags:
            lines.append(_("Needs: {flags}").format(flags=esc(", ".join(flags))))
        if row.household_name:
            lines.append(_("Household: {name}").format(name=esc(row.household_name)))
        for problem in row.problems:
            text = f"{PROBLEM_MARK} " + _(PROBLEM_LABELS.get(problem, problem))
            lines.append(f'<span style="{_FAIL_STYLE}"><b>{esc(text)}</b></span>')
        self.why_label.setText("<br>".join(lines))
