"""The id of a row that is already in the database, typed as the `int` it then certainly is.

Table models declare `id: int | None` because a new row has none until it is flushed; every
notice, push or complaint the services work on was loaded or flushed first. A row without an
id here is a bug (a missing flush), so it fails loudly instead of writing NULL keys.
"""

from __future__ import annotations

from typing import Protocol


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """The row's id; raises if the row was never flushed."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id
