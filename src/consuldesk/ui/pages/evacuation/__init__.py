"""Evacuation: plan an operation's legs and vehicles, share out seats, move people, board them.

Left, the operation and its legs → trips; centre, the passengers of the selected trip (or the
leg's waiting list) under an always-visible scan field for a keyboard-wedge QR scanner; right,
why the selected person is where they are. Every read and write runs through ``ctx.tasks``;
answers to an older request are dropped by serial number.

The page is one widget built from parts, one module each:

- :mod:`.page` — :class:`EvacuationPage`: puts the parts together (layout, tab order, signals,
  which buttons are enabled);
- :mod:`.operations` — the operation picker and the legs → trips tree: loading, the operation
  and trip forms, Add candidates…, Allocate seats, trip status;
- :mod:`.passengers` — the title and counts, the filter and the passenger table, boarding by
  button and key (B, N, O, U), Move to…;
- :mod:`.scan` — the scan field and its answer;
- :mod:`.why` — the "Why here?" panel;
- :mod:`.documents` — the manifest (PDF, CSV) and the boarding slips;
- :mod:`.base` — what the parts share: the selection, writing off the UI thread, messages;
- :mod:`.texts` — constants and one-line texts (tree lines, file names).
"""

from consuldesk.ui.pages.evacuation.page import EvacuationPage
from consuldesk.ui.pages.evacuation.texts import leg_text, manifest_file_name, trip_text, trip_when

__all__ = ["EvacuationPage", "leg_text", "manifest_file_name", "trip_text", "trip_when"]
