"""Errors the use cases raise besides domain validation errors."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A use case refused: ``code`` says why, ``field`` where, ``params`` the details.

    Codes: ``national.duplicate`` (field ``iin`` or ``passport_no``; params ``existing_id``,
    ``existing_name``, ``value``), ``national.merge_self``, ``household.member_twice``,
    ``placement.overlap``, ``hotel.full``, ``request.closed``, ``post.code``.
    """

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code} {field or ''} {params}".strip())
