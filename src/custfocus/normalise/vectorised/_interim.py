"""Per-distinct-value versions used until the vectorised ones land (development only)."""

from __future__ import annotations

import pyarrow as pa

from custfocus.normalise import (
    address_key,
    expand_street,
    normalise_email,
    normalise_national_id,
    normalise_phone,
    normalise_postal_code,
    parse_amount,
    parse_date,
    split_street_number,
)
from custfocus.normalise.vectorised._common import map_distinct


def normalise_email_column(values):
    def one(v):
        i = normalise_email(v)
        return i.email, i.key, i.valid, i.role, i.placeholder, i.domain
    return map_distinct(values, one, {"email": pa.string(), "key": pa.string(), "valid": pa.bool_(),
                        "role": pa.bool_(), "placeholder": pa.bool_(), "domain": pa.string()},
                        (None, None, False, False, False, None))


def normalise_phone_column(values, region):
    def one(v):
        i = normalise_phone(v, region)
        return i.e164, i.valid, i.national, i.region, i.mobile
    return map_distinct(values, one, {"e164": pa.string(), "valid": pa.bool_(), "national": pa.string(),
                        "region": pa.string(), "mobile": pa.bool_()})


def normalise_national_id_column(values, country):
    def one(v):
        i = normalise_national_id(v, country)
        return i.value, i.kind, i.valid, i.country
    return map_distinct(values, one, {"value": pa.string(), "kind": pa.string(), "valid": pa.bool_(),
                        "country": pa.string()})


def parse_amount_column(values, decimal):
    def one(v):
        a = parse_amount(v, decimal)
        return a.value, a.currency
    return map_distinct(values, one, {"value": pa.float64(), "currency": pa.string()})


def parse_date_column(values, order):
    return map_distinct(values, lambda v: (parse_date(v, order),), {"d": pa.date32()})["d"]


def normalise_address_columns(street, number, postal, region):
    import pyarrow.compute as pc
    n = len(street) if street is not None else len(postal)
    s = street.to_pylist() if street is not None else [None] * n
    nu = number.to_pylist() if number is not None else [None] * n
    po = postal.to_pylist() if postal is not None else [None] * n
    out = {"street": [], "house_number": [], "postal_code": [], "postal_valid": [], "address_key": []}
    for st, num, pc_ in zip(s, nu, po):
        st, num, pc_ = st or "", num or "", pc_ or ""
        rec = {}
        valid = None
        if st:
            expanded = expand_street(st)
            if not num:
                expanded, num = split_street_number(expanded)
            rec["street"] = expanded
        if num:
            rec["house_number"] = num
        if pc_:
            code = normalise_postal_code(pc_, region)
            rec["postal_code"] = code or pc_
            valid = code is not None
        if st:
            rec["address_key"] = address_key(rec["street"], num or None, rec.get("postal_code")) or None
        for k in ("street", "house_number", "postal_code", "address_key"):
            out[k].append(rec.get(k))
        out["postal_valid"].append(valid)
    del pc
    return {k: pa.array(v, pa.bool_() if k == "postal_valid" else pa.string()) for k, v in out.items()}
