"""Does the seller's VAT id fit the seller's printed country?

A VAT id starts with its country (``DE``, ``FR``; Greece writes ``EL``, Northern Ireland
``XI``). The seller's block prints the seller's country (``20457 Hamburg, Deutschland``,
``D-07545 Gera``, ``DE 80333 München``). When the two disagree the id most often belongs to
another party (the buyer's, printed in its own block), so the finder prefers a VAT id that
fits the seller's country, and a chosen id that does not fit is flagged
(``INV-VAT-COUNTRY``) for a person: a seller may hold a foreign VAT registration.

>>> vat_country("EL123456789"), vat_country("de 123 456 789"), vat_country("12345")
('GR', 'DE', None)
>>> country_in("12345 Musterstadt, Deutschland"), country_in("D-07545 GERA")
('DE', 'DE')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import pycountry

from schemas.issue import Issue
from tasks.invoices.labels import fold
from tasks.invoices.pdf_text import PageText

REASON = "INV-VAT-COUNTRY"
#: VAT prefixes that are not the ISO country code.
_VAT_PREFIX = {"EL": "GR", "XI": "GB"}
#: Country names as sellers print them in their own language (pycountry has the English ones).
_LOCAL_NAMES = {
    "deutschland": "DE",
    "germany": "DE",
    "allemagne": "DE",
    "germania": "DE",
    "alemania": "DE",
    "duitsland": "DE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "frankreich": "FR",
    "francia": "FR",
    "frankrijk": "FR",
    "italia": "IT",
    "italien": "IT",
    "italie": "IT",
    "espana": "ES",
    "spanien": "ES",
    "espagne": "ES",
    "spagna": "ES",
    "spanje": "ES",
    "nederland": "NL",
    "niederlande": "NL",
    "pays-bas": "NL",
    "paesi bassi": "NL",
    "paises bajos": "NL",
    "the netherlands": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "belgio": "BE",
    "luxemburg": "LU",
    "polska": "PL",
    "polen": "PL",
    "ceska republika": "CZ",
    "danmark": "DK",
    "sverige": "SE",
    "suomi": "FI",
    "norge": "NO",
    "eire": "IE",
    "ellada": "GR",
    "magyarorszag": "HU",
    "hrvatska": "HR",
    "slovensko": "SK",
    "slovenija": "SI",
    "romania": "RO",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
}
#: A postcode with its country in front: ``D-07545``, ``F-75001``, ``DE 80333``, ``NL-1011``.
_CODED_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?P<code>[A-Z]{1,2})[- ](?=\d{4,5}\b)")
_ONE_LETTER = {
    "D": "DE",
    "F": "FR",
    "I": "IT",
    "E": "ES",
    "A": "AT",
    "B": "BE",
    "L": "LU",
    "P": "PT",
    "S": "SE",
}


@functools.cache
def _names() -> dict[str, str]:
    names = dict(_LOCAL_NAMES)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(fold(value), c.alpha_2)
    return names


@functools.cache
def _name_pattern() -> re.Pattern[str]:
    words = sorted(_names(), key=len, reverse=True)
    # The country closes its line (``20457 Hamburg, Deutschland``): a word inside a street or
    # a company name (``Jersey Road``, ``France Boissons SA``) is not the address's country.
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(r"(?<![\w-])(" + alternatives + r")[\s.)]*$")


def vat_country(vat_id: str) -> str | None:
    """The ISO country of a VAT id's prefix, or ``None`` when it has no country prefix."""
    compact = re.sub(r"[^A-Za-z0-9]", "", vat_id).upper()
    prefix = _VAT_PREFIX.get(compact[:2], compact[:2])
    if len(compact) < 4 or not prefix.isalpha():
        return None
    return prefix if pycountry.countries.get(alpha_2=prefix) is not None else None


def country_in(text: str) -> str | None:
    """The country a line of an address names: a country name, or a country-coded postcode."""
    coded = _CODED_POSTCODE.search(text)
    if coded is not None:
        code = coded.group("code")
        code = _ONE_LETTER.get(code, code) if len(code) == 1 else code
        if len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None:
            return code
    m = _name_pattern().search(fold(text))
    return _names()[m.group(1)] if m else None


def printed_seller_country(pages: Sequence[PageText], seller: str) -> str | None:
    """The country printed in the seller's block: on the seller's own line (a legal line, a
    sender line) or on the next lines in the seller's column."""
    wanted = fold(seller)
    for page in pages:
        lines = page.lines
        for i, line in enumerate(lines):
            cell = next((c for c in line.cells if wanted and wanted in fold(c.text)), None)
            if cell is None:
                continue
            found = country_in(cell.text[len(seller) :]) if len(cell.text) > len(seller) else None
            if found:
                return found
            for nxt in lines[i + 1 : i + 6]:
                if nxt.top - line.top > 8 * max(line.height, 1.0):
                    break
                for c in nxt.cells:
                    if abs(c.x0 - cell.x0) <= 40 and (found := country_in(c.text)):
                        return found
            return None
    return None


def vat_country_issue(vat_id: object, printed: object) -> Issue | None:
    """``INV-VAT-COUNTRY`` when the seller's VAT id names another country than the seller's
    printed address."""
    if not isinstance(vat_id, str) or not isinstance(printed, str):
        return None
    prefix = vat_country(vat_id)
    if prefix is None or prefix == printed:
        return None
    return Issue(
        code=REASON,
        field="vendor_tax_id",
        message=(
            f"The seller's VAT id {vat_id} is registered in {prefix}, but the seller's address"
            f" is in {printed}; check that it is the seller's own VAT id (not the buyer's) and"
            " correct it, or accept it when the seller holds a VAT registration there."
        ),
    )
