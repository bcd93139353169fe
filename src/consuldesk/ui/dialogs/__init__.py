"""Dialogs: person card, merge, hotline call, placement, import."""
