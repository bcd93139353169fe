"""Domain errors: a machine-readable code, the offending field and parameters, never UI text.

The text shown to a person is produced from ``code`` and ``params`` by
:func:`consuldesk.messages.describe`, in the officer's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error raised by the domain layer."""


class ValidationError(DomainError):
    """A value failed validation.

    Attributes:
        code: stable identifier of the problem, e.g. ``"iin.checksum"``.
        field: name of the offending field, e.g. ``"iin"``.
        params: values that make the message precise (the bad value, the expected value...).
    """

    # code and field are positional only, so a parameter may be called "field" too.
    def __init__(self, code: str, field: str, /, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{field}: {code} {params}" if params else f"{field}: {code}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidationError) and (self.code, self.field, self.params) == (
            other.code,
            other.field,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.field))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as what it was made of (a large list is checked in two processes); the
        # exception's own reduce would call __init__ with the message alone.
        return _validation_error, (self.code, self.field, self.params)


def _validation_error(code: str, field: str, params: dict[str, Any]) -> ValidationError:
    return ValidationError(code, field, **params)


class ValidationErrors(DomainError):
    """Several validation errors found in one record."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    def __reduce__(self) -> tuple[Any, ...]:
        return ValidationErrors, (self.errors,)
