"""How the audit trail reads to an officer: what each event did, in a line
(:func:`summarise`), and everything it recorded (:func:`details`), in the window's language.

:mod:`consuldesk.services.audit` reads the trail; this module only words it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consuldesk.i18n import _, ngettext
from consuldesk.messages import field_label, value_text

#: The tables of key events.
KEY_TABLES = frozenset({"own_key", "peer_key", "key_statement"})

#: What happened, by action (of any table but the ones below).
ACTION_LABELS = {
    "create": "Created",
    "update": "Edited",
    "delete": "Deleted",
    "merge": "Merged",
    "resolve": "Conflict resolved",
    "declined": "Kept the other change",
    "review": "Marked as reviewed",
    "restore": "Restored",
    "import": "Imported",
    "sync": "Received in a bundle",
    "export": "Exported",
    "printed": "Printed",
    "held": "Held",
    "passphrase": "Passphrase changed",
    "retire": "Retired",
    "revoke": "Revoked",
    "login": "Logged in",
    "logout": "Logged out",
    "login_failed": "Login refused",
    "lock": "Locked",
    "unlock": "Unlocked",
    "unlock_refused": "Unlock refused (wrong passphrase)",
    "recovery": "Opened with the recovery key",
    "recovery_key": "Recovery key shown",
    "role": "Role changed",
    "disable": "Account closed",
    "passphrase_reset": "Passphrase set by the head of section",
    "sealed_by_login": "Keys sealed under the case file's key",
    "keep": "Kept longer",
    "anonymise": "Anonymised",
}

#: What an event is about, by table.
TABLE_LABELS = {
    "national": "Person",
    "household": "Household",
    "household_member": "Household member",
    "assistance_request": "Request",
    "request_event": "Request step",
    "hotel": "Hotel",
    "placement": "Hotel stay",
    "evacuation_operation": "Evacuation",
    "trip": "Trip",
    "manifest_entry": "Seat on a trip",
    "duplicate_candidate": "Possible duplicate",
    "post": "Post",
    "own_key": "Our keys",
    "peer_key": "Key of another post",
    "key_statement": "Key statement",
    "bundle": "Bundle",
    "report": "Report",
    "officer": "Officer",
    "officer_account": "Officer's account",
    "meta": "Settings",
    "backup": "Backup",
}

#: Documents a print or an export names.
DOCUMENT_LABELS = {
    "sitrep": "Situation report",
    "roster": "Hotel roster",
    "manifest": "Manifest",
    "slip": "Boarding slip",
    "manifest_csv": "Manifest (CSV)",
}

#: Facts an event about a file or a bundle gives, besides field changes.
DETAIL_LABELS = {
    "file": "File",
    "sha256": "SHA-256",
    "bytes": "Size (bytes)",
    "records": "Records",
    "format": "Format",
    "lang": "Language",
    "chosen": "Only the people chosen",
    "document": "Document",
    "night": "Night",
    "hotels": "Hotels",
    "recipient": "Sent to",
    "sender": "Sent by",
    "sequence": "Bundle number",
    "new": "New records",
    "changed": "Changed records",
    "conflicts": "Conflicts",
    "audit_events": "Audit events",
    "missing": "Waiting for",
    "key_id": "Key",
    "bundle": "Bundle",
    "created": "Records created",
    "seats": "Seats",
    "list_sha256": "List file (SHA-256)",
    "backup": "Backup",
    "kept": "The file as it was, kept as",
}

#: Fields of records other than people, which the shared labels do not name.
MORE_FIELD_LABELS = {
    "retention_months": "Records kept (months)",
    "boarded_at": "Boarded at",
    "seat": "Seat",
    "allocated_at": "Seated at",
    "national_id": "Person",
    "household_id": "Household",
    "hotel_id": "Hotel",
    "trip_id": "Trip",
    "check_in": "Check-in",
    "check_out": "Check-out",
    "room": "Room",
    "merged_into_id": "Merged into",
    "reason": "Why",
    "priority_class": "Priority",
    "head_id": "Head of the household",
    "position": "Place in the waiting list",
    "priority": "Priority",
    "due_at": "Due by",
    "anonymised_at": "Anonymised",
    "name": "Name",
    "list_key": "Family on the list",
}

# Records that are about one person, and the column that names them.
_SUMMARY_VALUE = 40  # characters of a value in a row's summary (whole in its details)


def label(name: str) -> str:
    """The label of a field or a fact of the trail."""
    if name in DETAIL_LABELS:
        return _(DETAIL_LABELS[name])
    if name in MORE_FIELD_LABELS:
        return _(MORE_FIELD_LABELS[name])
    return field_label(name)


def _pairs(changes: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, old, new)`` of the field changes of an event (not its facts)."""
    out = []
    for name, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2 and name not in DETAIL_LABELS:
            out.append((name, pair[0], pair[1]))
    return out


def _count_of(value: Any) -> int:
    if isinstance(value, dict):
        return sum(int(v) for v in value.values() if isinstance(v, int))
    return int(value) if isinstance(value, int) else 0


def summarise(table: str, action: str, changes: Mapping[str, Any]) -> str:
    """What an event did, in one line."""
    facts = dict(changes)
    file = str(facts.get("file", ""))
    if action == "printed":
        printed = facts.get("printed", facts)
        document = str(printed.get("document", ""))
        what = _(DOCUMENT_LABELS.get(document, "Document"))
        if document == "slip" and printed.get("seat"):
            return _("{document} printed, seat {seat}").format(document=what, seat=printed["seat"])
        if document == "manifest":
            n = len(printed.get("seats", {}))
            return ngettext(
                "{document} printed: {n} passenger", "{document} printed: {n} passengers", n
            ).format(document=what, n=n)
        return _("{document} printed: {file}").format(
            document=what, file=printed.get("file", file) or "—"
        )
    if table == "bundle":
        if action == "export":
            n = _count_of(facts.get("records"))
            return ngettext(
                "Bundle for {post}: {n} record", "Bundle for {post}: {n} records", n
            ).format(post=facts.get("recipient", "?"), n=n)
        if action == "held":
            return _("Bundle from {post} held until the ones before it arrive").format(
                post=facts.get("sender", "?")
            )
        new, changed = _count_of(facts.get("new")), _count_of(facts.get("changed"))
        return _("Bundle from {post}: {new} new, {changed} changed").format(
            post=facts.get("sender", "?"), new=new, changed=changed
        )
    if table == "backup" and action == "restore":
        return _("Restored from the backup {backup}").format(backup=facts.get("backup", "?"))
    if action == "export" and table not in KEY_TABLES:
        n = _count_of(facts.get("records"))
        if facts.get("document") == "manifest_csv":
            return ngettext(
                "Manifest exported (CSV): {n} passenger",
                "Manifest exported (CSV): {n} passengers",
                n,
            ).format(n=n)
        return ngettext(
            "List exported: {n} person, {file}", "List exported: {n} people, {file}", n
        ).format(n=n, file=file or "—")
    if action == "export":
        return _("Public key file written: {file}").format(file=file or "—")
    if "created" in facts and isinstance(facts["created"], list):  # many records at once
        n = len(facts["created"])
        if action == "sync":
            return ngettext(
                "{n} record received in a bundle from {post}",
                "{n} records received in a bundle from {post}",
                n,
            ).format(n=n, post=facts.get("sender", "?"))
        return ngettext(
            "List imported: {n} person, {file}", "List imported: {n} people, {file}", n
        ).format(n=n, file=file or "—")
    gone = changes.get("deleted_at") if action == "sync" else None
    if isinstance(gone, list) and len(gone) == 2 and gone[1] and not gone[0]:
        # (it read "Received in a bundle — Record: — → 07.12.2026 01:49")
        merged = changes.get("merged_into_id")
        if isinstance(merged, list) and len(merged) == 2 and merged[1]:
            return _("Merged into another record (received in a bundle)")
        return _("Deleted (received in a bundle)")
    what = _(ACTION_LABELS.get(action, action))
    if action in ("create", "delete") and table != "national" and table in TABLE_LABELS:
        return f"{what} — {_(TABLE_LABELS[table])}"  # what was made or deleted
    if action == "create":
        return what
    pairs = _pairs(changes)
    if action == "delete":
        return what
    if not pairs:
        return what
    shown = "; ".join(
        f"{label(name)}: {_one_line(value_text(name, old, limit=_SUMMARY_VALUE))} → "
        f"{_one_line(value_text(name, new, limit=_SUMMARY_VALUE))}"
        for name, old, new in pairs
    )
    return f"{what} — {shown}"


def _one_line(text: str) -> str:
    """A value of several lines on the one line of a summary, its lines told apart by " / "
    (a note's second line read as part of its first, and broke the CLI's table)."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip()) or text


def details(changes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Everything an event says, ``(label, text)`` a line: each field with its old and new
    value, each fact (file, SHA-256, counts) in full."""
    lines: list[tuple[str, str]] = []
    changes = dict(changes)
    printed = changes.pop("printed", None)
    if isinstance(printed, dict):
        changes.update(printed)
    for name, value in changes.items():
        if (name, type(value)) in (("created", list), ("seats", dict)):
            lines.append((label(name), str(len(value))))
        elif name == "document":
            lines.append((label(name), _(DOCUMENT_LABELS.get(str(value), str(value)))))
        elif name in DETAIL_LABELS or not (isinstance(value, list) and len(value) == 2):
            lines.append((label(name), value_text(name, value)))
        else:
            old, new = value
            lines.append((label(name), f"{value_text(name, old)} → {value_text(name, new)}"))
    return lines
