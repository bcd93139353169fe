"""Gettext catalogs (kk, ru) and the script that keeps them in step with the source.

Nothing here is imported at run time: :mod:`consuldesk.i18n` reads the compiled ``.mo`` files.
"""
