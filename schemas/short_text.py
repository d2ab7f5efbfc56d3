"""Shortening a reason or an error for a list, an event or a table cell: at a word boundary,
with an ellipsis, never mid-word. Example::

    >>> shorten("FILE-TOO-LARGE: the file's size is over the reading budget", 40)
    "FILE-TOO-LARGE: the file's size is over…"
    >>> shorten("short enough", 40)
    'short enough'

The full text stays where a person goes to act on it: the quarantine's ``.reason.txt``, the
receipt, ``bpo`` JSON output.
"""

from __future__ import annotations

ELLIPSIS = "\u2026"
#: A word longer than this share of the room is cut inside (a long URL or token), not dropped.
_LONGEST_DROPPED = 0.6


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: whole as it is when it fits, else cut at the last
    space that fits (a word longer than most of the room is cut inside), trailing punctuation
    dropped, and an ellipsis added."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    room = text[: limit - 1]
    space = room.rfind(" ")
    ends_a_word = text[limit - 1].isspace()
    if not ends_a_word and space >= limit * (1 - _LONGEST_DROPPED):
        room = room[:space]
    return room.rstrip(" ,;:-(") + ELLIPSIS
