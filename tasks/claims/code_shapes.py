"""Shapes of the codes on a claim: NPI check digit, ICD-10-CM, ICD-9, CPT/HCPCS, modifiers.

The NPI check digit is the Luhn digit of the 9 leading digits prefixed with the 80840 health
industry issuer number:

>>> npi_is_valid("1234567893"), npi_is_valid("1234567890")
(True, False)
>>> icd10_is_valid("E1165"), icd10_is_valid("E11.65"), icd10_is_valid("0340")
(True, True, False)
>>> procedure_is_valid("99213"), procedure_is_valid("J1100"), procedure_is_valid("9921")
(True, True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum import luhn

_ICD10 = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
_ICD9 = re.compile(r"(\d{3}|V\d{2}|E\d{3})\.?\d{0,2}")
_PROCEDURE = re.compile(r"\d{4}[0-9AFTMU]|[A-V]\d{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")


@lru_cache(maxsize=65536)
def npi_is_valid(npi: str) -> bool:
    """Ten digits whose last is the Luhn check digit of ``80840`` + the first nine."""
    return len(npi) == 10 and npi.isdigit() and luhn.is_valid("80840" + npi)


@lru_cache(maxsize=65536)
def icd10_is_valid(code: str) -> bool:
    return _ICD10.fullmatch(code) is not None


def icd9_is_valid(code: str) -> bool:
    return _ICD9.fullmatch(code) is not None


@lru_cache(maxsize=65536)
def procedure_is_valid(code: str) -> bool:
    """CPT (5 digits; category II/III end in F/T) or HCPCS level II (letter + 4 digits)."""
    return _PROCEDURE.fullmatch(code) is not None


def modifier_is_valid(code: str) -> bool:
    return _MODIFIER.fullmatch(code) is not None
