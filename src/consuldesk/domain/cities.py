"""Canonical names of cities where nationals are, so that counts do not split by spelling.

Lists arrive with "Дубай", "Dubai", "Дубаи" or "DUBAI" for one city. A city we know becomes its
usual English name (as hotels, airlines and the demo data write it); anything else is kept as
typed, with spacing tidied. The table covers the host countries of current crises and their
border crossings; it is data, extended as posts need.
"""

from __future__ import annotations

from functools import cache, lru_cache

from consuldesk.domain.names import cyr_key, latin_key

#: Canonical English name → other spellings (Russian, Kazakh, transliterations, local forms).
CITIES: dict[str, tuple[str, ...]] = {
    # United Arab Emirates
    "Dubai": ("Дубай", "Дубаи", "Dubay"),
    "Abu Dhabi": ("Абу-Даби", "Абу Даби", "Әбу-Даби", "Abudhabi"),
    "Sharjah": ("Шарджа", "Шаржа", "Sharja"),
    "Ajman": ("Аджман", "Ажман"),
    "Ras Al Khaimah": ("Рас-эль-Хайма", "Рас Аль Хайма", "RAK"),
    "Fujairah": ("Фуджейра", "Фуджайра"),
    "Al Ain": ("Аль-Айн", "Эль-Айн"),
    # Saudi Arabia
    "Riyadh": ("Эр-Рияд", "Рияд", "Ар-Рияд", "Riyad"),
    "Jeddah": ("Джидда", "Жидда", "Jidda", "Jedda"),
    "Mecca": ("Мекка", "Makkah", "Меккe"),
    "Medina": ("Медина", "Madinah", "Мәдина"),
    "Dammam": ("Даммам",),
    # Qatar
    "Doha": ("Доха",),
    "Al Wakrah": ("Эль-Вакра", "Аль-Вакра", "Wakrah"),
    "Al Khor": ("Эль-Хор", "Аль-Хор"),
    # Iran
    "Tehran": ("Тегеран", "Теһран", "Tehran"),
    "Mashhad": ("Мешхед", "Машхад"),
    "Isfahan": ("Исфахан", "Esfahan"),
    "Tabriz": ("Тебриз",),
    "Shiraz": ("Шираз",),
    "Astara": ("Астара",),
    # Israel
    "Tel Aviv": ("Тель-Авив", "Тель Авив", "Tel-Aviv"),
    "Jerusalem": ("Иерусалим",),
    "Haifa": ("Хайфа",),
    "Eilat": ("Эйлат",),
    # Transit and destination cities on evacuation routes
    "Muscat": ("Маскат",),
    "Cairo": ("Каир",),
    "Baku": ("Баку",),
    "Yerevan": ("Ереван",),
    "Ashgabat": ("Ашхабад", "Ашгабат"),
    "Istanbul": ("Стамбул",),
    # Turkey's coast: where many Kazakh tourists are when flights stop
    "Antalya": ("Анталья", "Анталия", "Анталья қаласы"),
    "Alanya": ("Аланья", "Алания"),
    "Kemer": ("Кемер",),
    "Side": ("Сиде",),
    "Bodrum": ("Бодрум",),
}


def _key(text: str) -> str:
    return " ".join(
        cyr_key(w) if any("\u0400" <= c <= "\u04ff" for c in w) else latin_key(w)
        for w in text.replace("-", " ").split()
    )


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, variants in CITIES.items():
        for spelling in (canonical, *variants):
            index[_key(spelling)] = canonical
            index[_key(spelling).replace(" ", "")] = canonical
    return index


@lru_cache(maxsize=4096)
def canonical_city(name: str | None) -> str | None:
    """The canonical name of a known city; other names come back as given (spacing tidied).

    Cached: a list names a few cities many times.
    """
    if not name or not name.strip():
        return None
    tidy = " ".join(name.split())
    key = _key(tidy)
    return _index().get(key) or _index().get(key.replace(" ", "")) or tidy


def place_key(text: str | None) -> str | None:
    """What tells two places apart or alike: ``Дубай``, ``DUBAI`` and ``Dubai, Al Quoz`` are
    one place (a known city in either script; a vehicle's origin may add a district after a
    comma or in brackets). ``None`` for no place."""
    city = canonical_city(text)
    if city is None:
        return None
    if city not in CITIES:
        head = city.split(",")[0].split("(")[0].strip()
        if canonical_city(head) in CITIES:
            city = canonical_city(head) or city
    return _key(city)
