"""ISA/GS/ST envelopes: structure, control numbers and counts (SNIP 1 envelope checks).

One pass over the segments finds every interchange, functional group and transaction set,
with the segment range of each transaction for the 837 parser. Findings carry the X12 code the
999 reports (AK9-05 for groups, IK5-02 for transaction sets) and a stable reason code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.claims.x12_tokens import Delimiters

#: Implementation guides we parse, by GS08/ST03 prefix.
CLAIM_GUIDES = {
    "005010X222": "837P",
    "005010X223": "837I",
    "004010X098": "837P",
    "004010X096": "837I",
}


@dataclass(frozen=True)
class EnvelopeError:
    """A broken envelope rule: ``code`` is ours, ``x12_code`` the AK905 / IK502 value."""

    code: str
    x12_code: str
    message: str


@dataclass
class Transaction:
    st01: str
    st02: str
    version: str
    #: Index of the ST segment and of the SE segment (``None`` when SE is missing).
    start: int
    end: int | None = None
    errors: list[EnvelopeError] = field(default_factory=list)


@dataclass
class Group:
    functional_id: str
    sender: str
    receiver: str
    control: str
    version: str
    transactions: list[Transaction] = field(default_factory=list)
    errors: list[EnvelopeError] = field(default_factory=list)
    closed: bool = False


@dataclass
class Interchange:
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    version: str
    control: str
    usage: str
    groups: list[Group] = field(default_factory=list)
    trailer_control: str | None = None


@dataclass
class EnvelopeScan:
    interchanges: list[Interchange] = field(default_factory=list)
    #: File-level findings that make the whole file unreadable.
    fatal: list[EnvelopeError] = field(default_factory=list)


def _el(elements: list[str], i: int) -> str:
    return elements[i].strip() if len(elements) > i else ""


def _open_interchange(elements: list[str]) -> Interchange:
    return Interchange(
        sender_qualifier=_el(elements, 5),
        sender_id=_el(elements, 6),
        receiver_qualifier=_el(elements, 7),
        receiver_id=_el(elements, 8),
        date=_el(elements, 9),
        time=_el(elements, 10),
        version=_el(elements, 12),
        control=_el(elements, 13),
        usage=_el(elements, 15),
    )


def _close_transaction(tx: Transaction, elements: list[str], index: int) -> None:
    tx.end = index
    declared, control = _el(elements, 1), _el(elements, 2)
    if control != tx.st02:
        tx.errors.append(
            EnvelopeError("ENV-ST-SE", "3", f"SE02 '{control}' does not match ST02 '{tx.st02}'")
        )
    actual = index - tx.start + 1
    if declared != str(actual):
        tx.errors.append(
            EnvelopeError(
                "ENV-SE-COUNT", "4", f"SE01 says {declared or 'nothing'} segments, counted {actual}"
            )
        )


def _close_group(group: Group, elements: list[str]) -> None:
    group.closed = True
    declared, control = _el(elements, 1), _el(elements, 2)
    if control != group.control:
        group.errors.append(
            EnvelopeError(
                "ENV-GS-GE", "4", f"GE02 '{control}' does not match GS06 '{group.control}'"
            )
        )
    if declared != str(len(group.transactions)):
        group.errors.append(
            EnvelopeError(
                "ENV-GE-COUNT",
                "5",
                f"GE01 says {declared or 'nothing'} transaction sets, "
                f"found {len(group.transactions)}",
            )
        )


def scan_envelopes(segments: list[str], delimiters: Delimiters) -> EnvelopeScan:
    """Walk ISA/GS/ST/SE/GE/IEA; everything between ST and SE belongs to the transaction."""
    scan = EnvelopeScan()
    sep = delimiters.element
    isa: Interchange | None = None
    group: Group | None = None
    tx: Transaction | None = None
    for index, segment in enumerate(segments):
        head = segment[:4]
        if tx is not None and not head.startswith(
            ("SE" + sep, "GE" + sep, "IEA" + sep, "ISA" + sep, "GS" + sep, "ST" + sep)
        ):
            continue
        elements = segment.split(sep)
        sid = elements[0].strip()
        if sid == "ISA":
            if isa is not None:
                scan.fatal.append(
                    EnvelopeError("ENV-IEA-MISSING", "023", f"interchange {isa.control} has no IEA")
                )
            isa = _open_interchange(elements)
            scan.interchanges.append(isa)
            group = tx = None
        elif isa is None:
            scan.fatal.append(
                EnvelopeError("ENV-OUTSIDE-ISA", "", f"{sid} segment outside ISA/IEA")
            )
            break
        elif sid == "GS":
            if group is not None and not group.closed:
                group.errors.append(EnvelopeError("ENV-GE-MISSING", "3", "GE trailer missing"))
            group = Group(
                functional_id=_el(elements, 1),
                sender=_el(elements, 2),
                receiver=_el(elements, 3),
                control=_el(elements, 6),
                version=_el(elements, 8),
            )
            isa.groups.append(group)
        elif sid == "ST":
            if group is None:
                scan.fatal.append(
                    EnvelopeError("ENV-OUTSIDE-GS", "024", "ST segment outside GS/GE")
                )
                break
            if tx is not None:
                tx.errors.append(EnvelopeError("ENV-SE-MISSING", "2", "SE trailer missing"))
            tx = Transaction(
                st01=_el(elements, 1),
                st02=_el(elements, 2),
                version=_el(elements, 3) or group.version,
                start=index,
            )
            group.transactions.append(tx)
        elif sid == "SE" and tx is not None:
            _close_transaction(tx, elements, index)
            tx = None
        elif sid == "GE" and group is not None:
            if tx is not None:
                tx.errors.append(EnvelopeError("ENV-SE-MISSING", "2", "SE trailer missing"))
                tx = None
            _close_group(group, elements)
        elif sid == "IEA":
            if group is not None and not group.closed:
                group.errors.append(EnvelopeError("ENV-GE-MISSING", "3", "GE trailer missing"))
            isa.trailer_control = _el(elements, 2)
            if isa.trailer_control != isa.control:
                scan.fatal.append(
                    EnvelopeError(
                        "ENV-ISA-IEA",
                        "001",
                        f"IEA02 '{isa.trailer_control}' does not match ISA13 '{isa.control}'",
                    )
                )
            isa = group = tx = None
        elif tx is None:
            scan.fatal.append(
                EnvelopeError("ENV-OUTSIDE-ST", "", f"{sid[:3]} segment outside a transaction set")
            )
            break
    if isa is not None:
        if tx is not None:
            tx.errors.append(EnvelopeError("ENV-SE-MISSING", "2", "SE trailer missing"))
        if group is not None and not group.closed:
            group.errors.append(EnvelopeError("ENV-GE-MISSING", "3", "GE trailer missing"))
        scan.fatal.append(
            EnvelopeError(
                "ENV-IEA-MISSING",
                "023",
                f"interchange {isa.control} has no IEA trailer: the file is truncated",
            )
        )
    return scan
