"""Small builders for test records."""

from __future__ import annotations

from datetime import date

from consuldesk.domain.enums import Sex
from consuldesk.domain.iin import make_iin
from consuldesk.domain.national import NationalFields


def valid_iin(birth: date, sex: Sex, serial: int = 1) -> str:
    """A valid IIN for a birth date and sex (tries serials until the check digit is usable)."""
    for candidate in range(serial, serial + 50):
        try:
            return make_iin(birth, sex, candidate)
        except ValueError:
            continue
    raise AssertionError("no usable serial")


def person(**overrides: object) -> NationalFields:
    """A valid Kazakh national; override any field."""
    values: dict[str, object] = {
        "surname_cyr": "Қасымова",
        "given_names_cyr": "Әйгерім",
        "surname_lat": "KASSYMOVA",
        "given_names_lat": "AIGERIM",
        "sex": Sex.FEMALE,
        "birth_date": date(1985, 3, 4),
        "host_country": "AE",
        "city": "Dubai",
        "phones": ("+77012345678",),
    }
    values.update(overrides)
    return NationalFields(**values)  # type: ignore[arg-type]


def evacuees(desk) -> dict:
    """Five people with open evacuation requests: a family of three (a mother with two
    children), a man over 60 with an expired passport, and a young man; plus a man already
    evacuated (never a candidate). Keys: mother, son, daughter, elder, young, gone, family."""
    from consuldesk.domain.enums import HouseholdKind, PresenceStatus, RequestKind
    from consuldesk.services import households, nationals, requests

    def register(**overrides):
        return nationals.register_national(desk, person(**overrides)).row

    def evac_request(national_id=None, household_id=None):
        return requests.open_request(
            desk,
            RequestKind.EVACUATION,
            "Evacuation please",
            national_id=national_id,
            household_id=household_id,
        )

    mother = register(surname_cyr="Әбілова", given_names_cyr="Гүлнұр",
                      surname_lat="ABILOVA", given_names_lat="GULNUR",
                      passport_no="N11111111", passport_expiry=date(2030, 1, 1),
                      consent_date=date(2026, 3, 1))  # fmt: skip
    son = register(surname_cyr="Әбілов", given_names_cyr="Нұрлан", surname_lat="ABILOV",
                   given_names_lat="NURLAN", sex=Sex.MALE, birth_date=date(2015, 5, 5),
                   passport_no="N22222222", passport_expiry=date(2030, 1, 1),
                   consent_date=date(2026, 3, 1))  # fmt: skip
    daughter = register(surname_cyr="Әбілова", given_names_cyr="Іңкәр",
                        surname_lat="ABILOVA", given_names_lat="INKAR",
                        birth_date=date(2018, 6, 6), passport_no="N33333333",
                        passport_expiry=date(2030, 1, 1),
                        consent_date=date(2026, 3, 1))  # fmt: skip
    elder = register(surname_cyr="Өтегенов", given_names_cyr="Қайрат",
                     surname_lat="OTEGENOV", given_names_lat="KAIRAT", sex=Sex.MALE,
                     birth_date=date(1950, 1, 1), passport_no="N44444444",
                     passport_expiry=date(2025, 1, 1))  # fmt: skip
    young = register(surname_cyr="Һашимов", given_names_cyr="Ұлан",
                     surname_lat="KHASHIMOV", given_names_lat="ULAN", sex=Sex.MALE,
                     birth_date=date(1999, 9, 9), passport_no="N55555555",
                     passport_expiry=date(2031, 1, 1), consent_date=date(2026, 3, 1))  # fmt: skip
    gone = register(surname_cyr="Сейіт", given_names_cyr="Ерлан", surname_lat="SEIIT",
                    given_names_lat="ERLAN", sex=Sex.MALE, birth_date=date(1990, 1, 1),
                    presence_status=PresenceStatus.EVACUATED)  # fmt: skip
    family = households.create_household(
        desk, "Әбіловтер", HouseholdKind.FAMILY, head_id=mother.id,
        member_ids=[mother.id, son.id, daughter.id],
    ).row  # fmt: skip
    evac_request(household_id=family.id)
    for p in (elder, young, gone):
        evac_request(national_id=p.id)
    return {"mother": mother, "son": son, "daughter": daughter, "elder": elder,
            "young": young, "gone": gone, "family": family}  # fmt: skip


def people_from_posts(desk, ages: dict) -> None:
    """One person from each post of ``ages`` (post code → how long ago its newest bundle
    was made), written as an import of their bundles leaves them: registered there, and the
    peer's bundle remembered."""
    from datetime import UTC, datetime

    from consuldesk.services import nationals
    from consuldesk.store.models import National, SyncPeer

    now = datetime.now(UTC).replace(microsecond=0)
    surnames = ("Омаров", "Әлиев", "Серікбаев", "Жұмабаев")
    for i, (post, age) in enumerate(ages.items()):
        row = nationals.register_national(
            desk,
            person(passport_no=f"N7000000{i}", surname_cyr=surnames[i], surname_lat=None, iin=None),
        ).row
        with desk.write() as tx:
            record = tx.session.get(National, row.id)
            record.origin_post = post
            tx.session.add(record)
            tx.session.add(SyncPeer(post_code=post, acked={}, last_bundle_made=now - age))
