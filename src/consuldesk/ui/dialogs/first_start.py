"""First start: create the post's case file, open an existing one, or look around in a demo."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pycountry  # the list of countries to offer; names come from domain.countries
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.countries import country_code, country_name
from consuldesk.i18n import _, language
from consuldesk.messages import describe
from consuldesk.services import access
from consuldesk.services.casefile import create_casefile, normalise_post_code, open_casefile
from consuldesk.services.desk import Desk
from consuldesk.store.paths import CASEFILE_SUFFIX, casefile_path, data_dir
from consuldesk.ui.dialogs.login import OFFICER_KEY, LoginDialog, error_label, password_field
from consuldesk.ui.tasks import TaskRunner

DEMO_POST = "DEMO"
DEMO_COUNT = 3000
DEMO_COUNTRY = "AE"
LAST_CASEFILE_KEY = "casefile/last"


def default_officer(settings: QSettings | None) -> str:
    """Who is at the keyboard: the name saved in settings, else the login name."""
    saved = str(settings.value(OFFICER_KEY, "") or "") if settings is not None else ""
    return (
        saved.strip()
        or os.environ.get("CONSULDESK_OFFICER")
        or os.environ.get("USER")
        or os.environ.get("USERNAME")
        or "officer"
    )


def officer_name_saved(settings: QSettings | None) -> bool:
    """Whether an officer's name was ever given here (else the audit trail would record the
    computer's login name, or "officer")."""
    return settings is not None and bool(str(settings.value(OFFICER_KEY, "") or "").strip())


def ask_officer_name(
    settings: QSettings,
    ask: Callable[[str], str | None] | None = None,
) -> str:
    """Ask who is at the keyboard, once, before a case file opens without the first-start
    dialog (the demo, a case file named on the command line): the audit trail, printed
    documents and bundles to headquarters record the name. Closing the question keeps the
    login name. ``ask`` replaces the question in tests."""
    suggested = default_officer(settings)
    if ask is None:

        def ask(suggestion: str) -> str | None:
            dialog = QInputDialog()
            dialog.setWindowTitle(_("Who is at the keyboard?"))
            dialog.setLabelText(
                _(
                    "Your name, as the audit trail, printed documents and bundles to "
                    "headquarters will record it (Settings can change it later):"
                )
            )
            dialog.setTextValue(suggestion)
            if (label := dialog.findChild(QLabel)) is not None:
                label.setWordWrap(True)  # a box of a sensible width, not one long line
                label.setMinimumWidth(420)
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.textValue() if accepted else None

    answer = (ask(suggested) or "").strip()
    name = answer or suggested
    settings.setValue(OFFICER_KEY, name)
    return name


def remember(settings: QSettings | None, desk: Desk) -> None:
    """Save the officer's name and the case file's path for the next start."""
    if settings is not None:
        settings.setValue(OFFICER_KEY, desk.officer)
        settings.setValue(LAST_CASEFILE_KEY, str(desk.path))


class FirstStartDialog(QDialog):
    """Shown when the data folder holds no case file. Enter starts the demo.

    After ``accept()``, :attr:`desk` is the open case file.

    Signals:
        opened(object): the :class:`Desk` of the case file that was created or opened.
    """

    opened = Signal(object)

    def __init__(
        self,
        data_folder: Path | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        demo_count: int = DEMO_COUNT,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.data_folder = data_dir(data_folder)
        self.demo_count = demo_count
        self.desk: Desk | None = None
        self.tasks = TaskRunner(self)
        self.setWindowTitle(_("Welcome to ConsulDesk"))
        self.setMinimumWidth(560)

        intro = QLabel(
            _(
                "There is no case file on this computer yet. A case file holds the nationals, "
                "households, requests and hotels of one post."
            )
        )
        intro.setWordWrap(True)
        self.officer_edit = QLineEdit(default_officer(settings))
        self.officer_error = error_label()

        self.demo_button = QPushButton(_("&Look around with a demo case file"))
        self.demo_button.setDefault(True)
        self.demo_button.setAutoDefault(True)
        self.demo_button.setMinimumHeight(36)
        demo_hint = QLabel(
            _(
                "{n} invented nationals in the Gulf, Iran and Israel, "
                "with families, requests and hotels."
            ).format(n=demo_count)
        )
        demo_hint.setWordWrap(True)

        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(_("e.g. AE-ABU"))
        self.code_edit.setMaxLength(16)
        self.code_error = error_label()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("e.g. Embassy of Kazakhstan in Abu Dhabi"))
        self.country_box = QComboBox()
        self.country_box.setEditable(True)
        self.country_line = QLineEdit()
        self.country_box.setLineEdit(self.country_line)
        self.country_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._fill_countries()
        self.country_box.setCurrentIndex(-1)
        self.country_line.setPlaceholderText(_("Type or choose"))
        self.country_error = error_label()
        self.pass_edit = password_field()
        self.pass_again_edit = password_field()
        self.pass_error = error_label()
        self.create_button = QPushButton(_("&Create the case file"))
        self.create_button.setAutoDefault(False)

        self.open_button = QPushButton(_("&Open an existing case file…"))
        self.open_button.setAutoDefault(False)

        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # busy indicator: no known end
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.busy_label = QLabel()
        self.busy_label.hide()
        self.error_label = error_label()

        officer_form = QFormLayout()
        officer_form.addRow(_("Your &name (for the audit trail)"), self.officer_edit)
        officer_form.addRow("", self.officer_error)
        demo_box = QGroupBox(_("Try it out"))
        demo_layout = QVBoxLayout(demo_box)
        demo_layout.addWidget(self.demo_button)
        demo_layout.addWidget(demo_hint)
        post_box = QGroupBox(_("Start our post's case file"))
        post_layout = QVBoxLayout(post_box)
        post_form = QFormLayout()
        post_layout.addLayout(post_form)
        post_form.addRow(_("Post &code"), self.code_edit)
        post_form.addRow("", self.code_error)
        post_form.addRow(_("Post n&ame"), self.name_edit)
        post_form.addRow(_("&Host country"), self.country_box)
        post_form.addRow("", self.country_error)
        pass_note = QLabel(
            _(
                "The case file is encrypted: your name and this passphrase open it. You become "
                "its head of section and can give other officers accounts."
            )
        )
        pass_note.setWordWrap(True)
        post_form.addRow(_("&Passphrase"), self.pass_edit)
        post_form.addRow(_("Passphrase a&gain"), self.pass_again_edit)
        post_form.addRow("", self.pass_error)
        post_layout.addWidget(pass_note)  # outside the form: a wrapped label there overlaps
        create_row = QHBoxLayout()
        create_row.addStretch(1)
        create_row.addWidget(self.create_button)
        post_layout.addLayout(create_row)
        open_row = QHBoxLayout()
        already = QLabel(_("Already have one, e.g. copied from a colleague?"))
        already.setWordWrap(True)  # wraps rather than being cut in Russian
        open_row.addWidget(already, 1)
        open_row.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(officer_form)
        layout.addWidget(demo_box)
        layout.addWidget(post_box)
        layout.addLayout(open_row)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.error_label)
        self.setTabOrder(self.demo_button, self.officer_edit)
        self.setTabOrder(self.officer_edit, self.code_edit)
        self.setTabOrder(self.code_edit, self.name_edit)
        self.setTabOrder(self.name_edit, self.country_box)
        self.setTabOrder(self.country_box, self.pass_edit)
        self.setTabOrder(self.pass_edit, self.pass_again_edit)
        self.setTabOrder(self.pass_again_edit, self.create_button)
        self.setTabOrder(self.create_button, self.open_button)
        self._connect_signals()
        self.demo_button.setFocus()

    def _fill_countries(self) -> None:
        lang = language()
        names = sorted(
            ((country_name(c.alpha_2, lang), c.alpha_2) for c in pycountry.countries),
            key=lambda item: item[0].casefold(),
        )
        for name, code in names:
            self.country_box.addItem(name, code)
        completer = QCompleter(self.country_box.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.country_box.setCompleter(completer)

    def _connect_signals(self) -> None:
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.code_edit.textChanged.connect(self._on_code_edit_text_changed)
        self.code_edit.returnPressed.connect(self._on_create_button_clicked)
        self.name_edit.returnPressed.connect(self._on_create_button_clicked)
        self.country_line.returnPressed.connect(self._on_create_button_clicked)
        self.pass_again_edit.returnPressed.connect(self._on_create_button_clicked)

    # -- checks --------------------------------------------------------------------------

    def officer(self) -> str | None:
        """The officer's name, or None (with a message) when empty."""
        name = " ".join(self.officer_edit.text().split())
        self.officer_error.setVisible(not name)
        self.officer_error.setText(_("Enter your name: every change is signed with it."))
        if not name:
            self.officer_edit.setFocus()
        return name or None

    def post_code(self) -> str | None:
        """The normalised post code, or None (with the message next to the field)."""
        try:
            code = normalise_post_code(self.code_edit.text())
        except Exception as exc:  # ServiceError: shown as the officer's sentence
            self.code_error.setText(describe(exc))
            self.code_error.show()
            return None
        self.code_error.hide()
        return code

    def host_country(self) -> str | None:
        """The chosen country's code (typed names in kk/ru/en accepted); None when unknown."""
        text = self.country_box.currentText().strip()
        self.country_error.hide()
        if not text:
            return ""
        index = self.country_box.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.country_box.itemData(index))
        try:
            return country_code(text, field="host_country")
        except Exception as exc:  # ValidationError
            self.country_error.setText(describe(exc))
            self.country_error.show()
            return None

    def passphrase(self) -> str | None:
        """The new case file's passphrase, or None (with the message by the fields)."""
        first, again = self.pass_edit.text(), self.pass_again_edit.text()
        problem = ""
        try:
            access.check_passphrase(first)
        except Exception as exc:  # ServiceError: said as the officer's sentence
            problem = describe(exc)
        if not problem and first != again:
            problem = _("The two passphrases differ.")
        self.pass_error.setText(problem)
        self.pass_error.setVisible(bool(problem))
        if problem:
            (
                self.pass_edit if not first or "differ" not in problem else self.pass_again_edit
            ).setFocus()
        return None if problem else first

    @Slot(str)
    def _on_code_edit_text_changed(self, text: str) -> None:
        if text.strip():
            self.post_code()
        else:
            self.code_error.hide()

    # -- the three ways in ---------------------------------------------------------------

    @Slot()
    def _on_demo_button_clicked(self) -> None:
        officer = self.officer()
        if officer is None:
            return
        path, count = casefile_path(DEMO_POST, self.data_folder), self.demo_count
        post_name = _("Demo embassy")

        def work() -> Desk:
            from consuldesk.services.demo import seed_demo

            # Encrypted like any case file; its login is printed on the login screen.
            desk = create_casefile(
                path,
                post_code=DEMO_POST,
                post_name=post_name,
                host_country=DEMO_COUNTRY,
                officer=access.DEMO_OFFICER,
                passphrase=access.DEMO_PASSPHRASE,
                demo=True,
            )
            try:
                seed_demo(desk, count=count)
            except BaseException:
                desk.close()
                raise
            return desk

        self._run(work, _("Creating the demo case file with {n} nationals…").format(n=count))

    @Slot()
    def _on_create_button_clicked(self) -> None:
        officer = self.officer()
        code = self.post_code()
        country = self.host_country()
        if officer is None or country is None:
            return
        if code is None:
            self.code_edit.setFocus()
            return
        passphrase = self.passphrase()
        if passphrase is None:
            return
        path = casefile_path(code, self.data_folder)
        name = self.name_edit.text().strip() or code
        self._run(
            lambda: create_casefile(
                path,
                post_code=code,
                post_name=name,
                host_country=country or None,
                officer=officer,
                passphrase=passphrase,
            ),
            _("Creating {path}…").format(path=path.name),
        )

    @Slot()
    def _on_open_button_clicked(self) -> None:
        officer = self.officer()
        if officer is None:
            return
        chosen = self.choose_file()
        if chosen is None:
            return
        try:
            encrypted = access.is_encrypted(chosen)
        except Exception as exc:  # CaseFileError: missing, unreadable
            self._on_work_failed(exc)
            return
        if encrypted:
            self.login = LoginDialog(chosen, self.settings, self)
            self.login.opened.connect(self._on_work_done)
            self.login.open()
            return
        self._run(lambda: open_casefile(chosen, officer), _("Opening {path}…").format(path=chosen))

    def choose_file(self) -> Path | None:
        """Ask for a case file to open (a seam for tests: they return a path)."""
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Open a case file"),
            str(self.data_folder),
            _("Case files (*{suffix})").format(suffix=CASEFILE_SUFFIX),
        )
        return Path(name) if name else None

    def _run(self, work: Callable[[], Desk], label: str) -> None:
        self._set_busy(True, label)
        self.tasks.run(work, self._on_work_done, self._on_work_failed, owner=self)

    def _set_busy(self, busy: bool, label: str = "") -> None:
        for widget in (
            self.demo_button,
            self.create_button,
            self.open_button,
            self.officer_edit,
            self.pass_edit,
            self.pass_again_edit,
        ):
            widget.setEnabled(not busy)
        self.busy_label.setText(label)
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)
        if busy:
            self.error_label.hide()

    def _on_work_done(self, desk: Desk) -> None:
        if not isValid(self):
            desk.close()  # the dialog went away while the work ran
            return
        self._set_busy(False)
        self.desk = desk
        remember(self.settings, desk)
        self.opened.emit(desk)
        self.accept()

    def _on_work_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self.error_label.setText(describe(exc))
        self.error_label.show()

    def reject(self) -> None:
        if self.busy_bar.isVisible():
            return  # let the work finish: closing now would leave a half-made case file
        super().reject()


__all__ = [
    "DEMO_COUNT",
    "DEMO_POST",
    "LAST_CASEFILE_KEY",
    "OFFICER_KEY",
    "FirstStartDialog",
    "default_officer",
    "remember",
]
