"""Labels the recogniser read without their spaces, split again by the finder's own labels.

The recogniser drops the space between words printed in capitals or set tight (``TOTALTTC``,
``FACTUREN°:``, ``NETAPAYER``, ``USt.Gesamt:``); no rule on letter case can put it back
(``SELLERTRADENAME`` is one word as far as case tells). The field finder's labels can: an OCR
word that starts with a label of two or more words, spaces removed, and goes on with no letter
(``:``, a number, nothing) is that label, and is split where the label has its spaces. A word
that only starts like a label (``TOTALENERGIES``) stays whole.

>>> glued_label_spaces("TOTALTTC")
'TOTAL TTC'
>>> glued_label_spaces("FACTUREN°:F2026")
'FACTURE N°:F2026'
>>> glued_label_spaces("TOTALENERGIES")
'TOTALENERGIES'
"""

from __future__ import annotations

import functools
import re

from readers.ocr import OcrWord, split_line
from tasks.invoices.labels import ALL_LABELS, fold
from tasks.invoices.party_names import legal_form

#: What may follow a label glued to its value and still be a value: an identifier that
#: starts with a country code (``DE604621160``, ``IT184443530``, an IBAN).
_ID_AFTER = re.compile(r"\.?[A-Z]{2}\d")


@functools.cache
def _glued() -> dict[str, tuple[int, ...]]:
    """Each label without its spaces and dots -> where its spaces were (as counts of the
    label's other characters before each)."""
    out: dict[str, tuple[int, ...]] = {}
    for label, _field in ALL_LABELS:
        parts = [part.replace(".", "") for part in label.split(" ")]
        cuts, at = [], 0
        for part in parts[:-1]:
            at += len(part)
            cuts.append(at)
        key = "".join(parts)
        if len(key) >= 3:
            out.setdefault(key, tuple(cuts))
    return out


def glued_label_spaces(text: str) -> str:
    """``text`` with the spaces of the label it starts with put back (else unchanged)."""
    if " " in text or len(text) < 4:
        return text
    # Each character as the labels compare it: folded, a dot compared as nothing.
    pieces = ["" if ch == "." else fold(ch) for ch in text]
    folded = "".join(pieces)
    glued = _glued()
    for end in range(len(folded), 2, -1):
        cuts = glued.get(folded[:end])
        if cuts is None:
            continue
        at, emitted = 0, 0  # ``at``: the first character of ``text`` after the label
        while at < len(text) and emitted + len(pieces[at]) <= end and emitted < end:
            emitted += len(pieces[at])
            at += 1
        rest = text[at:]
        if _ID_AFTER.match(rest):
            cuts = (*cuts, end)
        elif rest[:1].isalpha():
            continue
        if not cuts:
            return text
        out, emitted, pending = [], 0, list(cuts)
        for ch, piece in zip(text, pieces, strict=True):
            if pending and emitted == pending[0] and piece:
                out.append(" ")
                pending.pop(0)
            out.append(ch)
            emitted += len(piece)
        return "".join(out)
    return text


#: A legal form of three letters or more glued by a dash to the number after it (``SARL-1242``);
#: ``SA-2024`` or ``INV-2026-1`` are more likely identifiers and keep their dash.
_FORM_DASH = re.compile(r"(?P<form>[^\W\d][\w.]{2,})-(?=\d+$)")


def form_dash_spaces(text: str) -> str:
    """``SARL-1242`` -> ``SARL - 1242``: the recogniser dropped the spaces around the dash
    between a company's name and its address; an identifier (``INV-2026``) keeps its dash.

    >>> form_dash_spaces("SARL-1242"), form_dash_spaces("INV-2026"), form_dash_spaces("SA-2024")
    ('SARL - 1242', 'INV-2026', 'SA-2024')
    """
    m = _FORM_DASH.match(text)
    if m is None or legal_form(m["form"]) is None:
        return text
    return f"{m['form']} - {text[m.end() :]}"


def split_glued_labels(words: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
    """The words of a page with every glued label split into its words (boxes shared by
    length, the word's confidence kept), and a legal form's dash spaced again."""
    out: list[OcrWord] = []
    for w in words:
        spaced = glued_label_spaces(w.text)
        if out and out[-1].top == w.top and out[-1].text.isalpha():  # a name before it
            spaced = form_dash_spaces(spaced)
        if spaced == w.text:
            out.append(w)
        else:
            out.extend(split_line(spaced, (w.x0, w.top, w.x1, w.bottom), w.confidence))
    return tuple(out)
