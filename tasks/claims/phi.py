"""Masking of protected health information in raw segments and messages.

Member ids, names, addresses, dates of birth and SSNs never leave extract unmasked except in
the record's own ``member_id`` field (which views mask through ``schemas.claim.PHI_FIELDS``).

>>> mask_id("JS00111223333")
'XXXXXXXXX3333'
>>> mask_segment(["NM1", "IL", "1", "SMITH", "JANE", "", "", "", "MI", "JS00111223333"], "*")
'NM1*IL*1*XXXXX*XXXX****MI*XXXXXXXXX3333'
"""

from __future__ import annotations

#: NM101 entity codes of people whose names and ids are PHI (subscriber, patient, other insured).
PERSON_ENTITIES = frozenset({"IL", "QC"})
#: Mask character: alphanumeric, so never one of the file's delimiters.
MASK = "X"
_ID_REFS = frozenset({"SY", "1W", "23", "IG", "Y4", "EA"})


def mask_id(value: str) -> str:
    """Keep the last four characters of long ids so a reviewer can match them; hide the rest."""
    v = value.strip()
    if len(v) <= 6:
        return MASK * len(v)
    return MASK * (len(v) - 4) + v[-4:]


def _blank(value: str) -> str:
    return MASK * len(value)


def mask_segment(elements: list[str], sep: str, person: bool = False) -> str:
    """Masked text of one segment. ``person`` says the current NM1 loop is a person (IL/QC)."""
    sid = elements[0]
    out = list(elements)
    if sid == "NM1" and len(out) > 1 and out[1] in PERSON_ENTITIES:
        for i in range(3, min(len(out), 8)):
            out[i] = _blank(out[i])
        if len(out) > 9:
            out[9] = mask_id(out[9])
    elif sid == "DMG":
        for i in range(2, len(out)):
            out[i] = _blank(out[i])
    elif sid == "REF" and len(out) > 2 and (out[1] in _ID_REFS or person):
        out[2] = mask_id(out[2])
    elif sid in ("N3", "N4", "PER") and person:
        for i in range(1, len(out)):
            out[i] = _blank(out[i])
    return sep.join(out)
