"""What a bank's ACH front end checks before it accepts a NACHA file, column-wise.

``check_nacha`` reads any NACHA file (ours before it leaves for the outbox, or one a client
sends) and names each structural problem with a stable code, the 1-based line and a message:
94-character ASCII records in the order file header, batches (header, entries and their
addenda, control), file control, ``9`` fill; batch and file controls that agree with their
entries (counts, entry hash, debit and credit totals) and with their headers (service class,
company id, ODFI, batch number); RDFI routing check digits; trace numbers ascending in a batch;
blocking factor 10. Field-level rules of particular SEC codes (IAT addenda, change codes) are
not checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl
from stdnum.us import rtn

from schemas.money import cents_text

RECORD_LENGTH = 94
#: One file: header, batches of (header, entries with optional addenda, control), control.
_SHAPE = re.compile(r"1(?:5(?:67*)*8)*9")
_CREDIT_DIGITS = ("1", "2", "3", "4")  # second digit of a transaction code: x1-x4 credit
_DEBIT_DIGITS = ("6", "7", "8", "9")  # x6-x9 debit
#: SEC codes whose batch records are laid out differently (IAT headers, ADV amounts).
_OWN_LAYOUT = ("IAT", "ADV")
#: SEC codes whose entries carry the receiver's name at positions 55-76.
_NAMED_ENTRIES = ("PPD", "WEB", "TEL", "CCD")


@dataclass(frozen=True)
class AchProblem:
    code: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.code}: {where}{self.message}"


def split_records(data: bytes) -> pl.Series | AchProblem:
    """The file's records: one per line, or 94-character slices of a file without newlines.

    A record shorter than 94 characters is taken as one whose trailing blanks were trimmed
    and padded back, as ACH readers commonly do; a longer one is left for the length check.
    """
    if not data.isascii():
        text = data.decode("ascii", errors="replace")
        line = text[: text.index("\ufffd")].count("\n") + 1
        return AchProblem("ACH-NOT-ASCII", line, "NACHA records must be plain ASCII.")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = len(data)  # without the trailing line breaks (no copy of a 100 MB file to strip them)
    while end and data[end - 1] == 0x0A:
        end -= 1
    if data.find(b"\n", 0, end) < 0 and end > RECORD_LENGTH and end % RECORD_LENGTH == 0:
        text = data[:end].decode("ascii")
        lines = [text[i : i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]
        series = pl.Series("record", lines, dtype=pl.String)
    elif b"\x1f" in data or not end:
        series = pl.Series("record", data[:end].decode("ascii").split("\n"), dtype=pl.String)
    else:  # one line per row, read by Polars' reader: no Python string per record
        series = pl.read_csv(
            data,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            schema={"record": pl.String},
        ).get_column("record")
    return series.filter(series.fill_null("") != "").str.pad_end(RECORD_LENGTH)


def _field(start: int, end: int) -> pl.Expr:
    """Positions ``start``-``end`` as NACHA numbers them (1-based, inclusive)."""
    return pl.col("record").str.slice(start - 1, end - start + 1)


def _number(start: int, end: int) -> pl.Expr:
    return _field(start, end).cast(pl.Int64, strict=False)


def check_nacha(data: bytes | pl.Series, *, limit: int = 50) -> list[AchProblem]:
    """Every structural problem of the file (at most ``limit``); an empty list means sound.

    ``data`` is the file's bytes, or the records of a file about to be written (one string
    per record, as the builder makes them): those are checked as they are, never padded nor
    split again, so the file written from them (:func:`tasks.payroll.nacha.file_bytes`) is
    what passed.
    """
    records = split_records(data) if isinstance(data, bytes) else data.rename("record")
    if isinstance(records, AchProblem):
        return [records]
    if records.is_empty():
        return [AchProblem("ACH-EMPTY", None, "The file holds no records.")]
    problems: list[AchProblem] = []
    frame = records.to_frame().with_row_index("line", offset=1)
    wrong = frame.filter(pl.col("record").str.len_bytes() != RECORD_LENGTH)
    for line, record in wrong.head(limit).iter_rows():
        problems.append(
            AchProblem(
                "ACH-RECORD-LENGTH",
                line,
                f"Record is {len(record)} characters; every NACHA record is {RECORD_LENGTH}.",
            )
        )
    if problems:
        return problems
    unprintable = frame.filter(pl.col("record").str.contains(r"[^\x20-\x7E]"))
    problems += [
        AchProblem("ACH-NOT-PRINTABLE", line, "Record holds a control character.")
        for line, _ in unprintable.head(limit).iter_rows()
    ]
    kind = records.str.slice(0, 1)
    frame = frame.with_columns(kind.alias("kind"))
    kinds = str(kind.str.join("").item())
    body = kinds.rstrip("9") + "9" if kinds.endswith("9") else kinds
    fill_start = len(body)
    fill = frame.slice(fill_start).filter(pl.col("record") != "9" * RECORD_LENGTH)
    if not well_ordered(body):
        line = _first_out_of_order(body)
        return [
            AchProblem(
                "ACH-RECORD-ORDER",
                line,
                f"Record type {kinds[line - 1] if line <= len(kinds) else 'end'} is out of place;"
                " a file is a 1 header, batches of 5 / 6 (and 7 addenda) / 8, one 9 control.",
            )
        ]
    problems += [
        AchProblem("ACH-FILL", line, "Records after the file control must be all 9s.")
        for line in fill.head(limit).get_column("line")
    ]
    problems += _check_header(str(records[0]))
    problems += _check_batches(frame.head(fill_start), limit)
    problems += _check_file_control(frame.head(fill_start), len(records))
    return problems[:limit]


#: Which record type may follow which in a file (``_SHAPE`` as pairs of neighbours).
_FOLLOWS = {"1": "59", "5": "68", "6": "678", "7": "678", "8": "59", "9": ""}
_NOT_NEIGHBOURS = [a + b for a in _FOLLOWS for b in _FOLLOWS if b not in _FOLLOWS[a]]
_KINDS = str.maketrans("", "", "".join(_FOLLOWS))


def well_ordered(kinds: str) -> bool:
    """Do the record types ``kinds`` (one character per record) match ``_SHAPE``?

    The same language as the pattern, read as pairs of neighbours: a file starts with its
    header and ends with its control, and each record may follow the one before it. A
    million-record file takes a few substring searches instead of a backtracking match.
    """
    return (
        kinds[:1] == "1"
        and kinds[-1:] == "9"
        and not kinds.translate(_KINDS)
        and not any(pair in kinds for pair in _NOT_NEIGHBOURS)
    )


def _first_out_of_order(kinds: str) -> int:
    """1-based line of the first record that cannot continue a valid file."""
    expect = {"start": "1", "1": "5", "5": "6", "6": "678", "7": "678", "8": "59", "9": ""}
    state = "start"
    for i, kind in enumerate(kinds, start=1):
        if kind not in expect[state] or (state == "5" and kind == "8"):
            return i
        state = kind
    return len(kinds) + 1


def _check_header(header: str) -> list[AchProblem]:
    out = []
    if header[1:3] != "01":
        out.append(AchProblem("ACH-FILE-HEADER", 1, "Priority code must be 01."))
    destination = header[3:13]
    if not (destination.startswith(" ") and rtn.is_valid(destination[1:])):
        out.append(
            AchProblem(
                "ACH-FILE-HEADER",
                1,
                f"Immediate destination {destination.strip()!r} is not a blank and a valid"
                " 9-digit routing number.",
            )
        )
    if (header[34:37], header[37:39], header[39]) != ("094", "10", "1"):
        out.append(
            AchProblem(
                "ACH-FILE-HEADER",
                1,
                "Record size, blocking factor and format code must be 094, 10 and 1.",
            )
        )
    return out


def _code_kind(code: pl.Expr) -> pl.Expr:
    """A transaction code's credit/debit digit (its second; 55, a loan reversal, is a debit)."""
    return pl.when(code == "55").then(pl.lit("6")).otherwise(code.str.slice(1, 1))


def _check_batches(frame: pl.DataFrame, limit: int) -> list[AchProblem]:
    """Field rules of every entry, then each batch's control record against its entries.

    ``frame``: the records with their ``line`` and ``kind`` (record type). Each record's
    batch and SEC code are found over every record; the entry fields are cut from the entries
    alone, so a million-entry file never holds those fields twice (for every record, then
    for the entries filtered from them).
    """
    header = pl.col("kind") == "5"
    # Each record carries its batch header's SEC code (records before the first header none).
    placed = pl.concat(
        [
            frame,
            frame.select(
                header.cum_sum().alias("batch"),
                pl.when(header).then(_field(51, 53)).forward_fill().alias("sec"),
            ),
        ],
        how="horizontal",
    )
    entries = placed.filter(pl.col("kind") == "6").select(
        "line",
        "kind",
        "batch",
        "sec",
        _field(2, 3).alias("code"),
        _field(4, 12).alias("routing"),
        _number(4, 11).alias("rdfi8"),
        _number(30, 39).alias("amount"),
        _number(80, 94).alias("trace"),
        _blank(55, 76).alias("blank_name"),
    )
    counts = placed.group_by("batch").agg(pl.col("kind").is_in(["6", "7"]).sum().alias("count"))
    headers = placed.filter(pl.col("kind") == "5")
    controls = placed.filter(pl.col("kind") == "8")
    return [
        *_blank_fields(headers, entries, limit),
        *_entry_fields(entries, limit),
        *_batch_controls(counts, headers, controls, entries),
    ]


def _blank(start: int, end: int) -> pl.Expr:
    """Is the field blank or all zeros?"""
    return _field(start, end).str.strip_chars(" 0") == ""


def _blank_fields(headers: pl.DataFrame, entries: pl.DataFrame, limit: int) -> list[AchProblem]:
    """Names and descriptions a bank needs filled (in the layouts we know)."""
    headers_of_own = headers.filter(~pl.col("sec").is_in(_OWN_LAYOUT))
    texts = pl.concat(
        [
            headers_of_own.select(
                "line", _blank(5, 20).alias("blank"), pl.lit("Company name").alias("what")
            ),
            headers_of_own.select(
                "line",
                _blank(54, 63).alias("blank"),
                pl.lit("Company entry description").alias("what"),
            ),
            entries.filter(pl.col("sec").is_in(_NAMED_ENTRIES)).select(
                "line",
                pl.col("blank_name").alias("blank"),
                pl.lit("Individual name").alias("what"),
            ),
        ],
        how="vertical_relaxed",
    )
    blanks = texts.filter(pl.col("blank")).sort("line").head(limit)
    return [
        AchProblem("ACH-BLANK-FIELD", line, f"{what} is blank or all zeros.")
        for line, what in blanks.select("line", "what").iter_rows()
    ]


def _entry_fields(entries: pl.DataFrame, limit: int) -> list[AchProblem]:
    """Digits where digits belong, known transaction codes, valid routing, ascending traces."""
    out: list[AchProblem] = []
    for line in entries.filter(
        pl.col("amount").is_null() | pl.col("trace").is_null() | pl.col("rdfi8").is_null()
    ).head(limit)["line"]:
        out.append(AchProblem("ACH-NOT-NUMERIC", line, "Routing, amount and trace must be digits."))
    bad_code = entries.filter(
        ~pl.col("code").str.contains(r"^[23458]\d$")
        | ~_code_kind(pl.col("code")).is_in(_CREDIT_DIGITS + _DEBIT_DIGITS)
    )
    for line, code in bad_code.head(limit).select("line", "code").iter_rows():
        out.append(AchProblem("ACH-TRANSACTION-CODE", line, f"Unknown transaction code {code!r}."))
    invalid = [r for r in entries["routing"].unique().to_list() if not rtn.is_valid(r)]
    for line, routing in (
        entries.filter(pl.col("routing").is_in(invalid))
        .head(limit)
        .select("line", "routing")
        .iter_rows()
    ):
        out.append(
            AchProblem("ACH-ROUTING", line, f"RDFI routing {routing!r} fails the ABA check digit.")
        )
    for line in (
        entries.filter(pl.col("trace").diff().over("batch") <= 0).head(limit).get_column("line")
    ):
        out.append(AchProblem("ACH-TRACE-ORDER", line, "Trace numbers must ascend within a batch."))
    return out


def _batch_controls(
    counts: pl.DataFrame, headers: pl.DataFrame, controls: pl.DataFrame, entries: pl.DataFrame
) -> list[AchProblem]:
    """Each batch control's counts and totals against its entries, and its header's fields.

    ``counts``: per batch, its entry and addenda records (``batch``, ``count``)."""
    code_kind = _code_kind(pl.col("code"))
    sums = counts.join(
        entries.group_by("batch").agg(
            (pl.col("rdfi8").sum() % 10**10).alias("hash"),
            pl.col("amount").filter(code_kind.is_in(_DEBIT_DIGITS)).sum().alias("debit"),
            pl.col("amount").filter(code_kind.is_in(_CREDIT_DIGITS)).sum().alias("credit"),
        ),
        on="batch",
        how="left",
    ).with_columns(pl.col("hash", "debit", "credit").fill_null(0))
    headers = headers.select(
        "batch",
        "sec",
        _field(2, 4).alias("h_class"),
        _field(41, 50).alias("h_company"),
        _field(80, 87).alias("h_odfi"),
        _field(88, 94).alias("h_number"),
    )
    controls = controls.select(
        "line",
        "batch",
        _field(2, 4).alias("c_class"),
        _number(5, 10).alias("c_count"),
        _number(11, 20).alias("c_hash"),
        _number(21, 32).alias("c_debit"),
        _number(33, 44).alias("c_credit"),
        _field(45, 54).alias("c_company"),
        _field(80, 87).alias("c_odfi"),
        _field(88, 94).alias("c_number"),
    )
    checks = controls.join(headers, on="batch").join(sums, on="batch")
    out: list[AchProblem] = []
    for row in checks.iter_rows(named=True):
        if row["sec"] not in _OWN_LAYOUT:
            out.extend(_control_problems(row))
    return out


def _control_problems(row: dict[str, Any]) -> list[AchProblem]:
    line = row["line"]
    out = [
        AchProblem(
            "ACH-BATCH-CONTROL", line, f"Batch control {what} says {said}; its entries give {real}."
        )
        for what, said, real in (
            ("entry and addenda count", row["c_count"], row["count"]),
            ("entry hash", row["c_hash"], row["hash"]),
            ("total debit", row["c_debit"], row["debit"]),
            ("total credit", row["c_credit"], row["credit"]),
        )
        if said != real
    ]
    out.extend(
        AchProblem(
            "ACH-BATCH-MISMATCH",
            line,
            f"Batch control {what} {control!r} differs from its header's {head!r}.",
        )
        for what, head, control in (
            ("service class", row["h_class"], row["c_class"]),
            ("company identification", row["h_company"].strip(), row["c_company"].strip()),
            ("ODFI", row["h_odfi"], row["c_odfi"]),
            ("batch number", row["h_number"], row["c_number"]),
        )
        if head != control
    )
    return out


def _check_file_control(frame: pl.DataFrame, total_records: int) -> list[AchProblem]:
    kind = pl.col("kind")
    control_line, control = frame.tail(1).select("line", "record").row(0)
    batch_controls = frame.filter(kind == "8").select(
        _number(5, 10).alias("count"),
        _number(11, 20).alias("hash"),
        _number(21, 32).alias("debit"),
        _number(33, 44).alias("credit"),
    )
    real = {
        "batch count": frame.filter(kind == "5").height,
        "block count": -(-total_records // 10),
        "entry and addenda count": frame.filter(kind.is_in(["6", "7"])).height,
        "entry hash": int(batch_controls["hash"].sum() or 0) % 10**10,
        "total debit": int(batch_controls["debit"].sum() or 0),
        "total credit": int(batch_controls["credit"].sum() or 0),
    }
    fields = {
        "batch count": control[1:7],
        "block count": control[7:13],
        "entry and addenda count": control[13:21],
        "entry hash": control[21:31],
        "total debit": control[31:43],
        "total credit": control[43:55],
    }
    out = []
    for what, text in fields.items():
        said = int(text) if text.isdigit() else None
        if said != real[what]:
            out.append(
                AchProblem(
                    "ACH-FILE-CONTROL",
                    control_line,
                    f"File control {what} says {text.strip() or 'nothing'}; the file gives"
                    f" {real[what]}.",
                )
            )
    if total_records % 10:
        out.append(
            AchProblem(
                "ACH-BLOCKING",
                None,
                f"{total_records} records is not a multiple of the blocking factor 10.",
            )
        )
    return out


def looks_like_nacha(data: bytes) -> bool:
    """Does the file start as a NACHA file does (a ``101`` file header of about 94 bytes)?"""
    head = data.lstrip(b"\xef\xbb\xbf")[:200]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return first.startswith(b"101") and (len(first) >= 80 or len(head) >= RECORD_LENGTH)


def describe_nacha(data: bytes) -> str:
    """What a NACHA file holds and whether it is sound, in two short sentences."""
    records = split_records(data)
    if isinstance(records, AchProblem):
        return f"a NACHA bank file that cannot be read ({records})."
    kinds = records.str.slice(0, 1)
    entries = records.filter(kinds == "6")
    sides = entries.to_frame("record").select(
        _code_kind(_field(2, 3)).alias("kind"),
        _number(30, 39).fill_null(0).alias("amount"),
    )
    credit = int(sides.filter(pl.col("kind").is_in(_CREDIT_DIGITS))["amount"].sum() or 0)
    debit = int(sides.filter(pl.col("kind").is_in(_DEBIT_DIGITS))["amount"].sum() or 0)
    problems = check_nacha(data, limit=3)
    verdict = (
        "Its structure is sound."
        if not problems
        else "It also fails the NACHA checks: " + "; ".join(str(p) for p in problems)
    )
    batches = int((kinds == "5").sum())
    return (
        f"a NACHA bank file ({batches} batch{'es' if batches != 1 else ''},"
        f" {entries.len()} entr{'ies' if entries.len() != 1 else 'y'}; credits"
        f" {cents_text(credit)}, debits {cents_text(debit)}). {verdict}"
    )
