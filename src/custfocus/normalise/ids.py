"""National tax and identity numbers (NIF, CPF, RFC, CUIT…) via python-stdnum.

A column rarely says which kind of number it holds, so every known validator
is tried (the hinted country's first). Check digits make a false match
unlikely; when nothing validates, the shape of the value still suggests a kind
so audits can report "looks like a CPF but the check digit is wrong".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from stdnum.ar import cuit as ar_cuit
from stdnum.br import cnpj as br_cnpj
from stdnum.br import cpf as br_cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.es import cif as es_cif
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.es import nif as es_nif
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.pe import ruc as pe_ruc
from stdnum.pt import nif as pt_nif

__all__ = ["ID_KINDS", "NationalId", "format_national_id", "normalise_national_id"]

# (kind, country, stdnum module), in the order tried when no country is hinted.
# Validators with the weakest check digits (Colombian NIT) come last.
_VALIDATORS: tuple[tuple[str, str, ModuleType], ...] = (
    ("es_nif", "ES", es_dni),
    ("es_nie", "ES", es_nie),
    ("es_cif", "ES", es_cif),
    ("es_nif", "ES", es_nif),  # special NIFs (K, L, M prefixes)
    ("br_cpf", "BR", br_cpf),
    ("br_cnpj", "BR", br_cnpj),
    ("mx_rfc", "MX", mx_rfc),
    ("mx_curp", "MX", mx_curp),
    ("ar_cuit", "AR", ar_cuit),
    ("pt_nif", "PT", pt_nif),
    ("cl_rut", "CL", cl_rut),
    ("pe_ruc", "PE", pe_ruc),
    ("co_nit", "CO", co_nit),
)
_MODULES: dict[str, ModuleType] = {}
for _kind, _country, _module in _VALIDATORS:
    _MODULES.setdefault(_kind, _module)
ID_KINDS: frozenset[str] = frozenset(_MODULES)

# The lengths each validator accepts once compacted (python-stdnum 1.x-2.x); a value of any
# other length, even after a two-letter country prefix is cut ("ES", "PT", "CL"), cannot
# validate, so the (slow) validator is not asked. Only skips: the order is unchanged.
_LENGTHS: dict[str, frozenset[int]] = {
    "es_nif": frozenset({9}), "es_nie": frozenset({9}), "es_cif": frozenset({9}),
    "br_cpf": frozenset({11}), "br_cnpj": frozenset({14}), "mx_rfc": frozenset({10, 12, 13}),
    "mx_curp": frozenset({18}), "ar_cuit": frozenset({11}), "pt_nif": frozenset({9}),
    "cl_rut": frozenset({8, 9}), "pe_ruc": frozenset({11}), "co_nit": frozenset(range(8, 17)),
}
_NON_ALNUM = re.compile(r"[^0-9A-ZÑ&]+")
_EXCEL_FLOAT = re.compile(r"^(\d+)\.0+$")
_MAX_LENGTH = 64

# Shapes used to guess the kind of a value whose check digit fails.
_SHAPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("es_nif", "ES", re.compile(r"^\d{7,8}[A-Z]$")),
    ("es_nie", "ES", re.compile(r"^[XYZ]\d{7}[A-Z]$")),
    ("es_cif", "ES", re.compile(r"^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$")),
    ("mx_curp", "MX", re.compile(r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d$")),
    ("mx_rfc", "MX", re.compile(r"^[A-Z&Ñ]{3,4}\d{6}[0-9A-Z]{3}$")),
    ("br_cnpj", "BR", re.compile(r"^\d{14}$")),
    ("br_cpf", "BR", re.compile(r"^\d{11}$")),
    ("ar_cuit", "AR", re.compile(r"^\d{11}$")),
    ("pe_ruc", "PE", re.compile(r"^\d{11}$")),
    ("cl_rut", "CL", re.compile(r"^\d{7,8}[0-9K]$")),
    ("pt_nif", "PT", re.compile(r"^\d{9}$")),
    ("co_nit", "CO", re.compile(r"^\d{8,10}$")),
)


@dataclass(frozen=True)
class NationalId:
    """A compacted identifier with the kind it validated as (or looks like)."""

    value: str
    kind: str | None
    valid: bool
    country: str | None


_EMPTY = NationalId("", None, False, None)


def _is_valid(module: ModuleType, value: str) -> bool:
    try:
        return bool(module.is_valid(value))
    except Exception:  # a validator bug must not stop an import
        return False


def _candidates(value: str, kind: str) -> tuple[str, ...]:
    """Return ``value`` plus zero-padded forms Excel may have stripped."""
    if kind == "br_cpf" and value.isdigit() and 8 <= len(value) < 11:
        return (value, value.zfill(11))
    if kind == "br_cnpj" and value.isdigit() and 12 <= len(value) < 14:
        return (value, value.zfill(14))
    if kind == "es_nif" and len(value) in (7, 8) and value[:-1].isdigit():
        return (value, value.zfill(9))
    return (value,)


def _ordered(country: str | None, table: tuple) -> tuple:
    if not country:
        return table
    return tuple(r for r in table if r[1] == country) + tuple(r for r in table if r[1] != country)


@lru_cache(maxsize=131_072)
def _normalise_cached(text: str, country: str | None) -> NationalId:
    value = text.strip()
    excel = _EXCEL_FLOAT.match(value)
    if excel:
        value = excel.group(1)
    value = _NON_ALNUM.sub("", value.upper())
    if not value:
        return _EMPTY
    for kind, kind_country, module in _ordered(country, _VALIDATORS):
        lengths = _LENGTHS[kind]
        for candidate in _candidates(value, kind):
            if (len(candidate) in lengths or len(candidate) - 2 in lengths) and _is_valid(
                    module, candidate):
                # The same number with or without its country prefix (an EU VAT form such
                # as "ES43538330C") is one id: kept without it.
                if len(candidate) not in lengths and candidate[:2] == kind_country:
                    candidate = candidate[2:]
                return NationalId(candidate, kind, True, kind_country)
    for kind, kind_country, pattern in _ordered(country, _SHAPES):
        if pattern.match(value):
            return NationalId(value, kind, False, kind_country)
    return NationalId(value, None, False, None)


def normalise_national_id(text: str | None, country: str | None = None) -> NationalId:
    """Compact and identify a tax/identity number.

    Args:
        text: The raw value ("12.345.678-Z", "390.533.447-05", "1234567890").
        country: ISO country hint ("ES", "BR"…); its validators are tried first.

    Returns:
        A :class:`NationalId`; ``valid`` only when a check digit confirmed ``kind``.

    Example:
        >>> normalise_national_id("390.533.447-05")
        NationalId(value='39053344705', kind='br_cpf', valid=True, country='BR')
    """
    if not text or not isinstance(text, str):
        return _EMPTY
    country = country.upper() if isinstance(country, str) and country else None
    if len(text) > _MAX_LENGTH:
        return NationalId(_NON_ALNUM.sub("", text[: _MAX_LENGTH * 4].upper()), None, False, None)
    return _normalise_cached(text, country)


def format_national_id(nid: NationalId) -> str:
    """Return the conventional printed form ("390.533.447-05") of a valid identifier.

    Kinds without a standard format, and invalid values, come back compacted.

    Example:
        >>> format_national_id(normalise_national_id("39053344705"))
        '390.533.447-05'
    """
    module = _MODULES.get(nid.kind or "")
    if not nid.valid or module is None or not hasattr(module, "format"):
        return nid.value
    try:
        return str(module.format(nid.value))
    except Exception:  # fall back to the compact form
        return nid.value
