"""Situation report for headquarters: one post's nationals, requests, evacuations and hotels.

The report opens with a headline box (nationals, in hotels tonight, evacuated, open requests),
then compact tables: where nationals are, who is vulnerable, open requests by kind, nationals
by country, evacuation operations leg by leg, hotels tonight with occupancy and cost, and costs
per currency. Keys of the counts are translated through the bilingual label dictionaries below;
unknown keys print as given. Money is never added across currencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from consuldesk.reports.common import (
    LABELS,
    MODE_LABELS,
    LabelFn,
    Labels,
    NumberedCanvas,
    ReportStyles,
    SecondLanguage,
    build_document,
    labeller,
    lines,
    para,
)
from consuldesk.reports.fonts import register_fonts

PAGE_SIZE = A4
MARGIN = 12 * mm
TEXT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
HEADING_ROOM = 30 * mm  # space a section heading needs below it on the same page
#: A post's figures older than this before the report are marked as such.
STALE_AFTER = timedelta(hours=24)

THIN_SPACE = "\u2009"
NBSP = "\u202f"  # narrow no-break space: a thin space a paragraph never breaks at

# The report's labels besides the shared ones (see ``common.LABELS``).
_LABELS: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {"en": "Situation report", "kk": "Жағдай туралы есеп", "ru": "Оперативная сводка"},
    "generated": {"en": "Generated at", "kk": "Жасалған уақыты", "ru": "Составлено"},
    "officer": {"en": "Officer", "kk": "Қызметкер", "ru": "Сотрудник"},
    "nationals_total": {
        "en": "Nationals registered",
        "kk": "Тіркелген азаматтар",
        "ru": "Зарегистрировано граждан",
    },
    "in_hotels": {
        "en": "In hotels tonight",
        "kk": "Бүгін түнде қонақүйлерде",
        "ru": "В гостиницах этой ночью",
    },
    "evacuated": {"en": "Evacuated", "kk": "Эвакуацияланғандар", "ru": "Эвакуировано"},
    "open_requests": {"en": "Open requests", "kk": "Ашық өтініштер", "ru": "Открытые обращения"},
    "nationals": {"en": "Nationals", "kk": "Азаматтар", "ru": "Граждане"},
    "by_status": {"en": "Where they are", "kk": "Қайда екені", "ru": "Местонахождение"},
    "by_vulnerability": {"en": "Vulnerable", "kk": "Осал топтар", "ru": "Уязвимые категории"},
    "requests": {
        "en": "Open requests by kind",
        "kk": "Ашық өтініштер түрі бойынша",
        "ru": "Открытые обращения по видам",
    },
    "by_country": {"en": "By country", "kk": "Елдер бойынша", "ru": "По странам"},
    "by_post": {
        "en": "By the post that registered them (the record kept, after a merge)",
        "kk": "Тіркеген мекеме бойынша (біріктіруден кейін — қалған жазба)",
        "ru": "По загранучреждению регистрации (после объединения — оставленная запись)",
    },
    "as_of": {
        "en": "Figures as of (UTC)",
        "kk": "Деректер уақыты (UTC)",
        "ru": "Данные на (UTC)",
    },
    "as_of_current": {
        "en": "current: this report's post",
        "kk": "ағымдағы: осы есептің мекемесі",
        "ru": "текущие: учреждение этой сводки",
    },
    "as_of_unknown": {"en": "not known", "kk": "белгісіз", "ru": "неизвестно"},
    "as_of_old": {
        "en": "⚠ More than {hours} hours older than this report: that post's figures may have "
        "changed since. Its next bundle brings them up to date.",
        "kk": "⚠ Осы есептен {hours} сағаттан ескі: ол мекеменің деректері содан бері өзгеруі "
        "мүмкін. Келесі пакеті оларды жаңартады.",
        "ru": "⚠ Старше этой сводки более чем на {hours} ч: данные учреждения могли измениться. "
        "Его следующий пакет их обновит.",
    },
    "vulnerable_any": {
        "en": "Any of these (people)",
        "kk": "Осылардың кез келгені (адам)",
        "ru": "Хотя бы одно (человек)",
    },
    "counted_twice": {
        "en": "{n} registered at two posts and not merged yet: counted twice in these figures",
        "kk": "{n} адам екі мекемеде тіркелген, әлі біріктірілмеген: бұл сандарда екі рет саналған",
        "ru": "{n} зарегистрированы в двух загранучреждениях и ещё не объединены: учтены дважды",
    },
    "needs_review": {
        "en": "Needs review: {n} (values set aside by list imports, to be checked)",
        "kk": "Тексеруді қажет етеді: {n} (тізімдерді импорттағанда бөлек қойылған мәндер)",
        "ru": "Требуют проверки: {n} (значения, отложенные при импорте списков)",
    },
    "country": {"en": "Country", "kk": "Ел", "ru": "Страна"},
    "count": {"en": "Number", "kk": "Саны", "ru": "Кол-во"},
    "share": {"en": "Share", "kk": "Үлесі", "ru": "Доля"},
    "none": {"en": "None", "kk": "Жоқ", "ru": "Нет"},
    "operations": {
        "en": "Evacuation operations",
        "kk": "Эвакуациялау операциялары",
        "ru": "Эвакуационные операции",
    },
    "mode": {"en": "Mode", "kk": "Көлік түрі", "ru": "Транспорт"},
    "trips": {"en": "Trips", "kk": "Рейстер", "ru": "Рейсы"},
    "capacity": {"en": "Seats", "kk": "Орындар", "ru": "Мест"},
    "allocated": {"en": "Allocated", "kk": "Бөлінді", "ru": "Распределено"},
    "boarded": {"en": "Boarded", "kk": "Отырды", "ru": "Посажено"},
    "no_show": {"en": "No-show", "kk": "Келмеді", "ru": "Неявка"},
    "waitlisted": {"en": "Waitlist", "kk": "Күту тізімі", "ru": "Лист ожидания"},
    "load": {"en": "Seats filled", "kk": "Толуы", "ru": "Загрузка"},
    "no_legs": {
        "en": "No legs planned yet",
        "kk": "Кезеңдер әлі жоспарланбаған",
        "ru": "Этапы ещё не запланированы",
    },
    "hotels": {
        "en": "Hotels tonight",
        "kk": "Бүгін түнгі қонақүйлер",
        "ru": "Гостиницы этой ночью",
    },
    "guests_tonight": {"en": "Guests tonight", "kk": "Бүгін түнде", "ru": "Этой ночью"},
    "occupancy": {"en": "Occupancy", "kk": "Толуы", "ru": "Загрузка"},
    "nights": {"en": "Guest nights to date", "kk": "Жалпы түнеу саны", "ru": "Ночёвок всего"},
    "cost_tonight": {"en": "Cost tonight", "kk": "Бүгінгі түн құны", "ru": "Стоимость ночи"},
    "cost_to_date": {"en": "Cost to date", "kk": "Жалпы шығын", "ru": "Расходы всего"},
    "costs": {
        "en": "Hotel costs by payer and currency",
        "kk": "Қонақүй шығындары төлеуші мен валюта бойынша",
        "ru": "Расходы на гостиницы по плательщикам и валютам",
    },
    "currency": {"en": "Currency", "kk": "Валюта", "ru": "Валюта"},
    "paid_by": {"en": "Paid by", "kk": "Кім төлейді", "ru": "Кто платит"},
    "per_person": {
        "en": "per person and night",
        "kk": "адам басына, тәулігіне",
        "ru": "за человека в сутки",
    },
    "per_room": {
        "en": "per room and night",
        "kk": "бөлмесіне, тәулігіне",
        "ru": "за номер в сутки",
    },
    "open_stays": {"en": "of which open stays", "kk": "оның ішінде ашық", "ru": "в т. ч. открытые"},
    "open_note": {
        "en": "Stays still open (no check-out yet, or leaving later) count with their cost so "
        "far: the nights up to tonight.",
        "kk": "Әлі аяқталмаған тұрулар (шығу күні белгісіз немесе кейінірек) бүгінгі түнге "
        "дейінгі түндерімен есептеледі.",
        "ru": "Незавершённые проживания (дата выезда неизвестна или позже) учтены по "
        "сегодняшнюю ночь: расходы на сегодня.",
    },
    "costs_note": {
        "en": "Amounts in different currencies, or paid by different payers, are never added "
        "together. The hotels above show every stay, whoever pays.",
        "kk": "Әр түрлі валютадағы немесе әр түрлі төлеушілер төлейтін сомалар қосылмайды. "
        "Жоғарыдағы қонақүйлер кестесінде кім төлесе де, барлық тұру көрсетілген.",
        "ru": "Суммы в разных валютах или разных плательщиков не складываются. В таблице "
        "гостиниц выше — все проживания, кто бы за них ни платил.",
    },
}

#: Who pays for a stay (``PaidBy`` values), in the order printed: the post's own costs first.
PAYER_LABELS: dict[str, dict[str, str]] = {
    "post": {"en": "The post", "kk": "Мекеме", "ru": "Загранучреждение"},
    "tour_operator": {"en": "Tour operators", "kk": "Туроператорлар", "ru": "Туроператоры"},
    "national": {"en": "The nationals", "kk": "Азаматтардың өздері", "ru": "Сами граждане"},
}

#: Where nationals are (``PresenceStatus`` values).
STATUS_LABELS: dict[str, dict[str, str]] = {
    "in_country": {
        "en": "In the host country",
        "kk": "Болу елінде",
        "ru": "В стране пребывания",
    },
    "in_transit": {"en": "In transit", "kk": "Жолда", "ru": "В пути"},
    "in_hotel": {"en": "In a hotel", "kk": "Қонақүйде", "ru": "В гостинице"},
    "evacuated": {"en": "Evacuated", "kk": "Эвакуацияланды", "ru": "Эвакуированы"},
    "left_on_own": {
        "en": "Left on their own",
        "kk": "Өз бетімен кетті",
        "ru": "Выехали самостоятельно",
    },
    "unknown": {
        "en": "Whereabouts unknown",
        "kk": "Қайда екені белгісіз",
        "ru": "Местонахождение неизвестно",
    },
}

#: Vulnerability flags (``Vulnerability`` values).
VULNERABILITY_LABELS: dict[str, dict[str, str]] = {
    "medical": {
        "en": "Medical needs",
        "kk": "Медициналық көмек қажет",
        "ru": "Нуждаются в медпомощи",
    },
    "mobility": {
        "en": "Reduced mobility",
        "kk": "Қозғалысы шектеулі",
        "ru": "Ограниченная подвижность",
    },
    "pregnant": {"en": "Pregnant", "kk": "Жүкті әйелдер", "ru": "Беременные"},
    "over_60": {"en": "Aged 60 or over", "kk": "60 жастан асқандар", "ru": "Старше 60 лет"},
    "woman_with_minors": {
        "en": "Women with minor children",
        "kk": "Кәмелетке толмаған балалары бар әйелдер",
        "ru": "Женщины с детьми до 18 лет",
    },
    "minor": {"en": "Minors", "kk": "Кәмелетке толмағандар", "ru": "Несовершеннолетние"},
}

#: Kinds of assistance request (``RequestKind`` values).
REQUEST_LABELS: dict[str, dict[str, str]] = {
    "evacuation": {"en": "Evacuation", "kk": "Эвакуация", "ru": "Эвакуация"},
    "accommodation": {"en": "Accommodation", "kk": "Орналастыру", "ru": "Размещение"},
    "medical": {"en": "Medical help", "kk": "Медициналық көмек", "ru": "Медицинская помощь"},
    "documents": {"en": "Documents", "kk": "Құжаттар", "ru": "Документы"},
    "financial": {"en": "Financial help", "kk": "Қаржылай көмек", "ru": "Финансовая помощь"},
    "detention": {"en": "Detention", "kk": "Ұсталу", "ru": "Задержание"},
    "information": {"en": "Information", "kk": "Ақпарат", "ru": "Информация"},
    "death": {
        "en": "Death of a national",
        "kk": "Азаматтың қайтыс болуы",
        "ru": "Смерть гражданина",
    },
}

#: States of an evacuation operation (``OperationStatus`` values).
OPERATION_STATUS_LABELS: dict[str, dict[str, str]] = {
    "planned": {"en": "Planned", "kk": "Жоспарланған", "ru": "Запланирована"},
    "under_way": {"en": "Under way", "kk": "Жүргізілуде", "ru": "Выполняется"},
    "completed": {"en": "Completed", "kk": "Аяқталды", "ru": "Завершена"},
    "cancelled": {"en": "Cancelled", "kk": "Болдырылмады", "ru": "Отменена"},
}

#: Transport modes of a leg (``TripMode`` values).


@dataclass(frozen=True)
class SitrepLeg:
    """One leg of an evacuation operation, summed over its trips.

    Attributes:
        leg_no: Number of the leg within the operation.
        mode: ``bus``, ``flight``, ``train``, ``ferry`` or ``other`` (other text prints as is).
        origin: Place of departure.
        destination: Place of arrival.
        trips: Number of trips (buses, flights) on the leg.
        capacity: Seats on all trips.
        allocated: Passengers given a seat.
        boarded: Passengers who boarded.
        no_show: Allocated passengers who did not come.
        waitlisted: Passengers waiting for a seat.
    """

    leg_no: int
    mode: str
    origin: str
    destination: str
    trips: int
    capacity: int
    allocated: int
    boarded: int
    no_show: int
    waitlisted: int


@dataclass(frozen=True)
class SitrepOperation:
    """One evacuation operation.

    Attributes:
        name: Name or code of the operation.
        route: Overall route as text (e.g. "Abu Dhabi → Muscat → Almaty").
        status: ``planned``, ``under_way``, ``completed`` or ``cancelled``.
        legs: Legs in order.
        evacuated: Nationals who have completed the operation.
    """

    name: str
    route: str
    status: str
    legs: Sequence[SitrepLeg] = field(default_factory=tuple)
    evacuated: int = 0


@dataclass(frozen=True)
class SitrepHotel:
    """One hotel used by the post, with its occupancy and cost.

    Attributes:
        name: Hotel name.
        city: City of the hotel.
        beds: Beds the post has at its disposal.
        guests_tonight: People staying tonight.
        nights_to_date: Guest nights so far (one person, one night = 1).
        cost_tonight_minor: Cost of tonight in minor units (cents) of ``currency``.
        cost_to_date_minor: Cost so far in minor units of ``currency``.
        currency: ISO 4217 code of the amounts.
        rate_minor: The hotel's nightly rate in minor units of ``currency`` (0: not printed).
        rate_basis: What the rate is charged for: ``"person"`` or ``"room"`` (a room pays it
            once a night, however many share it).
        open_stays: Stays still open, counted in ``cost_to_date_minor`` with their nights so far.
        open_cost_minor: Their part of ``cost_to_date_minor``.
    """

    name: str
    city: str
    beds: int
    guests_tonight: int
    nights_to_date: int
    cost_tonight_minor: int
    cost_to_date_minor: int
    currency: str
    rate_minor: int = 0
    rate_basis: str = "person"
    open_stays: int = 0
    open_cost_minor: int = 0


@dataclass(frozen=True)
class SitrepCost:
    """Hotel costs of one payer in one currency (never converted or added to another
    currency, nor to another payer's: what tour operators pay is not the post's spending).

    Attributes:
        currency: ISO 4217 code.
        tonight_minor: Cost of tonight in minor units (cents).
        to_date_minor: Cost so far in minor units.
        payer: Who pays (``PaidBy`` value: ``post``, ``tour_operator``, ``national``).
    """

    currency: str
    tonight_minor: int
    to_date_minor: int
    payer: str = "post"


@dataclass(frozen=True)
class SitrepData:
    """Everything printed on a situation report.

    Count sequences are ``(key, count)`` pairs printed in the given order; keys are translated
    through :data:`STATUS_LABELS`, :data:`VULNERABILITY_LABELS` and :data:`REQUEST_LABELS`.

    Attributes:
        post_name: Name of the embassy or consulate.
        post_code: Short code of the post (e.g. ``"AE-ABU"``).
        generated_at: When the figures were taken; printed in UTC (a naive value is taken as
            UTC).
        officer: Officer who issues the report.
        nationals_total: Nationals on record.
        by_country: ``(country name, count)``, names already in the reader's language.
        by_status: ``(presence status, count)``: in_country, in_transit, in_hotel, evacuated,
            left_on_own, unknown.
        by_vulnerability: ``(flag, count)``: medical, mobility, pregnant, over_60,
            woman_with_minors, minor.
        requests_open: ``(request kind, count)``: evacuation, accommodation, medical,
            documents, financial, detention, information, death.
        operations: Evacuation operations.
        hotels: Hotels with their occupancy tonight and costs.
        costs: Hotel costs per currency.
        vulnerable: People with any vulnerability flag (one person may carry several), printed
            under the flags; ``None``: not printed.
        needs_review: Records with values set aside for review (printed when any).
        by_post: ``(post, count)`` by the post that registered them: a table when the case
            file holds more than one post's people (headquarters).
        post_as_of: by a post of ``by_post`` (its name as there), when its figures were taken
            (``None``: not known); a post not in it is this report's own, its figures current.
            Printed beside each post, marked when older than :data:`STALE_AFTER` before
            ``generated_at``.
        counted_twice: People registered at two posts and not merged yet (a warning when any).
    """

    post_name: str
    post_code: str
    generated_at: datetime
    officer: str
    nationals_total: int
    by_country: Sequence[tuple[str, int]] = field(default_factory=tuple)
    by_status: Sequence[tuple[str, int]] = field(default_factory=tuple)
    by_vulnerability: Sequence[tuple[str, int]] = field(default_factory=tuple)
    requests_open: Sequence[tuple[str, int]] = field(default_factory=tuple)
    operations: Sequence[SitrepOperation] = field(default_factory=tuple)
    hotels: Sequence[SitrepHotel] = field(default_factory=tuple)
    costs: Sequence[SitrepCost] = field(default_factory=tuple)
    vulnerable: int | None = None
    needs_review: int = 0
    by_post: Sequence[tuple[str, int]] = field(default_factory=tuple)
    counted_twice: int = 0
    post_as_of: Mapping[str, datetime | None] = field(default_factory=dict)


@dataclass(frozen=True)
class SitrepHeadline:
    """The four numbers of the headline box."""

    nationals_total: int
    in_hotels_tonight: int
    evacuated: int
    open_requests: int


def sitrep_headline(data: SitrepData) -> SitrepHeadline:
    """Compute the headline numbers.

    Args:
        data: The report data.

    Returns:
        Nationals total; guests tonight summed over the hotels; the ``evacuated`` count of
        ``by_status`` (0 if absent); open requests summed over all kinds.
    """
    return SitrepHeadline(
        nationals_total=data.nationals_total,
        in_hotels_tonight=sum(h.guests_tonight for h in data.hotels),
        evacuated=sum(n for key, n in data.by_status if key == "evacuated"),
        open_requests=sum(n for _, n in data.requests_open),
    )


def format_money(amount_minor: int, currency: str) -> str:
    """Format an amount in minor units, e.g. ``123456789, "AED"`` → ``"1 234 567.89 AED"``.

    Args:
        amount_minor: Amount in minor units (hundredths).
        currency: ISO 4217 code printed after the amount.

    Returns:
        Two decimals, a thin space (U+2009) between thousands, a minus sign if negative.
    """
    sign = "-" if amount_minor < 0 else ""
    units, cents = divmod(abs(amount_minor), 100)
    grouped = f"{units:,}".replace(",", THIN_SPACE)
    return f"{sign}{grouped}.{cents:02d} {currency}".rstrip()


def percent(part: int, whole: int) -> str:
    """Return ``part`` as a whole percentage of ``whole`` ("85%"), or "—" if ``whole`` ≤ 0."""
    if whole <= 0:
        return "—"
    return f"{round(100 * part / whole)}%"


def format_utc(moment: datetime) -> str:
    """Return ``dd.mm.yyyy HH:MM UTC``; a naive ``moment`` is taken to be in UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%d.%m.%Y %H:%M") + " UTC"


def render_sitrep(
    data: SitrepData,
    out_path: Path,
    *,
    second_language: SecondLanguage = "ru",
) -> Path:
    """Render the situation report as an A4 portrait, black-and-white PDF.

    Empty sections print "None"; a report with no data at all is still a valid report. The
    file is written atomically: on failure an existing file is kept.

    Args:
        data: What to print.
        out_path: Where to write the PDF.
        second_language: Language printed after English in every label (``"kk"`` or ``"ru"``).

    Returns:
        ``out_path``.

    Raises:
        ValueError: If ``second_language`` is not ``"kk"`` or ``"ru"``.
        OSError: If the target folder does not exist or cannot be written.
    """
    label = labeller(_LABELS, second_language)
    regular, bold = register_fonts()
    generated = format_utc(data.generated_at)
    story = _build_story(data, generated, _Styles(regular, bold), label)
    return build_document(
        out_path,
        story,
        second_language=second_language,
        font=regular,
        title=f"{_LABELS['title']['en']} — {data.post_code}, {generated}",
        author=data.officer,
        subject=f"Situation report of {data.post_name}",
        footer_left=f"{label('title')}  ·  {data.post_code}  ·  {generated}  ·  {data.post_name}",
        margin=MARGIN,
        canvas_class=_SitrepCanvas,
    )


class _SitrepCanvas(NumberedCanvas):
    """The report's numbered canvas (a subclass, so tests can patch it alone)."""


class _Styles(ReportStyles):
    """Paragraph styles of the report."""

    def __init__(self, regular: str, bold: str) -> None:
        super().__init__(regular, bold)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=16, leading=20)
        self.big = ParagraphStyle(
            "big", fontName=bold, fontSize=22, leading=26, alignment=TA_CENTER
        )
        self.big_label = ParagraphStyle(
            "big_label", fontName=regular, fontSize=7.5, leading=9, alignment=TA_CENTER
        )
        self.section = ParagraphStyle(
            "section", fontName=bold, fontSize=11.5, leading=14, spaceAfter=2 * mm
        )
        self.subsection = ParagraphStyle(
            "subsection", fontName=bold, fontSize=8.5, leading=10.5, spaceAfter=1.5 * mm
        )
        self.heading_left = ParagraphStyle("heading_left", fontName=bold, fontSize=6.8, leading=8)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9)
        self.cell_bold = ParagraphStyle("cell_bold", fontName=bold, fontSize=7.5, leading=9)
        self.band = ParagraphStyle("band", fontName=bold, fontSize=8, leading=10)
        self.note = ParagraphStyle("note", fontName=regular, fontSize=7, leading=8.5)
        self.small = ParagraphStyle("small", fontName=regular, fontSize=6.3, leading=7.5)
        self.cell_right = ParagraphStyle(
            "cell_right", fontName=regular, fontSize=7.5, leading=9, alignment=TA_RIGHT
        )
        self.small_right = ParagraphStyle(
            "small_right", fontName=regular, fontSize=6.3, leading=7.5, alignment=TA_RIGHT
        )


def _grid_style(st: _Styles, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """The common look of the report's tables: thin grid, heavy rule under the heading."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), st.regular),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("LEADING", (0, 0), (-1, -1), 9),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, 0), 1.5),
            ("RIGHTPADDING", (0, 0), (-1, 0), 1.5),
            *extra,
        ]
    )


def _section(title: str, st: _Styles) -> list[Flowable]:
    # A heading never ends a page: it moves on when less than a few table rows would follow.
    # (keepWithNext would move a whole page-long table instead.)
    return [Spacer(1, 5 * mm), CondPageBreak(HEADING_ROOM), para(title, st.section)]


def _none(st: _Styles, label: LabelFn) -> Paragraph:
    return para(f"{label('none')}.", st.value)


def _build_story(data: SitrepData, generated: str, st: _Styles, label: LabelFn) -> list[Flowable]:
    story: list[Flowable] = [
        para(label("title"), st.title),
        Spacer(1, 2 * mm),
        _info_table(data, generated, st, label),
        Spacer(1, 4 * mm),
        _headline_box(sitrep_headline(data), st, label),
    ]
    if data.counted_twice:  # the headline's first number says more people than there are
        story += [
            Spacer(1, 2 * mm),
            para(f"⚠ {label('counted_twice').format(n=data.counted_twice)}", st.band),
        ]
    story += _section(label("nationals"), st)
    story.append(_count_tables(data, st, label))
    if data.needs_review:
        story += [
            Spacer(1, 1.5 * mm),
            para(label("needs_review").format(n=data.needs_review), st.cell),
        ]
    if len(data.by_post) > 1 or data.post_as_of:  # another post's people: how old
        story += [
            Spacer(1, 4 * mm),
            CondPageBreak(HEADING_ROOM),
            para(label("by_post"), st.subsection),
            _posts_table(data, st, label),
        ]
        if any(_stale(data, name) for name, _n in data.by_post):
            hours = int(STALE_AFTER.total_seconds() // 3600)
            story += [Spacer(1, 1.5 * mm), para(label("as_of_old").format(hours=hours), st.cell)]
    story += [
        Spacer(1, 4 * mm),
        CondPageBreak(HEADING_ROOM),
        para(label("by_country"), st.subsection),
    ]
    story.append(
        _pairs_table(data.by_country, "country", data.nationals_total, st, label)
        if data.by_country
        else _none(st, label)
    )
    story += _section(label("operations"), st)
    story.append(
        _operations_table(data.operations, st, label) if data.operations else _none(st, label)
    )
    story += _section(label("hotels"), st)
    story.append(_hotels_table(data.hotels, st, label) if data.hotels else _none(st, label))
    if any(h.open_stays for h in data.hotels):
        story += [Spacer(1, 1.5 * mm), para(label("open_note"), st.note)]
    costs: list[Flowable] = [*_section(label("costs"), st)]
    if data.costs:
        costs += [_costs_table(data.costs, st, label), Spacer(1, 1.5 * mm)]
        costs.append(para(label("costs_note"), st.note))
    else:
        costs.append(_none(st, label))
    story.append(KeepTogether(costs))
    return story


def _info_table(data: SitrepData, generated: str, st: _Styles, label: LabelFn) -> Table:
    rows = [
        [para(label("post"), st.label), para(f"{data.post_name} ({data.post_code})", st.value)],
        [para(label("generated"), st.label), para(generated, st.value)],
        [para(label("officer"), st.label), para(data.officer, st.value)],
    ]
    table = Table(rows, colWidths=[64 * mm, TEXT_WIDTH - 64 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _headline_box(headline: SitrepHeadline, st: _Styles, label: LabelFn) -> Table:
    items = [
        ("nationals_total", headline.nationals_total),
        ("in_hotels", headline.in_hotels_tonight),
        ("evacuated", headline.evacuated),
        ("open_requests", headline.open_requests),
    ]
    rows = [
        [para(str(n), st.big) for _, n in items],
        [lines(label(key, "\n"), st.big_label) for key, _ in items],
    ]
    table = Table(rows, colWidths=[TEXT_WIDTH / len(items)] * len(items))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("VALIGN", (0, 1), (-1, 1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.6, colors.black),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
            ]
        )
    )
    return table


def _count_table(
    title: str,
    counts: Sequence[tuple[str, int]],
    labels: Labels,
    width: float,
    st: _Styles,
    label: LabelFn,
    *,
    share_of: int | None,
    total: tuple[str, int] | None,
) -> Table:
    """Label, number and (with ``share_of``) share of that total for one set of counts."""
    num_w = 14 * mm
    share_w = 12 * mm if share_of is not None else 0
    heading = [para(title, st.heading_left), lines(label("count", " /\n"), st.heading)]
    widths = [width - num_w - share_w, num_w]
    if share_of is not None:
        heading.append(lines(label("share", " /\n"), st.heading))
        widths.append(share_w)
    rows: list[list[Any]] = [heading]
    for key, n in counts:
        row: list[Any] = [lines(label(key, "\n", labels), st.cell), str(n)]
        if share_of is not None:
            row.append(percent(n, share_of))
        rows.append(row)
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    if not counts:
        rows.append([para(label("none"), st.cell)] + [""] * (len(widths) - 1))
    elif total is not None:
        rows.append(
            [para(label(total[0]), st.cell_bold), str(total[1])]
            + ([percent(total[1], share_of)] if share_of is not None else [])
            + [""] * (len(widths) - 2 - (share_of is not None))
        )
        extra += [
            ("FONTNAME", (0, -1), (-1, -1), st.bold),
            ("LINEABOVE", (0, -1), (-1, -1), 1.0, colors.black),
        ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_grid_style(st, extra))
    return table


def _count_tables(data: SitrepData, st: _Styles, label: LabelFn) -> Table:
    """Status, vulnerability and open requests side by side (each has a handful of rows)."""
    gap = 4 * mm
    width = (TEXT_WIDTH - 2 * gap) / 3
    total = data.nationals_total

    def summed(counts: Sequence[tuple[str, int]]) -> tuple[str, int]:
        return ("total", sum(n for _, n in counts))

    # No sum under the flags (one person may carry several): the people with any of them.
    vulnerable = None if data.vulnerable is None else ("vulnerable_any", data.vulnerable)
    # (title, counts, their labels, share of, last row)
    specs: list[tuple[str, Sequence[tuple[str, int]], Labels, int | None, Any]] = [
        ("by_status", data.by_status, STATUS_LABELS, total, summed(data.by_status)),
        ("by_vulnerability", data.by_vulnerability, VULNERABILITY_LABELS, total, vulnerable),
        ("requests", data.requests_open, REQUEST_LABELS, None, summed(data.requests_open)),
    ]
    tables = [
        _count_table(label(title), counts, labels, width, st, label, share_of=share, total=last)
        for title, counts, labels, share, last in specs
    ]
    outer = Table(
        [[tables[0], "", tables[1], "", tables[2]]], colWidths=[width, gap, width, gap, width]
    )
    outer.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),  # else empty cells use Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _pairs_table(
    items: Sequence[tuple[str, int]], heading: str, total: int, st: _Styles, label: LabelFn
) -> LongTable:
    """Countries (or posts) in two column pairs, read across each row (so a page break keeps
    the order)."""
    countries = list(items)
    gap = 6 * mm
    num_w, share_w = 16 * mm, 14 * mm
    name_w = (TEXT_WIDTH - gap) / 2 - num_w - share_w
    pair_heading = [
        lines(label(heading, " /\n"), st.heading_left),
        lines(label("count", " /\n"), st.heading),
        lines(label("share", " /\n"), st.heading),
    ]
    rows: list[list[Any]] = [[*pair_heading, "", *pair_heading]]

    def cells(i: int) -> list[Any]:
        if i >= len(countries):
            return ["", "", ""]
        name, n = countries[i]
        return [para(name, st.cell), str(n), percent(n, total)]

    for i in range(0, len(countries), 2):
        rows.append([*cells(i), "", *cells(i + 1)])
    table = LongTable(
        rows, colWidths=[name_w, num_w, share_w, gap, name_w, num_w, share_w], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("LEADING", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (2, -1), 0.4, colors.black),
                ("GRID", (4, 0), (6, -1), 0.4, colors.black),
                ("LINEBELOW", (0, 0), (2, 0), 1.2, colors.black),
                ("LINEBELOW", (4, 0), (6, 0), 1.2, colors.black),
                ("ALIGN", (1, 1), (2, -1), "RIGHT"),
                ("ALIGN", (5, 1), (6, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, 0), 1.5),
                ("RIGHTPADDING", (0, 0), (-1, 0), 1.5),
            ]
        )
    )
    return table


def _stale(data: SitrepData, post: str) -> bool:
    """Whether a post's figures are older than :data:`STALE_AFTER` before the report."""
    at = data.post_as_of.get(post)
    return at is not None and _utc(data.generated_at) - _utc(at) > STALE_AFTER


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _posts_table(data: SitrepData, st: _Styles, label: LabelFn) -> LongTable:
    """One row a post: its people, their share, and when its figures were taken (marked
    when they are a day older than the report: counts carried on a USB stick age)."""
    num_w, share_w, when_w = 20 * mm, 16 * mm, 52 * mm
    rows: list[list[Any]] = [
        [
            lines(label("post", " /\n"), st.heading_left),
            lines(label("count", " /\n"), st.heading),
            lines(label("share", " /\n"), st.heading),
            lines(label("as_of", " /\n"), st.heading),
        ]
    ]
    stale_rows = []
    for i, (name, n) in enumerate(data.by_post, start=1):
        if name not in data.post_as_of:
            when = para(label("as_of_current"), st.cell)
        elif (at := data.post_as_of[name]) is None:
            when = para(label("as_of_unknown"), st.cell)
        else:
            when = para(("⚠ " if _stale(data, name) else "") + format_utc(at), st.cell)
            if _stale(data, name):
                stale_rows.append(i)
        rows.append([para(name, st.cell), str(n), percent(n, data.nationals_total), when])
    table = LongTable(
        rows,
        colWidths=[TEXT_WIDTH - num_w - share_w - when_w, num_w, share_w, when_w],
        repeatRows=1,
    )
    grey = colors.HexColor("#DDDDDD")
    table.setStyle(
        _grid_style(
            st,
            [
                ("ALIGN", (1, 1), (2, -1), "RIGHT"),
                *(("BACKGROUND", (3, r), (3, r), grey) for r in stale_rows),
            ],
        )
    )
    return table


# Leg table columns: (label key, width); together the text width (186 mm), each wide enough
# for the longest heading word in English, Kazakh and Russian.
_LEG_COLUMNS: tuple[tuple[str, float], ...] = (
    ("leg", 10.5 * mm),
    ("mode", 17 * mm),
    ("route", 44 * mm),
    ("trips", 13.5 * mm),
    ("capacity", 15 * mm),
    ("allocated", 22 * mm),
    ("boarded", 16 * mm),
    ("no_show", 15 * mm),
    ("waitlisted", 16.5 * mm),
    ("load", 16.5 * mm),
)


def _operations_table(
    operations: Sequence[SitrepOperation], st: _Styles, label: LabelFn
) -> LongTable:
    """One band per operation, then its legs; the heading row repeats on every page."""
    ncols = len(_LEG_COLUMNS)
    rows: list[list[Any]] = [[lines(label(key, " /\n"), st.heading) for key, _ in _LEG_COLUMNS]]
    commands: list[tuple[Any, ...]] = []
    for op in operations:
        r = len(rows)
        band = (
            f"{op.name}  ·  {op.route}  ·  {label('status')}: "
            f"{label(op.status, ' / ', OPERATION_STATUS_LABELS)}  ·  "
            f"{label('evacuated')}: {op.evacuated}"
        )
        rows.append([para(band, st.band)] + [""] * (ncols - 1))
        commands += [
            ("SPAN", (0, r), (-1, r)),
            ("LINEABOVE", (0, r), (-1, r), 1.2, colors.black),
        ]
        if not op.legs:
            rows.append(["", para(label("no_legs"), st.cell)] + [""] * (ncols - 2))
            commands.append(("SPAN", (1, r + 1), (-1, r + 1)))
        for leg in op.legs:
            rows.append(
                [
                    str(leg.leg_no),
                    lines(label(leg.mode, "\n", MODE_LABELS), st.cell),
                    para(f"{leg.origin} → {leg.destination}", st.cell),
                    str(leg.trips),
                    str(leg.capacity),
                    str(leg.allocated),
                    str(leg.boarded),
                    str(leg.no_show),
                    str(leg.waitlisted),
                    percent(leg.allocated, leg.capacity),
                ]
            )
    table = LongTable(rows, colWidths=[w for _, w in _LEG_COLUMNS], repeatRows=1)
    table.setStyle(
        _grid_style(
            st,
            [
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                *commands,
            ],
        )
    )
    return table


# Hotel table columns, sized like the leg table's.
_HOTEL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("hotel", 36 * mm),
    ("city", 21 * mm),
    ("beds", 15 * mm),
    ("guests_tonight", 16 * mm),
    ("occupancy", 18 * mm),
    ("nights", 23 * mm),
    ("cost_tonight", 28 * mm),
    ("cost_to_date", 29 * mm),
)


def _hotels_table(hotels: Sequence[SitrepHotel], st: _Styles, label: LabelFn) -> LongTable:
    """Hotels with occupancy and costs; the total row adds beds and people, never money."""
    rows: list[list[Any]] = [[lines(label(key, " /\n"), st.heading) for key, _ in _HOTEL_COLUMNS]]
    for h in hotels:
        name: Any = para(h.name, st.cell)
        if h.rate_minor:
            basis = "per_room" if h.rate_basis == "room" else "per_person"
            rate = f"{format_money(h.rate_minor, h.currency)} {label(basis)}"
            name = [name, para(rate, st.small)]
        to_date: Any = format_money(h.cost_to_date_minor, h.currency)
        if h.open_stays:
            # A paragraph breaks lines at a thin space: amounts keep theirs unbreakable.
            so_far = format_money(h.open_cost_minor, h.currency).replace(THIN_SPACE, NBSP)
            to_date = [
                para(to_date.replace(THIN_SPACE, NBSP), st.cell_right),
                para(f"{label('open_stays')} ({h.open_stays}): {so_far}", st.small_right),
            ]
        rows.append(
            [
                name,
                para(h.city, st.cell),
                str(h.beds),
                str(h.guests_tonight),
                percent(h.guests_tonight, h.beds),
                str(h.nights_to_date),
                format_money(h.cost_tonight_minor, h.currency),
                to_date,
            ]
        )
    beds = sum(h.beds for h in hotels)
    guests = sum(h.guests_tonight for h in hotels)
    rows.append(
        [
            para(label("total"), st.cell_bold),
            "",
            str(beds),
            str(guests),
            percent(guests, beds),
            str(sum(h.nights_to_date for h in hotels)),
            "",
            "",
        ]
    )
    table = LongTable(rows, colWidths=[w for _, w in _HOTEL_COLUMNS], repeatRows=1)
    table.setStyle(
        _grid_style(
            st,
            [
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), st.bold),
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, colors.black),
            ],
        )
    )
    return table


def _costs_table(costs: Sequence[SitrepCost], st: _Styles, label: LabelFn) -> Table:
    rows: list[list[Any]] = [
        [
            lines(label(key, " /\n"), st.heading)
            for key in ("paid_by", "currency", "cost_tonight", "cost_to_date")
        ]
    ]
    for c in costs:
        rows.append(
            [
                lines(label(c.payer, "\n", PAYER_LABELS), st.cell),
                c.currency,
                format_money(c.tonight_minor, c.currency),
                format_money(c.to_date_minor, c.currency),
            ]
        )
    table = Table(rows, colWidths=[40 * mm, 20 * mm, 40 * mm, 40 * mm], hAlign="LEFT", repeatRows=1)
    table.setStyle(_grid_style(st, [("ALIGN", (2, 1), (-1, -1), "RIGHT")]))
    return table
