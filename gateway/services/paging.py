"""One page of a listing: the rows, where they are, how many in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

Q = TypeVar("Q", bound=Select[Any])


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
        }


def where_equal(query: Q, *filters: tuple[InstrumentedAttribute[Any], object]) -> Q:
    """Keep the rows whose column equals each (column, value) given; a None value keeps all."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


def paginate(session: Session, query: Select[Any], page: int, per_page: int) -> Page:
    """Run an ordered query for one page, with the total count of rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=items, page=page, per_page=per_page, total=total)
