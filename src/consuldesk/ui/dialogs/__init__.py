"""Dialogs: person card, merge, hotline call, placement, import, households (new, rename,
add members)."""
