"""Polars schemas derived from the Pydantic record models (one declaration per record type).

A money field declared ``Annotated[Decimal, Field(max_digits=18, decimal_places=2)]`` becomes
``pl.Decimal(18, 2)``; ``date`` becomes ``pl.Date``; ``str`` and ``Literal[...]`` strings become
``pl.String``; ``X | None`` is the same dtype (Polars columns are always nullable).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

import polars as pl
from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

DEFAULT_DECIMAL = pl.Decimal(18, 2)


def _decimal_dtype(info: FieldInfo, extra: list[Any]) -> pl.Decimal:
    digits = scale = None
    metas: list[Any] = [*info.metadata]
    for m in extra:
        metas.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    for meta in metas:
        digits = getattr(meta, "max_digits", digits)
        scale = getattr(meta, "decimal_places", scale)
    if digits is None or scale is None:
        raise TypeError(f"Decimal field needs max_digits and decimal_places: {info}")
    return pl.Decimal(int(digits), int(scale))


def _strip_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def dtype_for(info: FieldInfo) -> pl.DataType:
    """The Polars dtype of one Pydantic field (scalars only; nested models are not frames)."""
    ann = _strip_optional(info.annotation)
    extra: list[Any] = []
    if get_origin(ann) is typing.Annotated:
        ann, *extra = get_args(ann)
    if ann is Decimal:
        return _decimal_dtype(info, extra)
    if ann is dt.date:
        return pl.Date()
    if ann is dt.datetime:
        return pl.Datetime("us", "UTC")
    if ann is int:
        return pl.Int64()
    if ann is bool:
        return pl.Boolean()
    if ann is str or get_origin(ann) is Literal:
        return pl.String()
    raise TypeError(f"no Polars dtype for {info.annotation!r}")


def polars_schema(model: type[BaseModel]) -> dict[str, pl.DataType]:
    """Column name -> dtype for every field of ``model``, in declaration order."""
    return {name: dtype_for(info) for name, info in model.model_fields.items()}


def literal_values(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The allowed values of a ``Literal[...]`` field (for vectorised membership checks)."""
    ann = _strip_optional(model.model_fields[name].annotation)
    if get_origin(ann) is not Literal:
        raise TypeError(f"{model.__name__}.{name} is not a Literal")
    return tuple(str(v) for v in get_args(ann))


def required_fields(model: type[BaseModel]) -> list[str]:
    """Fields that may not be empty: required and not ``Optional``."""
    out = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        optional = get_origin(ann) in (Union, types.UnionType) and type(None) in get_args(ann)
        if info.is_required() and not optional:
            out.append(name)
    return out


def max_length(model: type[BaseModel], name: str) -> int | None:
    for meta in model.model_fields[name].metadata:
        if isinstance(meta, MaxLen):
            return int(meta.max_length)
    return None


UTC_DATETIME = pl.Datetime("us", "UTC")


def utc_column(value: dt.datetime, height: int, name: str) -> pl.Series:
    """``value`` (naive means UTC) repeated ``height`` times, built without a Python list."""
    utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return pl.select(pl.repeat(utc, height, dtype=UTC_DATETIME).alias(name)).to_series()
