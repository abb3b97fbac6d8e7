"""Keyset pagination: a page starts after (or ends before) the sort key of a row, never at an offset.

A page costs the same at the first and the 40,000th page: PostgreSQL walks the sort's index from the
key on, with a row comparison `(student_count, id) < (%s, %s)` it can use as an index condition. The
cursor handed to clients is an opaque, URL-safe string: the sort, the direction and the key.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import BooleanField, Field, Model, QuerySet
from django.db.models.expressions import RawSQL

AFTER = "a"
BEFORE = "b"


class CursorInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Sort:
    """An order of rows: key columns (the last one unique), all ascending or all descending."""

    fields: tuple[str, ...]
    descending: bool
    datetime_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cursor:
    sort_name: str
    direction: str
    key: tuple[Any, ...]

    def encode(self) -> str:
        values = [value.isoformat() if isinstance(value, datetime.datetime) else value for value in self.key]
        raw = json.dumps([self.sort_name, self.direction, values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None


def cursor_decode(text: str, *, sort_name: str, sort: Sort) -> Cursor:
    """The cursor in `text`; CursorInvalid if it is malformed or belongs to another sort."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        name, direction, values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise CursorInvalid("malformed cursor") from None
    if name != sort_name or direction not in (AFTER, BEFORE) or not isinstance(values, list):
        raise CursorInvalid("cursor of another order")
    if len(values) != len(sort.fields):
        raise CursorInvalid("cursor of another order")
    return Cursor(
        name, direction, tuple(_key_value(field, value, sort) for field, value in zip(sort.fields, values, strict=True))
    )


def _key_value(field: str, value: Any, sort: Sort) -> Any:
    if field in sort.datetime_fields:
        try:
            parsed = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise CursorInvalid("bad time in cursor")
        return parsed
    if type(value) is not int or not -(2**63) <= value < 2**63:
        raise CursorInvalid("bad number in cursor")
    return value


def keyset_page[M: Model](
    queryset: QuerySet[M], *, sort_name: str, sort: Sort, cursor: Cursor | None, limit: int
) -> Page[M]:
    """One page of `queryset` in the order of `sort`, after or before `cursor` (the first page without)."""
    backwards = cursor is not None and cursor.direction == BEFORE
    descending = sort.descending != backwards
    ordered = queryset.order_by(*[f"-{field}" if descending else field for field in sort.fields])
    if cursor is not None:
        ordered = ordered.filter(_beyond(queryset.model, sort.fields, cursor.key, descending))
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()

    if not rows:  # past either end (rows went away meanwhile): the page offers a way back to the start
        return Page(rows, next_cursor=None, previous_cursor=None)

    def key_cursor(row: M, direction: str) -> str:
        return Cursor(sort_name, direction, tuple(getattr(row, field) for field in sort.fields)).encode()

    has_next = (more and not backwards) or backwards
    has_previous = (more and backwards) or (cursor is not None and not backwards)
    return Page(
        rows,
        next_cursor=key_cursor(rows[-1], AFTER) if has_next else None,
        previous_cursor=key_cursor(rows[0], BEFORE) if has_previous else None,
    )


def _beyond(model: type[Model], fields: tuple[str, ...], key: tuple[Any, ...], descending: bool) -> RawSQL:
    """`(a, b) < (%s, %s)` (or `>`): the rows after `key` in this order, as one index condition."""
    table = model._meta.db_table
    columns = ", ".join(f'"{table}"."{cast("Field[Any, Any]", model._meta.get_field(name)).column}"' for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    operator = "<" if descending else ">"
    return RawSQL(f"({columns}) {operator} ({placeholders})", key, output_field=BooleanField())  # noqa: S611
