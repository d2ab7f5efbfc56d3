"""Bulk reads and writes between Polars frames and the store, without per-row Python.

Writes skip rows whose natural key already exists, so a retry changes nothing:
- SQLite gets a frame of one varying column as one JSON array, expanded by ``json_each``
  inside one ``INSERT OR IGNORE ... SELECT`` (no Python object per row or per value), and a
  wider frame as rows bound one by one to one ``INSERT OR IGNORE`` (``executemany``);
- PostgreSQL gets binary ``COPY`` (:mod:`store.pg_binary`): straight into the table for the
  first rows of a scope (a file), else into a temporary table and ``INSERT ... SELECT ... ON
  CONFLICT DO NOTHING``.
Columns that are the same for every row are bound once as ``constants``. The parent of the
tables in :data:`store.models.PARENT_CHECKS` (a file, a meter batch) is checked once per write
instead of by a foreign key per row.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import polars as pl
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from store import pg_binary
from store.models import PARENT_CHECKS
from store.text import storable

_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%6f"
_READ_CHUNK = 50_000
_WRITE_CHUNK = 20_000


def _as_text_values(frame: pl.DataFrame, ts_format: str) -> pl.DataFrame:
    """Decimals as exact text, timestamps as naive-UTC text: what the column types store."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.strftime(ts_format)
        elif isinstance(dtype, pl.Decimal):
            col = col.cast(pl.String)
        elif dtype == pl.Date():
            col = col.dt.strftime("%Y-%m-%d")
        elif dtype == pl.String():
            col = storable(col)
        out.append(col.alias(name))
    return frame.select(out)


def _constant_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(dt.UTC).replace(tzinfo=None).strftime(_SQLITE_TS.replace("%6f", "%f"))
        )
    if isinstance(value, bool):
        return int(value)
    if value is not None and not isinstance(value, int | str | float):
        return str(value)
    return value


def insert_ignore(
    session: Session,
    table: str,
    frame: pl.DataFrame,
    constants: dict[str, Any] | None = None,
    prefixed: dict[str, tuple[str, str]] | None = None,
    position: str | None = None,
    scope: tuple[str, ...] = (),
) -> int:
    """Insert every row of ``frame`` (plus ``constants``) unless its unique key exists.

    ``prefixed`` declares text columns built as a constant prefix plus another column of the
    row (``{"transaction_id": ("payroll:ab12:", "record_index")}``), so keys derived from an
    index need not travel row by row. ``position`` names a unique non-negative integer column
    (a record index): when ``frame`` is that and one other column, and the indexes are dense,
    SQLite gets the other column as one flat array indexed by it, which it reads several
    times faster than an array of objects. ``scope`` names constants that lead the table's
    unique key (``("file_id",)``): on PostgreSQL, the first write of a scope copies straight
    into the table. Returns the number of rows actually inserted.
    """
    if frame.height == 0:
        return 0
    constants = constants or {}
    prefixed = prefixed or {}
    check_parents(session, table, frame, constants)
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        dense = _dense_array(frame, position) if position else None
        skip_nulls = ""
        if dense is not None:  # [value at index 0, value at index 1, ...], null where no row
            payload, pick = dense
            skip_nulls = " WHERE j.type != 'null'"
        elif frame.width == 1:  # a flat JSON array: json_each yields the scalars themselves
            only = frame.columns[0]
            payload = json_array(_as_text_values(frame, _SQLITE_TS).get_column(only))
            pick = {only: "j.value"}
        else:
            return _sqlite_rows_insert(conn, table, frame, constants, prefixed)
        params: dict[str, Any] = {"rows": payload}
        exprs = dict(pick)
        for i, (col, (prefix, source)) in enumerate(prefixed.items()):
            params[f"p{i}"] = prefix
            exprs[col] = f"(:p{i} || CAST({pick[source]} AS TEXT))"
        for i, (col, value) in enumerate(constants.items()):
            params[f"k{i}"] = _constant_text(value)
            exprs[col] = f":k{i}"
        raw = conn.connection.driver_connection
        before = raw.total_changes  # type: ignore[union-attr]
        raw.execute(  # type: ignore[union-attr]
            f"INSERT OR IGNORE INTO {table} ({', '.join(exprs)}) "
            f"SELECT {', '.join(exprs.values())} FROM json_each(:rows) AS j{skip_nulls}",
            params,
        )
        return int(raw.total_changes - before)  # type: ignore[union-attr]
    if conn.dialect.name == "postgresql":
        full = frame.with_columns(
            (pl.lit(prefix) + pl.col(source).cast(pl.String)).alias(col)
            for col, (prefix, source) in prefixed.items()
        ).with_columns(
            pl.lit(v, dtype=pl.Datetime("us", "UTC") if isinstance(v, dt.datetime) else None).alias(
                k
            )
            for k, v in constants.items()
        )
        return _copy_insert(
            conn.connection.driver_connection, table, full, _scope_values(frame, constants, scope)
        )
    raise NotImplementedError(f"bulk insert on {conn.dialect.name}")


class MissingParentError(LookupError):
    """Rows name a parent (a file, a meter batch) that does not exist."""


def check_parents(
    session: Session, table: str, frame: pl.DataFrame, constants: dict[str, Any]
) -> None:
    """What a foreign key from ``table`` to its parent checks, once for the whole write.

    Every parent the rows name must exist; on PostgreSQL it is also held (``FOR KEY SHARE``,
    the lock a foreign key takes) until the transaction ends, so it cannot go meanwhile.
    """
    if table not in PARENT_CHECKS:
        return
    column, parent = PARENT_CHECKS[table]
    if column in constants:
        wanted = {int(constants[column])}
    else:
        wanted = {int(v) for v in frame.get_column(column).drop_nulls().unique().to_list()}
    lock = " FOR KEY SHARE" if session.get_bind().dialect.name == "postgresql" else ""
    query = text(f"SELECT id FROM {parent} WHERE id IN :ids{lock}").bindparams(
        bindparam("ids", expanding=True)
    )
    found = {int(i) for i in session.execute(query, {"ids": sorted(wanted)}).scalars()}
    if missing := sorted(wanted - found):
        raise MissingParentError(f"{table}.{column}: no {parent} row with id {missing}")


def _scope_values(
    frame: pl.DataFrame, constants: dict[str, Any], scope: tuple[str, ...]
) -> dict[str, Any] | None:
    """The value of each ``scope`` column (a constant, or a column with one value), or None
    when one has several."""
    values: dict[str, Any] = {}
    for name in scope:
        if name in constants:
            values[name] = constants[name]
            continue
        column = frame.get_column(name) if name in frame.columns else None
        if column is None or column.null_count() or column.n_unique() != 1:
            return None
        values[name] = column[0]
    return values or None


def _sqlite_rows_insert(
    conn: Any,
    table: str,
    frame: pl.DataFrame,
    constants: dict[str, Any],
    prefixed: dict[str, tuple[str, str]],
) -> int:
    """Several columns: rows bound one by one (``executemany``), in one statement.

    SQLite reads these several times faster than one JSON object per row, whose text it
    would parse again for every column it extracts. The frame goes in slices, so its text
    form (review items carry every field and the raw record) is never all in memory at once.
    """
    raw = conn.connection.driver_connection
    before = raw.total_changes
    for start in range(0, frame.height, _WRITE_CHUNK):
        rows = (
            _as_text_values(frame.slice(start, _WRITE_CHUNK), _SQLITE_TS)
            .with_columns(
                (pl.lit(prefix) + pl.col(source).cast(pl.String)).alias(col)
                for col, (prefix, source) in prefixed.items()
            )
            .with_columns(pl.lit(_constant_text(v)).alias(k) for k, v in constants.items())
        )
        raw.executemany(
            f"INSERT OR IGNORE INTO {table} ({', '.join(rows.columns)})"
            f" VALUES ({', '.join('?' * rows.width)})",
            rows.iter_rows(),
        )
    return int(raw.total_changes - before)


def _dense_array(frame: pl.DataFrame, position: str) -> tuple[str, dict[str, str]] | None:
    """The one non-position column as a JSON array indexed by ``position``, when that fits."""
    if frame.width != 2 or position not in frame.columns:
        return None
    (other,) = (c for c in frame.columns if c != position)
    index = frame.get_column(position)
    values = _as_text_values(frame.select(other), _SQLITE_TS).get_column(other)
    if values.null_count() or index.null_count() or index.min() < 0:  # type: ignore[operator]
        return None
    size = int(index.max()) + 1  # type: ignore[arg-type]
    if size > 2 * frame.height or index.n_unique() != frame.height:
        return None
    slots = pl.repeat(None, size, dtype=values.dtype, eager=True).scatter(index, values)
    return json_array(slots), {position: "j.key", other: "j.value"}


def json_array(values: pl.Series) -> str:
    """``values`` as the text of one JSON array, encoded by Polars (no Python object per value).

    Each value is encoded as the only field of a one-field object, ``{"v":...}``, and the
    wrapper is cut off again, so escaping and nulls are Polars' own JSON.
    """
    if values.dtype.is_integer():  # digits need no escaping
        return f"[{values.cast(pl.String).fill_null('null').str.join(',').item()}]"
    encoded = (
        values.alias("v")
        .to_frame()
        .select(pl.struct("v").struct.json_encode().str.slice(5).str.head(-1).str.join(","))
        .item()
    )
    return f"[{encoded}]"


def _copy_insert(
    raw: Any, table: str, frame: pl.DataFrame, scope: dict[str, Any] | None = None
) -> int:
    """``frame`` into ``table`` by ``COPY``, binary whenever its column types allow.

    With a ``scope`` (constant columns leading the table's unique key, such as a file id),
    writers of one scope queue on a transaction lock; when the table holds no row of the
    scope yet, which is every first write of a file, the rows are copied straight into the
    table: nothing can conflict, so no staging copy and no per-row conflict check. Otherwise
    they go through an unlogged temporary table and ``INSERT ... ON CONFLICT DO NOTHING``.
    """
    cols = ", ".join(frame.columns)
    types = _pg_types(raw, table)
    binary = pg_binary.supported(frame, types)
    with raw.cursor() as cur:
        if scope:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"{table}:{sorted(scope.items())!r}",),
            )
            where = " AND ".join(f"{c} = %s" for c in scope)
            cur.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", list(scope.values()))
            if cur.fetchone() is None:
                _copy_into(cur, table, frame, types, binary)
                return frame.height
        tmp = f"_bulk_{table}"
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (LIKE {table} INCLUDING DEFAULTS)"
            " ON COMMIT DROP"
        )
        cur.execute(f"TRUNCATE {tmp}")
        _copy_into(cur, tmp, frame, types, binary)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp} ON CONFLICT DO NOTHING")
        return int(cur.rowcount)


def _copy_into(
    cur: Any, table: str, frame: pl.DataFrame, types: dict[str, str], binary: bool
) -> None:
    cols = ", ".join(frame.columns)
    if binary:
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT binary)") as cp:
            for chunk in pg_binary.copy_chunks(frame, types):
                cp.write(chunk)
        return
    buf = io.BytesIO()
    frame.with_columns(
        *(
            pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S.%6f+00")
            for c, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        ),
        *(storable(pl.col(c)) for c, t in frame.schema.items() if t == pl.String()),
    ).write_csv(buf, include_header=False, null_value="\\N", quote_style="necessary")
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as cp:
        cp.write(buf.getvalue())


def _pg_types(raw: Any, table: str) -> dict[str, str]:
    """Column name -> PostgreSQL type name (``int4``, ``text``, ``timestamptz``...)."""
    with raw.cursor() as cur:
        cur.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            (table,),
        )
        return {str(n): str(t) for n, t in cur.fetchall()}


def read_frame(
    session: Session, sql: str, params: dict[str, Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Run a SELECT (``:name`` parameters, columns in ``schema`` order) into a typed frame.

    Rows travel in chunks of tuples on the session's own connection (SQLite) or as one
    ``COPY`` stream (PostgreSQL) and are converted column-wise: money exact, timestamps
    UTC-aware.
    """
    conn = session.connection()
    names = list(schema)
    as_text = dict.fromkeys(names, pl.String)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        pg_sql = re.sub(r"(?<!:):([a-z_][a-z0-9_]*)", r"%(\1)s", sql.replace("%", "%%"))
        buf = io.BytesIO()
        from psycopg import ClientCursor

        with ClientCursor(raw) as cur:  # type: ignore[arg-type]  # binds parameters client-side
            query = cur.mogrify(pg_sql, params)
            with cur.copy(
                f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N', FORCE_QUOTE *)"
            ) as cp:
                for chunk in cp:
                    buf.write(chunk)
        if buf.tell() == 0:
            text = pl.DataFrame(schema=as_text)
        else:
            text = pl.read_csv(
                io.BytesIO(buf.getvalue()),
                has_header=False,
                new_columns=names,
                schema=as_text,
                null_values="\\N",
            )
    else:
        text = _sqlite_frame(conn, sql, params, schema)
    return text.select(_cast_text(n, t) for n, t in schema.items())


def _sqlite_frame(
    conn: Any, sql: str, params: dict[str, Any], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Read on the session's own connection, in chunks of rows turned into frames at once.

    The same connection sees the transaction's own writes. (A second SQLite library in the
    process, as an Arrow driver bundles, is not an option: closing its file handle drops this
    process's POSIX locks on the database, which gives stale reads and I/O errors under WAL.)
    """
    values = [params[name] for name in re.findall(r"(?<!:):([a-z_][a-z0-9_]*)", sql)]
    qmark = re.sub(r"(?<!:):([a-z_][a-z0-9_]*)", "?", sql)
    cursor = conn.connection.driver_connection.execute(qmark, values)
    names = list(schema)
    # Integers come back as integers; everything else as text, typed by ``_cast_text``.
    raw = {n: pl.Int64() if t.is_integer() else pl.String() for n, t in schema.items()}
    parts = [pl.DataFrame(schema=raw)]
    while rows := cursor.fetchmany(_READ_CHUNK):
        frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        parts.append(frame.select(pl.col(n).cast(t) for n, t in raw.items()))
    return pl.concat(parts, rechunk=True)


def read_int_columns(
    session: Session, source: str, params: dict[str, Any], columns: list[str], group: str
) -> pl.DataFrame:
    """Integer ``columns`` (nullable) of every row of ``source`` (``table WHERE ...``) as Int64.

    For narrow rows counted in millions. On SQLite each ``group`` value's rows travel as one
    comma-separated list per column (``group_concat``, aggregated in the same scan, so the
    lists stay aligned) and are split column-wise: three to four times faster than a Python
    tuple per row. PostgreSQL streams the rows with ``COPY``. Row order is not defined.
    """
    schema: dict[str, pl.DataType] = {c: pl.Int64() for c in columns}
    if session.connection().dialect.name != "sqlite":
        return read_frame(session, f"SELECT {', '.join(columns)} FROM {source}", params, schema)
    # The group's own value is read once per group, with its row count, not once per row.
    listed = [c for c in columns if c != group]
    lists = "".join(f", group_concat(IFNULL({c}, ''))" for c in listed)
    text = read_frame(
        session,
        f"SELECT {group}, count(*){lists} FROM {source} GROUP BY {group}",
        params,
        {group: pl.Int64(), "__rows": pl.Int64(), **dict.fromkeys(listed, pl.String())},
    )
    return (
        text.select(pl.col(group).repeat_by("__rows"), *(pl.col(c).str.split(",") for c in listed))
        .explode([group, *listed])
        .select(
            pl.col(c) if c == group else pl.col(c).replace("", None).cast(pl.Int64) for c in columns
        )
    )


def _cast_text(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        parsed = col.str.replace(r"\+00(:00)?$", "").str.to_datetime(
            "%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False
        )
        return parsed.dt.replace_time_zone("UTC").alias(name)
    return col.cast(dtype).alias(name)
