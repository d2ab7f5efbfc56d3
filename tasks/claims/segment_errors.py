"""Segment and element errors inside a transaction set, as the 999 reports them (IK3/IK4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ElementError:
    #: IK401: element position (``2`` or ``2:1`` for a component).
    position: str
    #: IK403 syntax error code (1 mandatory missing, 6 invalid character, 7 invalid code...).
    code: str
    data_element: str = ""


@dataclass(frozen=True)
class SegmentError:
    segment_id: str
    #: IK302: position in the transaction set, ST = 1.
    position: int
    loop: str
    #: IK304 (1 unrecognized segment, 3 mandatory missing, 8 has data element errors...).
    code: str
    elements: tuple[ElementError, ...] = field(default_factory=tuple)

    def as_meta(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "position": self.position,
            "loop": self.loop,
            "code": self.code,
            "elements": [
                {"position": e.position, "code": e.code, "data_element": e.data_element}
                for e in self.elements
            ],
        }

    @classmethod
    def from_meta(cls, data: dict[str, Any]) -> SegmentError:
        return cls(
            segment_id=str(data["segment_id"]),
            position=int(data["position"]),
            loop=str(data["loop"]),
            code=str(data["code"]),
            elements=tuple(
                ElementError(str(e["position"]), str(e["code"]), str(e["data_element"]))
                for e in data.get("elements", [])
            ),
        )
