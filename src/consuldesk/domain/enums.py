"""Enumerations shared by every layer.

Values are stable: they are stored in case files and bundles.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    """Sex as printed in the passport."""

    MALE = "M"
    FEMALE = "F"


class PresenceStatus(StrEnum):
    """Where a national is, as far as the post knows."""

    IN_COUNTRY = "in_country"
    IN_TRANSIT = "in_transit"  # at an airport or on the road
    IN_HOTEL = "in_hotel"
    EVACUATED = "evacuated"
    LEFT_ON_OWN = "left_on_own"
    UNKNOWN = "unknown"


class Source(StrEnum):
    """How the record reached the post."""

    WALK_IN = "walk_in"
    HOTLINE = "hotline"
    LIST_IMPORT = "list_import"
    TOUR_OPERATOR = "tour_operator"
    TRAVEL_APP = "travel_app"
    OTHER = "other"


class HouseholdKind(StrEnum):
    """A family travels together; a tour group shares an operator and a booking."""

    FAMILY = "family"
    TOUR_GROUP = "tour_group"


class Relation(StrEnum):
    """A member's place in a household, said relative to its head (a child is the head's child).

    ``head`` is held by at most one member: the household's head (``Household.head_id``).
    """

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


class Vulnerability(StrEnum):
    """Computed vulnerability flags, in the order evacuation priority considers them."""

    MEDICAL = "medical"
    MOBILITY = "mobility"
    PREGNANT = "pregnant"
    OVER_60 = "over_60"
    WOMAN_WITH_MINORS = "woman_with_minors"
    MINOR = "minor"


class RequestKind(StrEnum):
    """What a national asks the post for."""

    EVACUATION = "evacuation"
    ACCOMMODATION = "accommodation"
    MEDICAL = "medical"
    DOCUMENTS = "documents"  # lost or expired documents
    FINANCIAL = "financial"
    DETENTION = "detention"
    INFORMATION = "information"
    DEATH = "death"


class RequestPriority(StrEnum):
    """Urgency of an assistance request."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class RequestStatus(StrEnum):
    """Workflow state of an assistance request (transitions: :mod:`consuldesk.domain.requests`)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # on the national, a hotel, another authority
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class TimelineKind(StrEnum):
    """Entries in a request's timeline."""

    NOTE = "note"
    CALL_IN = "call_in"
    CALL_OUT = "call_out"
    VISIT = "visit"  # came to the post in person
    STATUS = "status"
    ASSIGNMENT = "assignment"
    PRIORITY = "priority"  # priority or due time changed: "normal → urgent" + the due time


class PlacementStatus(StrEnum):
    """A hotel placement's state."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"


class PaidBy(StrEnum):
    """Who pays for a hotel placement."""

    POST = "post"
    TOUR_OPERATOR = "tour_operator"
    NATIONAL = "national"


class RateBasis(StrEnum):
    """What a hotel's nightly rate is charged for."""

    PERSON = "person"  # each guest pays the rate every night
    ROOM = "room"  # the room pays the rate once a night, however many share it


class TripMode(StrEnum):
    """How a leg of an evacuation travels."""

    BUS = "bus"
    FLIGHT = "flight"
    TRAIN = "train"
    FERRY = "ferry"
    OTHER = "other"


class OperationStatus(StrEnum):
    """State of an evacuation operation or one of its trips."""

    PLANNED = "planned"
    UNDER_WAY = "under_way"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TripStatus(StrEnum):
    """Where one vehicle of a leg stands."""

    PLANNED = "planned"
    BOARDING = "boarding"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"


class ManifestStatus(StrEnum):
    """A passenger's state on one leg."""

    ALLOCATED = "allocated"
    WAITLISTED = "waitlisted"
    BOARDED = "boarded"
    NO_SHOW = "no_show"
    OFFLOADED = "offloaded"


class DuplicateStatus(StrEnum):
    """Review state of a probable-duplicate pair."""

    OPEN = "open"
    DISMISSED = "dismissed"
    MERGED = "merged"
