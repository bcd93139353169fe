"""Bundles between case files: ``bundle`` (export, import, inspect, verify), ``conflicts``
(list, resolve) and ``sync status``. Passphrases as for ``keys`` (``$CONSULDESK_PASSPHRASE``,
else a prompt)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from consuldesk.cli.common import EXIT_OK, _local, _open, _print_json, command_with_actions
from consuldesk.cli.keys import _unlock
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    KEY_STATUS_LABELS,
    anonymised_over_edits,
    field_label,
    record_counts,
    shown_conflict_value,
    version_time,
)

CONFLICT_STATUS_LABELS = {"open": "not settled yet", "resolved": "settled"}

BUNDLE_EPILOG = """\
examples:
  consuldesk-cli bundle export KZ-HQ /media/usb       everything headquarters lacks
  consuldesk-cli bundle export all /media/usb         a bundle for every enrolled peer
  consuldesk-cli bundle inspect /media/usb/IR-THR-to-KZ-HQ-….consuldesk-bundle
  consuldesk-cli bundle import /media/usb/IR-THR-to-KZ-HQ-….consuldesk-bundle
  consuldesk-cli conflicts list
  consuldesk-cli conflicts resolve 01a2b3c4 --keep-both     phones or notes: both values
  consuldesk-cli sync status

A bundle carries every change the other side has not acknowledged yet: a lost stick costs
nothing, the next bundle carries it again. Importing checks the bundle whole before it
changes anything, and keeps a backup of the case file beside it.
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``bundle``, ``conflicts`` and ``sync`` with their actions."""
    action = command_with_actions(
        add,
        common,
        "bundle",
        help="signed, encrypted files of changes for another case file (headquarters, a post)",
        epilog=BUNDLE_EPILOG,
    )

    p = action("export", help="write what a peer lacks to a bundle file")
    p.add_argument(
        "peer", metavar="POST", help="the recipient's post code, e.g. KZ-HQ; 'all' for every peer"
    )
    p.add_argument(
        "target", nargs="?", type=Path, default=Path("."), help="a folder or a file name"
    )
    p = action("import", help="check a bundle and apply it (a backup is kept)")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--force",
        action="store_true",
        help="apply a bundle that waits for earlier ones (the missing ones still merge later)",
    )
    p = action("inspect", help="what a bundle holds and would change here, changing nothing")
    p.add_argument("file", type=Path)
    p = action("verify", help="check a bundle's recipient, signature and integrity only")
    p.add_argument("file", type=Path)

    conflict = command_with_actions(
        add,
        common,
        "conflicts",
        help="changes to one field made at two places without seeing each other",
    )
    p = conflict("list", help="the open conflicts")
    p.add_argument("--all", action="store_true", help="resolved ones too")
    p = conflict("resolve", help="settle a conflict")
    p.add_argument("id", help="the conflict's id, or its first 6+ characters")
    choice = p.add_mutually_exclusive_group()
    choice.add_argument(
        "--take-other",
        action="store_true",
        help="take the other value instead of the one the case file holds",
    )
    choice.add_argument(
        "--keep-both",
        action="store_true",
        help="phones and notes: keep both values (the kept one first)",
    )

    status = command_with_actions(
        add, common, "sync", help="who this case file exchanges bundles with, and how fresh it is"
    )
    status("status", help="each peer's bundles and freshness")


def _made(created: str) -> str:
    """A manifest's creation time, in this computer's time as the rest of the output."""
    try:
        return _local(datetime.fromisoformat(created.replace("Z", "+00:00")))
    except ValueError:
        return created


def _counts(counts: dict[str, int]) -> str:
    return record_counts(counts) or "—"


def _print_result(result: Any) -> None:
    m = result.manifest
    print(
        _("Bundle {n} from {sender} for {recipient}, made {when}").format(
            n=m.sequence, sender=m.sender, recipient=m.recipient, when=_made(m.created)
        )
    )
    if result.held:
        print(_("Held: it needs changes this case file does not have yet:"))
        for node, (have, need) in sorted(result.missing.items()):
            print(
                "  "
                + _(
                    "from {post}: changes up to {need} (this case file has them up to {have})"
                ).format(
                    post=node, need=version_time(need), have=version_time(have) if have else "—"
                )
            )
        print(
            _(
                "The last bundle imported from {sender} is no. {last}: import the ones after it "
                "(this one then applies by itself), or this one now with --force."
            ).format(sender=m.sender, last=result.last_received)
        )
        return
    if result.nothing_new:
        print(_("Nothing new: everything in this bundle is here already."))
        return
    title = _("Would change:") if result.preview else _("Applied:")
    print(title)
    print("  " + _("new: {counts}").format(counts=_counts(result.created)))
    print("  " + _("updated: {counts}").format(counts=_counts(result.updated)))
    if result.deleted:
        print("  " + _("deleted: {counts}").format(counts=_counts(result.deleted)))
    if result.merged:
        print(
            "  " + _("merged into another record: {counts}").format(counts=_counts(result.merged))
        )
    print("  " + _("unchanged records: {n}").format(n=result.unchanged))
    if result.conflicts:
        print(
            "  "
            + _("conflicts queued: {n} (consuldesk-cli conflicts list)").format(n=result.conflicts)
        )
    if result.flagged:
        print(
            "  "
            + _("people registered at two posts, flagged for merging: {n}").format(n=result.flagged)
        )
    if result.edits_anonymised:
        print("  " + anonymised_over_edits(result.manifest.sender, result.edits_anonymised))
    if result.keys_changed:
        print("  " + _("key changes: {n}").format(n=result.keys_changed))
    if result.backup:
        print(_("Backup of the case file before: {path}").format(path=result.backup))
    for bundle_id in result.also_applied:
        print(_("Also applied the held bundle {id}.").format(id=bundle_id))


def _result_json(result: Any) -> dict[str, Any]:
    m = result.manifest
    return {
        "bundle_id": m.bundle_id,
        "sender": m.sender,
        "recipient": m.recipient,
        "sequence": m.sequence,
        "created": m.created,
        "preview": result.preview,
        "held": result.held,
        "missing": result.missing,
        "new": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "merged": result.merged,
        "unchanged": result.unchanged,
        "conflicts": result.conflicts,
        "flagged": result.flagged,
        "edits_anonymised": result.edits_anonymised,
        "keys_changed": result.keys_changed,
        "backup": result.backup,
        "also_applied": result.also_applied,
    }


def cmd_bundle(args: argparse.Namespace) -> int:
    return {
        "export": _export,
        "import": _import,
        "inspect": _inspect,
        "verify": _verify,
    }[args.bundle_command](args)


def _export(args: argparse.Namespace) -> int:
    from consuldesk.services import sync

    desk = _open(args, writes=True)
    peer = args.peer.strip().upper()
    try:
        _unlock(desk)
        if peer == "ALL":
            every = sync.export_to_all(desk, None, args.target)
        else:
            every = [sync.export_bundle(desk, None, peer, args.target)]
    finally:
        desk.close()
    if args.json:
        rows = [
            {
                "path": d.path,
                "bytes": d.size,
                "records": d.records,
                "sequence": d.manifest.sequence,
                "bundle_id": d.manifest.bundle_id,
                "recipient": d.manifest.recipient,
            }
            for d in every
        ]
        _print_json(rows if peer == "ALL" else rows[0])
        return EXIT_OK
    for done in every:
        _print_exported(done)
    return EXIT_OK


def _print_exported(done: Any) -> None:
    print(_("Wrote {path}").format(path=done.path))
    print(
        "  "
        + ngettext(
            "bundle {n} for {post}: {records} record, {size} KB",
            "bundle {n} for {post}: {records} records, {size} KB",
            done.records,
        ).format(
            n=done.manifest.sequence,
            post=done.manifest.recipient,
            records=done.records,
            size=max(1, done.size // 1024),
        )
    )


def _import(args: argparse.Namespace, *, preview: bool = False) -> int:
    from consuldesk.services import sync

    desk = _open(args, writes=not preview)
    try:
        _unlock(desk)
        result = sync.import_bundle(
            desk, None, args.file, force=getattr(args, "force", False), preview=preview
        )
    finally:
        desk.close()
    if args.json:
        _print_json(_result_json(result))
    else:
        _print_result(result)
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    return _import(args, preview=True)


def _verify(args: argparse.Namespace) -> int:
    from consuldesk.services import keys as key_service
    from consuldesk.services import sync

    desk = _open(args)
    try:
        _unlock(desk)
        identities = key_service.unlock_all(desk, None)
        opened = sync._open_checked(desk, identities, sync._read(args.file))
    finally:
        desk.close()
    m = opened.manifest
    if args.json:
        _print_json({"valid": True, "sender": m.sender, "sequence": m.sequence, "counts": m.counts})
    else:
        print(
            _("Valid: bundle {n} from {sender}, signed and complete ({counts}).").format(
                n=m.sequence, sender=m.sender, counts=_counts(m.counts)
            )
        )
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    from consuldesk.cli.common import _id_key, _pick_id, _short_ids
    from consuldesk.services import sync

    desk = _open(args, writes=args.conflicts_command == "resolve")
    try:
        if args.conflicts_command == "list":
            rows = sync.conflict_rows(desk, open_only=not args.all)
            if args.json:
                _print_json(rows)
                return EXIT_OK
            if not rows:
                print(_("No conflicts."))
            short = _short_ids(c.id for c in rows)
            for c in rows:
                status = _(CONFLICT_STATUS_LABELS.get(c.status, c.status))
                print(f"{short[c.id]}  {c.record} · {field_label(c.field)} [{status}]")
                print(
                    "    "
                    + _("kept: {value} ({made})").format(
                        value=shown_conflict_value(c.field, c.kept_value),
                        made=_made_by(c.kept_by, c.kept_where, c.kept_when),
                    )
                )
                print(
                    "    "
                    + _("other: {value} ({made})").format(
                        value=shown_conflict_value(c.field, c.other_value),
                        made=_made_by(c.other_by, c.other_where, c.other_when),
                    )
                )
                before = (
                    _("before: {value}").format(
                        value=shown_conflict_value(c.field, c.before_value, before=True)
                    )
                    if c.before_known
                    else _("before: not known here")
                )
                print("    " + before)
                if c.status == "resolved":
                    print(
                        "    "
                        + _("settled: {value}, by {officer}").format(
                            value=shown_conflict_value(c.field, c.resolved_value),
                            officer=c.resolved_by or "—",
                        )
                    )
            return EXIT_OK
        # The open ones first: the list shortens their ids among themselves, and a settled
        # conflict sharing the prefix must not make the id shown ambiguous.
        every = sync.conflicts(desk, open_only=False)
        key = _id_key(args.id)
        open_ = {c.id: c.id for c in every if c.status == "open"}
        hit = any(_id_key(i).startswith(key) for i in open_)
        labels = open_ if hit else {c.id: c.id for c in every}
        conflict_id = _pick_id(args.id, labels, "conflict")
        done = sync.resolve_conflict(
            desk, conflict_id, keep_other=args.take_other, keep_both=args.keep_both
        )
    finally:
        desk.close()
    if args.json:
        _print_json(_conflict_json(done))
    else:
        print(
            _("Resolved: {field} is now {value}; the choice travels in the next bundles.").format(
                field=field_label(done.field),
                value=shown_conflict_value(done.field, done.resolved_value),
            )
        )
    return EXIT_OK


def _made_by(who: str | None, post: str, when: Any) -> str:
    """ "A. Seitkali, IR-THR, 06.12.2026 10:20": who made a change (where known), where, when."""
    return ", ".join(part for part in (who, post, _local(when)) if part)


def _conflict_json(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "table": c.table_name,
        "record_id": c.record_id,
        "field": c.field,
        "kept_value": c.kept_value,
        "kept_version": c.kept_version,
        "kept_by": c.kept_by,
        "other_value": c.other_value,
        "other_version": c.other_version,
        "other_by": c.other_by,
        "before_value": c.before_value,
        "before_known": c.before_known,
        "resolved_by": c.resolved_by,
        "status": c.status,
        "detected_at": c.detected_at,
    }


def cmd_sync(args: argparse.Namespace) -> int:
    from consuldesk.services import sync

    desk = _open(args)
    try:
        peers = sync.sync_status(desk)
    finally:
        desk.close()
    if args.json:
        _print_json(peers)
        return EXIT_OK
    if not peers:
        print(_("No peers yet: enrol a key file first (consuldesk-cli keys enrol)."))
    for p in peers:
        print(f"{p.post}  {p.name}")
        received = (
            _("{when} (no. {n})").format(when=_local(p.last_received_at), n=p.received_sequence)
            if p.received_sequence
            else _("never")
        )
        if p.changes_up_to is not None:
            received += "; " + _("changes up to {when}").format(when=_local(p.changes_up_to))
        sent = (
            _("{when} (no. {n})").format(when=_local(p.last_sent_at), n=p.sent_sequence)
            if p.sent_sequence
            else _("never")
        )
        print(
            "  "
            + _("last bundle from it: {received}; sent to it: {sent}").format(
                received=received, sent=sent
            )
        )
        if p.key_status != "active":
            print(
                "  "
                + _("its keys: {status}").format(
                    status=_(KEY_STATUS_LABELS.get(p.key_status, p.key_status))
                )
            )
        if p.held:
            print("  " + _("bundles held, waiting for earlier ones: {n}").format(n=p.held))
    return EXIT_OK


COMMANDS = {"bundle": cmd_bundle, "conflicts": cmd_conflicts, "sync": cmd_sync}
