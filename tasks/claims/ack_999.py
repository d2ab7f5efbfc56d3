"""The 999 implementation acknowledgment (005010X231A1), built from ``batch.meta``.

One 999 transaction set per functional group received, addressed back to the sender (ISA
sender and receiver swapped, GS02/GS03 swapped). Per transaction set: AK2, IK3/IK4 for segment
and element errors, IK5 (A accepted, E accepted with errors, R rejected). Per group: AK9 with
A / E / P (partially accepted) / R and the AK905 reasons. An interchange the envelope check
refused (no IEA, ISA13 != IEA02) also gets a TA1 with R. Offending values (IK404) are never
echoed: they may be PHI.

Control numbers come from the source file's sha256 and dates from the source ISA, so the same
bytes always give the same 999 (the outbox rewrites nothing on a re-run).
"""

from __future__ import annotations

from typing import Any

_ISA_BLANK = " " * 10


def _group_ack(group: dict[str, Any]) -> tuple[str, int, int, list[str]]:
    txs = group.get("transactions", [])
    errors = [str(e["x12_code"]) for e in group.get("errors", []) if e.get("x12_code")]
    accepted = sum(1 for t in txs if t.get("ack") != "R")
    if errors or not txs:
        return "R", len(txs), 0 if errors else accepted, errors or ["5"]
    if accepted == 0:
        return "R", len(txs), 0, []
    if accepted < len(txs):
        return "P", len(txs), accepted, []
    if any(t.get("ack") == "E" for t in txs):
        return "E", len(txs), accepted, []
    return "A", len(txs), accepted, []


def group_verdicts(meta: dict[str, Any]) -> list[str]:
    """AK901 of every functional group in the file, in order (for receipts and evaluation)."""
    return [_group_ack(g)[0] for isa in meta.get("interchanges", []) for g in isa.get("groups", [])]


def _transaction_segments(tx: dict[str, Any], group: dict[str, Any]) -> list[list[str]]:
    segs = [["AK2", tx.get("st01") or "837", tx.get("st02", ""), tx.get("version", "")]]
    for err in tx.get("segment_errors", []):
        segs.append(
            ["IK3", err["segment_id"], str(err["position"]), err.get("loop", ""), err["code"]]
        )
        for ele in err.get("elements", []):
            segs.append(["IK4", ele["position"], ele.get("data_element", ""), ele["code"]])
    ack = tx.get("ack", "R")
    if group.get("errors"):
        ack = "R"
    codes = [str(c) for c in tx.get("ik5_codes", [])][:5]
    segs.append(["IK5", ack, *(codes if ack != "A" else [])])
    return segs


def _trim(segment: list[str]) -> list[str]:
    while len(segment) > 1 and segment[-1] == "":
        segment = segment[:-1]
    return segment


def build_999(meta: dict[str, Any], sha256: str, fallback_sender: str) -> bytes | None:
    """The 999 file for one extracted file, or ``None`` when no ISA could be read."""
    interchanges = meta.get("interchanges") or []
    if not interchanges:
        return None
    delims = meta.get("delimiters") or {}
    el, comp = delims.get("element", "*"), delims.get("component", ":")
    term, rep = delims.get("segment", "~"), delims.get("repetition") or "^"
    fatal = {str(f.get("x12_code", "")) for f in meta.get("fatal", []) if f.get("x12_code")}
    base = int(sha256[:8] or "1", 16) % 999_999_000 + 1
    out: list[str] = []
    for n, isa in enumerate(interchanges):
        control = f"{base + n:09d}"
        date, time = isa.get("date", "000101")[:6], isa.get("time", "0000")[:4]
        sender = isa.get("receiver_id") or fallback_sender
        segments: list[list[str]] = [
            [
                "ISA",
                "00",
                _ISA_BLANK,
                "00",
                _ISA_BLANK,
                f"{isa.get('receiver_qualifier') or 'ZZ':<2}"[:2],
                f"{sender:<15}"[:15],
                f"{isa.get('sender_qualifier') or 'ZZ':<2}"[:2],
                f"{isa.get('sender_id', ''):<15}"[:15],
                f"{date:<6}",
                f"{time:<4}",
                rep,
                "00501",
                control,
                "0",
                isa.get("usage") or "P",
                comp,
            ],
        ]
        if fatal:
            code = sorted(fatal)[0]
            segments.append(["TA1", f"{isa.get('control', ''):0>9}"[:9], date, time, "R", code])
        groups = isa.get("groups", [])
        for g_index, group in enumerate(groups, start=1):
            ack, included, accepted, reasons = _group_ack(group)
            body: list[list[str]] = [
                ["ST", "999", "0001", "005010X231A1"],
                [
                    "AK1",
                    group.get("functional_id") or "HC",
                    group.get("control", ""),
                    group.get("version", ""),
                ],
            ]
            for tx in group.get("transactions", []):
                body.extend(_transaction_segments(tx, group))
            body.append(["AK9", ack, str(included), str(included), str(accepted), *reasons[:5]])
            body.append(["SE", str(len(body) + 1), "0001"])
            segments.append(
                [
                    "GS",
                    "FA",
                    group.get("receiver") or sender,
                    group.get("sender", ""),
                    f"20{date}",
                    time,
                    str(g_index),
                    "X",
                    "005010X231A1",
                ]
            )
            segments.extend(body)
            segments.append(["GE", "1", str(g_index)])
        segments.append(["IEA", str(len(groups)), control])
        out.extend(el.join(_trim(s)) + term + "\n" for s in segments)
    return "".join(out).encode("ascii", errors="replace")
