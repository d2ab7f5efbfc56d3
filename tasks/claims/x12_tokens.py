"""Delimiters from the ISA header and segment splitting; nothing is assumed.

The ISA segment has fixed-width elements, so its 106 characters locate every delimiter:

>>> d = read_delimiters("ISA*00*" + " " * 10 + "*00*" + " " * 10 + "*ZZ*S" + " " * 14
...     + "*ZZ*R" + " " * 14 + "*240101*1200*^*00501*000000001*0*P*:~")
>>> (d.element, d.component, d.repetition, d.segment)
('*', ':', '^', '~')
"""

from __future__ import annotations

from dataclasses import dataclass

from readers.budget import check

ISA_LENGTH = 106
#: Characters a sender may put between segments for readability.
_LINE_NOISE = "\r\n"


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    #: ISA11 in 5010; ``None`` in 4010, where ISA11 is the standards identifier ("U").
    repetition: str | None

    def as_meta(self) -> dict[str, str | None]:
        return {
            "element": self.element,
            "component": self.component,
            "segment": self.segment,
            "repetition": self.repetition,
        }


def find_isa(text: str) -> int:
    """Offset of the ISA header (after a BOM or leading blanks), or -1."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    return start if text.startswith("ISA", start) else -1


def read_delimiters(text: str) -> Delimiters | None:
    """Delimiters of the interchange starting at ``text[0:106]``, or ``None`` if not an ISA.

    The element separator is the byte after ``ISA``; ISA16 (the component separator) is the
    105th character and the segment terminator the one after it. Every ISA element must be
    separated by the same character, which rejects text that merely starts with ``ISA``.
    """
    if len(text) < ISA_LENGTH or not text.startswith("ISA"):
        return None
    element = text[3]
    if element.isalnum() or element in " \t\r\n":
        return None
    # ISA has 16 fixed-width elements; separators sit at these offsets.
    separator_offsets = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
    if any(text[i] != element for i in separator_offsets):
        return None
    component = text[104]
    segment = text[105]
    if segment in ("\r", "\n") and text[104].isalnum():
        return None
    version = text[84:89]
    rep = text[82]
    repetition = rep if version >= "00501" and not rep.isalnum() and rep != " " else None
    if len({element, component, segment}) < 3 or component.isalnum():
        return None
    return Delimiters(element=element, component=component, segment=segment, repetition=repetition)


def delimiter_clash(delimiters: Delimiters) -> str | None:
    """Which separator the repetition separator (ISA11) repeats, or None when it is distinct.

    A repetition separator equal to the component (or element, or segment) separator makes
    every composite ambiguous: ``HI*ABK:E1165:ABF:I10`` cannot be read one way only.

    >>> delimiter_clash(Delimiters(element="*", component=":", segment="~", repetition=":"))
    'component'
    >>> delimiter_clash(Delimiters(element="*", component=":", segment="~", repetition="^"))
    """
    if delimiters.repetition is None:
        return None
    others = {
        "element": delimiters.element,
        "component": delimiters.component,
        "segment": delimiters.segment,
    }
    return next((name for name, d in others.items() if d == delimiters.repetition), None)


def split_segments(text: str, delimiters: Delimiters) -> list[str]:
    """Segments of ``text`` without terminators and without CR/LF between them.

    Works on files with CRLF after every segment, with LF only, and with no line breaks at all;
    a line break inside a segment is kept (the structure check reports it). More segments
    than the reading budget ``max_segments`` raise :class:`readers.budget.BudgetExceededError`
    (counted before any list is built).
    """
    check(text.count(delimiters.segment), "max_segments", "Segments of the X12 interchange")
    return [s for p in text.split(delimiters.segment) if (s := p.strip(_LINE_NOISE))]


def join_segments(segments: list[list[str]], delimiters: Delimiters, line_break: str = "") -> str:
    """Inverse of splitting: elements to text (used by writers and round-trip tests)."""
    term = delimiters.segment + line_break
    return "".join(delimiters.element.join(elements) + term for elements in segments)
