"""Generated X12 837 claim files for the demo, tests and benchmarks (valid by default)."""

from __future__ import annotations

from dataclasses import dataclass, field

VALID_NPI = "1234567893"
OTHER_NPI = "1245319599"


@dataclass
class LineSpec:
    procedure: str = "99213"
    modifiers: tuple[str, ...] = ()
    charge: str = "40.00"
    units: str = "1"
    date: str = "20240105"
    pointers: str = "1"


@dataclass
class ClaimSpec:
    claim_id: str = "PCN1001"
    total: str = "40.00"
    member_id: str = "MEMBER12345"
    payer_id: str = "PAYER01"
    billing_npi: str = VALID_NPI
    rendering_npi: str | None = OTHER_NPI
    dx: tuple[str, ...] = ("ABK:E1165", "ABF:I10")
    lines: list[LineSpec] = field(default_factory=lambda: [LineSpec()])
    last_name: str = "DOE"
    birth_date: str = "19800101"


def claim_segments(c: ClaimSpec, el: str = "*", comp: str = ":", hl: int = 1) -> list[str]:
    s = [
        f"HL{el}{hl}{el}{el}20{el}1",
        f"NM1{el}85{el}2{el}CLINIC{el}{el}{el}{el}{el}XX{el}{c.billing_npi}",
        f"N3{el}2 CLINIC RD",
        f"N4{el}MIAMI{el}FL{el}33111",
        f"REF{el}EI{el}123456789",
        f"HL{el}{hl + 1}{el}{hl}{el}22{el}0",
        f"SBR{el}P{el}18{el}{el}{el}{el}{el}{el}{el}CI",
        f"NM1{el}IL{el}1{el}{c.last_name}{el}JOHN{el}{el}{el}{el}MI{el}{c.member_id}",
        f"N3{el}1 MAIN ST",
        f"N4{el}MIAMI{el}FL{el}33111",
        f"DMG{el}D8{el}{c.birth_date}{el}M",
        f"NM1{el}PR{el}2{el}PAYER{el}{el}{el}{el}{el}PI{el}{c.payer_id}",
        f"CLM{el}{c.claim_id}{el}{c.total}{el}{el}{el}11{comp}B{comp}1{el}Y{el}A{el}Y{el}Y",
        f"HI{el}" + el.join(d.replace(":", comp) for d in c.dx),
    ]
    if c.rendering_npi:
        s.append(f"NM1{el}82{el}1{el}DOC{el}ANN{el}{el}{el}{el}XX{el}{c.rendering_npi}")
    for n, line in enumerate(c.lines, start=1):
        proc = comp.join(["HC", line.procedure, *line.modifiers])
        s.append(f"LX{el}{n}")
        s.append(
            f"SV1{el}{proc}{el}{line.charge}{el}UN{el}{line.units}{el}{el}{el}"
            + line.pointers.replace(":", comp)
        )
        s.append(f"DTP{el}472{el}D8{el}{line.date}")
    return s


def transaction(
    claims: list[ClaimSpec],
    st02: str = "0001",
    el: str = "*",
    comp: str = ":",
    version: str = "005010X222A1",
    se_count_delta: int = 0,
    se02: str | None = None,
) -> list[str]:
    body = [
        f"ST{el}837{el}{st02}{el}{version}",
        f"BHT{el}0019{el}00{el}1{el}20240110{el}1200{el}CH",
        f"NM1{el}41{el}2{el}SUBMITTER{el}{el}{el}{el}{el}46{el}S1",
        f"PER{el}IC{el}HELP{el}TE{el}3055552222",
        f"NM1{el}40{el}2{el}RECEIVER{el}{el}{el}{el}{el}46{el}R1",
    ]
    for n, c in enumerate(claims):
        body.extend(claim_segments(c, el, comp, hl=2 * n + 1))
    body.append(f"SE{el}{len(body) + 1 + se_count_delta}{el}{se02 or st02}")
    return body


def interchange(
    transactions: list[list[str]],
    *,
    el: str = "*",
    comp: str = ":",
    term: str = "~",
    rep: str = "^",
    line_break: str = "\n",
    isa13: str = "000000001",
    iea02: str | None = None,
    gs06: str = "1",
    ge02: str | None = None,
    version: str = "005010X222A1",
    isa12: str = "00501",
    functional_id: str = "HC",
    with_iea: bool = True,
) -> str:
    isa = el.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            f"{'SENDER':<15}",
            "ZZ",
            f"{'BPOCLEARING':<15}",
            "240110",
            "1200",
            rep,
            isa12,
            isa13,
            "0",
            "P",
            comp,
        ]
    )
    segs = [
        isa,
        el.join(["GS", functional_id, "SENDER", "BPO", "20240110", "1200", gs06, "X", version]),
    ]
    for tx in transactions:
        segs.extend(tx)
    segs.append(el.join(["GE", str(len(transactions)), ge02 or gs06]))
    if with_iea:
        segs.append(el.join(["IEA", "1", iea02 or isa13]))
    return "".join(s + term + line_break for s in segs)


def simple_file(claims: list[ClaimSpec] | None = None, **kwargs: object) -> bytes:
    el = str(kwargs.get("el", "*"))
    comp = str(kwargs.get("comp", ":"))
    tx = transaction(claims or [ClaimSpec()], el=el, comp=comp)
    return interchange([tx], **kwargs).encode()  # type: ignore[arg-type]


def many_claims_file(n: int) -> bytes:
    """``n`` claims in one transaction set, fast (HL ids repeat: only for our own parser)."""
    template = "~\n".join(claim_segments(ClaimSpec(claim_id="@ID@"))) + "~\n"
    head = transaction([])[:-1]
    per_claim = template.count("~\n")
    parts = ["~\n".join(head) + "~\n"]
    parts.extend(template.replace("@ID@", f"C{i:09d}") for i in range(n))
    parts.append(f"SE*{len(head) + 1 + per_claim * n}*0001~\n")
    text = interchange([[]]).replace("GE*1*1~\n", "".join(parts) + "GE*1*1~\n")
    return text.encode()
