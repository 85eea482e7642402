"""The synthetic data generator: files, ground truth, determinism, planted figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import phonenumbers
import pytest
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.co import nit
from stdnum.es import cif, nie, nif
from stdnum.mx import rfc
from stdnum.pt import nif as pt_nif

from custfocus.synth import Planted, generate
from custfocus.synth import tables as T

N = 300
CSV_OPTS = {
    "soporte.csv": dict(sep=";", encoding="cp1252"),
    "marketing.csv": dict(sep=",", encoding="utf-8"),
    "loja_online.csv": dict(sep=",", encoding="utf-8-sig"),
}
SHEETS = {  # source -> header row
    "ventas.xlsx#Clientes": 3,
    "ventas.xlsx#Pedidos": 1,
    "erp_facturacion.xlsx#Clientes": 4,
    "erp_facturacion.xlsx#Facturas": 1,
}
EMAIL_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[A-Za-z]{2,}$")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> tuple[Path, Planted]:
    d = tmp_path_factory.mktemp("synth") / "a"
    planted = generate(d, customers=N, seed=11)
    return d, planted


@pytest.fixture(scope="module")
def truth(out) -> pd.DataFrame:
    return pd.read_csv(out[0] / ".truth" / "truth.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def frames(out) -> dict[str, pd.DataFrame]:
    d = out[0]
    res = {}
    for name, opts in CSV_OPTS.items():
        res[name] = pd.read_csv(d / name, dtype=str, keep_default_na=False, **opts)
    for source, header in SHEETS.items():
        file, sheet = source.split("#")
        res[source] = pd.read_excel(
            d / file, sheet_name=sheet, header=header - 1, dtype=object, engine="openpyxl"
        )
    return res


def _cells(series: pd.Series) -> list[str]:
    out = []
    for v in series:
        if v is None or (isinstance(v, float) and v != v):
            out.append("")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


def test_files_exist(out):
    d, planted = out
    for f in ("ventas.xlsx", "erp_facturacion.xlsx", *CSV_OPTS):
        assert (d / f).is_file(), f
    assert (d / ".truth" / "truth.csv").is_file()
    data = json.loads((d / ".truth" / "planted.json").read_text(encoding="utf-8"))
    assert data["persons"] == planted.persons == N
    assert sorted(planted.files) == sorted(["ventas.xlsx", "erp_facturacion.xlsx", *CSV_OPTS])


def test_truth_covers_every_data_row(out, truth, frames):
    d, planted = out
    assert list(truth.columns) == [
        "source",
        "row",
        "person_id",
        "household_id",
        "company_id",
        "kind",
    ]
    assert set(truth["kind"]) <= {"customer", "order", "invoice", "ticket"}
    for source, frame in frames.items():
        rows = truth.loc[truth["source"] == source, "row"].astype(int).tolist()
        first = SHEETS.get(source, 1) + 1
        assert rows == list(range(first, first + len(frame))), source
        assert planted.source_rows[source] == len(frame)
    assert set(truth["source"]) == set(frames)
    # the spreadsheet row numbers match what openpyxl reports
    wb = openpyxl.load_workbook(d / "ventas.xlsx")
    ws = wb["Clientes"]
    assert ws.cell(row=1, column=1).value.startswith("Listado de clientes")
    assert ws.cell(row=3, column=1).value == "Código cliente"
    assert ws.max_row == 3 + planted.source_rows["ventas.xlsx#Clientes"]
    assert wb["Config"].sheet_state == "hidden"
    assert "ventas.xlsx#Config" not in set(truth["source"])
    # every true customer has at least one row; unusable rows have no person
    assert truth.loc[truth["person_id"] != "", "person_id"].nunique() == planted.persons
    assert (truth["person_id"] == "").sum() == planted.unusable_rows


def test_determinism(out, tmp_path):
    d, planted = out
    again = generate(tmp_path / "b", customers=N, seed=11)
    assert again == planted
    for name in (*CSV_OPTS, ".truth/truth.csv", ".truth/planted.json"):
        assert (d / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for book in ("ventas.xlsx", "erp_facturacion.xlsx"):
        assert (d / book).read_bytes() == (tmp_path / "b" / book).read_bytes(), book
        a = pd.read_excel(d / book, sheet_name=None, header=None, engine="openpyxl")
        b = pd.read_excel(tmp_path / "b" / book, sheet_name=None, header=None, engine="openpyxl")
        assert a.keys() == b.keys()
        for k in a:
            pd.testing.assert_frame_equal(a[k], b[k])
    other = generate(tmp_path / "c", customers=N, seed=12)
    assert (tmp_path / "c" / "marketing.csv").read_bytes() != (d / "marketing.csv").read_bytes()
    assert other.persons == N


def test_csv_only(tmp_path):
    planted = generate(tmp_path, customers=120, seed=3, csv_only=True)
    names = {p.name for p in tmp_path.iterdir() if p.is_file()}
    assert "ventas__Clientes.csv" in names and "erp_facturacion__Facturas.csv" in names
    assert not any(n.endswith(".xlsx") for n in names)
    truth = pd.read_csv(tmp_path / ".truth" / "truth.csv", dtype=str, keep_default_na=False)
    df = pd.read_csv(tmp_path / "ventas__Clientes.csv", dtype=str)
    rows = truth.loc[truth["source"] == "ventas__Clientes.csv", "row"].astype(int)
    assert rows.tolist() == list(range(2, 2 + len(df)))
    assert planted.persons == 120


def test_file_quirks(out, frames):
    d, _ = out
    raw = (d / "soporte.csv").read_bytes()
    assert b"\r\n" in raw
    raw.decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (d / "loja_online.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    sop = frames["soporte.csv"]
    days = sop["Fecha ticket"].str.slice(0, 2).astype(int)
    assert (days > 12).any()
    assert sop["Tiempo resolución (h)"].str.contains(",").any()
    assert sop["Descripción"].str.contains("\n").any()
    assert set(sop["Estado"]) == {"Abierto", "Cerrado"} or set(sop["Estado"]) == {"Cerrado"}
    assert (sop.loc[sop["Estado"] == "Abierto", "Satisfacción"] == "").all()
    assert sop["Cliente"].str.contains(r"^[^a-z]+, ", regex=True).mean() > 0.8
    loja = frames["loja_online.csv"]
    assert loja["Valor do pedido"].str.match(r"^R\$ [\d.]+,\d\d$").all()
    assert loja["Celular"].str.contains(r"^\(\d\d\) 9\d{4}-\d{4}$").any()
    wb = openpyxl.load_workbook(d / "ventas.xlsx")
    ws = wb["Clientes"]
    (merged,) = ws.merged_cells.ranges
    assert merged.min_col == merged.max_col == 11 and merged.max_row > merged.min_row
    assert ws.cell(row=merged.min_row, column=11).value
    cps = [ws.cell(row=r, column=9).value for r in range(4, ws.max_row + 1)]
    assert any(isinstance(v, int) for v in cps) and any(isinstance(v, str) for v in cps)
    assert any(isinstance(c.value, __import__("datetime").datetime) for c in ws["M"][3:])
    # orders point at existing customer codes; "Última compra" agrees with the orders
    cli, ped = frames["ventas.xlsx#Clientes"], frames["ventas.xlsx#Pedidos"]
    assert set(ped["Código cliente"]) <= set(cli["Código cliente"])
    last = pd.to_datetime(ped["Fecha"]).groupby(ped["Código cliente"]).max()
    ult = cli.set_index("Código cliente")["Última compra"]
    assert (pd.to_datetime(ult[last.index]) == last).all()
    fac = frames["erp_facturacion.xlsx#Facturas"]
    assert (fac.loc[fac["Tipo"] == "Abono", "Total"] < 0).all()
    assert (fac.loc[fac["Tipo"] == "Factura", "Total"] > 0).all()
    assert set(fac["Moneda"]) <= {"EUR", "MXN"}


def test_planted_counts(out, truth, frames):
    _, planted = out
    kinds = truth["kind"].value_counts()
    assert planted.orders == kinds.get("order", 0)
    assert planted.tickets == kinds.get("ticket", 0) == len(frames["soporte.csv"])
    fac = frames["erp_facturacion.xlsx#Facturas"]
    assert planted.credit_notes == (fac["Tipo"] == "Abono").sum()
    assert planted.invoices == (fac["Tipo"] == "Factura").sum()
    assert planted.households == truth.loc[truth["household_id"] != "", "household_id"].nunique()
    assert planted.companies == truth.loc[truth["company_id"] != "", "company_id"].nunique()
    per = truth[truth["person_id"] != ""].groupby("source")["person_id"]
    for source, n in planted.persons_per_source.items():
        assert per.nunique()[source] == n
        assert planted.customer_records[source] - n == planted.intra_source_duplicates[source]
    assert 1.8 < planted.records_per_person < 2.8
    assert 0 < planted.persons_in_2plus_sources < planted.persons
    for name in (
        "invalid_emails",
        "placeholder_emails",
        "role_emails",
        "invalid_phones",
        "bad_id_checksums",
        "impossible_dates",
        "placeholder_names",
        "no_identifier_rows",
        "unusable_rows",
        "twins",
        "namesake_groups",
        "colleague_groups",
        "stale_records",
    ):
        assert getattr(planted, name) > 0, name
    assert sum(planted.planted_duplicate_records.values()) > 0


EMAIL_COLS = {
    "ventas.xlsx#Clientes": "Correo electrónico",
    "soporte.csv": "Email",
    "marketing.csv": "Email Address",
    "erp_facturacion.xlsx#Clientes": "Email facturación",
    "loja_online.csv": "E-mail",
}
PHONE_COLS = {
    "ventas.xlsx#Clientes": (("Tel. móvil", "Tel. fijo"), "ES"),
    "soporte.csv": (("Teléfono",), "ES"),
    "marketing.csv": (("Phone",), "ES"),
    "erp_facturacion.xlsx#Clientes": (("Teléfono",), "ES"),
    "loja_online.csv": (("Celular",), "BR"),
}
DATE_COLS = {
    "ventas.xlsx#Clientes": "F. alta",
    "marketing.csv": "Signup Date",
    "erp_facturacion.xlsx#Clientes": "Fecha alta",
    "loja_online.csv": "Data de nascimento",
}


def test_planted_defects_match_the_data(out, frames):
    """Recount each planted defect from the written files with independent checks."""
    _, planted = out
    invalid = placeholder = role = 0
    for source, col in EMAIL_COLS.items():
        vals = [v for v in _cells(frames[source][col]) if v]
        invalid += sum(not EMAIL_RE.match(v) for v in vals)
        placeholder += sum(v.lower() in T.PLACEHOLDER_EMAILS for v in vals)
        role += sum(
            bool(EMAIL_RE.match(v))
            and v.split("@")[0].lower() in (T.ROLE_MAILBOXES + T.ROLE_MAILBOXES_PT)
            for v in vals
        )
    assert invalid == planted.invalid_emails
    assert placeholder == planted.placeholder_emails
    assert role == planted.role_emails

    bad_phones = 0
    for source, (cols, region) in PHONE_COLS.items():
        for col in cols:
            for v in _cells(frames[source][col]):
                if not v:
                    continue
                try:
                    ok = phonenumbers.is_valid_number(phonenumbers.parse(v, region))
                except phonenumbers.NumberParseException:
                    ok = False
                bad_phones += not ok
    assert bad_phones == planted.invalid_phones

    impossible = 0
    for source, col in DATE_COLS.items():
        for v in frames[source][col]:
            if isinstance(v, str) and v:
                fmt = "%Y-%m-%d" if "-" in v else "%d/%m/%Y"
                impossible += pd.isna(pd.to_datetime(v, format=fmt, errors="coerce"))
    assert impossible == planted.impossible_dates

    placeholders = {"n/a", "cliente contado", "varios", "clientes varios", "test", "xxx", "cliente"}
    ph_names = 0
    for source, col in (
        ("ventas.xlsx#Clientes", "Nombre"),
        ("marketing.csv", "First Name"),
        ("erp_facturacion.xlsx#Clientes", "Razón social / Nombre"),
        ("loja_online.csv", "Nome completo"),
    ):
        ph_names += sum(v.lower() in placeholders for v in _cells(frames[source][col]))
    assert ph_names == planted.placeholder_names


def _id_ok(value: str, company: bool) -> bool | None:
    """True/False for a checksum-bearing id; None when the id has no check digit."""
    v = re.sub(r"[\s.\-/]", "", value).upper()
    if company:
        return any(mod.is_valid(v) for mod in (cif, cnpj, rfc, pt_nif, nit, cuit))
    if re.fullmatch(r"\d{8}[A-Z]", v):
        return nif.is_valid(v)
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", v):
        return nie.is_valid(v)
    if re.fullmatch(r"\d{11}", v):
        return cpf.is_valid(v)
    if re.fullmatch(r"[A-Z&]{4}\d{6}[0-9A-Z]{3}", v):
        try:
            rfc.validate(v, validate_check_digits=True)
            return True
        except Exception:
            return False
    if re.fullmatch(r"\d{9}", v):
        return pt_nif.is_valid(v)
    return None  # Colombian cédula, Argentine DNI: no check digit


def test_planted_id_checksums(out, truth, frames):
    _, planted = out
    bad = 0
    for source, col in (
        ("ventas.xlsx#Clientes", "NIF"),
        ("erp_facturacion.xlsx#Clientes", "NIF/CIF"),
        ("loja_online.csv", "CPF"),
    ):
        t = truth[truth["source"] == source].reset_index(drop=True)
        company = (t["company_id"] != "").to_numpy() & source.startswith("erp")
        for v, is_co in zip(_cells(frames[source][col]), company, strict=True):
            if v:
                bad += _id_ok(v, bool(is_co)) is False
    assert bad == planted.bad_id_checksums


def test_hard_negatives(out, truth, frames):
    """Households share an address; colleagues share a company; namesakes share only a name."""
    _, planted = out
    cli = frames["ventas.xlsx#Clientes"]
    t = truth[truth["source"] == "ventas.xlsx#Clientes"].reset_index(drop=True)
    cli = cli.assign(person=t["person_id"], household=t["household_id"])
    hh = cli[(cli["household"] != "") & cli["Apellidos"].notna()]
    for _, g in hh.groupby("household"):
        if g["person"].nunique() >= 2:
            assert g["Población"].nunique() == 1
    assert planted.twins >= 1 and planted.households > planted.twins
    assert planted.namesake_groups >= planted.namesake_groups_planted >= 1


def test_phone_numbers_of_population_are_valid():
    import numpy as np

    from custfocus.synth.people import CALLING_CODE, build_population

    pop = build_population(400, np.random.default_rng(5))
    for cc, nsn in zip(pop.country, pop.mobile, strict=True):
        if nsn:
            num = phonenumbers.parse(f"+{CALLING_CODE[cc]}{nsn}")
            assert phonenumbers.is_valid_number(num), (cc, nsn)
    for cc, nsn in zip(pop.country, pop.landline, strict=True):
        if nsn:
            num = phonenumbers.parse(f"+{CALLING_CODE[cc]}{nsn}")
            assert phonenumbers.is_valid_number(num), (cc, nsn)
    for t, v in zip(pop.id_type, pop.id_value, strict=True):
        if t in ("DNI", "NIE", "CPF", "RFC", "NIF_PT"):
            assert _id_ok(v, False), (t, v)
