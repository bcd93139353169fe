"""A realistic demo case file: Kazakh nationals caught by a crisis in the Gulf, Iran and Israel.

Everything is drawn from ``random.Random(seed)``, so one seed (and one ``today``) always gives the
same people; only record ids and versions differ between runs. The people are synthetic, so their
passport (Latin) names are derived from the Cyrillic ones the way Kazakh passports print them; real
records always take the Latin name verbatim from the document.

Used by the window's first start, ``consuldesk-cli demo``, tests and benchmarks.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from consuldesk.domain import versions
from consuldesk.domain.enums import (
    HouseholdKind,
    ManifestStatus,
    OperationStatus,
    PaidBy,
    PlacementStatus,
    PresenceStatus,
    RateBasis,
    RequestKind,
    RequestPriority,
    RequestStatus,
    Source,
    TimelineKind,
    TripMode,
)
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.errors import ServiceError
from consuldesk.store.db import Tx
from consuldesk.store.models import (
    AssistanceRequest,
    EvacuationOperation,
    Hotel,
    Household,
    HouseholdMember,
    National,
    Placement,
    RequestEvent,
    Synced,
    Trip,
    new_id,
    new_ids,
    table_of,
)

__all__ = ["COUNTRY_WEIGHTS", "DemoSummary", "generate_nationals", "passport_latin", "seed_demo"]

# -- reference data ------------------------------------------------------------------------

#: Relative number of nationals per host country (scaled to the requested count).
COUNTRY_WEIGHTS: dict[str, int] = {"AE": 3500, "SA": 3000, "QA": 1500, "IR": 200, "IL": 150}

_CITIES: dict[str, tuple[tuple[str, int], ...]] = {
    "AE": (("Dubai", 60), ("Abu Dhabi", 25), ("Sharjah", 15)),
    "SA": (("Riyadh", 28), ("Jeddah", 24), ("Mecca", 22), ("Medina", 16), ("Dammam", 10)),
    "QA": (("Doha", 85), ("Al Wakrah", 15)),
    "IR": (("Tehran", 45), ("Mashhad", 30), ("Isfahan", 15), ("Tabriz", 10)),
    "IL": (("Tel Aviv", 45), ("Jerusalem", 25), ("Haifa", 20), ("Eilat", 10)),
}

_AREAS: dict[str, tuple[str, ...]] = {
    "Dubai": ("Al Barsha 1", "Deira, Al Rigga Street", "Bur Dubai, Al Mankhool",
              "Jumeirah Lake Towers, Cluster D", "Dubai Marina, Al Marsa Street",
              "International City, China Cluster", "Al Nahda 2", "Business Bay, Marasi Drive",
              "Al Qusais 1", "Jumeirah Village Circle"),
    "Abu Dhabi": ("Al Reem Island, Najmat", "Khalifa City A", "Al Khalidiyah, Street 26",
                  "Mussafah Shabiya 10", "Al Zahiyah (Tourist Club Area)", "Al Raha Beach"),
    "Sharjah": ("Al Nahda", "Al Majaz 2", "Al Taawun", "Muwaileh Commercial", "Al Qasimia"),
    "Riyadh": ("Al Olaya, Olaya Street", "Al Malaz", "Al Sulimaniyah", "Al Nakheel", "Al Yasmin",
               "King Fahd District"),
    "Jeddah": ("Al Rawdah", "Al Hamra", "Al Balad, King Abdulaziz Street", "Al Safa", "Al Zahra"),
    "Mecca": ("Ajyad", "Al Aziziyah", "Misfalah, Ibrahim Al Khalil Street", "Jarwal"),
    "Medina": ("Al Markaziyah North", "Quba", "Al Aziziyah", "Bab Al Majidi"),
    "Dammam": ("Al Faisaliyah", "Al Shati", "Al Mazruiyah", "Al Khobar, Prince Turki Street"),
    "Doha": ("West Bay, Diplomatic Street", "Al Sadd", "The Pearl, Porto Arabia", "Al Mansoura",
             "Msheireb", "Lusail, Marina District", "Bin Mahmoud"),
    "Al Wakrah": ("Al Wukair", "Barwa Village", "Al Wakrah Souq area"),
    "Tehran": ("Valiasr Street, Vanak", "Enghelab Street", "Shariati Street, Gholhak",
               "Saadat Abad", "Africa Boulevard", "Yusef Abad"),
    "Mashhad": ("Imam Reza Street", "Ahmadabad Boulevard", "Vakil Abad Boulevard",
                "Azadi Square, Ferdowsi University dormitory", "Sajjad Boulevard"),
    "Isfahan": ("Chahar Bagh Street", "Jolfa", "Hasht Behesht Street", "Nazar Street"),
    "Tabriz": ("Imam Khomeini Street", "Valiasr, Tabriz", "Abresan"),
    "Tel Aviv": ("Dizengoff Street", "Rothschild Boulevard", "Allenby Street",
                 "Ibn Gabirol Street", "Florentin"),
    "Jerusalem": ("Jaffa Road", "King George Street", "Rehavia, Ramban Street",
                  "German Colony, Emek Refaim"),
    "Haifa": ("Hadar HaCarmel, Herzl Street", "Carmel Center, HaNassi Avenue", "Bat Galim"),
    "Eilat": ("HaTmarim Boulevard", "North Beach", "Shalom Center"),
}  # fmt: skip

# (name, address, currency, nightly rate per person in major units, tour operator or None).
# Hotels the embassy books under its own contract (no tour operator) charge per room instead:
# twice the rate, once a night for the room, however many share it (see _ROOM_RATE_FACTOR).
_HOTELS: dict[str, tuple[tuple[str, str, str, int, str | None], ...]] = {
    "Dubai": (
        ("Rove Downtown", "312 Happiness Street, Za'abeel 2", "AED", 290, "Anex Tour KZ"),
        ("Citymax Hotel Bur Dubai", "Kuwait Street, Al Mankhool", "AED", 230, "Kompas Touristik"),
        ("Ibis Al Barsha", "Sheikh Zayed Road, Al Barsha 1", "AED", 210, "Fun&Sun Kazakhstan"),
        ("Premier Inn Dubai Ibn Battuta", "Ibn Battuta Gate, Jebel Ali", "AED", 250, None),
    ),
    "Abu Dhabi": (
        ("Novotel Abu Dhabi Al Bustan", "Al Qurm Street, Al Rawdah", "AED", 270, "Sayat Tour"),
        ("Ibis Abu Dhabi Gate", "Al Maqta, Sheikh Rashid Bin Saeed Street", "AED", 190, None),
    ),
    "Sharjah": (
        ("Citymax Hotel Sharjah", "Al Taawun Street, Al Khan", "AED", 180, None),
        ("Sharjah Premiere Hotel", "Al Khan Road", "AED", 170, "Kompas Touristik"),
    ),
    "Riyadh": (
        ("Holiday Inn Riyadh Olaya", "Olaya Street, Al Olaya", "SAR", 320, None),
        ("Ibis Riyadh Olaya Street", "Olaya Street, Al Mutamarat", "SAR", 240, None),
    ),
    "Jeddah": (
        ("Ibis Jeddah City Center", "Al Madinah Road, Al Baghdadiyah", "SAR", 230, None),
        ("Radisson Blu Jeddah Corniche", "Corniche Road, Al Shati", "SAR", 390, "Sayat Tour"),
    ),
    "Mecca": (
        ("Elaf Ajyad Hotel", "Ajyad Street", "SAR", 350, "Al-Safa Umrah Tour"),
        ("Hilton Suites Makkah", "Jabal Omar", "SAR", 420, "Zamzam Travel KZ"),
        ("Al Kiswah Towers Hotel", "Al Aziziyah", "SAR", 210, "Al-Safa Umrah Tour"),
    ),
    "Medina": (
        ("Dallah Taibah Hotel", "King Fahd Road, Al Markaziyah", "SAR", 300, "Zamzam Travel KZ"),
        ("Pullman Zamzam Madinah", "Amr Bin Al Aas Street", "SAR", 380, "Al-Safa Umrah Tour"),
    ),
    "Dammam": (("Holiday Inn Dammam", "King Saud Street, Al Adamah", "SAR", 260, None),),
    "Doha": (
        ("Ibis Doha", "Majlis Al Taawon Street, West Bay", "QAR", 240, "Anex Tour KZ"),
        ("Holiday Villa Hotel Doha", "Al Muntazah Street", "QAR", 220, "Fun&Sun Kazakhstan"),
        ("Souq Waqif Boutique Hotel", "Souq Waqif", "QAR", 380, None),
    ),
    "Al Wakrah": (("Wakrah Gardens Hotel", "Al Wakrah Main Street", "QAR", 200, None),),
    "Tehran": (
        ("Parsian Azadi Hotel", "Chamran Highway, Evin", "USD", 75, None),
        ("Ferdowsi Grand Hotel", "Ferdowsi Street", "USD", 55, "Kompas Touristik"),
    ),
    "Mashhad": (
        ("Darvishi Royal Hotel", "Imam Reza Street", "USD", 70, "Zamzam Travel KZ"),
        ("Homa Hotel Mashhad", "Khayyam Boulevard", "USD", 60, None),
    ),
    "Isfahan": (("Abbasi Hotel", "Amadegah Street", "USD", 85, None),),
    "Tabriz": (("Pars El Goli Hotel", "El Goli", "USD", 60, None),),
    "Tel Aviv": (
        ("Leonardo City Tower", "14 Zisman Street, Ramat Gan", "USD", 180, None),
        ("Prima Tel Aviv", "105 HaYarkon Street", "USD", 160, "Kompas Touristik"),
    ),
    "Jerusalem": (("Leonardo Jerusalem", "9 Yehuda HaLevi Street", "USD", 170, None),),
    "Haifa": (("Dan Panorama Haifa", "107 HaNassi Avenue", "USD", 150, None),),
    "Eilat": (("Isrotel Yam Suf", "Derech Mitzrayim", "USD", 140, "Fun&Sun Kazakhstan"),),
}

_ROOM_RATE_FACTOR = 2

_HOTEL_PHONE = {"AE": "+9714", "SA": "+96612", "QA": "+974444", "IR": "+9821", "IL": "+9723"}

_OPERATORS: dict[str, tuple[str, ...]] = {
    "AE": ("Anex Tour KZ", "Kompas Touristik", "Fun&Sun Kazakhstan", "Sayat Tour"),
    "SA": ("Al-Safa Umrah Tour", "Zamzam Travel KZ", "Sayat Tour"),
    "QA": ("Anex Tour KZ", "Fun&Sun Kazakhstan", "Kompas Touristik"),
    "IR": ("Zamzam Travel KZ", "Kompas Touristik"),
    "IL": ("Kompas Touristik", "Fun&Sun Kazakhstan"),
}

# Share of people per kind of party: (single, family, tour group).
_PARTY_MIX: dict[str, tuple[int, int, int]] = {
    "AE": (34, 36, 30),
    "SA": (36, 20, 44),
    "QA": (46, 32, 22),
    "IR": (60, 15, 25),
    "IL": (40, 35, 25),
}

# Host mobile numbers: (country prefix, first digits after it, remaining digits).
_HOST_MOBILE: dict[str, tuple[str, tuple[str, ...], int]] = {
    "AE": ("+971", ("50", "52", "54", "55", "56", "58"), 7),
    "SA": ("+966", ("50", "53", "54", "55", "56", "59"), 7),
    "QA": ("+974", ("3", "5", "6", "7"), 7),
    "IR": ("+98", ("912", "919", "935", "901", "915"), 7),
    "IL": ("+972", ("502", "504", "505", "507", "522", "524", "526", "528", "532", "534", "542",
                    "544", "546", "548"), 6),
}  # fmt: skip
_KZ_MOBILE = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")

# Kazakh surnames in the male form; the female form adds "а" (-ов/-ова, -ев/-ева, -ин/-ина).
_KZ_SURNAMES = (
    "Әбілқасымов", "Нұрсұлтанов", "Өтегенов", "Жүнісов", "Ғабитов", "Іскаков", "Қасымов",
    "Сәрсенбаев", "Әлиев", "Байжанов", "Тоқаев", "Жақыпов", "Омаров", "Серікбаев", "Құнанбаев",
    "Мұқанов", "Әуезов", "Сейітов", "Иманғалиев", "Жұмабаев", "Ахметов", "Аһметов",
    "Бекмұхамбетов", "Қалиев", "Ұзақбаев", "Үсенов", "Дүйсенов", "Төлегенов", "Шәріпов",
    "Ысқақов", "Есенов", "Бөкейханов", "Нұрмағамбетов", "Оспанов", "Рақымжанов", "Сұлтанбеков",
    "Тәжібаев", "Хамитов", "Шайахметов", "Әбенов", "Қожахметов", "Әмірханов", "Мұратбеков",
    "Ермеков", "Жанұзақов", "Ізбасаров", "Өмірзақов", "Ғалымжанов", "Кәрімов", "Тұрсынов",
    "Қайыржанов", "Байтұрсынов", "Шаһмарданов", "Жиһанов", "Сағынтаев", "Мәметов", "Нұрпейісов",
    "Әбдірахманов", "Тұңғышбаев", "Меңдібаев", "Қонаев", "Сәтбаев", "Дәулетов", "Бейсенов",
    "Жолдасбеков", "Әшімов",
    "Құдайбергенов", "Түсіпбеков", "Ыбыраев", "Ілиясов", "Мырзахметов", "Нығматуллин",
    "Бекетаев", "Садықов", "Тілеубердин", "Үмбетов", "Ержанов",
)  # fmt: skip
_RU_SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Сергеев",
    "Кузьмин", "Фролов", "Дмитриев", "Королёв", "Гусев", "Ильин", "Максимов", "Поляков",
    "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков",
    "Баранов", "Филиппов", "Шевченко", "Ткаченко", "Бондаренко", "Ким", "Пак", "Цой",
)  # fmt: skip
# Surnames that do not change with sex.
_INVARIANT_SURNAMES = frozenset({"Шевченко", "Ткаченко", "Бондаренко", "Ким", "Пак", "Цой"})

_KZ_MALE = (
    "Нұрлан", "Ерлан", "Асқар", "Бауыржан", "Дәурен", "Ерболат", "Қайрат", "Мұрат", "Нұрсұлтан",
    "Сәкен", "Талғат", "Арман", "Ербол", "Жандос", "Әділет", "Бекзат", "Ғалымжан", "Дархан",
    "Ержан", "Жасұлан", "Қанат", "Мақсат", "Нұржан", "Олжас", "Рүстем", "Серік", "Тимур",
    "Ілияс", "Айдос", "Әлихан", "Әмір", "Іслам", "Ансар", "Аһмет", "Еркебұлан", "Жиһангер",
    "Шаһмардан", "Ғабит", "Өмірзақ", "Үсен", "Ұлан", "Бақытжан", "Дамир", "Самат", "Әлібек",
)  # fmt: skip
_KZ_FEMALE = (
    "Әйгерім", "Айгүл", "Гүлнар", "Динара", "Жанар", "Әсем", "Ақбота", "Аружан", "Балжан",
    "Гүлмира", "Жұлдыз", "Қарлығаш", "Мәдина", "Нұргүл", "Сәуле", "Тоғжан", "Ұлжан", "Айару",
    "Інжу", "Гауһар", "Зуһра", "Ләззат", "Мөлдір", "Назерке", "Перизат", "Ақмарал", "Жансая",
    "Дана", "Томирис", "Раушан", "Күнсұлу", "Шынар", "Үміт", "Өміргүл", "Ғалия", "Шаһизада",
)  # fmt: skip
# Russian given names with the patronymics they give to a son and a daughter.
_RU_MALE = (
    ("Александр", "Александрович", "Александровна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Андрей", "Андреевич", "Андреевна"),
    ("Алексей", "Алексеевич", "Алексеевна"), ("Иван", "Иванович", "Ивановна"),
    ("Максим", "Максимович", "Максимовна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Николай", "Николаевич", "Николаевна"),
    ("Юрий", "Юрьевич", "Юрьевна"), ("Олег", "Олегович", "Олеговна"),
    ("Виктор", "Викторович", "Викторовна"), ("Артём", "Артёмович", "Артёмовна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Павел", "Павлович", "Павловна"),
    ("Денис", "Денисович", "Денисовна"), ("Игорь", "Игоревич", "Игоревна"),
)  # fmt: skip
_RU_FEMALE = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария", "Екатерина",
    "Юлия", "Анастасия", "Людмила", "Валентина", "Оксана", "Ксения", "Дарья", "Алёна", "Яна",
)  # fmt: skip
_RU_PATRONYMIC = {name: (son, daughter) for name, son, daughter in _RU_MALE}
_RU_MALE_NAMES = tuple(name for name, _, _ in _RU_MALE)

_MEDICAL = (
    "сахарный диабет 2 типа, инсулин", "сахарный диабет 1 типа", "гипертоническая болезнь",
    "бронхиальная астма", "ишемическая болезнь сердца", "после инсульта",
    "онкология, курс химиотерапии", "хроническая почечная недостаточность, гемодиализ",
    "эпилепсия", "после операции на сердце", "нужны постоянные лекарства (варфарин)",
)  # fmt: skip
_MEDICAL_CHILD = ("бронхиальная астма", "сахарный диабет 1 типа", "пищевая аллергия, анафилаксия",
                  "эпилепсия", "аутизм")  # fmt: skip
_MOBILITY = ("инвалидная коляска", "ходит с тростью", "костыли, перелом ноги", "лежачий больной",
             "слабовидящий, нужен сопровождающий", "не может подниматься по лестнице")  # fmt: skip
_NOTES = (
    "Просит связаться с родственниками в Алматы", "Говорит только по-казахски",
    "Нет средств на обратный билет", "Паспорт у работодателя", "Обратный рейс отменён",
    "Родственники звонили на горячую линию", "Работает по контракту, работодатель не отпускает",
    "Студент, общежитие закрыто", "Просит сообщить о рейсах в Астану",
)  # fmt: skip
_EMAIL_DOMAINS = ("mail.ru", "gmail.com", "inbox.kz", "yandex.kz", "bk.ru", "mail.kz")


@dataclass(frozen=True)
class _Weighted:
    """Values with weights, ready for drawing with one ``random()`` and a bisection."""

    values: tuple[Any, ...]
    cumulative: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, pairs: Sequence[tuple[Any, float]]) -> _Weighted:
        cumulative = tuple(itertools.accumulate(w for _, w in pairs))
        return cls(tuple(v for v, _ in pairs), cumulative, cumulative[-1])


# IIN serial digits 8-11: (text, weighted sum in the first check pass, in the second pass)
_IIN_SERIALS = tuple(
    (f"{n:04d}", 8 * (n // 1000) + 9 * (n // 100 % 10) + 10 * (n // 10 % 10) + 11 * (n % 10),
     10 * (n // 1000) + 11 * (n // 100 % 10) + (n // 10 % 10) + 2 * (n % 10))
    for n in range(10000)
)  # fmt: skip

_LIST_IMPORT = Source.LIST_IMPORT.value
_TOUR_OPERATOR = Source.TOUR_OPERATOR.value
_SOURCES = _Weighted.of(((Source.HOTLINE.value, 38), (Source.WALK_IN.value, 22),
                         (_LIST_IMPORT, 36), (_TOUR_OPERATOR, 4)))  # fmt: skip
_P = PresenceStatus
_PRESENCE = _Weighted.of(((_P.IN_COUNTRY.value, 74), (_P.IN_HOTEL.value, 5),
                          (_P.IN_TRANSIT.value, 6), (_P.EVACUATED.value, 4),
                          (_P.LEFT_ON_OWN.value, 4), (_P.UNKNOWN.value, 7)))  # fmt: skip
_PRESENCE_GROUP = _Weighted.of(((_P.IN_HOTEL.value, 62), (_P.IN_TRANSIT.value, 14),
                                (_P.IN_COUNTRY.value, 14), (_P.EVACUATED.value, 6),
                                (_P.LEFT_ON_OWN.value, 4)))  # fmt: skip
_IN_HOTEL = _P.IN_HOTEL.value
_GROUP_CODE = {"AE": "DXB", "SA": "JED", "QA": "DOH", "IR": "IKA", "IL": "TLV"}

OFFICERS = ("Серікбаев Д.", "Омарова А.", "Жақыпова Г.", "Ким В.", "Әлімжанов Е.", "Петренко И.")

# Evacuation routes: (host country, name, route, legs); a leg is
# (mode, origin, destination, border crossing, capacity, carrier, vehicles).
_ROUTES: tuple[tuple[str, str, str, tuple[tuple[Any, ...], ...]], ...] = (
    ("AE", "Эвакуация: Дубай — Маскат", "Dubai → Hatta / Al Wajajah → Muscat",
     ((TripMode.BUS, "Dubai", "Muscat", "Hatta / Al Wajajah", 49, "Emirates Transport",
       ("Dubai P 48213", "Dubai P 48377")),
      (TripMode.FLIGHT, "Muscat", "Almaty", None, 180, "SCAT Airlines", ("DV 5802",)))),
    ("QA", "Эвакуация: Доха — Эр-Рияд — Джидда", "Doha → Abu Samra / Salwa → Riyadh → Jeddah",
     ((TripMode.BUS, "Doha", "Riyadh", "Abu Samra / Salwa", 49, "Mowasalat (Karwa)",
       ("QA 210554", "QA 210561")),
      (TripMode.FLIGHT, "Riyadh", "Jeddah", None, 160, "Saudia", ("SV 1043",)))),
    ("IR", "Эвакуация: Тегеран — Астара (Азербайджан)", "Tehran → Astara → Baku",
     ((TripMode.BUS, "Tehran", "Astara", "Astara / Astara", 45, "Iran Peyma", ("IR 44 B 512",)),
      (TripMode.BUS, "Astara", "Baku", None, 45, "BakuBus", ("10-BB-221",)))),
    ("IR", "Эвакуация: Тегеран — Нордуз / Агарак (Армения)", "Tehran → Nordooz / Agarak → Yerevan",
     ((TripMode.BUS, "Tehran", "Agarak", "Nordooz / Agarak", 45, "Seir-o-Safar", ("IR 55 J 318",)),
      (TripMode.BUS, "Agarak", "Yerevan", None, 45, "Armenia Travel", ("35 XT 120",)))),
    ("IR", "Эвакуация: Мешхед — Серахс (Туркменистан)", "Mashhad → Sarakhs / Saragt → Ashgabat",
     ((TripMode.BUS, "Mashhad", "Saragt", "Sarakhs / Saragt", 45, "Hamsafar", ("IR 12 D 740",)),
      (TripMode.BUS, "Saragt", "Ashgabat", None, 45, "Türkmenawtoulaglary", ("AG 4417",)))),
    ("IL", "Эвакуация: Тель-Авив — Таба — Каир", "Tel Aviv → Taba (Egypt) → Cairo",
     ((TripMode.BUS, "Tel Aviv", "Taba", "Menachem Begin / Taba", 50, "Egged", ("78-221-04",)),
      (TripMode.BUS, "Taba", "Cairo", None, 50, "East Delta Travel", ("EG 4821 TBA",)))),
)  # fmt: skip

# -- transliteration -----------------------------------------------------------------------

_PASSPORT_LATIN = {
    "А": "A", "Ә": "A", "Б": "B", "В": "V", "Г": "G", "Ғ": "G", "Д": "D", "Е": "E", "Ё": "E",
    "Ж": "ZH", "З": "Z", "И": "I", "Й": "I", "К": "K", "Қ": "K", "Л": "L", "М": "M", "Н": "N",
    "Ң": "N", "О": "O", "Ө": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ұ": "U",
    "Ү": "U", "Ф": "F", "Х": "KH", "Һ": "H", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH",
    "Ъ": "", "Ы": "Y", "І": "I", "Ь": "", "Э": "E", "Ю": "YU", "Я": "YA",
}  # fmt: skip
_PASSPORT_TABLE = str.maketrans(_PASSPORT_LATIN)
_latin_cache: dict[str, str] = {}


def passport_latin(name: str) -> str:
    """The Latin spelling a Kazakh passport prints for a Cyrillic name (demo data only).

    >>> passport_latin("Әбілқасымова Гауһар")
    'ABILKASYMOVA GAUHAR'
    """
    found = _latin_cache.get(name)
    if found is None:
        found = _latin_cache[name] = name.upper().translate(_PASSPORT_TABLE)
    return found


# -- people --------------------------------------------------------------------------------

_FEMALE_SURNAME = {
    male: male if male in _INVARIANT_SURNAMES else male + "а"
    for male in _KZ_SURNAMES + _RU_SURNAMES
}
_LATIN = {
    name: passport_latin(name)
    for name in (*_FEMALE_SURNAME, *_FEMALE_SURNAME.values(), *_KZ_MALE, *_KZ_FEMALE,
                 *_RU_MALE_NAMES, *_RU_FEMALE)
}  # fmt: skip


def _plural_surname(male: str) -> str:
    """ "Әбілқасымов" → "Әбілқасымовых" (for "Семья …")."""
    return male if male in _INVARIANT_SURNAMES else male + "ых"


@dataclass(slots=True)
class _Party:
    """People who travel together: a household (family or tour group) or one person."""

    kind: str  # "single", "family", "tour_group"
    country: str
    city: str
    members: list[int] = field(default_factory=list)  # indexes into the people list
    relations: list[str] = field(default_factory=list)
    name: str = ""
    operator: str | None = None
    notes: str | None = None
    presence: str = PresenceStatus.IN_COUNTRY.value
    subgroups: list[_Party] = field(default_factory=list)  # families inside a tour group
    household_id: str | None = None  # once written
    list_day: str = ""  # date of the registration list its members came from, if imported
    address: str | None = None
    hotel: int | None = None  # index into _HOTELS[city] for groups and hotel guests


@dataclass
class _Demo:
    people: list[dict[str, Any]]
    parties: list[_Party]


class _Generator:
    """Draws people and parties from one random stream.

    Only ``random()`` is drawn (``randint``/``choice`` cost ten times more, and 100,000 people
    must take well under a second or two); its sequence is stable across Python versions.
    """

    def __init__(self, seed: int, today: date) -> None:
        self.r = random.Random(seed).random
        self.today = today
        self.today_ord = today.toordinal()
        self.people: list[dict[str, Any]] = []
        self.iins: set[str] = set()
        self.iin_heads: dict[tuple[date, str], tuple[str, int, int]] = {}
        self.passports: set[str] = set()
        self.group_no = itertools.count(101)
        self.list_days = [f"{date.fromordinal(self.today_ord - d):%d.%m.%Y}" for d in range(2, 13)]

    # drawing -----------------------------------------------------------------------------

    def ri(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` inclusive."""
        return low + int(self.r() * (high - low + 1))

    def ch(self, seq: Sequence[Any]) -> Any:
        """One element of ``seq``."""
        return seq[int(self.r() * len(seq))]

    def pick(self, weighted: _Weighted) -> Any:
        """A value drawn with the given weights."""
        return weighted.values[bisect.bisect(weighted.cumulative, self.r() * weighted.total)]

    def days_ago(self, low: int, high: int) -> date:
        return date.fromordinal(self.today_ord - self.ri(low, high))

    # documents and contacts --------------------------------------------------------------

    def iin(self, birth: date, sex: str) -> str | None:
        """A valid IIN, unique in this data set (the rule of ``domain.iin.make_iin``).

        None in the unlikely case that all 10,000 serials of this birth date and sex are taken.
        """
        key = (birth, sex)
        head = self.iin_heads.get(key)
        if head is None:
            y, m, d = birth.year % 100, birth.month, birth.day
            century = (3 if birth.year < 2000 else 5) + (sex == "F")
            y1, y2, m1, m2, d1, d2 = y // 10, y % 10, m // 10, m % 10, d // 10, d % 10
            s1 = y1 + 2 * y2 + 3 * m1 + 4 * m2 + 5 * d1 + 6 * d2 + 7 * century
            s2 = 3 * y1 + 4 * y2 + 5 * m1 + 6 * m2 + 7 * d1 + 8 * d2 + 9 * century
            head = self.iin_heads[key] = ("%02d%02d%02d%d" % (y, m, d, century), s1, s2)  # noqa: UP031
        prefix, s1, s2 = head
        for attempt in range(10_200):
            serial = int(self.r() * 10000) if attempt < 200 else attempt - 200
            digits, w1, w2 = _IIN_SERIALS[serial]
            check = (s1 + w1) % 11
            if check == 10:
                check = (s2 + w2) % 11
                if check == 10:
                    continue
            value = f"{prefix}{digits}{check}"
            if value not in self.iins:
                self.iins.add(value)
                return value
        return None

    def passport(self) -> str:
        while True:
            value = "N%08d" % int(self.r() * 100_000_000)  # noqa: UP031
            if value not in self.passports:
                self.passports.add(value)
                return value

    def kz_mobile(self) -> str:
        return "+7%s%07d" % (self.ch(_KZ_MOBILE), int(self.r() * 10_000_000))  # noqa: UP031

    def host_mobile(self, country: str) -> str:
        prefix, starts, digits = _HOST_MOBILE[country]
        return "%s%s%0*d" % (prefix, self.ch(starts), digits, int(self.r() * 10**digits))  # noqa: UP031

    def address(self, city: str) -> str:
        area = self.ch(_AREAS[city])
        if self.r() < 0.3:
            return f"{area}, villa {self.ri(1, 60)}"
        return f"{area}, bldg {self.ri(1, 240)}, apt {self.ri(1, 24)}{self.ri(1, 20):02d}"

    # names -------------------------------------------------------------------------------

    def given(self, sex: str, kazakh: bool) -> str:
        if kazakh:
            return str(self.ch(_KZ_MALE if sex == "M" else _KZ_FEMALE))
        return str(self.ch(_RU_MALE)[0] if sex == "M" else self.ch(_RU_FEMALE))

    @staticmethod
    def patronymic(father: str, sex: str, kazakh: bool, style_ul: bool) -> str:
        if not kazakh:
            son, daughter = _RU_PATRONYMIC.get(father, (father + "ович", father + "овна"))
            return son if sex == "M" else daughter
        if style_ul:
            return father + ("ұлы" if sex == "M" else "қызы")
        return father + ("ович" if sex == "M" else "овна")

    # one person --------------------------------------------------------------------------

    def person(
        self,
        party: _Party,
        *,
        sex: str,
        age: int,
        surname: str,
        kazakh: bool,
        father: str | None = None,
        style_ul: bool = False,
        given: str | None = None,
        expecting: float = 0.0,
    ) -> int:
        """Add one person to ``party`` and return their index."""
        r = self.r
        today_ord = self.today_ord
        male = sex == "M"
        age_days = int((age + r() * 0.995) * 365.2425)
        birth = date.fromordinal(today_ord - age_days)
        if given is None:
            names = (
                (_KZ_MALE if male else _KZ_FEMALE)
                if kazakh
                else (_RU_MALE_NAMES if male else _RU_FEMALE)
            )
            given = names[int(r() * len(names))]
        family = surname if male else _FEMALE_SURNAME.get(surname, surname)
        patronymic: str | None = None
        if r() >= 0.06:  # not everyone gives one
            if father is None:
                fathers = _KZ_MALE if kazakh else _RU_MALE_NAMES
                father = fathers[int(r() * len(fathers))]
            patronymic = self.patronymic(father, sex, kazakh, style_ul)
        has_docs = party.kind != "single" or r() > 0.06  # a hotline caller may not know them
        iin = self.iin(birth, sex) if has_docs or r() < 0.5 else None
        passport_no = passport_expiry = None
        if has_docs or r() < 0.5:
            passport_no = self.passport()
            valid_days = 3652 if age >= 16 else 1826
            if age >= 6 and r() < 0.05:
                passport_expiry = date.fromordinal(today_ord - 1 - int(r() * 500))
            else:
                issued = today_ord - int(r() * min(age_days, valid_days - 30))
                passport_expiry = date.fromordinal(issued + valid_days)
        phones: list[str] = []
        country = party.country
        if age >= 14 or (age >= 11 and r() < 0.3):
            resident = party.kind != "tour_group"
            if not resident or r() < 0.9:
                phones.append(self.kz_mobile())
            if (resident and r() < 0.5) or not phones:
                phones.append(self.host_mobile(country))
        medical = mobility = None
        if r() < 0.015 + (0.12 if age >= 60 else 0.0) + (0.1 if age >= 75 else 0.0):
            medical = self.ch(_MEDICAL if age >= 18 else _MEDICAL_CHILD)
        if r() < 0.006 + (0.08 if age >= 70 else 0.0):
            mobility = self.ch(_MOBILITY)
        pregnant = sex == "F" and 19 <= age <= 42 and r() < expecting
        latin_surname = _LATIN.get(family) or passport_latin(family)
        latin_given = _LATIN.get(given) or passport_latin(given)
        email = messenger = None
        if age >= 18 and r() < 0.25:
            email = (
                f"{latin_given.lower()}.{latin_surname.lower()}{self.ri(1, 99)}"
                f"@{self.ch(_EMAIL_DOMAINS)}"
            )
        if phones and r() < 0.35:
            if r() < 0.75:
                messenger = "WhatsApp " + phones[-1]
            else:
                messenger = f"Telegram @{latin_given.lower()}_{self.ri(10, 9999)}"
        source = self.source(party)
        ref: str | None = None
        if source == _LIST_IMPORT:
            ref = f"Список граждан — {party.city} — {party.list_day}.xlsx"
        elif source == _TOUR_OPERATOR:
            ref = f"{party.operator or 'Kompas Touristik'}: список туристов"
        consent = self.days_ago(0, 20) if source != _LIST_IMPORT or r() < 0.3 else None
        notes = self.ch(_NOTES) if age >= 18 and r() < 0.06 else None
        self.people.append(
            {
                "surname_cyr": family,
                "given_names_cyr": given,
                "patronymic_cyr": patronymic,
                "surname_lat": latin_surname,
                "given_names_lat": latin_given,
                "sex": sex,
                "birth_date": birth,
                "iin": iin,
                "passport_no": passport_no,
                "passport_expiry": passport_expiry,
                "nationality": "KAZ",
                "phones": phones,
                "email": email,
                "messenger": messenger,
                "host_country": country,
                "city": party.city,
                "address": party.address,
                "presence_status": party.presence,
                "medical_condition": medical,
                "mobility_needs": mobility,
                "pregnant": pregnant,
                "notes": notes,
                "source": source,
                "source_ref": ref,
                "consent_date": consent,
            }
        )
        index = len(self.people) - 1
        party.members.append(index)
        return index

    def source(self, party: _Party) -> str:
        if party.kind == "tour_group" or party.operator:
            return _TOUR_OPERATOR if self.r() < 0.8 else _LIST_IMPORT
        return str(self.pick(_SOURCES))

    # parties -----------------------------------------------------------------------------

    def new_party(self, kind: str, country: str, city: str, operator: str | None = None,
                  presence: str | None = None, within: _Party | None = None) -> _Party:  # fmt: skip
        """A party; ``within`` is the tour group it travels with (same hotel, same status)."""
        party = _Party(kind, country, city, operator=operator)
        party.presence = presence or self.pick(
            _PRESENCE_GROUP if kind == "tour_group" else _PRESENCE
        )
        party.list_day = self.ch(self.list_days)
        if within is not None:
            party.hotel, party.address = within.hotel, within.address
        elif kind == "tour_group" or party.presence == _IN_HOTEL:
            hotels = _HOTELS[city]
            party.hotel = int(self.r() * len(hotels))
            name, address = hotels[party.hotel][:2]
            party.address = f"{name}, {address}"
        else:
            party.address = self.address(city)
        return party

    def _sub_party(self, kind: str, country: str, city: str, within: _Party | None) -> _Party:
        if within is None:
            return self.new_party(kind, country, city)
        return self.new_party(kind, country, city, within.operator, within.presence, within)

    def family(self, country: str, city: str, size: int, *, adults_only: bool = False,
               within: _Party | None = None) -> _Party:  # fmt: skip
        """Parents (or a mother alone) with minor children, sometimes a grandparent; or a couple."""
        r, ri = self.r, self.ri
        party = self._sub_party("family", country, city, within)
        kazakh = r() < 0.78
        surname = str(self.ch(_KZ_SURNAMES if kazakh else _RU_SURNAMES))
        style_ul = kazakh and r() < 0.45
        if adults_only or size <= 2:
            # a couple: retired pilgrims, honeymooners, working couples
            age = ri(58, 78) if country == "SA" and r() < 0.45 else ri(24, 60)
            self.person(party, sex="M", age=age, surname=surname, kazakh=kazakh, style_ul=style_ul)
            party.relations.append("head")
            if size > 1:
                wife_surname = surname if r() < 0.8 else str(self.ch(_KZ_SURNAMES))
                self.person(party, sex="F", age=max(18, age - ri(0, 6)), surname=wife_surname,
                            kazakh=kazakh, style_ul=style_ul, expecting=0.03)  # fmt: skip
                party.relations.append("spouse")
            party.name = f"Семья {_plural_surname(surname)}"
            return party
        single_mother = r() < 0.22
        grandparent = size >= 4 and r() < 0.2
        n_children = max(1, size - (1 if single_mother else 2) - (1 if grandparent else 0))
        child_ages = sorted((ri(0, 17) for _ in range(n_children)), reverse=True)
        mother_age = min(55, child_ages[0] + ri(20, 34))
        father = self.given("M", kazakh)
        if single_mother:
            self.person(party, sex="F", age=mother_age, surname=surname, kazakh=kazakh,
                        style_ul=style_ul, expecting=0.05)  # fmt: skip
            party.relations.append("head")
        else:
            self.person(party, sex="M", age=min(62, mother_age + ri(0, 7)), surname=surname,
                        kazakh=kazakh, style_ul=style_ul, given=father)  # fmt: skip
            party.relations.append("head")
            self.person(party, sex="F", age=mother_age, surname=surname, kazakh=kazakh,
                        style_ul=style_ul, expecting=0.07)  # fmt: skip
            party.relations.append("spouse")
        for age in child_ages:
            self.person(party, sex="M" if r() < 0.51 else "F", age=age, surname=surname,
                        kazakh=kazakh, father=father, style_ul=style_ul)  # fmt: skip
            party.relations.append("child")
        if grandparent:
            self.person(party, sex="F" if r() < 0.65 else "M", age=ri(max(60, mother_age + 20), 85),
                        surname=surname, kazakh=kazakh, style_ul=style_ul)  # fmt: skip
            party.relations.append("parent")
        party.name = f"Семья {_plural_surname(surname)}"
        return party

    def single(self, country: str, city: str, *, within: _Party | None = None,
               pilgrim: bool = False) -> _Party:  # fmt: skip
        """One adult: a worker, a student, a tourist or a pilgrim."""
        r = self.r
        party = self._sub_party("single", country, city, within)
        if pilgrim:
            age = int(_triangular(r(), 30, 84, 52))
        elif country == "IR" and r() < 0.55:
            age = self.ri(18, 27)  # students
        else:
            age = int(_triangular(r(), 19, 72, 31))
        sex = "M" if r() < 0.55 else "F"
        kazakh = r() < 0.75
        surname = str(self.ch(_KZ_SURNAMES if kazakh else _RU_SURNAMES))
        self.person(party, sex=sex, age=age, surname=surname, kazakh=kazakh,
                    style_ul=kazakh and r() < 0.45, expecting=0.01)  # fmt: skip
        party.relations.append("member")
        return party

    def tour_group(self, country: str, city: str, size: int) -> _Party:
        """Tourists or pilgrims of one operator: singles, couples and (in resorts) families."""
        r = self.r
        operator = str(self.ch(_OPERATORS[country]))
        pilgrims = country == "SA" or (country == "IR" and city == "Mashhad")
        group = self.new_party("tour_group", country, city, operator)
        while len(group.members) < size:
            left = size - len(group.members)
            roll = r()
            if left >= 3 and not pilgrims and roll < 0.15:
                part = self.family(country, city, min(left, self.ri(3, 4)), within=group)
                group.subgroups.append(part)
            elif left >= 2 and roll < 0.55:
                part = self.family(country, city, 2, adults_only=True, within=group)
                group.subgroups.append(part)
            else:
                part = self.single(country, city, within=group, pilgrim=pilgrims)
            group.members.extend(part.members)
            group.relations.extend("member" for _ in part.members)
        group.name = f"{operator}: {city}, группа {_GROUP_CODE[country]}-{next(self.group_no)}"
        flight = self.ch(("KC 896", "KC 902", "FS 7203", "KC 928", "DV 5712"))
        group.notes = f"Обратный рейс {flight} {self.days_ago(1, 8):%d.%m.%Y} отменён"
        return group

    def country_plans(self, country: str, quota: int) -> list[tuple[str, str, str, int]]:
        """Parties of one host country as (kind, country, city, size), ``quota`` people in all."""
        cities = _Weighted.of(_CITIES[country])
        single_w, family_w, tour_w = _PARTY_MIX[country]
        # weights per party drawn, so that the *people* come out in the intended shares
        per_party = (single_w, family_w / 3.6, tour_w / 16)
        total = sum(per_party)
        plans: list[tuple[str, str, str, int]] = []
        left = quota
        while left > 0:
            city = self.pick(cities)
            roll = self.r() * total
            if left < 3 or roll < per_party[0]:
                plan = ("single", country, city, 1)
            elif roll < per_party[0] + per_party[1]:
                plan = ("family", country, city, min(left, self.ch((2, 2, 3, 3, 4, 4, 4, 5, 6))))
            else:
                plan = ("tour_group", country, city, min(left, self.ri(8, 24)))
            left -= plan[3]
            plans.append(plan)
        return plans

    def run(self, count: int) -> _Demo:
        plans: list[tuple[str, str, str, int]] = []
        for country, quota in _quotas(count).items():
            plans.extend(self.country_plans(country, quota))
        # Interleave countries and kinds as registrations arrive (Fisher-Yates on random()).
        for i in range(len(plans) - 1, 0, -1):
            j = int(self.r() * (i + 1))
            plans[i], plans[j] = plans[j], plans[i]
        parties = []
        for kind, country, city, size in plans:
            if kind == "single":
                parties.append(self.single(country, city))
            elif kind == "family":
                parties.append(self.family(country, city, size))
            else:
                parties.append(self.tour_group(country, city, size))
        return _Demo(self.people, parties)


def _triangular(u: float, low: float, high: float, mode: float) -> float:
    """``random.triangular`` for a given uniform draw ``u``."""
    c = (mode - low) / (high - low)
    if u > c:
        return high + (low - high) * ((1.0 - u) * (1.0 - c)) ** 0.5
    return low + (high - low) * (u * c) ** 0.5


def _quotas(count: int) -> dict[str, int]:
    """``count`` split over host countries in proportion to :data:`COUNTRY_WEIGHTS`."""
    total = sum(COUNTRY_WEIGHTS.values())
    exact = {c: count * w / total for c, w in COUNTRY_WEIGHTS.items()}
    quotas = {c: int(v) for c, v in exact.items()}
    for c in sorted(exact, key=lambda c: quotas[c] - exact[c])[: count - sum(quotas.values())]:
        quotas[c] += 1
    return quotas


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (process-wide) for the block.

    Bulk work creates hundreds of thousands of small, acyclic objects; every few thousand the
    collector rescans all live ones, which makes 100,000 people take twice as long.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _generate(count: int, seed: int, today: date) -> _Demo:
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    with _no_cyclic_gc():
        return _Generator(seed, today).run(count)


def generate_nationals(
    count: int, seed: int = 1, *, today: date | None = None
) -> list[dict[str, Any]]:
    """Synthetic nationals as column dicts for :meth:`consuldesk.store.db.Tx.insert_nationals`.

    Families, couples and tour-group members come out together (shared surname stem, city and
    address); :func:`seed_demo` also records them as households.

    Args:
        count: how many people.
        seed: the random seed; the same seed and ``today`` give the same people.
        today: the date ages, passport expiry and consent dates are relative to (default: today).
    """
    return _generate(count, seed, today or date.today()).people


# -- the case file -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """How many records of each kind the demo wrote."""

    nationals: int
    by_country: dict[str, int]
    families: int
    tour_groups: int
    household_members: int
    hotels: int
    placements: int
    requests: int
    request_events: int
    operations: int
    trips: int
    on_leg: int = 0  # evacuation: people on the planned leg, seated or waiting for a seat
    boarded: int = 0


_EMPTY_CHECK = (National, Household, Hotel, AssistanceRequest, EvacuationOperation)


def _refuse_non_empty(session: Session) -> None:
    for model in _EMPTY_CHECK:
        table = model.__table__  # type: ignore[union-attr]
        if session.execute(select(table.c.id).limit(1)).first() is not None:
            raise ServiceError("demo.not_empty")


def _set_aside_some(people: list[dict[str, Any]], rng: random.Random) -> None:
    """As a real import would have left them: about one listed person in a hundred came with
    a mistyped IIN or phone number, kept aside on the record for an officer to review."""
    from consuldesk.domain.errors import ValidationError
    from consuldesk.domain.iin import parse_iin
    from consuldesk.domain.phone import normalize_phone
    from consuldesk.domain.review import ReviewItem, review_to_json

    for person in people:
        ref = person.get("source_ref")
        if not ref or rng.random() >= 0.012:
            continue
        line = rng.randint(2, 180)
        if person.get("iin") and rng.random() < 0.6:
            typed = person["iin"][:-1] + str((int(person["iin"][-1]) + rng.randint(1, 9)) % 10)
            try:
                parse_iin(typed)
            except ValidationError as exc:
                person["review"] = review_to_json(
                    [ReviewItem.from_error(exc, typed, source=ref, line=line)]
                )
                person["iin"] = None
            continue
        typed = f"+7 (7{rng.randint(60, 69)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
        typed += f"{rng.randint(10, 99)}"
        try:
            normalize_phone(typed)
        except ValidationError as exc:
            item = ReviewItem.from_error(exc, typed, field="phones", source=ref, line=line)
            person["review"] = review_to_json([item])


def seed_demo(
    desk: Desk,
    count: int = 3000,
    seed: int = 1,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> DemoSummary:
    """Fill an empty case file with demo data in one transaction.

    Writes ``count`` nationals (families and tour groups as households), hotels with current
    placements, open assistance requests with timelines, and one planned evacuation operation per
    route. Then, as an officer would, it plans the first leg of the Dubai operation (everyone
    with an open evacuation request in the pool, seats allocated) and checks in part of the
    first bus, so the evacuation page has something to show.

    Raises:
        ServiceError: ``demo.not_empty`` when the case file already holds records.
        Cancelled: ``cancel`` was set; nothing was written.
    """
    today = desk.today()
    steps = 6
    with desk.casefile.read() as session:
        _refuse_non_empty(session)  # before the work; checked again inside the transaction
    progress(0, steps, "demo.generate")
    rng = random.Random(seed * 7919 + 17)
    flag = cancel or CancelFlag()
    with _no_cyclic_gc():
        demo = _generate(count, seed, today)
        _set_aside_some(demo.people, random.Random(seed * 31 + 5))
        flag.check()
        with desk.write() as tx:
            _refuse_non_empty(tx.session)
            progress(1, steps, "demo.nationals")
            ids = tx.insert_nationals(demo.people)
            flag.check()
            progress(2, steps, "demo.households")
            families, groups, members = _households(tx, demo.parties, ids)
            flag.check()
            progress(3, steps, "demo.hotels")
            hotels, placements = _hotels(tx, rng, demo.parties, ids, today)
            flag.check()
            progress(4, steps, "demo.requests")
            requests, events = _requests(tx, rng, demo, ids, today)
            flag.check()
            progress(5, steps, "demo.operations")
            operations, trips = _operations(tx, rng)
            flag.check()
    on_leg, boarded = _evacuation_under_way(desk, rng)
    progress(steps, steps, "demo.done")
    by_country: dict[str, int] = {}
    for person in demo.people:
        by_country[person["host_country"]] = by_country.get(person["host_country"], 0) + 1
    return DemoSummary(
        nationals=len(ids),
        by_country=by_country,
        families=families,
        tour_groups=groups,
        household_members=members,
        hotels=hotels,
        placements=placements,
        requests=requests,
        request_events=events,
        operations=operations,
        trips=trips,
        on_leg=on_leg,
        boarded=boarded,
    )


def _evacuation_under_way(desk: Desk, rng: random.Random) -> tuple[int, int]:
    """Leg 1 of the Dubai operation planned and its first bus half boarded (own transactions).

    Returns:
        People on the leg (waiting or seated), and how many of them boarded.
    """
    from consuldesk.services import evacuation

    dubai = next((o for o in evacuation.list_operations(desk) if o.host_country == "AE"), None)
    if dubai is None or not dubai.legs:
        return 0, 0
    added = evacuation.add_to_pool(
        desk, dubai.id, 1, evacuation.CandidateCriteria(host_country="AE")
    ).row
    if not added:
        return 0, 0
    evacuation.allocate_leg(desk, dubai.id, 1)
    first = evacuation.get_operation(desk, dubai.id).legs[0].trips[0]
    seated = evacuation.passengers(desk, first.id)
    boarded = 0
    for row in seated[: len(seated) // 2]:
        if rng.random() < 0.9:
            evacuation.set_boarding(desk, row.entry_id, ManifestStatus.BOARDED)
            boarded += 1
    return added, boarded


def _sql_datetime(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite: naive UTC text."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _scalar_default(column: Any) -> Any:
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


def _conversion(column: Any) -> Any:
    """How a value of ``column`` becomes what SQLite stores (None: unchanged)."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return None
    return {datetime: _sql_datetime, date: date.isoformat, bool: int}.get(kind)


def _bulk_add(tx: Tx, model: type[Synced], rows: list[dict[str, Any]]) -> None:
    """Insert new rows of ``model`` through the driver, stamped and audited as ``tx.add`` does.

    ``tx.add`` goes through the ORM and Core ``insert()`` processes every parameter: both cost
    several times SQLite's own insert, and the demo writes a hundred thousand rows of these.
    """
    if not rows:
        return
    table = table_of(model)
    defaults = [(c.name, _scalar_default(c)) for c in table.columns]
    conversions = [(i, f) for i, c in enumerate(table.columns) if (f := _conversion(c))]
    now = _sql_datetime(tx.now)  # already text: no conversion
    fresh = new_ids(2 * len(rows))  # row ids, then audit event ids
    records = []
    audit = []
    for offset, row in enumerate(rows):
        version = str(tx.clock.now())
        record_id = row.setdefault("id", fresh[offset])
        changes = {k: [None, v] for k, v in row.items() if v not in (None, "") and k != "id"}
        row.setdefault("created_at", now)  # a request keeps the time it was opened
        row.update(
            updated_at=now,
            origin_post=tx.post_code,
            version=version,
            field_versions=json.dumps(versions.created(version)),  # as Tx.add keeps them
        )
        record = [row.get(name, default) for name, default in defaults]
        for index, convert in conversions:
            value = record[index]
            if value is not None and value is not now:
                record[index] = convert(value)
        records.append(tuple(record))
        audit.append(
            {
                "id": fresh[len(rows) + offset],
                "table_name": table.name,
                "record_id": record_id,
                "action": "create",
                "changes": changes,  # dates become ISO text when the audit is written
                "version": version,
            }
        )
    columns = ", ".join(name for name, _ in defaults)
    marks = ", ".join("?" for _ in defaults)
    tx.session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
        records,  # type: ignore[arg-type]
    )
    tx.audit_bulk(audit)
    created = tx.changes.created.setdefault(table.name, set())
    created.update(row["id"] for row in rows)


def _households(tx: Tx, parties: list[_Party], ids: list[str]) -> tuple[int, int, int]:
    households: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    families = groups = 0

    def add(party: _Party, kind: HouseholdKind) -> None:
        household_id = party.household_id = new_id()
        households.append(
            {
                "id": household_id,
                "name": party.name,
                "kind": kind.value,
                "head_id": ids[party.members[0]],
                "tour_operator": party.operator,
                "notes": party.notes,
            }
        )
        for index, relation in zip(party.members, party.relations, strict=True):
            members.append(
                {"household_id": household_id, "national_id": ids[index], "relation": relation}
            )

    for party in parties:
        if party.kind == "family":
            add(party, HouseholdKind.FAMILY)
            families += 1
        elif party.kind == "tour_group":
            add(party, HouseholdKind.TOUR_GROUP)
            groups += 1
            for sub in party.subgroups:
                add(sub, HouseholdKind.FAMILY)
                families += 1
    _bulk_add(tx, Household, households)
    _bulk_add(tx, HouseholdMember, members)
    return families, groups, len(members)


def _hotels(
    tx: Tx, rng: random.Random, parties: list[_Party], ids: list[str], today: date
) -> tuple[int, int]:
    """Hotels in every host city, with current placements for the people staying in them."""
    guests: dict[tuple[str, int], list[list[int]]] = {}  # (city, hotel number) -> rooms
    for party in parties:
        if party.presence != _IN_HOTEL or party.hotel is None:
            continue
        # a room per family (up to four beds), tour-group singles two to a room
        rooms: list[list[int]] = []
        taken: set[int] = set()
        for sub in party.subgroups:
            rooms.extend(sub.members[i : i + 4] for i in range(0, len(sub.members), 4))
            taken.update(sub.members)
        rest = [m for m in party.members if m not in taken]
        step = 2 if party.kind == "tour_group" else 4
        rooms.extend(rest[i : i + step] for i in range(0, len(rest), step))
        guests.setdefault((party.city, party.hotel), []).extend(rooms)
    hotels: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    for country, cities in _CITIES.items():
        for city, _weight in cities:
            for number, (name, address, currency, rate, operator) in enumerate(_HOTELS[city]):
                rooms = guests.get((city, number), [])
                hotel_id = new_id()
                people = sum(len(r) for r in rooms)
                spare_rooms = rng.randint(3, 25)
                per_room = operator is None
                basis = RateBasis.ROOM if per_room else RateBasis.PERSON
                rate = rate * _ROOM_RATE_FACTOR if per_room else rate
                hotels.append(
                    {
                        "id": hotel_id,
                        "name": name,
                        "city": city,
                        "address": address,
                        "phone": f"{_HOTEL_PHONE[country]}{rng.randrange(10**6):06d}",
                        "rooms": len(rooms) + spare_rooms,
                        "beds": people + 2 * spare_rooms,
                        "nightly_rate_minor": rate * 100,
                        "currency": currency,
                        "tour_operator": operator,
                        "notes": "Договор с посольством" if operator is None else None,
                        "rate_basis": basis.value,
                        "country": country,
                    }
                )
                floor_room = itertools.count(0)
                for room in rooms:
                    n = next(floor_room)
                    room_no = f"{2 + n // 30}{n % 30 + 1:02d}"
                    check_in = today - timedelta(days=rng.randint(0, 9))
                    room_group = new_id() if per_room else None  # the room's first stay
                    for position, index in enumerate(room):
                        operator_pays = rng.random() < 0.5 and operator is not None
                        placements.append(
                            {
                                "id": room_group if position == 0 and per_room else new_id(),
                                "room_group": room_group,
                                "rate_basis": basis.value,
                                "national_id": ids[index],
                                "hotel_id": hotel_id,
                                "room": room_no,
                                "check_in": check_in,
                                # guests still checked in leave after tonight, or have no
                                # date yet (airspace closed)
                                "check_out": max(
                                    check_in + timedelta(days=rng.randint(5, 14)),
                                    today + timedelta(days=1),
                                )
                                if rng.random() < 0.6
                                else None,
                                "status": PlacementStatus.CHECKED_IN.value,
                                "nightly_cost_minor": rate * 100,
                                "currency": currency,
                                "paid_by": (
                                    PaidBy.TOUR_OPERATOR if operator_pays else PaidBy.POST
                                ).value,
                            }
                        )
    _bulk_add(tx, Hotel, hotels)
    _bulk_add(tx, Placement, placements)
    return len(hotels), len(placements)


_REQUEST_KINDS = (
    (RequestKind.EVACUATION, 46), (RequestKind.ACCOMMODATION, 12), (RequestKind.MEDICAL, 9),
    (RequestKind.DOCUMENTS, 11), (RequestKind.FINANCIAL, 8), (RequestKind.DETENTION, 2),
    (RequestKind.INFORMATION, 11), (RequestKind.DEATH, 1),
)  # fmt: skip
_SUMMARIES: dict[RequestKind, tuple[str, ...]] = {
    RequestKind.EVACUATION: ("Просит включить в список на эвакуацию",
                             "Просит эвакуировать в Алматы", "Просит место в автобусе до границы"),
    RequestKind.ACCOMMODATION: ("Выселяют из гостиницы, оплата закончилась",
                                "Негде жить после отмены рейса"),
    RequestKind.MEDICAL: ("Заканчиваются лекарства, нужен рецепт",
                          "Нужна госпитализация", "Нужен инсулин, запас на 3 дня"),
    RequestKind.DOCUMENTS: ("Паспорт просрочен, нужно свидетельство на возвращение",
                            "Утерян паспорт", "Паспорт удерживает работодатель"),
    RequestKind.FINANCIAL: ("Нет средств на проживание и питание",
                            "Просит помочь с оплатой билета"),
    RequestKind.DETENTION: ("Задержан полицией, родственники просят помощи",
                            "Задержан в аэропорту"),
    RequestKind.INFORMATION: ("Спрашивает о графике эвакуационных рейсов",
                              "Спрашивает, открыта ли граница"),
    RequestKind.DEATH: ("Скончался, родственники просят помочь с репатриацией",),
}  # fmt: skip
_EVENT_TEXTS = (
    (TimelineKind.CALL_IN, "Звонок на горячую линию"),
    (TimelineKind.CALL_OUT, "Перезвонили, ждут информацию о рейсе"),
    (TimelineKind.NOTE, "Данные сверены с паспортом"),
    (TimelineKind.CALL_OUT, "Не дозвонились, оставили сообщение в WhatsApp"),
    (TimelineKind.NOTE, "Сообщили адрес пункта сбора"),
)


def _requests(
    tx: Tx, rng: random.Random, demo: _Demo, ids: list[str], today: date
) -> tuple[int, int]:
    """Open requests of every kind (evacuation most common), each with a short timeline."""
    people = demo.people
    # The real clock when the demo is for today (times must not lie in the future of the officer
    # looking at it); a fixed 09:00 for another day, so tests and benchmarks stay repeatable.
    if today == tx.now.date():
        now = tx.now.replace(second=0, microsecond=0)
    else:
        now = datetime.combine(today, time(9, 0), tzinfo=UTC)
    requests: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    n_requests = max(len(_REQUEST_KINDS), len(people) // 14) if people else 0
    chosen = rng.sample(demo.parties, min(n_requests, len(demo.parties)))  # one per party at most
    for number, party in enumerate(chosen):
        index = party.members[0]
        person = people[index]
        kind: RequestKind = rng.choices(
            [k for k, _ in _REQUEST_KINDS], [w for _, w in _REQUEST_KINDS]
        )[0]
        if number < len(_REQUEST_KINDS):  # every kind at least once
            kind = _REQUEST_KINDS[number][0]
        vulnerable = bool(
            person["medical_condition"] or person["mobility_needs"] or person["pregnant"]
        )
        if kind in (RequestKind.DETENTION, RequestKind.DEATH) or (
            vulnerable and rng.random() < 0.7
        ):
            priority = RequestPriority.URGENT
        elif kind is RequestKind.INFORMATION:
            priority = RequestPriority.LOW
        else:
            priority = rng.choices(
                (RequestPriority.HIGH, RequestPriority.NORMAL, RequestPriority.LOW), (3, 6, 1)
            )[0]
        status = rng.choices(
            (RequestStatus.NEW, RequestStatus.IN_PROGRESS, RequestStatus.WAITING), (45, 40, 15)
        )[0]
        assignee = (
            rng.choice(OFFICERS) if status is not RequestStatus.NEW or rng.random() < 0.3 else None
        )
        hours = {RequestPriority.URGENT: 6, RequestPriority.HIGH: 24, RequestPriority.NORMAL: 48,
                 RequestPriority.LOW: 96}[priority]  # fmt: skip
        # Opened recently enough that about one in eight is past its due time, as on a busy
        # but functioning hotline (a sea of red would hide the ones that matter).
        opened = now - timedelta(minutes=rng.randint(10, int(hours * 60 * 1.15)))
        due = opened + timedelta(hours=hours)
        summary = rng.choice(_SUMMARIES[kind])
        if kind is RequestKind.EVACUATION and party.household_id is not None:
            summary = f"{summary} ({len(party.members)} чел.)"
        request_id = new_id()
        requests.append(
            {
                "id": request_id,
                "national_id": ids[index],
                "household_id": party.household_id,
                "kind": kind.value,
                "priority": priority.value,
                "status": status.value,
                "summary": summary,
                "details": person["medical_condition"] if kind is RequestKind.MEDICAL else None,
                "assignee": assignee,
                "due_at": due,
                "created_at": opened,
            }
        )
        at = opened
        for event_no in range(rng.randint(1, 2)):
            event_kind, text = _EVENT_TEXTS[0] if event_no == 0 else rng.choice(_EVENT_TEXTS[1:])
            events.append(
                {
                    "request_id": request_id,
                    "at": at,
                    "kind": event_kind.value,
                    "author": rng.choice(OFFICERS),
                    "text": text,
                }
            )
            at = min(at + timedelta(minutes=rng.randint(10, 600)), now)  # never in the future
        if assignee:
            events.append(
                {
                    "request_id": request_id,
                    "at": at,
                    "kind": TimelineKind.ASSIGNMENT.value,
                    "author": rng.choice(OFFICERS),
                    "text": f"Назначено: {assignee}",
                }
            )
    _bulk_add(tx, AssistanceRequest, requests)
    _bulk_add(tx, RequestEvent, events)
    return len(requests), len(events)


def _operations(tx: Tx, rng: random.Random) -> tuple[int, int]:
    """One planned operation per evacuation route, each with a few planned trips."""
    operations: list[dict[str, Any]] = []
    trips: list[dict[str, Any]] = []
    start = tx.now.replace(hour=6, minute=0, second=0) + timedelta(days=1)
    for country, name, route, legs in _ROUTES:
        operation_id = new_id()
        operations.append(
            {
                "id": operation_id,
                "name": name,
                "route": route,
                "host_country": country,
                "status": OperationStatus.PLANNED.value,
                "notes": None,
            }
        )
        departure = start + timedelta(days=rng.randint(0, 2), hours=rng.randint(0, 12))
        for leg_no, (mode, origin, destination, border, capacity, carrier, vehicles) in enumerate(
            legs, 1
        ):
            for vehicle in vehicles:
                trips.append(
                    {
                        "operation_id": operation_id,
                        "leg_no": leg_no,
                        "mode": mode.value,
                        "origin": origin,
                        "destination": destination,
                        "border_crossing": border,
                        "departure_at": departure,
                        "capacity": capacity,
                        "vehicle": vehicle,
                        "carrier": carrier,
                        "escort_officer": rng.choice(OFFICERS) if leg_no == 1 else None,
                        "status": OperationStatus.PLANNED.value,
                    }
                )
            departure += timedelta(hours=rng.randint(8, 20))
    _bulk_add(tx, EvacuationOperation, operations)
    _bulk_add(tx, Trip, trips)
    return len(operations), len(trips)
