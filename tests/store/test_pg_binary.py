"""Binary COPY streams: decoded back field by field, and loaded by a real server."""

from __future__ import annotations

import datetime as dt
import struct

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import pg_binary

TYPES = {"n": "int4", "big": "int8", "t": "text", "at": "timestamptz", "d": "date", "ok": "bool"}
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def decode(stream: bytes, types: list[str]) -> list[tuple[object, ...]]:
    """A plain reading of the format, one field at a time (the test's own oracle)."""
    assert stream.startswith(pg_binary.SIGNATURE)
    assert stream.endswith(pg_binary.TRAILER)
    at, rows = len(pg_binary.SIGNATURE), []
    while stream[at : at + 2] != pg_binary.TRAILER:
        (count,) = struct.unpack_from(">h", stream, at)
        assert count == len(types)
        at += 2
        row: list[object] = []
        for kind in types:
            (size,) = struct.unpack_from(">i", stream, at)
            at += 4
            if size == -1:
                row.append(None)
                continue
            raw = stream[at : at + size]
            at += size
            if kind == "int4":
                row.append(struct.unpack(">i", raw)[0])
            elif kind == "int8":
                row.append(struct.unpack(">q", raw)[0])
            elif kind == "text":
                row.append(raw.decode("utf-8"))
            elif kind == "timestamptz":
                row.append(EPOCH + dt.timedelta(microseconds=struct.unpack(">q", raw)[0]))
            elif kind == "date":
                row.append(EPOCH.date() + dt.timedelta(days=struct.unpack(">i", raw)[0]))
            elif kind == "bool":
                row.append(raw == b"\x01")
        rows.append(tuple(row))
    assert at + 2 == len(stream)
    return rows


def stream_of(frame: pl.DataFrame, types: dict[str, str]) -> bytes:
    return b"".join(pg_binary.copy_chunks(frame, types))


def sample_frame() -> pl.DataFrame:
    at = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "n": [0, -1, 2**31 - 1, None],
            "big": [2**40, None, -(2**40), 7],
            "t": ["plain", "nul\x00inside", None, 'naïve ünïcode, "quoted"\n\\N'],
            "at": [at, None, EPOCH, dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC)],
            "d": [dt.date(2026, 1, 16), dt.date(1970, 1, 1), None, dt.date(2000, 1, 1)],
            "ok": [True, False, None, True],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC")},
    )


def test_stream_decodes_to_the_frame_with_nul_replaced() -> None:
    frame = sample_frame()
    rows = decode(stream_of(frame, TYPES), list(TYPES.values()))
    expected = [
        tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row)
        for row in frame.iter_rows()
    ]
    assert rows == expected


def test_a_frame_too_wide_for_one_chunk_goes_in_several(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_binary, "_CHUNK_BYTES", 64)
    frame = pl.DataFrame({"n": list(range(50)), "t": [f"key-{i}" * (i % 4) for i in range(50)]})
    chunks = list(pg_binary.copy_chunks(frame, {"n": "int4", "t": "text"}))
    assert len(chunks) > 3
    assert decode(b"".join(chunks), ["int4", "text"]) == [
        (i, f"key-{i}" * (i % 4)) for i in range(50)
    ]


def test_numeric_and_mismatched_columns_are_not_offered_binary() -> None:
    assert not pg_binary.supported(pl.DataFrame({"n": ["1.20"]}), {"n": "numeric"})
    assert not pg_binary.supported(pl.DataFrame({"n": ["x"]}), {"n": "int4"})
    assert not pg_binary.supported(pl.DataFrame({"at": ["2026-01-01"]}), {"at": "timestamptz"})
    assert pg_binary.supported(sample_frame(), TYPES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=30))
def test_any_text_round_trips(values: list[str | None]) -> None:
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String()})
    rows = decode(stream_of(frame, {"t": "text"}), ["text"])
    assert [r[0] for r in rows] == [
        None if v is None else v.replace("\x00", "\ufffd") for v in values
    ]


def test_a_real_server_loads_the_stream(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server loads the stream")
    import psycopg

    frame = sample_frame()
    conninfo = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE t_bin (n int4, big int8, t text, at timestamptz, d date, ok bool)"
        )
        with cur.copy("COPY t_bin (n, big, t, at, d, ok) FROM STDIN (FORMAT binary)") as cp:
            for chunk in pg_binary.copy_chunks(frame, TYPES):
                cp.write(chunk)
        cur.execute("SELECT n, big, t, at, d, ok FROM t_bin ORDER BY big NULLS FIRST")
        loaded = cur.fetchall()
    expected = sorted(
        (
            tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row)
            for row in frame.iter_rows()
        ),
        key=lambda r: (r[1] is not None, r[1] or 0),
    )
    assert loaded == expected
