"""Broken copies of valid files, as careless or hostile clients send them (``bench/fuzz.py``).

Each mutation takes the file's bytes and a seeded ``random.Random`` and returns new bytes:
cut short, bits flipped, delimiters or encodings swapped, rows duplicated or dropped, a cell
inflated, XML nested deep or given entities, X12 delimiters made odd, or, rarely, replaced by
one of the bombs of :mod:`samples.hostile`. The same seed gives the same case.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from samples import hostile

Mutation = Callable[[bytes, random.Random], bytes]


@dataclass(frozen=True)
class Case:
    """One fuzz case: what it was made from and how."""

    number: int
    seed_name: str
    mutations: tuple[str, ...]
    data: bytes

    @property
    def name(self) -> str:
        stem, _, ext = self.seed_name.rpartition(".")
        return f"case{self.number:05d}-{stem}.{ext}"


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))] if data else data


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 32)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def garbage_run(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 512)) + data[at:]


def nul_late(data: bytes, rng: random.Random) -> bytes:
    at = min(len(data), 4096 + rng.randrange(max(1, len(data))))
    return data[:at] + b"\x00" + data[at:]


def swap_delimiter(data: bytes, rng: random.Random) -> bytes:
    old = rng.choice([b",", b";", b"\t", b"*", b"~", b":"])
    new = rng.choice([b";", b"\t", b"|", b",", b"\x1f", b"\n"])
    if rng.random() < 0.5:
        return data.replace(old, new)
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines[i] = lines[i].replace(old, new)
    return b"\n".join(lines)


def swap_encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    kind = rng.choice(["utf-16", "utf-16-cut", "cp1252", "latin-1-bom", "utf-8-bom", "accents"])
    if kind == "utf-16":
        return text.encode("utf-16")
    if kind == "utf-16-cut":
        raw = text.encode("utf-16")
        return raw[: len(raw) - 1 - rng.randrange(max(1, len(raw) // 2))]
    if kind == "cp1252":
        return text.replace("a", "\u00e9").encode("cp1252", "replace")
    if kind == "latin-1-bom":
        return b"\xef\xbb\xbf" + text.encode("latin-1", "replace")
    if kind == "utf-8-bom":
        return b"\xef\xbb\xbf" + data
    return text.replace("e", "\u00eb\u0301").encode("utf-8")


def duplicate_rows(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 20)):
        i = rng.randrange(len(lines))
        lines.insert(i, lines[rng.randrange(len(lines))])
    return b"\n".join(lines)


def drop_rows(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, max(1, len(lines) // 3))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def inflate_cell(data: bytes, rng: random.Random) -> bytes:
    marks = [m.end() for m in re.finditer(rb"[,;\t*>]", data[:200_000])]
    at = rng.choice(marks) if marks else 0
    size = rng.choice([1_000, 40_000, 2_000_000])
    return data[:at] + rng.choice([b"9", b"A", b"=", b"\xc3\xa9"]) * size + data[at:]


def nest_xml(data: bytes, rng: random.Random) -> bytes:
    at = data.find(b">", data.find(b"<", 2 if data.startswith(b"<?") else 0) + 1)
    if at < 0:
        return data
    depth = rng.choice([50, 5_000, 300_000])
    return data[: at + 1] + b"<x>" * depth + b"</x>" * depth + data[at + 1 :]


def expand_xml(data: bytes, rng: random.Random) -> bytes:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )
    body = data.split(b"?>", 1)[-1]
    at = body.find(b">") + 1
    return laughs + body[:at] + b"&lol9;" + body[at:]


def odd_x12_delimiters(data: bytes, rng: random.Random) -> bytes:
    if not data.startswith(b"ISA") or len(data) < 106:
        return swap_delimiter(data, rng)
    element, component, segment = data[3:4], data[104:105], data[105:106]
    odd = rng.choice([b"A", b" ", b"\n", b"^", b":", b"*", b"~", b"\x00", b"|"])
    which = rng.choice(["element", "component", "segment", "repetition"])
    if which == "element":
        return data.replace(element, odd)
    if which == "component":
        return data.replace(component, odd)
    if which == "segment":
        return data.replace(segment, odd)
    return data[:82] + component + data[83:]


@cache
def _bombs() -> tuple[bytes, ...]:
    return (
        hostile.xlsx_bomb(),
        hostile.pdf_operator_bomb(),
        hostile.pdf_stream_bomb(),
        hostile.facturx_bomb(),
        hostile.xml_depth_bomb(),
    )


def bomb(data: bytes, rng: random.Random) -> bytes:
    return rng.choice(_bombs())


COMMON: dict[str, Mutation] = {
    "truncate": truncate,
    "flip_bits": flip_bits,
    "garbage_run": garbage_run,
    "nul_late": nul_late,
    "swap_delimiter": swap_delimiter,
    "swap_encoding": swap_encoding,
    "duplicate_rows": duplicate_rows,
    "drop_rows": drop_rows,
    "inflate_cell": inflate_cell,
}
XML: dict[str, Mutation] = {"nest_xml": nest_xml, "expand_xml": expand_xml}
X12: dict[str, Mutation] = {"odd_x12_delimiters": odd_x12_delimiters}


def mutations_for(seed_name: str) -> dict[str, Mutation]:
    """The mutations that make sense for a seed file (by its kind)."""
    out = dict(COMMON)
    if seed_name.endswith(".xml"):
        out.update(XML)
    if seed_name.endswith(".837"):
        out.update(X12)
    return out


def cases(
    seeds: dict[str, bytes], count: int, seed: int, *, bomb_share: float = 0.01
) -> Iterator[Case]:
    """``count`` cases made from ``seeds`` (name -> bytes), reproducible from ``seed``, made
    one at a time (a case may hold a 2 MB cell or a bomb)."""
    names = sorted(seeds)
    for number in range(count):
        rng = random.Random(seed * 1_000_003 + number)
        name = rng.choice(names)
        data = seeds[name]
        if rng.random() < bomb_share:
            yield Case(number, name, ("bomb",), bomb(data, rng))
            continue
        available = mutations_for(name)
        chosen = tuple(rng.sample(sorted(available), rng.choice([1, 1, 1, 2, 3])))
        for mutation in chosen:
            data = available[mutation](data, rng)
        yield Case(number, name, chosen, data)
