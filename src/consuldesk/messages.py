"""Human-readable text for error codes raised by the domain, store and services.

Errors carry a code, a field and parameters; this module is the one place that turns them into
sentences for the officer (window, CLI, review files of imports), through the gettext catalog.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from consuldesk.domain.enums import Sex, Source
from consuldesk.i18n import _, ngettext

FIELD_LABELS: dict[str, str] = {
    "surname_cyr": "Surname (Cyrillic)",
    "given_names_cyr": "Given names (Cyrillic)",
    "patronymic_cyr": "Patronymic",
    "surname_lat": "Surname (passport)",
    "given_names_lat": "Given names (passport)",
    "sex": "Sex",
    "birth_date": "Date of birth",
    "iin": "IIN",
    "passport_no": "Passport number",
    "passport_expiry": "Passport expiry",
    "nationality": "Nationality",
    "phone": "Phone",
    "phones": "Phone",
    "email": "Email",
    "messenger": "Messenger",
    "host_country": "Country",
    "country": "Country",
    "city": "City",
    "address": "Address",
    "presence_status": "Status",
    "medical_condition": "Medical condition",
    "mobility_needs": "Mobility needs",
    "pregnant": "Pregnant",
    "notes": "Notes",
    "consent_date": "Consent date",
    "keep_until": "Keep until",
    "keep_reason": "Why kept",
    "months": "Retention period",
    "source": "Source",
    "origin_post": "Post",
    "deleted_at": "Record",
    "source_ref": "Reference",
    "mrz": "Passport MRZ",
    "status": "Status",
    "code": "Post code",
    # what a list's column can be read as, besides the fields above
    "surname": "Surname",
    "given_names": "Given names",
    "patronymic": "Patronymic",
    "full_name": "Full name",
    "full_name_lat": "Full name (passport)",
    "group": "Tour group",
    "tour_operator": "Tour operator",
    "record_id": "ConsulDesk ID",
    "household": "Family",
    "relation": "Relation",
    "record": "Whole row",
}

TEMPLATES: dict[str, str] = {
    # IIN
    "iin.format": "IIN must be 12 digits, got “{value}”",
    "iin.excel_rounded": (
        "IIN “{value}” was rounded by a spreadsheet and its digits are lost: "
        "format the column as text and enter it again"
    ),
    "iin.century": "IIN digit 7 must be 1–6 (century and sex), got {digit}",
    "iin.date": "IIN starts with a date that does not exist ({day:02}.{month:02}.{year})",
    "iin.checksum_unusable": "IIN is not valid (its check digit cannot be computed)",
    "iin.checksum": (
        "IIN fails its check digit: one of its digits is mistyped; "
        "copy it again from the passport or ID card"
    ),
    "iin.birth_date_impossible": (
        "IIN {value} gives the birth date {birth_date}, which cannot be: its first six digits or "
        "its seventh (the century) are mistyped"
    ),
    "iin.birth_date_mismatch": "Date of birth {stated} does not match the IIN ({from_iin})",
    "iin.sex_mismatch": "Sex {stated} does not match the IIN ({from_iin})",
    # MRZ
    "mrz.lines": "Passport MRZ must have two lines, got {got}",
    "mrz.length": "Passport MRZ line must be {expected} characters, got {got}",
    "mrz.charset": "Passport MRZ line {line} has “{char}” at position {position}",
    "mrz.type": "Not a passport MRZ (starts with “{got}”)",
    "mrz.check_passport_no": (
        "MRZ check digit of the passport number is wrong: expected {expected}, got {got}"
    ),
    "mrz.check_birth_date": (
        "MRZ check digit of the date of birth is wrong: expected {expected}, got {got}"
    ),
    "mrz.check_expiry": (
        "MRZ check digit of the expiry date is wrong: expected {expected}, got {got}"
    ),
    "mrz.check_personal_number": (
        "MRZ check digit of the personal number is wrong: expected {expected}, got {got}"
    ),
    "mrz.check_composite": "MRZ overall check digit is wrong: expected {expected}, got {got}",
    "mrz.birth_date": "MRZ date of birth {value} is not a date",
    "mrz.expiry_date": "MRZ expiry date {value} is not a date",
    # other fields
    "phone.invalid": "“{value}” is not a valid phone number",
    "country.unknown": "Unknown country “{value}”",
    "date.format": "“{value}” is not a date (use 31.12.1990 or 1990-12-31)",
    "date.short_year": "“{value}”: write the year with four digits (31.12.1990)",
    "date.invalid": "{value} is not a real date",
    "name.missing": "A surname is required (Cyrillic or as in the passport)",
    "name.latin_expected": "The passport name must be in Latin letters, got “{value}”",
    "name.cyrillic_expected": "This name must be in Cyrillic letters, got “{value}”",
    "name.characters": (
        "A name holds letters, spaces, hyphens, apostrophes and dots only; “{value}” also has "
        "{characters}"
    ),
    "name.letters_lost": (
        "“{value}” has “?” where letters were: the list was saved in an encoding without Kazakh "
        "letters (such as Windows-1251). Save it as UTF-8 (in Excel: CSV UTF-8) and import it "
        "again"
    ),
    "birth_date.future": "Date of birth {value} is in the future",
    "birth_date.too_old": "Date of birth {value} is before 1900",
    "passport.format": "Passport number “{value}” must be 5–20 letters and digits",
    "passport.expiry_before_birth": "Passport expiry {value} is before the date of birth",
    "nationality.format": "Nationality must be a three-letter code such as KAZ, got “{value}”",
    "email.invalid": "“{value}” is not an email address",
    "pregnant.male": "A man cannot be marked pregnant",
    "pregnant.age": (
        "Pregnant at {age}? Check the date of birth, or untick Pregnant: it moves her up for "
        "evacuation"
    ),
    "consent_date.future": "Consent date {value} is in the future",
    "sex.unknown": "Sex “{value}” is not understood (use M/F, М/Ж, Ер/Әйел)",
    "bool.unknown": "“{value}” is not yes or no",
    "status.unknown": "Status “{value}” is not known",
    "request.transition": (
        "A request that is {current} cannot become {new}; it can become: {allowed}"
    ),
    "request.transition.any": "A request that is {current} cannot become {new}",
    "retention.months": (
        "Records are kept {min} to {max} months after the person left, not {value}"
    ),
    "retention.keep_past": "Keep the record until a date after today, not {value}",
    "retention.keep_too_long": (
        "A record can be kept at most {years} years from today, not until {value}"
    ),
    "retention.keep_reason": "Say why the record is kept longer",
    # services
    "retention.anonymised": "This record was anonymised: there is nothing left to keep",
    "national.anonymised": (
        "This record was anonymised: {field_label} cannot be entered again (register the "
        "person anew if they came back)"
    ),
    "national.duplicate": "{field_label} {value} is already on file: {existing_name}",
    "national.merge_self": "A record cannot be merged with itself",
    "national.merge_take_empty": (
        "The record merged in has no {field_label}: taking it would erase the one kept (to "
        "clear a value, edit the record)"
    ),
    "national.merge_two_families": (
        "The two records are in two different families, {kept_family} and {dropped_family}; "
        "a person is in one. Remove them from the family that is not theirs (Households), "
        "then merge"
    ),
    "national.deleted_meanwhile": (
        "{officer} deleted this person on {when}, while this card was open. Nothing was saved"
    ),
    "national.merged_meanwhile": (
        "{officer} merged this person into the record of {other} on {when}, while this card "
        "was open. Nothing was saved: open that record to make your changes"
    ),
    "record.edit_conflict": (
        "Someone else changed this record while it was open: {fields}. Choose which values to keep"
    ),
    "post.code": "Post code “{value}” must be 2–16 letters, digits or dashes",
    "demo.not_empty": "The demo can only be loaded into an empty case file",
    # households, requests, hotels
    "household.name": "The household needs a name",
    "household.member_twice": "This person is already a member of {household}",
    "household.already_in_family": "This person is already in the family {household}",
    "household.not_member": "This person is not a member of {household}",
    "household.relation_age": (
        "{name} (born {born}) is not younger than the head, {head} (born {head_born}), so "
        "cannot be their child: check the relation or the dates of birth"
    ),
    "household.relation_age.parent": (
        "{name} (born {born}) is not older than the head, {head} (born {head_born}), so "
        "cannot be their parent: check the relation or the dates of birth"
    ),
    "household.relation": (
        "“{value}” is not a relation: choose head, spouse, child, parent or other"
    ),
    "household.head_needed": "{name} heads {household}: make another member the head instead",
    "household.second_head": (
        "{household} already has a head, {head}: add this person, then make them the head"
    ),
    "request.no_subject": "Say who the request is for: a person, a household or a caller",
    "request.summary": "The request needs a short summary",
    "request.linked": ("This request is about {person} already: open a new one for another person"),
    "request.event_kind": "“{kind}” is not a note, a call or a visit",
    "request.note_empty": "The note is empty",
    "request.closed": "This request is {status}: reopen it first",
    "hotel.full": (
        "{hotel} has {free} of {beds} beds free on the night of {night}: no bed for {over} "
        "of the {requested} people"
    ),
    "hotel.full.one": (
        "{hotel} is full on the night of {night} (beds taken: {occupied} of {beds}): no bed "
        "left for one more"
    ),
    "placement.overlap": (
        "{person} already has a stay at {hotel} on these dates: to put them elsewhere, move "
        "that stay (Move…), or check them out there first"
    ),
    "placement.dates": "Check-out ({check_out}) must be after check-in ({check_in})",
    "placement.move_after_end": (
        "{person}'s stay at {hotel} ends on {check_out}, before {day}: there is nothing to "
        "move then"
    ),
    "placement.arrival_later": (
        "{day} is after today ({today}): a guest is checked in when they arrive, not before"
    ),
    "placement.arrival_early": (
        "{day} is before the first night booked ({check_in}): a guest who came early is "
        "checked in on the day they came, today; for earlier nights, place them from then"
    ),
    "placement.leaving_later": (
        "{day} is after today ({today}): a guest is checked out when they leave; to end the "
        "stay on a later day, change its check-out day"
    ),
    "placement.empty": "Choose whom to place: a person or a household with members",
    "placement.status": "This stay is {status}: it cannot be changed this way",
    "placement.past": (
        "{day} is before today ({today}): a stay not over yet cannot end in the past. Check the "
        "guest out, or choose today or a later day."
    ),
    "placement.not_now": (
        "A stay from {check_in} to {check_out} does not include tonight, so they cannot be at "
        "the hotel now: untick “They are at the hotel now” or change the dates"
    ),
    "hotel.name": "The hotel needs a name",
    "hotel.has_stays": (
        "{hotel} cannot be removed: stays at it ({stays}) need it for their nights and costs; "
        "correct the hotel instead"
    ),
    "hotel.rate_basis": "“{value}” is not how a rate is charged: per person or per room",
    "currency.unknown": "“{value}” is not a currency code (for example USD, AED, KZT)",
    "value.negative": "{field_label} cannot be negative",
    # evacuation allocation
    "allocation.capacity": "{trip} has {free_seats} free seats; {needed} are needed",
    "allocation.unknown_candidate": "This person is not among the candidates of this allocation",
    "allocation.unknown_trip": "This trip is not part of this allocation",
    "allocation.unknown_class": "“{value}” is not a priority class",
    "allocation.duplicate_class": "A priority class is listed twice",
    "allocation.no_trips": "Leg {leg} has no open trip to allocate seats on; add a vehicle first",
    # evacuation operations, trips, moves and boarding
    "operation.name": "The operation needs a name",
    "trip.origin": "Say where the trip starts",
    "trip.destination": "Say where the trip goes",
    "trip.leg_no": "The leg number must be 1 or more",
    "trip.capacity": "A trip needs at least one seat",
    "trip.capacity_below_seated": (
        "{seated} passengers already have a seat; the capacity cannot drop to {capacity}"
    ),
    "trip.leg_has_passengers": "{trip} has passengers; move them before changing its leg",
    "trip.has_boarded": "{boarded} passengers have boarded; offload them first",
    "trip.transition": "A trip marked {current} cannot be marked {new}",
    "pool.no_previous_leg": "Leg {leg} is the first leg: there is no leg before it",
    "pool.no_leg": "This operation has no leg {leg} yet: add a vehicle to it first",
    "pool.gone": (
        "{person} is recorded as {status}: if they are here after all, correct Status on their "
        "card first, then add them"
    ),
    "trip.leg_gap": "The next leg of this operation is leg {next}; add that one before leg {leg}",
    "move.seated_elsewhere": (
        "{person} already has a seat on {trip} in another operation; take them off it first"
    ),
    "move.other_leg": "{trip} belongs to another leg; people move between trips of one leg",
    "move.closed": "{trip} is {status}: it takes no more passengers",
    "boarding.status": "This passenger is {status}: mark them otherwise first",
    "boarding.transition": "A passenger who is {current} cannot become {new}",
    "boarding.trip_closed": "{trip} is {status}: boarding is closed",
    "boarding.boarded_elsewhere": "This passenger has already boarded {trip}",
    "file.write": "{path} cannot be written: {reason}",
    "file.exists": (
        "{path} exists already: choose another name, or add --replace to write over it."
    ),
    "backup.unsound": "{path} cannot be restored: {problem}. Choose another backup",
    "backup.is_casefile": (
        "{path} is the case file itself, not one of its backups: choose a backup from its "
        "backups folder ('consuldesk-cli backups' lists them)"
    ),
    "backup.source_damaged": (
        "{path} failed its integrity check ({problem}): the copy is kept as {backup}, but no "
        "older backup was removed for it. Restore a sound backup (in the window Case file → "
        "Backups…; on the command line consuldesk-cli backups, then restore)"
    ),
    "file.no_folder": "The folder {folder} does not exist (is the USB stick still in?)",
    "file.not_folder": (
        "{path} is a file, not a folder: name the folder (the USB stick) to write into, and "
        "the file is written there under a name of its own"
    ),
    "file.taken": (
        "{path} exists already: it is not written over. Name its folder ({folder}), and the "
        "new file is written there under a name of its own"
    ),
    "file.read": "{path} cannot be read: {reason}",
    "bundle.key_file": (
        "{path} is the key file of {post}, not a bundle: enrol it (Sync → Enrol a key file…; "
        "consuldesk-cli keys enrol), reading its fingerprint with {post} first"
    ),
    "bundle.not_bundle": (
        "This is not a ConsulDesk bundle, or its beginning was damaged on the way. Nothing was "
        "changed"
    ),
    "bundle.empty": (
        "The bundle file is empty: it was cut short while it was copied. Copy it again from the "
        "sender's stick. Nothing was changed"
    ),
    "bundle.not_for_us": (
        "None of this case file's keys opens this bundle: it was made for another case file, or "
        "damaged on the way (then copy it again). Nothing was changed"
    ),
    "bundle.own": (
        "This is a bundle this case file made for {post}: take it there to import it. Nothing "
        "was changed"
    ),
    "bundle.for_other": (
        "This bundle from {sender} is for {post}, not for this case file ({own}): check that "
        "you picked the right file. Nothing was changed"
    ),
    "bundle.cut_or_altered": (
        "This bundle was cut short or altered on the way: copy it again from the sender's "
        "stick, or ask for it again. Nothing was changed"
    ),
    "bundle.damaged": "This bundle is damaged ({detail}); ask for it again. Nothing was changed",
    "bundle.format_unsupported": (
        "This bundle was made by a newer ConsulDesk (format {version}); update ConsulDesk"
    ),
    "bundle.signature_bad": (
        "The signature of {post} on this bundle does not match: it was altered. Nothing was changed"
    ),
    "bundle.wrong_recipient": (
        "This bundle from {sender} was made for {post}, not for this case file. Nothing was changed"
    ),
    "bundle.schema_newer": (
        "This bundle from {sender} was made by a newer ConsulDesk (schema {schema}); update "
        "ConsulDesk, then import it. Nothing was changed"
    ),
    "bundle.sender_unknown": (
        "This bundle is signed by keys of {post} that are not enrolled here; enrol their key "
        "file first (consuldesk-cli keys enrol). Nothing was changed"
    ),
    "bundle.sender_revoked": (
        "This bundle is signed by keys of {post} that were revoked ({reason}). Nothing was changed"
    ),
    "sync.conflict_unknown": "There is no conflict {id}",
    "sync.partly_written": (
        "Bundles written for {written} ({files}): they count as sent. The bundle for {failed} "
        "failed: {reason}. Not written either: {left}. Make room, then export again"
    ),
    "sync.partly_written.last": (
        "Bundles written for {written} ({files}): they count as sent. The bundle for {failed} "
        "failed: {reason}. Make room, then export again"
    ),
    "sync.conflict_resolved": "The conflict {id} is already resolved",
    "sync.conflict_not_both": (
        "{target} holds one value: keep this one or take the other (phones and notes can keep both)"
    ),
    "keys.passphrase_short": "The passphrase is too short: use at least {minimum} characters",
    "keys.passphrase_wrong": "The passphrase does not open this case file's keys",
    "keys.locked": "The keys are locked: type their passphrase",
    "keys.sealed_by_login": (
        "This case file is encrypted: its keys open with your login, and have no passphrase "
        "of their own. Change your passphrase instead"
    ),
    "keys.passphrase_wrong_env": (
        "The passphrase in ${env} does not open this case file's keys: set it to this case "
        "file's passphrase, or unset it to be asked"
    ),
    "keys.sealed_damaged": (
        "This case file's keys are damaged and cannot be used; restore a backup or create "
        "new keys and enrol them again"
    ),
    "keys.not_key_file": "{path} is not a ConsulDesk key file (or it is damaged or cut short)",
    "keys.format_unsupported": (
        "{path} is a key file of a newer ConsulDesk (format {version}); update ConsulDesk"
    ),
    "keys.signature_bad": (
        "{path} was altered after it was written: its signature does not match. Do not enrol "
        "it; ask for the file again"
    ),
    "keys.none": "This case file has no keys yet: create them first (consuldesk-cli keys init)",
    "keys.exist": (
        "This case file already has keys (fingerprint {fingerprint}); rotate them instead of "
        "creating new ones"
    ),
    "keys.fingerprint_mismatch": (
        "The fingerprint {fingerprint} is not the one in the key file of {post}: do not enrol "
        "it. Read the fingerprint again over the phone; if it still differs, the file is not "
        "theirs"
    ),
    "keys.fingerprint_length": (
        "A fingerprint has 25 digits; the one given has {digits}: ask them to read all five groups"
    ),
    "keys.own_post": "This is the key file of {post}, this case file's own post",
    "keys.peer_changed": (
        "{post} already has other keys here (fingerprint {old}); the file holds {new}. A "
        "rotation arrives by itself in their next bundle; enrol these by hand only if their "
        "keys were lost (replace)"
    ),
    "keys.revoked": (
        "The keys of {post} with fingerprint {fingerprint} were revoked and cannot be enrolled "
        "again"
    ),
    "keys.unknown": (
        "No enrolled key is {key}: give its key id or the first digits of its fingerprint"
    ),
    "keys.unknown_post": (
        "{post} has no enrolled keys here: enrol its key file first (enrolled: {enrolled})"
    ),
    "bundle.to_own_post": (
        "{post} is this case file's own post: a bundle is made for another post or for headquarters"
    ),
    "keys.statement_signer": (
        "A key change for {post} is signed by a key this case file does not trust ({signer}); "
        "nothing was changed"
    ),
    "keys.not_recipient": "This is not an age public key (it should start with age1)",
    "keys.escrow_not_hq": "Only headquarters adds escrow keys",
    "roster.no_hotels": "There is no hotel on file yet: add the hotels the post books first",
    "slips.empty": "Nobody on this trip has a seat yet: allocate seats before printing slips",
    # registration lists
    "list.not_found": "There is no file at {path}",
    "list.unreadable": "{path} cannot be read: {detail}",
    "list.folder": "{path} is a folder: choose the list in it (a .csv or .xlsx file)",
    "list.no_extension": (
        "{path} has no file name extension: ConsulDesk reads lists saved as CSV (.csv) or "
        "Excel (.xlsx)"
    ),
    "list.export_extension": (
        "ConsulDesk writes lists as .csv or .xlsx, not “{suffix}”: end the file name "
        "({path}) with .csv or .xlsx"
    ),
    "list.extension": (
        "{path} is not a list ConsulDesk can read ({suffix}); use CSV or XLSX (Excel)"
    ),
    "list.encoding": (
        "{path} is not in UTF-8 or Windows-1251: it looks like {guess}. Import it as {guess}, "
        "or save it as UTF-8 or .xlsx"
    ),
    "list.encoding.unknown": (
        "{path} is not in a text encoding ConsulDesk recognises; save it as UTF-8 or .xlsx"
    ),
    "list.encoding_unknown": "“{value}” is not the name of a text encoding",
    "list.encoding_wrong": (
        "{path} cannot be read as {encoding} (line {line}, byte {position}); try another"
    ),
    "list.encoding_mixed": (
        "{path} is in UTF-8 but for some lines in another encoding (it looks like {guess}; "
        "lines {lines}): the list was put together from two files. Type those lines again, or "
        "save the whole list as UTF-8 or .xlsx"
    ),
    "list.nul_bytes": (
        "{path} holds NUL characters (first on line {line}), which no text list has: it is "
        "damaged or was not saved as text. Open it in a spreadsheet and save it as CSV (UTF-8) "
        "or .xlsx"
    ),
    "list.corrupt": "{path} cannot be read as a list: {detail}",
    "list.xlsx_cut": (
        "{path} is an Excel workbook whose end is missing (cut short by a download, a copy or "
        "a stick pulled out): copy it again from where it came, or open the original in Excel "
        "and save it again"
    ),
    "list.empty": "{path} is empty",
    "list.empty.header": "{path} has a header but no rows under it",
    "list.not_text": "{path} is not a text list ({kind}); save the list as CSV (UTF-8) or .xlsx",
    "list.not_text.unknown": "{path} is not a text file; save the list as CSV (UTF-8) or .xlsx",
    "list.not_xlsx": "{path} is not an Excel .xlsx workbook ({kind}); save it as .xlsx or CSV",
    "list.not_xlsx.unknown": "{path} is not an Excel .xlsx workbook; save it as .xlsx or CSV",
    "list.xls_old": (
        "{path} is an old Excel 97–2003 workbook (.xls); open it in Excel and save it as "
        ".xlsx or CSV"
    ),
    "list.encrypted": (
        "{path} is protected with a password; remove the password in Excel and save it again"
    ),
    "list.no_name_column": ("{path} has no surname or name column; its columns are: {headers}"),
    "list.duplicate_column": (
        "{path}: columns {columns} ({headers}) both hold {target}; say what each of them "
        "holds, or ignore one"
    ),
    "list.duplicate_column.script": (
        "{path}: columns {columns} ({headers}) both hold {target} in the same script; say what "
        "each of them holds, or ignore one"
    ),
    "list.column_unknown": "{path} has no column “{column}”; its columns are: {headers}",
    "list.column_target": "“{value}” is not something a column can hold (column “{column}”)",
    "list.write": "{path} cannot be written: {detail}",
    "list.review_write": (
        "The rows to look at cannot be written to {path} ({detail}), so nothing was imported: "
        "save them somewhere else"
    ),
    "list.sex": "Sex “{value}” is not understood (use M/F, М/Ж, Ер/Әйел)",
    "list.yes_no": "“{value}” is not yes or no",
    "list.status": "Status “{value}” is not known",
    "list.name_conflict": "{field_label}: two columns disagree (“{value}” and “{other}”)",
    "list.duplicate_row": (
        "{field_label} {value} is already on line {line} of this list, for another person "
        "({name}); one of the two lines is wrong"
    ),
    "list.match_conflict": (
        "{field_label} {value} belongs to a different person on file than the rest of this row"
    ),
    "list.iin_differs": (
        "IIN {value} differs from the IIN on file ({kept}) for this person; the one on file is kept"
    ),
    "list.consent": (
        "“{value}” is neither a date nor a yes or no for the consent to evacuation: kept aside "
        "for review"
    ),
    "list.record_deleted": (
        "The ConsulDesk ID {value} is of a record deleted on {date}: the row does not bring the "
        "person back. If they should be on file, clear the ID in the row and import it again"
    ),
    "list.other_person": (
        "{field_label} {value} belongs to {name} on file, not to {row_name} on this row"
    ),
    "list.value_differs": (
        "The list says {value}; the record on file says {kept}, which is kept until an officer "
        "decides"
    ),
    "list.relation": (
        "Relation “{value}” is not understood (use head, spouse, child, parent or other)"
    ),
    "list.repeat_row": "Repeats the person of line {line}: read as one person",
    "list.repeat_differs": (
        "Line {line} gives “{value}” for this person; “{kept}” (an earlier line) was kept"
    ),
    "list.family_other": (
        "Already in the family {household}: not moved to the family “{value}” of the list"
    ),
    "list.second_head": "{household} already has a head: this person was not made its head",
    "list.relation_differs": ("The list says “{value}”; the relation on file (“{kept}”) was kept"),
    "list.formula_no_value": (
        "Cell {cell} holds a formula ({formula}) without its result: the file was never saved "
        "in a spreadsheet. Type the value, or open the list in Excel or LibreOffice, save it "
        "and import it again"
    ),
    "list.sheet_unknown": "{path} has no sheet “{sheet}”; its sheets: {sheets}",
    "list.not_a_person": (
        "“{value}” reads as the list's total or a signature line, not a person: not imported"
    ),
    "list.header_again": (
        "This line repeats the list's header (line {line}), as an export does on each page: "
        "not a person, not imported"
    ),
    "list.unclosed_quote": (
        "A quote opened on line {line} never closes; the line was read without it: check "
        "this person against the list"
    ),
    # case file
    "casefile.not_found": "There is no case file at {path}",
    "casefile.empty": (
        "{path} is empty (0 bytes): the case file is not in it (a copy cut short?). Restore "
        "the latest backup from its backups folder, or open the right file"
    ),
    "casefile.exists": "A case file already exists at {path}; open it or choose another name",
    "casefile.not_sqlite": "{path} is not a ConsulDesk case file (not an SQLite database)",
    "casefile.not_casefile": "{path} is an SQLite database but not a ConsulDesk case file",
    "casefile.too_new": (
        "{path} was written by a newer ConsulDesk (schema {revision}); update ConsulDesk to open it"
    ),
    "casefile.locked": ("{path} is locked by another program or window; close it and try again"),
    "casefile.readonly": (
        "{path} is read-only: it can be read, but nothing can be saved into it. Make the file "
        "writable, or copy it into a folder of yours, and try again"
    ),
    "casefile.no_access": (
        "You have no permission to read {path}: ask whoever owns it for access, or for a copy"
    ),
    "casefile.readonly_folder": (
        "The folder {folder} cannot be written to, and SQLite keeps its journal beside {path} "
        "even to read it: copy the case file into a folder you can write to, or get write "
        "access to this one"
    ),
    "casefile.no_fts5": (
        "This SQLite ({sqlite}) has no full-text search (FTS5); ConsulDesk cannot run with it"
    ),
    "casefile.corrupt": (
        "{path} is damaged (SQLite: {detail}); nothing more will be written into it. Restore "
        "the last good backup"
    ),
    "casefile.corrupt.tables": (
        "{path} is damaged: SQLite found broken pages holding {tables}; nothing more will be "
        "written into it. Restore the last good backup"
    ),
    "casefile.io_error": (
        "{path} could not be read or written (SQLite: {detail}): the disk may be failing or "
        "was removed. Copy the case file to another disk, or restore the last good backup"
    ),
    "casefile.disk_full": "The disk holding {path} is full; free space and try again",
    "casefile.no_post": "{path} has no post set up; create it again",
    "casefile.write_refused": (
        "{path} failed its integrity check ({detail}): nothing is written into it. Restore a "
        "sound backup (Case file → Backups…) or open another case file"
    ),
    "casefile.encrypted": (
        "{path} is encrypted: log in with your officer name and passphrase to open it"
    ),
    "casefile.wrong_key": (
        "{path} does not open with this key: it is not this keyring's case file, or it is damaged"
    ),
    "casefile.not_encrypted": "{path} is not encrypted: open it without a passphrase",
    "casefile.plain": "{path} is not encrypted: encrypt it first (it has no accounts)",
    "casefile.encrypt_check": (
        "The encrypted copy did not match the case file ({detail}); the case file was left "
        "as it was, not encrypted"
    ),
    # keyring and accounts
    "keyring.missing": (
        "The keyring of this case file ({path}) is missing: restore it from the backups folder, "
        "or open the file with its recovery key"
    ),
    "keyring.missing_copy": (
        "The keyring of this case file is missing. A copy is kept with the backups: copy "
        "{copy} to {target} (the officers' passphrases come back with it), or open the file "
        "with its recovery key"
    ),
    "keyring.damaged": (
        "The keyring {path} is damaged ({detail}): restore it from the backups folder, or open "
        "the file with its recovery key"
    ),
    "keyring.no_officer": (
        "There is no passphrase for an officer called {name} in this case file's keyring: a "
        "closed account, another spelling (the command line takes the name from --officer or "
        "$CONSULDESK_OFFICER), or, after a recovery, a passphrase the head of section has to "
        "set again"
    ),
    "keyring.wrong_passphrase": "Wrong passphrase for {name}",
    "keyring.recovery_malformed": (
        "This is not a recovery key ({detail}): check each group of five letters"
    ),
    "keyring.recovery_wrong": "This recovery key belongs to another case file",
    "account.passphrase_short": "A passphrase needs at least {minimum} characters",
    "account.passphrase_same": "The new passphrase is the old one",
    "account.name": "An officer needs a name",
    "account.role": "{value} is not a role (viewer, officer, head of section)",
    "account.exists": "{name} already has an account",
    "account.unknown": "There is no active account called {name}",
    "account.disabled": "The account of {name} is closed; the head of section can open it again",
    "account.last_head": ("{name} is the last head of section: make another officer head first"),
    "account.self": "You cannot close your own account; another head of section can",
    "role.denied": "Your role ({role}) does not allow this: {power}. Ask the head of section",
}

#: What a role may do, as :func:`describe_code` names a refused power ({power}).
POWER_LABELS: dict[str, str] = {
    "change": "changing the case file",
    "export": "exporting lists of people",
    "delete": "deleting, merging or anonymising records",
    "bundle": "exporting or importing bundles",
    "keys": "managing the post's keys",
    "accounts": "managing officers' accounts and the recovery key",
    "restore": "restoring a backup",
}

#: The roles of officer accounts.
ROLE_LABELS: dict[str, str] = {
    "viewer": "viewer",
    "officer": "officer",
    "head": "head of section",
}


#: Status values that messages embed ({current}, {new}, {status}), as words in a sentence.
STATUS_WORD_LABELS: dict[str, str] = {
    "new": "new",
    "in_progress": "in progress",
    "waiting": "waiting",
    "resolved": "resolved",
    "closed": "closed",
    "cancelled": "cancelled",
    "booked": "booked",
    "checked_in": "checked in",
    "checked_out": "checked out",
    "planned": "planned",
    "boarding": "boarding",
    "departed": "departed",
    "arrived": "arrived",
    "allocated": "seated",
    "waitlisted": "waiting",
    "boarded": "boarded",
    "no_show": "a no-show",
    "offloaded": "offloaded",
    "evacuated": "evacuated",
    "left_on_own": "having left on their own",
    # a pair of probable duplicates
    "open": "to review",
    "merged": "merged",
    "dismissed": "two different people",
}

#: Where a national is (``presence_status``), as the window and the audit trail show it.
PRESENCE_LABELS: dict[str, str] = {
    "in_country": "In country",
    "in_transit": "In transit",
    "in_hotel": "In hotel",
    "evacuated": "Evacuated",
    "left_on_own": "Left on own",
    "unknown": "Unknown",
}

#: A member's place in a household, said relative to its head.
RELATION_LABELS: dict[str, str] = {
    "head": "Head",
    "spouse": "Spouse",
    "child": "Child",
    "parent": "Parent",
    "other": "Other",
    "member": "Group member",  # what older case files say of a tour group's members
}

#: How pressing an assistance request is (``priority``).
REQUEST_PRIORITY_LABELS: dict[str, str] = {
    "urgent": "Urgent",
    "high": "High",
    "normal": "Normal",
    "low": "Low",
}

#: What an assistance request is about (``kind``), as the queue, the Overview and the CLI
#: name it (the Overview said "Medical" where the queue said "Medical help").
REQUEST_KIND_LABELS: dict[str, str] = {
    "evacuation": "Evacuation",
    "accommodation": "Accommodation",
    "medical": "Medical help",
    "documents": "Documents",
    "financial": "Financial help",
    "detention": "Detention",
    "information": "Information",
    "death": "Death of a national",
}

#: The entries of a request's timeline (``kind``).
TIMELINE_LABELS: dict[str, str] = {
    "note": "Note",
    "call_in": "Call in",
    "call_out": "Call out",
    "visit": "Visit",
    "status": "Status",
    "assignment": "Assigned",
    "priority": "Priority",
}

#: What a hotel's rate is charged for (``rate_basis``).
RATE_BASIS_LABELS: dict[str, str] = {"person": "per person", "room": "per room"}

#: Who pays for a hotel stay.
PAID_BY_LABELS: dict[str, str] = {
    "post": "Embassy",
    "tour_operator": "Tour operator",
    "national": "The national",
}

#: Evacuation priority classes (``domain.allocation.CLASS_FLAGS``), as the officer reads them.
PRIORITY_CLASS_LABELS: dict[str, str] = {
    "medical_mobility": "medical or mobility needs",
    "pregnant": "pregnant",
    "over_60": "over 60",
    "women_with_minors": "woman with minor children",
    "minors": "minor",
    "others": "everyone else",
}

#: Why a person is where they are on a leg: the reason codes of the allocation and the pool.
REASON_TEMPLATES: dict[str, str] = {
    "allocated.priority": (
        "On {trip}: priority “{class}”, number {rank} in the queue; seats left after them: "
        "{free_seats}"
    ),
    "allocated.priority.group": (
        "On {trip} with their group of {group_size}: the group's priority is “{class}” (its "
        "most urgent member), number {rank} in the queue; seats left after it: {free_seats}"
    ),
    "allocated.other_city": (
        "On {trip}, which leaves from another city: the vehicles from {city} were full. "
        "Priority “{class}”, number {rank} in the queue; seats left after them: {free_seats}"
    ),
    "allocated.other_city.group": (
        "On {trip} with their group of {group_size}, which leaves from another city: the "
        "vehicles from {city} were full. The group's priority is “{class}”, number {rank} in "
        "the queue; seats left after it: {free_seats}"
    ),
    "allocated.no_city_trip": (
        "On {trip}, which leaves from another city: no vehicle of this leg leaves from {city}, "
        "where they are. Priority “{class}”, number {rank} in the queue; seats left after "
        "them: {free_seats}"
    ),
    "allocated.no_city_trip.group": (
        "On {trip} with their group of {group_size}, which leaves from another city: no "
        "vehicle of this leg leaves from {city}, where they are. The group's priority is "
        "“{class}”, number {rank} in the queue; seats left after it: {free_seats}"
    ),
    "allocated.split": (
        "On {trip}: priority “{class}”, number {rank} in the queue; the group of {group_size} "
        "is spread over {parts} vehicles"
    ),
    "allocated.manual": "Moved by hand to {trip} (from {previous})",
    "allocated.manual.group": (
        "Moved by hand to {trip} (from {previous}), with their group of {group_size}"
    ),
    "waitlisted.capacity": (
        "Waiting, number {position} on the list: priority “{class}”, number {rank} in the "
        "queue; no vehicle had a free seat left"
    ),
    "waitlisted.capacity.group": (
        "Waiting, number {position} on the list: the group's priority is “{class}”, number "
        "{rank} in the queue; no vehicle had {group_size} seats together (at most {free_seats} "
        "free)"
    ),
    "waitlisted.group_too_big": (
        "Waiting, number {position} on the list: the group of {group_size} is larger than the "
        "largest vehicle ({largest_trip} seats); allow splitting groups or add a bigger vehicle"
    ),
    "waitlisted.manual": "Taken off the vehicle by hand; waiting for a seat",
    "waitlisted.no_show": "Did not turn up for {trip}; waiting for the next vehicle",
    "waitlisted.offloaded": "Taken off {trip}; waiting for the next vehicle",
    "waitlisted.trip_cancelled": "{trip} was cancelled; waiting for a seat",
    "waitlisted.trip_removed": "{trip} was removed; waiting for a seat",
    "waitlisted.elsewhere": "Not given a seat: already seated on {trip} in another operation",
    "pool.criteria": "Added with the operation's candidates; not allocated yet",
    "pool.previous_leg": "Came from the leg before; not allocated yet",
    "pool.manual": "Added by hand; not allocated yet",
}

#: Problems to resolve before the border (PassengerRow.problems).
PROBLEM_LABELS: dict[str, str] = {
    # (expired already, or runs out before the vehicle leaves: judged on that day)
    "passport_expired": "passport not valid on the day of departure",
    "no_passport": "no passport number",
    "no_passport_name": "no name as printed in the passport",
    "no_consent": "no consent date on file",
    "minor_alone": "a minor with no adult of their family on this vehicle",
}
#: The same, short: a narrow column of the passengers' table (its tooltip says them whole).
PROBLEM_SHORT_LABELS: dict[str, str] = {
    "passport_expired": "expired",
    "no_passport": "no passport",
    "no_passport_name": "no Latin name",
    "no_consent": "no consent",
    "minor_alone": "unaccompanied",
}
_STATUS_PARAMS = ("current", "new", "status")
_SEX_PARAMS = frozenset({"stated", "from_iin"})  # as stored (a review item's JSON): "M", "F"

#: How a list's column is used (``ColumnMapping.note`` of a recognised column, by its field).
COLUMN_USE_LABELS: dict[str, str] = {
    "surname": "Cyrillic goes to the surname, Latin to the passport surname",
    "given_names": "Cyrillic goes to the given names, Latin to the passport given names",
    "patronymic": "Cyrillic patronymic; a Latin one is kept in the notes",
    "full_name": "Split into surname, given names and patronymic",
    "full_name_lat": "Split into passport surname and given names",
    "group": "People join this tour group, with its tour operator",
    "tour_operator": "Used with the tour group column only",
    "record_id": "Matches a record exported from ConsulDesk",
    "phones": "Several numbers per cell and several phone columns are allowed",
    "address": "Several address columns are joined",
    "notes": "Several note columns are joined",
    "household": "Rows with the same value are one family",
    "relation": "Role in the family: head, spouse, child, parent or other",
}
#: A key's role and status, as the CLI and the Sync page name them.
KEY_ROLE_LABELS: dict[str, str] = {
    "post": "a post",
    "headquarters": "headquarters",
    "escrow": "escrow key",
}
#: What dated a record's departure (consuldesk.domain.retention.Basis): why it expires.
RETENTION_BASIS_LABELS: dict[str, str] = {
    "trip": "boarded an evacuation trip",
    "stay_end": "hotel stay ended",
    "status": "status changed to gone",
    "deleted": "record deleted",
}

KEY_STATUS_LABELS: dict[str, str] = {"active": "in use", "retired": "retired", "revoked": "revoked"}


#: The records a bundle holds, by table, as the CLI and the Sync page count them.
SYNC_TABLE_LABELS: dict[str, str] = {
    "post": "posts",
    "national": "people",
    "household": "families and groups",
    "household_member": "family and group members",
    "assistance_request": "requests",
    "request_event": "request notes",
    "hotel": "hotels",
    "placement": "hotel stays",
    "evacuation_operation": "evacuation operations",
    "trip": "trips",
    "manifest_entry": "seats on trips",
    "duplicate_candidate": "probable duplicates",
}


#: Why a backup was taken (consuldesk.services.backups.KINDS), as the window and CLI say it.
BACKUP_KIND_LABELS: dict[str, str] = {
    "scheduled": "scheduled",
    "import": "before a list import",
    "merge": "before a bundle merge",
    "upgrade": "before an upgrade",
    "manual": "taken by hand",
    "restore": "before a restore",
    "restore_as_found": "before a restore, the damaged file as found",
    "other": "other",
}
#: The tables a backup's preview counts, in the order shown (labels: SYNC_TABLE_LABELS).
BACKUP_COUNTED = ("national", "household", "assistance_request", "placement", "trip")


def backup_reason(kind: str, detail: str) -> str:
    """Why a backup was taken, with what it names: ``before a list import: arrivals``."""
    if kind == "restore" and detail.startswith("as-found"):
        return _(BACKUP_KIND_LABELS["restore_as_found"])
    label = _(BACKUP_KIND_LABELS.get(kind, BACKUP_KIND_LABELS["other"]))
    return f"{label}: {detail}" if detail and kind != "other" else (detail or label)


def backup_holdings(counts: dict[str, int]) -> str:
    """``people 300, families and groups 70, requests 12, hotel stays 0, trips 0``: every
    counted table, zeros too (a backup that holds no trips says so)."""
    return ", ".join(f"{_(SYNC_TABLE_LABELS[t])} {counts.get(t, 0)}" for t in BACKUP_COUNTED)


def record_counts(counts: dict[str, int]) -> str:
    """``people 300, families and groups 70, …`` in the order records are applied ("" when
    there are none)."""
    order = list(SYNC_TABLE_LABELS)
    ranked = sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    return ", ".join(f"{_(SYNC_TABLE_LABELS.get(t, t))} {n}" for t, n in ranked if n)


def shown_conflict_value(field: str, value: Any, *, before: bool = False) -> str:
    """:func:`conflict_value` in quotes, or "(empty)" for a field without a value; on one
    line (a note of several lines kept whole by "Keep both" reads its lines joined by "; ")."""
    if field != "deleted_at" and value in (None, ""):
        return _("(empty)")
    text = "; ".join(line for line in conflict_value(field, value, before=before).splitlines())
    return _("“{value}”").format(value=text)


def conflict_value(field: str, value: Any, *, before: bool = False) -> str:
    """A sync conflict's value as an officer reads it: an edit against a deletion reads as
    "deleted" or "not deleted (with the edits)" (``before`` the two: "not deleted"); other
    values as :func:`value_text` gives them (phones written out, statuses in words)."""
    if field == "deleted_at":
        if value:
            return _("deleted")
        return _("not deleted") if before else _("not deleted (with the edits)")
    return value_text(field, value)


def version_time(version: str) -> str:
    """When a change was made, from its version (a hybrid logical clock stamp), in local
    time: what an officer can compare; the version itself when it is not one."""
    from consuldesk.domain.hlc import Timestamp

    try:
        stamp = Timestamp.parse(version)
    except (ValueError, TypeError):
        return version or "—"
    when = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC).astimezone()
    return f"{when:%d.%m.%Y %H:%M}"


def anonymised_over_edits(sender: str, edits: Mapping[str, list[str]]) -> str:
    """What a bundle's anonymisation took away here: the people and the fields changed here
    that the sender did not hold (their values are gone; nobody can be named)."""
    fields = sorted({f for names in edits.values() for f in names})
    labels = ", ".join(field_label(f).casefold() for f in fields)
    return ngettext(
        "{n} person was anonymised at {post}: what was changed here since ({fields}) is not kept.",
        "{n} people were anonymised at {post}: what was changed here since ({fields}) is not kept.",
        len(edits),
    ).format(n=len(edits), post=sender, fields=labels)


#: Sex as printed in the passport.
SEX_LABELS: dict[Sex, str] = {Sex.MALE: "Male", Sex.FEMALE: "Female"}
#: How a record reached the post (``source``).
SOURCE_LABELS: dict[Source, str] = {
    Source.WALK_IN: "Walk-in",
    Source.HOTLINE: "Hotline",
    Source.LIST_IMPORT: "List import",
    Source.TOUR_OPERATOR: "Tour operator",
    Source.TRAVEL_APP: "Travel app",
    Source.OTHER: "Other",
}
#: Stored codes of a field as the officer reads them (the words the window shows for them).
_FIELD_WORDS: dict[str, Mapping[Any, str]] = {
    "presence_status": PRESENCE_LABELS,
    "relation": RELATION_LABELS,
    "paid_by": PAID_BY_LABELS,
    "priority": REQUEST_PRIORITY_LABELS,
    "sex": SEX_LABELS,
    "source": SOURCE_LABELS,
}
_WORDS = {**STATUS_WORD_LABELS, **PRIORITY_CLASS_LABELS}
_COUNTRY_FIELDS = frozenset({"host_country", "nationality"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def value_text(name: str, value: Any, *, limit: int | None = None) -> str:
    """A value of field ``name`` as an officer reads it, wherever it is shown (the audit
    trail, a sync conflict, an edit conflict, a merge): dates as dd.mm.yyyy, times in local
    time, phones written out, countries and stored codes in words, lists joined, yes or no,
    "—" for nothing; cut to ``limit`` characters with "…"."""
    if value is None or (isinstance(value, str | list | tuple | dict) and not value):
        text = "—"
    elif isinstance(value, bool):
        text = _("Yes") if value else _("No")
    elif isinstance(value, datetime):
        text = f"{_aware(value).astimezone():%d.%m.%Y %H:%M}"
    elif isinstance(value, date):
        text = f"{value:%d.%m.%Y}"
    elif isinstance(value, list | tuple):
        text = ", ".join(value_text(name, v) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {value_text(k, v)}" for k, v in value.items())
    elif name in ("status", "priority_class") and str(value) in _WORDS:
        text = _(_WORDS[str(value)])  # a stored code as the officer reads it
    elif str(value) in _FIELD_WORDS.get(name, {}):
        text = _(_FIELD_WORDS[name][str(value)])
    elif name == "reason" and isinstance(value, str) and value.startswith("{"):
        text = _reason_text(value)
    elif name in ("phones", "phone") and str(value).startswith("+"):
        from consuldesk.domain.phone import format_phone

        text = format_phone(str(value))
    elif name in _COUNTRY_FIELDS:
        text = _country_text(str(value))
    else:
        text = str(value)
        if _ISO_DAY.match(text):
            text = f"{text[8:10]}.{text[5:7]}.{text[:4]}"
        elif _ISO_MOMENT.match(text):
            with contextlib.suppress(ValueError):  # not a moment after all: as it is
                text = f"{_aware(text.replace(' ', 'T', 1)).astimezone():%d.%m.%Y %H:%M}"
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _country_text(code: str) -> str:
    """A country code in the window's language (the code itself when unknown)."""
    from consuldesk.domain.countries import country_name
    from consuldesk.domain.errors import ValidationError
    from consuldesk.i18n import language

    try:
        return country_name(code, language())
    except ValidationError:
        return code


def _reason_text(stored: str) -> str:
    """Why a passenger is where they are, stored as JSON (a code and its parameters), as the
    sentence the Evacuation page shows."""
    try:
        data = json.loads(stored)
        return explain_reason(str(data.get("code") or ""), dict(data.get("params") or {}))
    except (ValueError, TypeError, AttributeError):
        return stored


#: Notes the service gives instead (``ColumnMapping.note``).
COLUMN_NOTE_LABELS: dict[str, str] = {
    "ignored: not recognised": "Not recognised: this column is not imported",
    "ignored: error column": "Column of an earlier review file: not imported",
    "ignored: row number": "Row number: not imported",
    "ignored: empty header": "No header: not imported",
    "ignored: chosen": "Not imported, as chosen",
    "cyrillic values": "Cyrillic names: to the Cyrillic name",
    "latin values": "Latin names: to the name as in the passport",
}


def _variant(code: str, params: dict[str, Any]) -> str:
    """Some codes read differently with some parameters (a list with or without a header)."""
    if code == "hotel.full" and params.get("requested") == 1:
        return "hotel.full.one"
    if code == "household.relation_age" and params.get("relation") == "parent":
        return "household.relation_age.parent"
    if code == "sync.partly_written" and not params.get("left"):
        return "sync.partly_written.last"
    if code == "request.transition" and not params.get("allowed"):
        return "request.transition.any"  # raised before the statuses it can become were said
    if code == "casefile.corrupt" and params.get("tables"):
        return "casefile.corrupt.tables"
    if code == "list.empty" and params.get("header"):
        return "list.empty.header"
    if code == "list.duplicate_column" and params.get("target") in _BY_SCRIPT_TARGETS:
        return "list.duplicate_column.script"
    if code in ("list.not_text", "list.not_xlsx", "list.encoding") and not params.get(
        "kind", params.get("guess")
    ):
        return f"{code}.unknown"
    return code


_LABEL_PARAMS = ("target",)  # parameters that name a field: shown as its label
_LABEL_LIST_PARAMS = ("fields",)  # parameters that list fields: shown as their labels
_BY_SCRIPT_TARGETS = {"surname", "given_names", "patronymic", "full_name"}


def describe_code(code: str, field: str | None = None, /, **params: Any) -> str:
    """The sentence for an error code with its parameters (unknown codes are shown as they are).

    ``code`` and ``field`` are positional only, so a parameter may be called ``field`` too.
    """
    template = TEMPLATES.get(_variant(code, params))
    values = {
        k: _format_value(Sex(v) if k in _SEX_PARAMS and v in ("M", "F") else v)
        for k, v in params.items()
    }
    for key in _STATUS_PARAMS:
        word = STATUS_WORD_LABELS.get(str(values.get(key, "")))
        if word is not None:
            values[key] = _(word)
    if isinstance(params.get("allowed"), (list, tuple)):  # statuses, as words
        values["allowed"] = ", ".join(
            _(STATUS_WORD_LABELS.get(str(v), str(v))) for v in params["allowed"]
        )
    for key in _LABEL_PARAMS:
        if isinstance(params.get(key), str):
            values[key] = field_label(params[key])
    for key in _LABEL_LIST_PARAMS:
        if isinstance(params.get(key), (list, tuple)):
            values[key] = ", ".join(field_label(str(name)) for name in params[key])
    if field:
        values.setdefault("field_label", _(FIELD_LABELS.get(field, field)))
    if code == "list.relation_differs" and isinstance(params.get("kept"), str):
        values["kept"] = _(RELATION_LABELS.get(params["kept"], params["kept"]))  # "Spouse"
    if code == "role.denied":
        values["power"] = _(POWER_LABELS.get(str(params.get("power")), str(params.get("power"))))
        values["role"] = _(ROLE_LABELS.get(str(params.get("role")), str(params.get("role"))))
    if template is None:
        detail = ", ".join(f"{k}={v}" for k, v in values.items() if k != "field_label")
        return f"{code}: {detail}" if detail else code
    try:
        return _(template).format(**values)
    except (KeyError, IndexError, ValueError):
        return f"{_(template)} ({code})"


def describe(error: BaseException) -> str:
    """The sentence for an exception that carries ``code`` (and maybe ``field``, ``params``)."""
    errors = getattr(error, "errors", None)
    if isinstance(errors, list):
        return "; ".join(describe(e) for e in errors)
    code = getattr(error, "code", None)
    raw = getattr(error, "params", None) or {}
    if not isinstance(code, str) or not isinstance(raw, Mapping):
        # Not one of ours: a database driver's error has a code and SQL parameters too.
        return str(error)
    params = dict(raw)
    if (path := getattr(error, "path", None)) is not None:
        params.setdefault("path", str(path))
    return describe_code(code, getattr(error, "field", None), **params)


def explain_reason(code: str | None, params: dict[str, Any]) -> str:
    """The sentence saying why a person is on a vehicle or waiting (empty when unknown)."""
    if not code:
        return str(params.get("text", ""))
    if params.get("group_size", 1) != 1 and f"{code}.group" in REASON_TEMPLATES:
        code = f"{code}.group"
    template = REASON_TEMPLATES.get(code)
    values = {k: _format_value(v) for k, v in params.items()}
    if "class" in values:
        values["class"] = _(PRIORITY_CLASS_LABELS.get(str(values["class"]), str(values["class"])))
    if values.get("previous") == "waitlist":
        values["previous"] = _("the waiting list")
    if template is None:
        return code
    try:
        return _(template).format(**values)
    except (KeyError, IndexError, ValueError):
        return _(template)


def column_note(field: str | None, note: str | None) -> str:
    """How a list's column is used, or why it is ignored, in the officer's words."""
    if note in COLUMN_NOTE_LABELS:
        return _(COLUMN_NOTE_LABELS[note])
    if field is None:
        return _(COLUMN_NOTE_LABELS["ignored: not recognised"])
    if field in COLUMN_USE_LABELS:
        return _(COLUMN_USE_LABELS[field])
    return ""


def field_label(field: str) -> str:
    """The translated label of a field."""
    return _(FIELD_LABELS.get(field, field))


def _format_value(value: Any) -> Any:
    from datetime import date, datetime

    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # ISO dates in parameters read as dd.mm.yyyy
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(f"“{v}”" for v in value)
    if isinstance(value, Sex):  # "Sex Ж does not match", not a Latin letter in Kazakh
        return _(SEX_LABELS[value]).casefold()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


#: The mark before the problems to solve before the border.
PROBLEM_MARK = "⚠"


def problems_text(problems: tuple[str, ...] | list[str], *, short: bool = False) -> str:
    """The problems to solve before the border, marked with ⚠ (empty when none); ``short``
    for a narrow column."""
    if not problems:
        return ""
    labels = PROBLEM_SHORT_LABELS if short else PROBLEM_LABELS
    return f"{PROBLEM_MARK} " + ", ".join(_(labels.get(p, p)) for p in problems)


#: Scan outcomes that check the passenger in (or found them checked in already).
SCAN_BOARDED = frozenset({"boarded", "replaced_boarded", "already_boarded"})


def scan_line(result: Any, typed: str, trip_status: str = "") -> str:
    """What a scan at the door did, in one line (``result``: a ``ScanResult``; ``typed``: the
    code as scanned or typed; ``trip_status``: the trip's status, for a closed trip). Boarded
    with a problem the border will stop them for: the problem follows on the same line."""
    p = result.passenger
    name = (p.person.name_cyr or p.person.name) if p is not None else ""
    seat = p.seat if p is not None and p.seat else None
    problems = (" " + problems_text(p.problems)) if p is not None and p.problems else ""
    outcome = result.outcome
    position = " " + _("({n}. in line)").format(n=p.position) if p and p.position else ""
    if outcome in ("boarded", "already_boarded"):
        line = (
            _("✓ Boarded: {name}") if outcome == "boarded" else _("✓ Already boarded: {name}")
        ).format(name=name)
        if seat:
            line += ", " + _("seat {seat}").format(seat=seat)
        return line + problems
    if outcome == "replaced_boarded":  # boarded all the same; the officer says the new seat
        line = _("✓ Boarded: {name}, new seat {seat} (slip replaced)")
        return line.format(name=name, seat=seat or "—") + problems
    if outcome == "open_manifest":
        return _("Opened {trip}").format(trip=result.trip_label)
    if outcome == "this_manifest":
        return _("This is this trip's manifest.")
    if outcome == "other_trip":
        return _("✗ Other vehicle: {name} → {trip}").format(name=name, trip=result.trip_label)
    if outcome == "replaced_other_trip":
        return (
            _("✗ Slip replaced: {name} is now on {trip}, seat {seat}")
            if seat
            else _("✗ Slip replaced: {name} is now on {trip}")
        ).format(name=name, trip=result.trip_label, seat=seat)
    if outcome == "replaced_waitlisted":
        return _("✗ Slip replaced: {name} is now on the waiting list").format(name=name) + position
    if outcome == "waitlisted":
        return _("✗ No seat yet: {name} is on the waiting list").format(name=name) + position
    if outcome == "not_on_trip":
        who = result.person or (p.person if p is not None else None)
        who_name = (who.name_cyr or who.name) if who is not None else ""
        return _("✗ Not on this trip: {name}").format(name=who_name)
    if outcome == "trip_closed":
        status = _(STATUS_WORD_LABELS.get(trip_status, trip_status))
        return _("✗ Boarding is closed: this trip is {status}").format(status=status)
    if outcome == "no_seat":
        return _("✗ Nobody has seat {seat} on this trip").format(seat=result.printed_seat)
    if outcome == "no_passport":
        return _("✗ Nobody with passport {number} on file").format(number=result.printed_seat)
    return _("✗ Unknown code: {code}").format(code=typed)


def hotel_on_file_sentence(hotel: str, beds: int) -> str:
    """A hotel of the same name and city already on file, said the same by the window and
    the CLI before they ask whether to save a second one."""
    return ngettext(
        "“{hotel}” is on file already, with {beds} bed.",
        "“{hotel}” is on file already, with {beds} beds.",
        beds,
    ).format(hotel=hotel, beds=beds)


def left_alone_sentence(children: list[str], hotel: str) -> str:
    """The children a check-out would leave at ``hotel`` without an adult of their family,
    said the same by the window and the CLI before they ask."""
    return ngettext(
        "{children} would stay at {hotel} without an adult of the family.",
        "{children} would stay at {hotel} without an adult of the family.",
        len(children),
    ).format(children=", ".join(children), hotel=hotel)


def trip_change_question(label: str, status: str, allocated: int, seated: int) -> str:
    """What marking trip ``label`` ``status`` costs, asked before it is done (empty: nothing):
    departed, its ``allocated`` not boarded become no-shows; cancelled, its ``seated`` go back
    to the waiting list."""
    if status == "departed" and allocated:
        text = ngettext(
            "{n} passenger has not boarded and will be marked a no-show.",
            "{n} passengers have not boarded and will be marked no-shows.",
            allocated,
        ).format(n=allocated)
        return text + " " + _("Mark {trip} departed?").format(trip=label)
    if status == "cancelled" and seated:
        return ngettext(
            "Cancel {trip}? Its {n} passenger goes back to the waiting list.",
            "Cancel {trip}? Its {n} passengers go back to the waiting list.",
            seated,
        ).format(trip=label, n=seated)
    return ""
