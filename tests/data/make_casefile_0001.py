"""How tests/data/casefile-0001.consuldesk was made (schema 0001, ConsulDesk 0.1.0).

Run once and committed; never regenerate it with a newer ConsulDesk, or the migration test
stops testing what a case file made by the first version looks like.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from consuldesk.domain.enums import Sex
from consuldesk.domain.iin import make_iin
from consuldesk.domain.national import NationalFields
from consuldesk.services import nationals
from consuldesk.services.casefile import create_casefile
from consuldesk.store.models import AssistanceRequest, Household, HouseholdMember

OUT = Path(__file__).with_name("casefile-0001.consuldesk")


def main() -> None:
    OUT.unlink(missing_ok=True)
    desk = create_casefile(
        OUT,
        post_code="IR-THR",
        post_name="Посольство в Тегеране",
        host_country="IR",
        officer="Первый офицер",
    )
    mother = nationals.register_national(
        desk,
        NationalFields(
            surname_cyr="Жүсіпова",
            given_names_cyr="Гүлнұр",
            surname_lat="ZHUSSIPOVA",
            given_names_lat="GULNUR",
            iin=make_iin(date(1988, 7, 14), Sex.FEMALE, 4321),
            passport_no="N04433221",
            phones=("+77019998877",),
            host_country="IR",
            city="Tehran",
        ),
    ).row
    son = nationals.register_national(
        desk,
        NationalFields(
            surname_cyr="Жүсіпов",
            given_names_cyr="Әлихан",
            surname_lat="ZHUSSIPOV",
            given_names_lat="ALIKHAN",
            birth_date=date(2016, 2, 29),
            sex=Sex.MALE,
            host_country="IR",
            city="Tehran",
        ),
    ).row
    with desk.casefile.write("Первый офицер") as tx:
        family = Household(name="Жүсіповтер", kind="family", head_id=mother.id)  # type: ignore[call-arg]
        tx.add(family)
        for person in (mother, son):
            tx.add(HouseholdMember(household_id=family.id, national_id=person.id))  # type: ignore[call-arg]
        tx.add(
            AssistanceRequest(
                national_id=mother.id,
                kind="evacuation",
                priority="high",  # type: ignore[call-arg]
                summary="Эвакуация через Астару",
            )
        )
    desk.close()
    con = sqlite3.connect(OUT)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("VACUUM")
    con.close()


if __name__ == "__main__":
    main()
