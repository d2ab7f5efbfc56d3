"""How long a text field may be, read from the record models (one declaration, here derived).

A client can send a 30 MB invoice number or a 20 MB member id; the model's ``max_length`` says
what the field can hold, and a longer value is an issue whose message names the length and the
first characters only (never the whole value).

>>> from schemas.invoice import Invoice
>>> text_limits(Invoice)["invoice_number"], text_limits(Invoice)["po_number"]
(100, 100)
>>> [issue] = too_long(Invoice, {"invoice_number": "9" * 30_000_000}, "INV-TOO-LONG")
>>> issue.message.split(";")[0], len(issue.message) < 120
('invoice_number is 30,000,000 characters long', True)
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from schemas.issue import Issue

_SHOWN = 20


def _max_len(metadata: typing.Iterable[object]) -> int | None:
    for meta in metadata:
        if isinstance(meta, MaxLen):
            return int(meta.max_length)
        if isinstance(meta, FieldInfo):
            found = _max_len(meta.metadata)
            if found is not None:
                return found
    return None


def _annotation_limit(annotation: object) -> int | None:
    """``max_length`` of ``Annotated[str, Field(max_length=n)]``, also inside ``X | None``."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _max_len(typing.get_args(annotation)[1:])
    for arg in typing.get_args(annotation):
        found = _annotation_limit(arg)
        if found is not None:
            return found
    return None


@cache
def text_limits(model: type[BaseModel]) -> dict[str, int]:
    """``{field: max_length}`` for every field of ``model`` that declares one."""
    out = {}
    for name, info in model.model_fields.items():
        limit = _max_len(info.metadata)
        if limit is None:
            limit = _annotation_limit(info.annotation)
        if limit is not None:
            out[name] = limit
    return out


def too_long(
    model: type[BaseModel], values: Mapping[str, Any], code: str, prefix: str = ""
) -> list[Issue]:
    """An issue per text value of ``values`` longer than ``model`` allows for its field."""
    out = []
    for name, limit in text_limits(model).items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            out.append(
                Issue(
                    code=code,
                    field=f"{prefix}{name}",
                    message=f"{name} is {len(value):,} characters long; at most {limit} are"
                    f" allowed (it begins {value[:_SHOWN] + '...'!r}).",
                )
            )
    return out
