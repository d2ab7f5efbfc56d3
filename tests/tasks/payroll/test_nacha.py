"""The NACHA PPD file: record layout, controls and hashes checked by reading it back."""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.us import rtn

from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.payroll_options import AchOriginator
from tasks.doctype import ClientContext
from tasks.payroll import nacha
from tasks.payroll.extract import extract_payroll
from tasks.payroll.nacha_check import AchProblem, check_nacha
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))
WHEN = dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC)


def ach_for(rows: list[dict[str, str | None]]) -> list[str]:
    batch = extract_payroll(payroll_csv(rows), "b.csv", CTX)
    assert batch.issues.height == 0
    data = nacha.build_ppd_file(batch.valid_records(), AchOriginator(), created_at=WHEN)
    return data.decode("ascii").splitlines()


def test_layout_and_controls() -> None:
    rows = payroll_rows(23)
    lines = ach_for(rows)
    assert all(len(line) == nacha.RECORD_LENGTH for line in lines)
    assert len(lines) % nacha.BLOCKING_FACTOR == 0
    kinds = [line[0] for line in lines]
    assert kinds[0] == "1"
    assert kinds[1] == "5"
    entries = [line for line in lines if line[0] == "6"]
    assert len(entries) == 23
    # Amounts: every entry is the row's net pay in cents, credits only (22/32).
    cents = [int(e[29:39]) for e in entries]
    assert sum(cents) == sum(int(Decimal(r["net_pay"]) * 100) for r in rows)
    assert {e[1:3] for e in entries} <= {"22", "32"}
    # RDFI routing + check digit is a valid ABA number; entry hash sums the 8-digit prefixes.
    assert all(rtn.is_valid(e[3:12]) for e in entries)
    batch_control = next(line for line in lines if line[0] == "8")
    assert int(batch_control[4:10]) == 23
    assert int(batch_control[10:20]) == sum(int(e[3:11]) for e in entries) % 10**10
    assert int(batch_control[20:32]) == 0
    assert int(batch_control[32:44]) == sum(cents)
    file_control = next(line for line in lines if line[0] == "9" and set(line) != {"9"})
    assert int(file_control[1:7]) == 1
    assert int(file_control[7:13]) == len(lines) // 10
    assert int(file_control[13:21]) == 23
    assert int(file_control[31:43]) == 0
    assert int(file_control[43:55]) == sum(cents)
    # Trace numbers: ODFI prefix then ascending sequence.
    traces = [e[79:94] for e in entries]
    assert all(t.startswith(AchOriginator().odfi_routing[:8]) for t in traces)
    assert traces == sorted(traces)
    assert len(set(traces)) == len(traces)


def test_one_batch_per_effective_date_and_split_large_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nacha, "MAX_ENTRIES_PER_BATCH", 3)
    rows = payroll_rows(7)
    for r in rows[4:]:
        r["pay_date"] = "2026-01-16"
    lines = ach_for(rows)
    headers = [line for line in lines if line[0] == "5"]
    assert [h[69:75] for h in headers] == ["260115", "260115", "260116"]
    assert [int(h[87:94]) for h in headers] == [1, 2, 3]
    controls = [line for line in lines if line[0] == "8"]
    assert [int(c[4:10]) for c in controls] == [3, 1, 3]
    traces = [line[79:94] for line in lines if line[0] == "6"]
    assert traces == sorted(traces)


def test_interleaved_pay_dates_make_one_batch_each_with_its_own_entries() -> None:
    rows = payroll_rows(6)
    for r in rows[1::2]:
        r["pay_date"] = "2026-01-16"  # rows 1, 3, 5 are paid a day later
    lines = ach_for(rows)
    assert [line[69:75] for line in lines if line[0] == "5"] == ["260115", "260116"]
    ids: list[list[str]] = []
    for line in lines:
        if line[0] == "5":
            ids.append([])
        elif line[0] == "6":
            ids[-1].append(line[39:54].strip())
    assert ids == [
        [str(rows[i]["employee_id"]) for i in (0, 2, 4)],
        [str(rows[i]["employee_id"]) for i in (1, 3, 5)],
    ]


def test_same_input_same_bytes() -> None:
    assert ach_for(payroll_rows(5)) == ach_for(payroll_rows(5))


def test_names_are_ascii_upper_case() -> None:
    lines = ach_for(payroll_rows(2, employee_name="Zoë Ångström-Ñúñez the Third of Many"))
    name = next(line for line in lines if line[0] == "6")[54:76]
    assert name == "ZOE ANGSTROM-NUNEZ THE"


def test_empty_payment_frame_is_not_written() -> None:
    from samples.payroll import csv_bytes, payroll_frame
    from tasks.payroll.handler import PayrollHandler

    batch = extract_payroll(csv_bytes(payroll_frame(3)), "none.csv", CTX)
    all_flagged = extract_payroll(
        csv_bytes(payroll_frame(3).with_columns(pl.lit("1.00").alias("net_pay"))), "bad.csv", CTX
    )
    assert all_flagged.valid_records().height == 0
    for nothing in (
        ValidatedBatch(records=batch.records.clear()),
        ValidatedBatch.unreadable(),  # records without the payroll columns
        all_flagged,
    ):
        assert PayrollHandler().write_outputs(nothing, None) == []  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=6))
def test_ach_text_is_printable_upper_case_ascii_of_the_folded_value(
    values: list[str | None],
) -> None:
    """Whatever a column holds (already upper, lower, accented, control characters, empty)."""

    def expected(value: str | None) -> str:
        if value is None:
            return ""
        if all(" " <= ch <= "~" for ch in value):
            return value.upper()
        folded = unicodedata.normalize("NFKD", value).upper()
        return "".join(ch for ch in folded if " " <= ch <= "~")

    got = nacha.ach_text(pl.Series(values, dtype=pl.String)).to_list()
    assert got == [expected(v) for v in values]


def big_payments(net_cents: list[int], pay_date: dt.date = dt.date(2026, 1, 15)) -> pl.DataFrame:
    """Valid payments of the given net amounts (only the entry columns matter here)."""
    n = len(net_cents)
    return pl.DataFrame(
        {
            "record_index": pl.Series(range(n), dtype=pl.UInt32),
            "pay_date": [pay_date] * n,
            "account_type": ["checking"] * n,
            "routing_number": ["091000019", "021000021"] * (n // 2) + ["091000019"] * (n % 2),
            "account_number": [f"{1000 + i}" for i in range(n)],
            "net_pay": pl.Series(
                [Decimal(c).scaleb(-2) for c in net_cents], dtype=pl.Decimal(18, 2)
            ),
            "employee_id": [f"E{i}" for i in range(n)],
            "employee_name": [f"Employee {i}" for i in range(n)],
        }
    )


def controls(data: bytes) -> tuple[list[int], int]:
    """Each batch control's credit total, and the file control's."""
    lines = data.decode("ascii").splitlines()
    batches = [int(line[32:44]) for line in lines if line[0] == "8"]
    file_control = next(line for line in lines if line[0] == "9" and set(line) != {"9"})
    return batches, int(file_control[43:55])


def test_a_batch_whose_credits_pass_a_control_total_is_split() -> None:
    # 101 entries of 99,999,999.99 are just over what one control total (12 digits) holds;
    # 100 of them just under.
    (one,) = nacha.build_ppd_files(
        big_payments([nacha.MAX_ENTRY_CENTS] * 100), AchOriginator(), created_at=WHEN
    )
    assert controls(one) == ([100 * nacha.MAX_ENTRY_CENTS], 100 * nacha.MAX_ENTRY_CENTS)
    files = nacha.build_ppd_files(
        big_payments([nacha.MAX_ENTRY_CENTS] * 101), AchOriginator(), created_at=WHEN
    )
    batches = [b for f in files for b in controls(f)[0]]
    assert len(batches) == 2
    assert all(b <= nacha.MAX_TOTAL_CENTS for b in batches)
    assert sum(batches) == 101 * nacha.MAX_ENTRY_CENTS
    assert all(check_nacha(f) == [] for f in [one, *files])


def test_credits_past_a_file_control_total_go_out_as_several_files() -> None:
    cents = [nacha.MAX_ENTRY_CENTS] * 250  # about 25 billion
    files = nacha.build_ppd_files(big_payments(cents), AchOriginator(), created_at=WHEN)
    assert len(files) == 3
    totals = [controls(f)[1] for f in files]
    assert all(t <= nacha.MAX_TOTAL_CENTS for t in totals)
    assert sum(totals) == sum(cents)
    assert [f.decode()[33] for f in files] == ["A", "B", "C"]  # file ID modifiers
    assert all(check_nacha(f) == [] for f in files)
    entries = [line for f in files for line in f.decode().splitlines() if line[0] == "6"]
    assert len(entries) == 250
    assert len({e[39:54] for e in entries}) == 250  # every payment once
    with pytest.raises(ValueError, match="several NACHA files"):
        nacha.build_ppd_file(big_payments(cents), AchOriginator(), created_at=WHEN)


def test_an_entry_too_large_for_its_field_is_never_written() -> None:
    with pytest.raises(ValueError, match="PAY-AMOUNT-TOO-LARGE"):
        nacha.build_ppd_files(
            big_payments([nacha.MAX_ENTRY_CENTS + 1]), AchOriginator(), created_at=WHEN
        )


@settings(max_examples=25, deadline=None)
@given(
    amounts=st.lists(
        st.integers(min_value=1, max_value=nacha.MAX_ENTRY_CENTS), min_size=1, max_size=300
    )
)
def test_any_amounts_give_files_a_bank_accepts(amounts: list[int]) -> None:
    files = nacha.build_ppd_files(big_payments(amounts), AchOriginator(), created_at=WHEN)
    assert sum(controls(f)[1] for f in files) == sum(amounts)
    assert all(check_nacha(f) == [] for f in files)
    # As few files as the totals allow: no two neighbours would have fitted in one.
    totals = [controls(f)[1] for f in files]
    assert all(a + b > nacha.MAX_TOTAL_CENTS for a, b in itertools.pairwise(totals))


def _outputs(tmp_path: Path, completed: pl.DataFrame) -> list[str]:
    return _batch_outputs(tmp_path, ValidatedBatch(records=completed))


def _batch_outputs(tmp_path: Path, batch: ValidatedBatch) -> list[str]:
    from landing.outbox import FsOutbox
    from tasks.doctype import OutputContext
    from tasks.payroll.handler import PayrollHandler

    out = OutputContext(
        ctx=CTX,
        outbox=FsOutbox(f"file://{tmp_path}/outbox", "acme"),
        file_id=1,
        source_name="big.csv",
        source_sha256="ab" * 32,
        received_at=WHEN,
    )
    return PayrollHandler().write_outputs(batch, out)


def test_every_file_is_checked_and_named_before_it_is_published(tmp_path: Path) -> None:
    from samples.payroll import csv_bytes, export_frame

    top = str(Decimal(nacha.MAX_ENTRY_CENTS).scaleb(-2))
    zero = ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]
    frame = export_frame(101).with_columns(
        pl.lit(top).alias("gross_pay"),
        pl.lit(top).alias("net_pay"),
        *(pl.lit(None, pl.String).alias(c) for c in ["hourly_rate", "regular_hours"]),
        *(pl.lit("0.00").alias(c) for c in zero),
    )
    batch = extract_payroll(csv_bytes(frame), "big.csv", CTX)
    assert batch.issues.height == 0
    written = _outputs(tmp_path, batch.valid_records())
    names = sorted(Path(w).name for w in written)
    assert names == [
        "big.abababababab.1-of-2.ach",
        "big.abababababab.2-of-2.ach",
        "big.abababababab.register.csv",
        "big.abababababab.register.parquet",
    ]


def test_a_file_failing_the_check_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.payroll.handler
    from tasks.doctype import OutputCheckError

    def too_long(data: bytes) -> list[AchProblem]:
        return [AchProblem("ACH-RECORD-LENGTH", 4, "Record is 95 characters.")]

    monkeypatch.setattr(tasks.payroll.handler, "check_nacha", too_long)
    with pytest.raises(OutputCheckError, match="ACH-RECORD-LENGTH: line 4"):
        _outputs(tmp_path, big_payments([1000, 2000]))
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").rglob("*.*"))


def test_the_register_is_also_a_csv_guarded_against_formulas(tmp_path: Path) -> None:
    from samples.payroll import csv_bytes, payroll_frame

    batch = extract_payroll(csv_bytes(payroll_frame(6)), "big.csv", CTX)
    # The rules send such a name to review; an approved one still reaches the register.
    completed = batch.valid_records().with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit('=HYPERLINK("http://x","pay")'))
        .otherwise(pl.col("employee_name"))
        .alias("employee_name")
    )
    written = _outputs(tmp_path, completed)
    [csv_path] = [Path(w.removeprefix("file://")) for w in written if w.endswith(".csv")]
    text = pl.read_csv(csv_path, infer_schema=False)
    parquet = pl.read_parquet(csv_path.with_suffix(".parquet"))
    assert text.columns == parquet.columns
    assert "account_number" not in text.columns
    assert text["account_last4"].str.starts_with("****").all()
    names = text["employee_name"].to_list()
    assert '\'=HYPERLINK("http://x","pay")' in names
    assert not any(n.startswith("=") for n in names)
    # Money keeps its exact digits, as in the Parquet register.
    assert [Decimal(v) for v in text["net_pay"]] == parquet["net_pay"].to_list()
    assert text.height == completed.height


def test_outputs_hold_the_completed_records_only(tmp_path: Path) -> None:
    from samples.payroll import csv_bytes, payroll_frame, plant_errors

    batch = extract_payroll(csv_bytes(plant_errors(payroll_frame(40), every=4)), "mix.csv", CTX)
    flagged = set(batch.issues["record_index"].to_list())
    assert 0 < len(flagged) < 40
    # A few columns of the completed records, before and after every column was filtered.
    few = ["record_index", "net_pay"]
    narrow = batch.valid_records(few)
    assert narrow.columns == few
    assert narrow.equals(batch.valid_records().select(few))
    assert batch.valid_records(few).equals(narrow)
    written = [Path(w.removeprefix("file://")) for w in _batch_outputs(tmp_path, batch)]
    [ach] = [p for p in written if p.suffix == ".ach"]
    [register_csv] = [p for p in written if p.suffix == ".csv"]
    parquet = pl.read_parquet(register_csv.with_suffix(".parquet"))
    text = pl.read_csv(register_csv, infer_schema=False)
    completed = [i for i in range(40) if i not in flagged]
    assert parquet["record_index"].to_list() == completed
    assert [int(i) for i in text["record_index"]] == completed
    entries = [line for line in ach.read_text().splitlines() if line.startswith("6")]
    assert len(entries) == len(completed)
    assert sum(int(e[29:39]) for e in entries) == int(parquet["net_pay"].sum() * 100)
