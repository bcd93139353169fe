"""Import and export dialogs: dry run with the column mapping and rejected rows, then the import,
cancel, list errors, and export; all in the background."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from consuldesk.domain.enums import Sex, Source
from consuldesk.services import nationals
from consuldesk.ui.dialogs.export_list import ExportDialog
from consuldesk.ui.dialogs.import_list import (
    ImportDialog,
    MappingModel,
    RowErrorsModel,
    WorkProgress,
    open_import,
)
from tests.factories import person, valid_iin

IIN_AIGERIM = valid_iin(date(1985, 3, 4), Sex.FEMALE)
IIN_NURSULTAN = valid_iin(date(1990, 7, 6), Sex.MALE)
IIN_ERLAN = valid_iin(date(1978, 11, 20), Sex.MALE)
# The same IIN with its check digit mistyped.
BAD_IIN_ERLAN = IIN_ERLAN[:-1] + str((int(IIN_ERLAN[-1]) + 1) % 10)

RU_HEADER = ["№", "Фамилия", "Имя", "ИИН", "Дата рождения", "Пол", "Телефон", "Номер комнаты"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path

    QApplication.processEvents()


@pytest.fixture
def changes(ctx):
    seen = []
    ctx.events.changed.connect(seen.append)
    return seen


@pytest.fixture
def tour_list(tmp_path) -> Path:
    return write_csv(
        tmp_path / "tour.csv",
        [
            RU_HEADER,
            ["1", "Қасымова", "Әйгерім", IIN_AIGERIM, "04.03.1985", "Ж", "+77012345678", "12"],
            ["2", "Әбілқасымов", "Нұрсұлтан", IIN_NURSULTAN, "06.07.1990", "М", "", "14"],
            ["3", "Жұмабаев", "Ерлан", BAD_IIN_ERLAN, "20.11.1978", "М", "", "14"],
        ],
    )


def make_dialog(qtbot, ctx, path: Path | None = None) -> ImportDialog:
    dialog = ImportDialog(ctx, None, path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def wait_checked(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy and dialog.report is not None, timeout=10000)


def test_dry_run_shows_mapping_and_rejected_row_and_saves_nothing(qtbot, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx)
    dialog.choose_file = lambda: tour_list  # no native file dialog in tests
    dialog.choose_button.click()
    wait_checked(qtbot, dialog)

    report = dialog.report
    assert report.dry_run and report.total_rows == 3 and report.invalid == 1
    model = dialog.mapping_model
    shown = {
        model.index(r, MappingModel.COL_HEADER).data(): model.index(
            r, MappingModel.COL_TARGET
        ).data()
        for r in range(model.rowCount())
    }
    assert shown["Фамилия"] == "Surname"
    assert shown["ИИН"] == "IIN"
    assert shown["Дата рождения"] == "Date of birth"
    assert shown["Номер комнаты"] == "ignored"
    assert "CSV text, UTF-8, separated by semicolons" in dialog.format_label.text()
    assert dialog.count_labels["rows"].text() == "3"
    assert dialog.count_labels["new"].text() == "2"
    assert dialog.count_labels["rejected"].text() == "1"

    errors = dialog.errors_model
    assert errors.rowCount() == 1
    assert errors.index(0, RowErrorsModel.COL_LINE).data() == 4
    assert errors.index(0, RowErrorsModel.COL_FIELD).data() == "IIN"
    assert "check digit" in errors.index(0, RowErrorsModel.COL_MESSAGE).data()
    assert dialog.tabs.currentIndex() == 1  # the officer sees the rejected row first

    assert nationals.count_nationals(ctx.desk) == 0  # a dry run writes nothing
    assert not list(tour_list.parent.glob("*.errors*.csv"))
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "&Import 2 people"


def test_import_makes_people_searchable_and_tells_the_pages(qtbot, ctx, changes, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    dialog.tour_operator_check.setChecked(True)
    wait_checked(qtbot, dialog)
    with qtbot.waitSignal(dialog.imported, timeout=10000) as blocker:
        dialog.import_button.click()
    report = blocker.args[0]
    assert not report.dry_run and report.created == 2

    found = nationals.search(ctx.desk, "Нұрсұлтан").rows
    assert [r.iin for r in found] == [IIN_NURSULTAN]
    assert nationals.search(ctx.desk, IIN_AIGERIM).rows[0].source == Source.TOUR_OPERATOR
    assert changes and changes[-1] is report.changes
    assert "Imported: 2 new" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()

    # The rejected row went to an error file beside the list; its folder opens on request.
    assert report.error_file is not None and report.error_file.exists()
    assert report.error_file.parent == tour_list.parent
    assert not dialog.open_folder_button.isHidden()
    assert str(report.error_file) in dialog.error_file_label.text()
    opened = []
    dialog.open_folder = opened.append
    dialog.open_folder_button.click()
    assert opened == [tour_list.parent]


def test_a_list_without_a_name_column_is_explained(qtbot, ctx, tmp_path):
    path = write_csv(tmp_path / "phones.csv", [["ИИН", "Телефон"], [IIN_AIGERIM, "+77012345678"]])
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "has no surname or name column" in dialog.status_label.text()
    assert dialog.report is None
    assert not dialog.import_button.isEnabled()
    assert dialog.choose_button.isEnabled()


def test_a_file_that_is_not_a_list_is_explained(qtbot, ctx, tmp_path):
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"%PDF-1.4")
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "use CSV or XLSX" in dialog.status_label.text()


def test_cancelling_a_long_import_leaves_the_case_file_unchanged(qtbot, ctx, changes, tmp_path):
    surnames = ["Қасымов", "Әбілов", "Жұмабаев", "Нұрланов", "Серіков", "Оспанов"]
    given = ["Ерлан", "Нұрсұлтан", "Асқар", "Бауыржан", "Дәурен", "Ғалым", "Мұрат", "Талғат"]
    rows = [["Фамилия", "Имя", "ИИН", "Дата рождения"]]
    for i in range(3000):
        born = date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                surnames[i % len(surnames)],
                given[(i // len(surnames)) % len(given)],
                valid_iin(born, Sex.MALE, serial=1 + (i % 500) * 10),
                f"{born:%d.%m.%Y}",
            ]
        )
    path = write_csv(tmp_path / "big.csv", rows)
    dialog = make_dialog(qtbot, ctx, path)
    wait_checked(qtbot, dialog)
    assert dialog.importable() > 2000

    dialog.import_button.click()
    assert dialog.busy
    dialog.cancel_button.click()  # right after starting
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20000)

    assert dialog.status_label.text() == "Import cancelled. Nothing was imported."
    assert nationals.count_nationals(ctx.desk) == 0
    assert changes == []
    assert dialog.import_button.isEnabled()  # the officer may import after all


def test_escape_cancels_the_work_before_closing(qtbot, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    assert dialog.busy
    dialog.reject()  # Esc while checking: cancel, stay open
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    dialog.reject()
    assert not dialog.isVisible()


def test_progress_bar_shows_only_after_half_a_second(qtbot):
    strip = WorkProgress()
    qtbot.addWidget(strip)
    strip.start("Working")
    assert strip.isHidden()
    qtbot.waitUntil(lambda: not strip.isHidden(), timeout=2000)
    strip.set_progress(500, 1000, "list.check")
    assert strip.bar.value() == 500 and strip.label.text() == "Checking rows…"
    strip.stop()
    assert strip.isHidden()


def test_open_import_asks_for_a_file(qtbot, ctx, tour_list, monkeypatch):
    monkeypatch.setattr(ImportDialog, "choose_file", lambda self: tour_list)
    dialog = open_import(ctx, None)
    qtbot.addWidget(dialog)
    wait_checked(qtbot, dialog)
    assert dialog.path == tour_list


def test_models_pass_the_model_tester(qtbot, qtmodeltester, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    wait_checked(qtbot, dialog)
    qtmodeltester.check(dialog.mapping_model)
    qtmodeltester.check(dialog.errors_model)


# -- export --------------------------------------------------------------------------------


def test_export_to_csv_writes_everyone(qtbot, ctx, tmp_path):
    nationals.register_national(ctx.desk, person())
    nationals.register_national(
        ctx.desk,
        person(surname_cyr="Әбілқасымов", given_names_cyr="Нұрсұлтан", surname_lat="ABILKASSYMOV"),
    )
    dialog = ExportDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "2 nationals" in dialog.scope_label.text(), timeout=5000)
    target = tmp_path / "out" / "list.csv"
    target.parent.mkdir()
    dialog.choose_file = lambda: target
    dialog.choose_button.click()
    assert dialog.format_label.text().startswith("CSV")
    dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("ru"))

    with qtbot.waitSignal(dialog.exported, timeout=10000) as blocker:
        dialog.export_button.click()
    assert blocker.args == [2]
    with target.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    assert len(lines) == 3 and "Фамилия" in lines[0]
    assert {line[lines[0].index("Фамилия")] for line in lines[1:]} == {"Қасымова", "Әбілқасымов"}
    assert dialog.status_label.text() == f"2 nationals written to {target}."
    opened = []
    dialog.open_folder = opened.append
    dialog.open_folder_button.click()
    assert opened == [target.parent]


def test_export_needs_a_csv_or_xlsx_name(qtbot, ctx, tmp_path):
    dialog = ExportDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "list.pdf"))
    assert not dialog.export_button.isEnabled()
    assert "must end in .csv or .xlsx" in dialog.format_label.text()
    dialog.path_edit.setText(str(tmp_path / "list.xlsx"))
    assert dialog.export_button.isEnabled()
    assert dialog.format_label.text() == "Excel workbook (XLSX)"
