"""Enter presses the button a dialog is for, never Close or Cancel: the button is made the
default once it is in the dialog (made default before, the dialog gave Enter to the first
button of its focus chain)."""

from __future__ import annotations

import pytest

from consuldesk.services import evacuation as ev
from consuldesk.ui.dialogs.candidates import CandidatesDialog
from consuldesk.ui.dialogs.passphrase import ChangePassphraseDialog
from consuldesk.ui.dialogs.print_report import ReportDialog
from consuldesk.ui.dialogs.recovery import RecoveryKeyDialog
from consuldesk.ui.dialogs.trip import TripDialog


def _operation(desk):
    return ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row


BUILDERS = {
    "candidates": (lambda ctx: CandidatesDialog(ctx, _operation(ctx.desk), 1), "add_button"),
    "trip": (lambda ctx: TripDialog(ctx, _operation(ctx.desk).id, None, 1), "save_button"),
    "sitrep": (lambda ctx: ReportDialog(ctx, "sitrep"), "write_button"),
    "passphrase": (ChangePassphraseDialog, "change_button"),
    "recovery key": (RecoveryKeyDialog, "show_button"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_button_the_dialog_is_for_is_the_default_once_shown(qtbot, ctx, name):
    build, button = BUILDERS[name]
    dialog = build(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert getattr(dialog, button).isDefault(), name
    ctx.tasks.wait()
