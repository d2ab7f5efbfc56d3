"""The budget check of an XML document: its size and how deep its elements nest.

defusedxml already refuses DTDs and entities (the billion laughs); what it lets through is a
document that is merely huge or nested a million levels deep, which a tree parser (and the
code that walks the tree) pays for. The depth is counted by expat in one streaming pass that
builds nothing; a document with a DTD is left to defusedxml, which refuses it.
"""

from __future__ import annotations

from xml.parsers import expat

from readers.budget import active_limits, check, exceeded


class _StopError(Exception):
    pass


def check_xml(data: bytes) -> None:
    """Raise :class:`readers.budget.BudgetExceededError` for XML over its size or depth budget;
    malformed XML is left to the parser that reports it."""
    check(len(data), "max_xml_bytes", "The XML document's size")
    limit = active_limits().max_xml_depth
    depth = 0

    def start(_name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise exceeded(
                "max_xml_depth", depth, "Nesting depth of the XML's elements", at_least=True
            )

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*_args: object) -> None:
        raise _StopError

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except (_StopError, expat.ExpatError, ValueError):
        return
