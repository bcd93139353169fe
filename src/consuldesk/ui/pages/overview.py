"""Situation overview: the numbers headquarters asks for every morning.

Above them, when imported lists left values for an officer to review, a notice says how many
people need review and opens the list of nationals narrowed to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QLocale, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.countries import country_name
from consuldesk.domain.enums import Vulnerability
from consuldesk.domain.errors import ValidationError
from consuldesk.i18n import _, language, ngettext, plural_forms
from consuldesk.messages import REQUEST_KIND_LABELS, describe
from consuldesk.reports.sitrep import STALE_AFTER
from consuldesk.services.stats import situation
from consuldesk.services.views import Situation
from consuldesk.ui.context import AppContext
from consuldesk.ui.models.hotels import format_date
from consuldesk.ui.models.nationals import STATUS_LABELS
from consuldesk.ui.when import ago, local_time
from consuldesk.ui.widgets.bar_chart import BarChart
from consuldesk.ui.widgets.review_panel import REVIEW_STYLE, warning_icon_label

REFRESH_DELAY_MS = 300
VULNERABILITY_LABELS = {
    Vulnerability.MEDICAL.value: "Medical condition",
    Vulnerability.MOBILITY.value: "Mobility needs",
    Vulnerability.PREGNANT.value: "Pregnant",
    Vulnerability.OVER_60.value: "Over 60",
    Vulnerability.WOMAN_WITH_MINORS.value: "Women with children",
    Vulnerability.MINOR.value: "Minors",
}


def _country(code: str) -> str:
    try:
        return country_name(code, language())
    except ValidationError:
        return code


class _Figure(QFrame):
    """One headline number with its caption; a caption given as singular and plural agrees
    with the number (Russian has three forms: 1 гражданин, 3 гражданина, 5 граждан)."""

    def __init__(self, caption: str | tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forms = caption if isinstance(caption, tuple) else None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value_label = QLabel("…")
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        self.value_label.setFont(font)
        self.caption_label = QLabel(
            ngettext(*caption, 2) if isinstance(caption, tuple) else caption
        )
        self.caption_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)

    def set_value(self, text: str, count: int | None = None) -> None:
        self.value_label.setText(text)
        if self.forms is not None and count is not None:
            self.caption_label.setText(ngettext(*self.forms, count))


def _count_table(first_header: str, *more: str) -> QTableWidget:
    """What is counted, the people, and ``more`` columns after them (sized to their text)."""
    headers = [first_header, _("People"), *more]
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        table.horizontalHeader().setSectionResizeMode(
            column, QHeaderView.ResizeMode.ResizeToContents
        )
    table.setMinimumHeight(150)
    return table


def _fill(table: QTableWidget, rows: Sequence[tuple[str, int]]) -> None:
    locale = QLocale()
    table.setRowCount(len(rows))
    for i, (label, n) in enumerate(rows):
        table.setItem(i, 0, QTableWidgetItem(label))
        count = QTableWidgetItem(locale.toString(n))
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(i, 1, count)


_STALE = QColor(176, 0, 32)  # the colour of what needs an officer's eye, as elsewhere


def _fill_as_of(table: QTableWidget, s: Situation) -> None:
    """When each post's figures were taken (its newest bundle here): a day old or more is
    marked, as the situation report marks it."""
    now = datetime.now(UTC)
    for i, post in enumerate(s.by_post):
        tip = ""
        if post not in s.post_as_of:
            text = _("current: this case file")
        elif (at := s.post_as_of[post]) is None:
            text = _("not known")
        else:
            text = _("{ago} · {when}").format(ago=ago(at, now), when=local_time(at))
            if now - at > STALE_AFTER:
                text = "⚠ " + text
                tip = _(
                    "More than a day old: this post's figures may have changed since. Its next "
                    "bundle brings them up to date."
                )
        item = QTableWidgetItem(text)
        item.setToolTip(tip)
        if tip:
            item.setForeground(_STALE)
        table.setItem(i, 2, item)


class OverviewPage(QWidget):
    """Counts of the post's situation, computed off the UI thread and refreshed on change.

    Signals:
        needs_review_requested(): the officer asked for the people who need review.
        duplicates_requested(): the officer asked for the possible duplicates.
    """

    needs_review_requested = Signal()
    duplicates_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0
        self.situation: Situation | None = None

        self.title_label = QLabel(_("Situation"))
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.refresh_button = QPushButton(_("Re&fresh"))
        self.refresh_button.setToolTip(_("Count again from the case file (F5)"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        # Not a headline figure: work for the post's own officers, shown only when there is some.
        self.review_notice = QFrame()
        self.review_notice.setObjectName("review")
        self.review_notice.setStyleSheet(REVIEW_STYLE)
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        self.review_button = QPushButton(_("Show them"))
        self.review_button.setToolTip(_("Open the list of nationals narrowed to them"))
        self.review_notice.hide()

        self.figures = {
            "nationals": _Figure(plural_forms("national on file", "nationals on file")),
            "vulnerable": _Figure(plural_forms("vulnerable person", "vulnerable people")),
            "evacuated": _Figure(
                plural_forms("person evacuated", "people evacuated")
            ),  # not a status
            "open_requests": _Figure(plural_forms("open request", "open requests")),
            "overdue_requests": _Figure(plural_forms("overdue request", "overdue requests")),
            "beds": _Figure(_("hotel beds occupied tonight")),
            "placed_tonight": _Figure(
                plural_forms("person with a hotel bed tonight", "people with a hotel bed tonight")
            ),
        }
        # Beside "In hotel" of the presence chart (those who arrived) the two figures differ
        # by the guests booked who have not come yet: said, or they read as a miscount.
        self.figures["placed_tonight"].setToolTip(
            _(
                "Booked or checked in for tonight, arrived or not. “In hotel” under presence "
                "counts those who have arrived."
            )
        )
        self.presence_chart = BarChart(_("By presence status"))
        self.vulnerability_chart = BarChart(_("By vulnerability"))
        self.post_table = _count_table(_("Registered at"), _("Figures as of"))
        self.post_table.hide()  # headquarters, or a post that received others' records
        # Records that are probably one person: at two posts (counted twice), or any.
        self.pairs_notice = QFrame()
        self.pairs_notice.setObjectName("review")
        self.pairs_notice.setStyleSheet(REVIEW_STYLE)
        self.pairs_label = QLabel()
        self.pairs_label.setWordWrap(True)
        self.pairs_button = QPushButton(_("Look at them"))
        self.pairs_button.setToolTip(_("Open the possible duplicates, to compare and merge"))
        self.pairs_notice.hide()
        self.country_table = _count_table(_("Host country"))
        self.city_table = _count_table(_("City"))
        self.requests_table = _count_table(_("Kind of request"))
        # Short headers: the table is a third of a 1024 px window.
        self.requests_table.setHorizontalHeaderLabels([_("Kind of request"), _("Open")])
        if (open_header := self.requests_table.horizontalHeaderItem(1)) is not None:
            open_header.setToolTip(_("Open requests"))

        self._build_layout()
        self._refresh_action = QAction(_("Refresh"), self)
        self._refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self._refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self._refresh_action)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._connect_signals()
        self.refresh()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.refresh_button)

        notice = QHBoxLayout(self.review_notice)
        notice.setContentsMargins(8, 6, 8, 6)
        notice.addWidget(warning_icon_label())
        notice.addWidget(self.review_label, 1)
        notice.addWidget(self.review_button)

        pairs = QHBoxLayout(self.pairs_notice)
        pairs.setContentsMargins(8, 6, 8, 6)
        pairs.addWidget(warning_icon_label())
        pairs.addWidget(self.pairs_label, 1)
        pairs.addWidget(self.pairs_button)

        figures = QHBoxLayout()
        for figure in self.figures.values():
            figures.addWidget(figure)

        charts = QHBoxLayout()
        for chart in (self.presence_chart, self.vulnerability_chart):
            box = QGroupBox()
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(chart)
            box_layout.addStretch(1)
            charts.addWidget(box, 1)

        tables = QGridLayout()
        tables.addWidget(self.post_table, 1, 0, 1, 3)  # the row: its figures' age fits
        tables.addWidget(self.country_table, 0, 0)
        tables.addWidget(self.city_table, 0, 1)
        tables.addWidget(self.requests_table, 0, 2)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(header)
        layout.addWidget(self.status_label)
        layout.addWidget(self.review_notice)
        layout.addWidget(self.pairs_notice)
        layout.addLayout(figures)
        layout.addLayout(charts)
        layout.addLayout(tables, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _connect_signals(self) -> None:
        self.refresh_button.clicked.connect(self.refresh)
        self.review_button.clicked.connect(self.needs_review_requested)
        self.pairs_button.clicked.connect(self.duplicates_requested)
        self._refresh_action.triggered.connect(self.refresh)
        self._refresh_timer.timeout.connect(self.refresh)
        self.ctx.events.changed.connect(self._on_case_file_changed)

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        if getattr(changes, "tables", True):
            self._refresh_timer.start()  # a burst of writes: count once

    @Slot()
    def refresh(self) -> None:
        """Count again, off the UI thread."""
        desk = self.ctx.desk
        self._serial += 1
        serial = self._serial
        self.refresh_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda: situation(desk),
            lambda result: self._on_situation_done(serial, result),
            self._on_situation_failed,
        )

    def _on_situation_done(self, serial: int, s: Situation) -> None:
        if serial != self._serial:
            return
        self.refresh_button.setEnabled(True)
        self.situation = s
        locale = QLocale()
        n = locale.toString
        self.title_label.setText(_("Situation on {day}").format(day=format_date(s.on)))
        self.status_label.setText(
            _("The case file is empty: register nationals or import a list to see counts.")
            if s.nationals == 0
            else ""
        )
        self.status_label.setVisible(s.nationals == 0)
        self.review_label.setText(
            ngettext(
                "{n} person has values set aside for review from imported lists.",
                "{n} people have values set aside for review from imported lists.",
                s.needs_review,
            ).format(n=n(s.needs_review))
        )
        self.review_notice.setVisible(s.needs_review > 0)
        self.figures["nationals"].set_value(n(s.nationals), s.nationals)
        self.figures["vulnerable"].set_value(n(s.vulnerable), s.vulnerable)
        self.figures["evacuated"].set_value(n(s.evacuated), s.evacuated)
        self.figures["open_requests"].set_value(n(s.open_requests), s.open_requests)
        self.figures["overdue_requests"].set_value(n(s.overdue_requests), s.overdue_requests)
        self.figures["beds"].set_value(
            _("{occupied} / {beds}").format(occupied=n(s.hotel_occupied), beds=n(s.hotel_beds))
        )
        self.figures["placed_tonight"].set_value(n(s.placed_tonight), s.placed_tonight)

        self.presence_chart.set_data(
            [(_(STATUS_LABELS.get(k, k)), v) for k, v in s.by_presence.items()]
        )
        self.vulnerability_chart.set_data(
            [(_(VULNERABILITY_LABELS.get(k, k)), v) for k, v in s.by_vulnerability.items()]
        )
        self.post_table.setVisible(len(s.by_post) > 1 or bool(s.post_as_of))
        _fill(self.post_table, list(s.by_post.items()))
        _fill_as_of(self.post_table, s)
        said = []
        if s.counted_twice:
            said.append(
                ngettext(
                    "{n} person registered at two posts is counted twice until the two "
                    "records are merged.",
                    "{n} people registered at two posts are counted twice until their records "
                    "are merged.",
                    s.counted_twice,
                ).format(n=n(s.counted_twice))
            )
        if s.possible_duplicates > s.counted_twice:  # the others, registered at one post
            others = s.possible_duplicates - s.counted_twice
            said.append(
                ngettext(
                    "{n} pair of records is probably one person: compare and merge it, or "
                    "mark it as two people.",
                    "{n} pairs of records are probably one person each: compare and merge "
                    "them, or mark them as two people.",
                    others,
                ).format(n=n(others))
            )
        self.pairs_label.setText(" ".join(said))
        self.pairs_notice.setVisible(bool(said))
        countries = [(_country(code), v) for code, v in s.by_country.items()]
        if s.country_unknown:
            countries.append((_("Country not known"), s.country_unknown))
        _fill(self.country_table, countries)
        cities = list(s.by_city.items())
        if s.city_other:
            cities.append((_("Other cities"), s.city_other))
        if s.city_unknown:
            cities.append((_("City not known"), s.city_unknown))
        _fill(self.city_table, cities)
        kinds = [(_(REQUEST_KIND_LABELS.get(k, k)), v) for k, v in s.open_by_kind.items() if v]
        _fill(self.requests_table, kinds)

    def _on_situation_failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status_label.setText(describe(exc))
        self.status_label.show()


__all__ = ["OverviewPage"]
