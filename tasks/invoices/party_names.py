"""A party's name as printed in full: a name that wraps over two text lines, and the seller
named in the legal line of the letterhead or the footer.

A name wraps when it is long and its block is narrow: ``MVM Musterhafter`` over
``Versicherungsverein Musterstadt a.G.``, the second line beside the ``Name:`` label or under
the first. The two lines are one name when they stand in one column, one right under the
other, the joined text ends in a legal form (``a.G.``, ``GmbH``, ``S.r.l.``) and neither
line is a label, an address or an identifier.

>>> legal_form("Au bon moulin SARL")
'SARL'
>>> legal_form("Nordlicht Systems")
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tasks.invoices.identifiers import compact_tax_id
from tasks.invoices.labels import fold, match_label
from tasks.invoices.pdf_fields import plausible_name
from tasks.invoices.pdf_text import Cell, PageText

#: Legal forms a company name ends with, across the languages the finder reads.
_LEGAL_FORM = re.compile(
    r"(?:^|\s)(?P<form>gmbh(?:\s*&\s*co\.?\s*kg)?|ag|kg|ohg|ug(?:\s*\(haftungsbeschr[aä]nkt\))?|"
    r"e\.\s?v\.|e\.\s?k\.|a\.\s?g\.|kgaa|se|sarl|s\.a\.r\.l\.|sas|s\.a\.s\.|sa|s\.a\.|eurl|sasu|"
    r"srl|s\.r\.l\.|spa|s\.p\.a\.|snc|s\.n\.c\.|sapa|sl|s\.l\.|slu|s\.l\.u\.|bv|b\.v\.|nv|"
    r"n\.v\.|vof|v\.o\.f\.|"
    r"ltd\.?|limited|llp|plc|llc|inc\.?|corp\.?|co\.|oy|ab|as|a/s|aps|bvba|sprl)\s*$",
    re.I,
)


def legal_form(text: str) -> str | None:
    """The legal form ``text`` ends with (``GmbH``, ``S.r.l.``), else ``None``."""
    m = _LEGAL_FORM.search(text.strip())
    return m.group("form") if m else None


def _name_part(cell: Cell) -> bool:
    text = cell.text.strip()
    return (
        plausible_name(text)
        and match_label(text) is None
        and not any(ch.isdigit() for ch in text)
        and ":" not in text
    )


def _alone_in_column(page: PageText, index: int, cell: Cell) -> Cell | None:
    """The cell of line ``index`` that starts where ``cell`` does, when nothing stands left
    of it on that line (a ``Nummer: 549910`` row has its own label)."""
    cells = page.lines[index].cells
    for k, other in enumerate(cells):
        if abs(other.x0 - cell.x0) <= 2:
            after = cells[k + 1] if k + 1 < len(cells) else None
            # "Nummer | : GE2020211": a key whose value follows is not a name's line.
            return other if after is None or not after.text.lstrip().startswith(":") else None
        if other.x1 > cell.x0 - 2:
            return None
        if not other.text.rstrip().endswith(":") and match_label(other.text) is None:
            return None
    return None


def full_name(page: PageText, name: str) -> str:
    """``name`` with the line it wraps from or onto, when the two make one company name."""
    # A name that already ends in a legal form can only be completed by a line above it.
    ending = bool(legal_form(name)) and not _LEGAL_FORM.fullmatch(name.strip())
    for i, line in enumerate(page.lines):
        cell = next((c for c in line.cells if c.text.strip() == name.strip()), None)
        if cell is None:
            continue
        gap = 2.0 * max(cell.height, 1.0)  # the next line of the block, not one further
        if i > 0 and ending:
            above = _alone_in_column(page, i - 1, cell)
            if (
                above is not None
                and 0 < cell.top - above.top <= gap
                and _name_part(above)
                and legal_form(above.text) is None
                # "Von", "De", "To": a block's heading word, not the first half of a name
                and sum(ch.isalpha() for ch in above.text) > 3
            ):
                return f"{above.text.strip()} {name.strip()}"
        if i + 1 < len(page.lines) and not ending:
            below = _alone_in_column(page, i + 1, cell)
            if (
                below is not None
                and 0 < below.top - cell.top <= gap
                and _name_part(below)
                and legal_form(below.text)
            ):
                return f"{name.strip()} {below.text.strip()}"
        return name
    return name


#: Words of a company's legal particulars: register, court, capital.
_REGISTER = re.compile(
    r"\b(?:hrb|hra|amtsgericht|handelsregister|registergericht|siret|siren|rcs|capital|kvk|"
    r"rea|registro mercantil|company no|company number|registered in|cif|firmenbuch|"
    r"geschaftsfuhrer|geschaftsfuhrung)\b"
)
_PARTS = re.compile("\\s+[\u2022\u00b7\u25cf\u2219\u22c5|\u2013-]\\s+")


def _legal(text: str, vat_id: str | None) -> bool:
    folded = fold(text)
    if _REGISTER.search(folded):
        return True
    return vat_id is not None and bool(vat_id) and compact_tax_id(vat_id) in compact_tax_id(text)


def legal_line_seller(pages: Sequence[PageText], vat_id: str | None) -> str | None:
    """The seller as its legal line names it (``Nordlicht Systems GmbH · Hafenstraße 12 ·
    USt-IdNr. DE123456789 · HRB 4711``, at the head or the foot of a page): the line's
    first part, when it ends in a legal form and the line (or the next) carries the seller's
    VAT id or a register entry."""
    for page in (pages[0], pages[-1]) if pages else ():
        lines = page.lines
        for i, line in enumerate(lines):
            around = " ".join(ln.text for ln in lines[i : i + 2])
            if not _legal(around, vat_id):
                continue
            first = _PARTS.split(line.cells[0].text)[0].strip()
            if legal_form(first) and plausible_name(first) and match_label(first) is None:
                return first
    return None


#: Lines of a party's block below its name that may still carry its VAT id or register.
_BLOCK_LINES = 6
#: Footer columns: a register or VAT id in another column, this many lines from the name.
_FOOT_LINES = 3


def block_seller(
    pages: Sequence[PageText], vat_id: str | None, *, not_names: Sequence[str] = ()
) -> str | None:
    """The seller as its own address block names it: a name ending in a legal form whose
    block (the lines under it in its column) carries the seller's VAT id or a register
    entry, or, in a footer set in columns (name | bank | register), whose rows do. A brand
    printed large as the logo (``quillstack``) gives way to it; ``not_names`` (the buyer's)
    are never taken."""
    excluded = {fold(n) for n in not_names}
    for page in (pages[0], pages[-1]) if pages else ():
        lines = page.lines
        for i, line in enumerate(lines):
            for cell in line.cells:
                name = cell.text.strip()
                if (
                    not legal_form(name)
                    or fold(name) in excluded
                    or not _name_part(cell)
                    or is_other_party_heading_above(page, i, cell)
                ):
                    continue
                for k, below in enumerate(lines[i + 1 : i + 1 + _BLOCK_LINES]):
                    same_column = [c for c in below.cells if abs(c.x0 - cell.x0) <= 3]
                    beside = below.cells if k < _FOOT_LINES else ()
                    if any(_legal(c.text, vat_id) for c in (*same_column, *beside)):
                        return name
    return None


def is_other_party_heading_above(page: PageText, index: int, cell: Cell) -> bool:
    """Whether the line above ``cell`` in its column is a heading of another party's block
    (``Bill to``, ``Rechnung an:``): the name is the buyer's, not the seller's."""
    if index == 0:
        return False
    above = next((c for c in page.lines[index - 1].cells if abs(c.x0 - cell.x0) <= 3), None)
    hit = match_label(above.text) if above is not None else None
    return hit is not None and hit[0] == "buyer_name"
