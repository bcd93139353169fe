"""Use cases about hotels: the hotels the post books, who stays where, occupancy and costs.

A placement is one person's stay. It *occupies* the nights from ``check_in`` up to the night
before ``check_out`` (open-ended while ``check_out`` is unknown) unless it is cancelled; booked,
checked-in and checked-out placements all count, so occupancy and costs of past nights stay
true. Amounts are integers in minor units of the placement's currency (copied from the hotel
when the placement is made) and different currencies are never added together.

A rate is per person or per room and night (:class:`RateBasis`, copied from the hotel with the
rate). Per person, every guest pays it. Per room, the stays placed together (or later given
the same room number while one of them is there) share a ``room_group`` and the room pays the
rate once a night while any of them stays: a family of four in one room is charged once.

The package, by stage:

- :mod:`~consuldesk.services.hotels.records`: the hotels themselves (add, update, read).
- :mod:`~consuldesk.services.hotels.stays`: the rules of a stay (nights, overlap, capacity, a
  room charged per room) and the rows stays are shown as.
- :mod:`~consuldesk.services.hotels.placing`: placing people (checked first with
  :func:`check_placement`), check-in, check-out, cancelling; the households the form offers.
- :mod:`~consuldesk.services.hotels.reading`: guests of a night, occupancy and costs.
"""

from __future__ import annotations

from consuldesk.services.hotels.placing import (
    cancel_placement,
    change_check_out,
    check_in,
    check_out,
    check_placement,
    household_choices,
    move_stays,
    place,
    place_household,
    undo_leaving,
)
from consuldesk.services.hotels.reading import (
    costs,
    guests_at_the_desk,
    guests_tonight,
    left_without_an_adult,
    list_placements,
    occupancy,
)
from consuldesk.services.hotels.records import (
    HotelFields,
    add_hotel,
    currency_code,
    delete_hotel,
    get_hotel,
    hotel_row,
    list_hotels,
    live_hotel,
    rate_basis,
    same_hotels,
    stays_at,
    update_hotel,
)
from consuldesk.services.hotels.stays import ACTIVE_STATUSES, live_placement

__all__ = [
    "ACTIVE_STATUSES",
    "HotelFields",
    "add_hotel",
    "cancel_placement",
    "change_check_out",
    "check_in",
    "check_out",
    "check_placement",
    "costs",
    "currency_code",
    "delete_hotel",
    "get_hotel",
    "guests_at_the_desk",
    "guests_tonight",
    "hotel_row",
    "household_choices",
    "left_without_an_adult",
    "list_hotels",
    "list_placements",
    "live_hotel",
    "live_placement",
    "move_stays",
    "occupancy",
    "place",
    "place_household",
    "rate_basis",
    "same_hotels",
    "stays_at",
    "undo_leaving",
    "update_hotel",
]
