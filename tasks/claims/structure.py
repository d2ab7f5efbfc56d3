"""Implementation-guide structure (SNIP 1-2) through pyx12, where it earns its cost.

pyx12 walks every segment against the guide's map: loops, repeats, mandatory segments, element
lengths and code values. It is about two orders of magnitude slower than our tokenizer, so the
handler runs it only on files up to ``ClaimOptions.structure_check_max_bytes`` and only for guides
pyx12 has a map for (005010X222A1, 005010X223A1 and the 4010 guides). Its findings come back as
``SegmentError``s keyed by (ISA13, GS06, ST02) plus the transaction's acknowledgment code.

pyx12 logs the offending values (dates of birth included), so its logger is silenced here.

pyx12 parses its guide maps (XML, one to two MB each) on every document: about a second a file.
The maps are read-only once built (the walker keeps its counts apart), so each process keeps the
ones it parsed (:func:`_cache_maps`); the reading children, reused from file to file, too.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tasks.claims.segment_errors import ElementError, SegmentError

_pyx12_log = logging.getLogger("pyx12")
_pyx12_log.addHandler(logging.NullHandler())
_pyx12_log.propagate = False

TxKey = tuple[str, str, str]
#: IK304 values of the 999; pyx12's own codes (``HL1``...) are reported as 8.
_IK304 = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"})


@dataclass
class StructureReport:
    #: Why the check did not run (no map, engine error); empty when it ran.
    skipped: str = ""
    #: (ISA13, GS06, ST02) -> (ack code A/E/R, segment errors, IK5 codes)
    transactions: dict[TxKey, tuple[str, list[SegmentError], list[str]]] = field(
        default_factory=dict
    )


def _segment_errors(tx: dict[str, Any]) -> list[SegmentError]:
    out = []
    for seg in tx.get("segments", []):
        seg_codes = [str(e.get("err_cde", "")) for e in seg.get("errors", [])]
        elements = []
        for ele in seg.get("elements", []):
            pos = str(ele.get("ele_pos", ""))
            if ele.get("subele_pos"):
                pos = f"{pos}:{ele['subele_pos']}"
            for err in ele.get("errors", []):
                elements.append(
                    ElementError(pos, str(err.get("err_cde", "")), str(ele.get("ele_ref_num", "")))
                )
        codes = seg_codes or (["8"] if elements else [])
        for code in codes:
            out.append(
                SegmentError(
                    segment_id=str(seg.get("seg_id", "")),
                    position=int(seg.get("seg_count") or 0),
                    loop=str(seg.get("ls_id") or ""),
                    code=code if code in _IK304 else "8",
                    elements=tuple(elements) if code == "8" else (),
                )
            )
    return out


@cache
def _cache_maps() -> None:
    """Make pyx12 parse each guide map once per process (``load_map_file`` takes the map's
    file name, the parameters, which only carry logging and code-list options pyx12's reader
    never changes here, and an optional folder)."""
    import pyx12.map_if

    parse = pyx12.map_if.load_map_file
    parsed: dict[tuple[str, str | None], Any] = {}

    def load_map_file(map_file: str, param: Any, map_path: str | None = None) -> Any:
        key = (map_file, map_path)
        if key not in parsed:
            parsed[key] = parse(map_file, param, map_path)
        return parsed[key]

    pyx12.map_if.load_map_file = load_map_file


def check_structure(text: str) -> StructureReport:
    """Run pyx12 on ``text``; never raises (an engine failure is reported as skipped)."""
    import pyx12.params
    import pyx12.x12n_document

    _cache_maps()

    out = io.StringIO()
    try:
        pyx12.x12n_document.x12n_document(
            pyx12.params.ParamsBase(), io.StringIO(text), None, None, None, fd_json=out
        )
        doc = json.loads(out.getvalue() or "{}")
    except Exception as exc:  # pyx12 raises EngineError, KeyError... on maps it lacks
        return StructureReport(skipped=f"structure check not run: {type(exc).__name__}")
    report = StructureReport()
    for isa in doc.get("interchanges", []):
        for gs in isa.get("groups", []):
            for tx in gs.get("transactions", []):
                key = (
                    str(isa.get("isa_trn_set_id", "")),
                    str(gs.get("gs_control_num", "")),
                    str(tx.get("trn_set_control_num", "")),
                )
                ik5 = [str(e.get("err_cde", "")) for e in tx.get("errors", [])]
                ack = str(tx.get("ack_code") or "A")
                report.transactions[key] = (ack, _segment_errors(tx), ik5)
    return report
