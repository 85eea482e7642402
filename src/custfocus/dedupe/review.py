"""Review round-trip: borderline pairs out to a spreadsheet, people's decisions back in.

Decisions become must-link ("same") or cannot-link ("different") constraints stored by
source and row, so they survive re-imports and every later ``dedupe`` honours them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custfocus.dedupe.cluster import REVIEW_DECISIONS
from custfocus.dedupe.explain import describe, evidence_of
from custfocus.errors import BadInputError
from custfocus.export import format_from_path, write_frame
from custfocus.store import Store

SAME = {"same", "yes", "y", "si", "sí", "s", "sim", "mismo", "misma", "igual", "1", "true"}
DIFFERENT = {"different", "no", "n", "nao", "não", "distinto", "distinta", "diferente", "0",
             "false"}
COLUMNS = ["source_a", "row_a", "source_b", "row_b", "probability", "evidence", "name_a",
           "name_b", "email_a", "email_b", "phone_a", "phone_b", "decision"]
# The review file is read by people: its headers follow --lang, and ``import_review``
# reads a file back whatever language its headers are in.
HEADERS = {
    "es": dict(zip(COLUMNS, ["origen_a", "fila_a", "origen_b", "fila_b", "probabilidad",
                             "indicios", "nombre_a", "nombre_b", "email_a", "email_b",
                             "teléfono_a", "teléfono_b", "decisión"])),
    "pt": dict(zip(COLUMNS, ["origem_a", "linha_a", "origem_b", "linha_b", "probabilidade",
                             "evidências", "nome_a", "nome_b", "email_a", "email_b",
                             "telefone_a", "telefone_b", "decisão"])),
}


# The review file's personal columns and how --mask shows them.
MASKED_COLUMNS = {"name_a": "name", "name_b": "name", "email_a": "email", "email_b": "email",
                  "phone_a": "phone", "phone_b": "phone"}


def review_frame(store: Store, lang: str = "en", mask: bool = False) -> Any:
    """Pairs in the review band (and refused bridges), with both records side by side;
    ``mask``: names, e-mails and phones masked (the evidence column still says how they
    compare)."""
    frame = store.execute(
        f"""
        SELECT ra.source AS source_a, ra.row AS row_a, rb.source AS source_b, rb.row AS row_b,
               round(l.probability, 3) AS probability, l.levels, l.bits, l.name_similarity,
               ra.full_name AS name_a, rb.full_name AS name_b, ra.email AS email_a,
               rb.email AS email_b, ra.phone_e164 AS phone_a, rb.phone_e164 AS phone_b,
               '' AS decision
        FROM match_links l
        JOIN records ra ON ra.record_id = l.record_a JOIN records rb ON rb.record_id = l.record_b
        WHERE l.decision IN {REVIEW_DECISIONS}
        ORDER BY l.probability DESC
        """).df()
    frame["evidence"] = [
        "; ".join(text for text, _ in describe(evidence_of(lv, bits, sim), lang))
        for lv, bits, sim in zip(frame["levels"], frame["bits"], frame["name_similarity"])]
    if mask:
        from custfocus.masking import mask_value

        for column, kind in MASKED_COLUMNS.items():
            frame[column] = frame[column].astype(object).map(lambda v, k=kind: mask_value(k, v))
    return frame[COLUMNS].rename(columns=HEADERS.get(lang, {}))


def export_review(store: Store, path: Path | None, fmt: str | None = None,
                  lang: str = "en", mask: bool = False) -> int:
    sheet = {"es": "revisión", "pt": "revisão"}.get(lang, "review")
    return write_frame(review_frame(store, lang, mask), path, format_from_path(path, fmt),
                       sheet)


@dataclass
class ReviewImport:
    same: int
    different: int
    undecided: int


def import_review(store: Store, path: Path) -> ReviewImport:
    """Read decisions (same/different, in es/pt/en) and store them as constraints."""
    import pandas as pd

    name = Path(path).name
    try:
        if Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # any reader failure is a bad input file
        raise BadInputError(f"cannot read the review file ({exc.__class__.__name__})",
                            file=name) from None
    frame = frame.rename(columns={local: key for names in HEADERS.values()
                                  for key, local in names.items()})
    missing = [c for c in ("source_a", "row_a", "source_b", "row_b", "decision")
               if c not in frame.columns]
    if missing:
        raise BadInputError(f"missing column(s): {', '.join(missing)}", file=name)
    frame = frame.fillna("")
    known = {(s, int(r)) for s, r in store.execute("SELECT source, row FROM records").fetchall()}
    same = different = undecided = 0
    rows = []
    decided_at: dict[frozenset[tuple[str, int]], tuple[str, int]] = {}  # pair -> kind, line
    for i, item in enumerate(frame.itertuples(index=False), start=2):
        decision = str(item.decision).strip().lower().lstrip("'")
        if not decision:
            undecided += 1
            continue
        if decision not in SAME | DIFFERENT:
            raise BadInputError(f"decision '{decision[:20]}' is not same/different", file=name,
                                row=i, column="decision")
        try:
            a = (str(item.source_a), int(float(item.row_a)))
            b = (str(item.source_b), int(float(item.row_b)))
        except ValueError:
            raise BadInputError("row numbers must be whole numbers", file=name, row=i) from None
        for side in (a, b):
            if side not in known:
                raise BadInputError(f"names a row that is not imported ({side[0]} row {side[1]})",
                                    file=name, row=i)
        if a == b:
            raise BadInputError(f"pairs a row with itself ({a[0]} row {a[1]}); a pair is two "
                                "different rows", file=name, row=i)
        kind = "same" if decision in SAME else "different"
        pair = frozenset((a, b))
        if pair in decided_at:
            earlier, line = decided_at[pair]
            if earlier != kind:
                raise BadInputError(f"the pair is marked {kind} here and {earlier} on row "
                                    f"{line}; keep one decision", file=name, row=i,
                                    column="decision")
            continue  # the same decision twice counts once
        decided_at[pair] = (kind, i)
        same += kind == "same"
        different += kind == "different"
        rows.append([a[0], a[1], b[0], b[1], kind])
    with store.transaction():
        store.note_processing(rows_read=same + different + undecided)
        store_decisions(store, rows, name)
    return ReviewImport(same, different, undecided)


def store_decisions(store: Store, rows: list[list[Any]], origin: str) -> None:
    """Store decisions ``[source_a, row_a, source_b, row_b, "same"|"different"]`` as
    must-link / cannot-link constraints, in one transaction; a pair decided again keeps
    only its latest decision. ``origin`` says where they came from (a file name, "browser")."""
    with store.transaction():
        for row in rows:
            store.execute("DELETE FROM match_constraints WHERE (source_a = ? AND row_a = ? "
                          "AND source_b = ? AND row_b = ?) OR (source_a = ? AND row_a = ? AND "
                          "source_b = ? AND row_b = ?)", [*row[:4], *row[2:4], *row[:2]])
            store.execute("INSERT INTO match_constraints VALUES (?, ?, ?, ?, ?, ?, now())",
                          [*row, origin])


def pending_review(store: Store, lang: str = "en", limit: int = 50) -> list[dict[str, Any]]:
    """The pairs of :func:`review_frame` nobody has decided yet (a decision stands from
    the moment it is stored, before the next ``dedupe`` honours it), best first."""
    frame = review_frame(store, lang)
    frame = frame.rename(columns={v: k for k, v in HEADERS.get(lang, {}).items()})
    decided = {(a, int(ra), b, int(rb)) for a, ra, b, rb in store.execute(
        "SELECT source_a, row_a, source_b, row_b FROM match_constraints").fetchall()}
    out = []
    for item in frame.drop(columns=["decision"]).to_dict("records"):
        a = (item["source_a"], int(item["row_a"]))
        b = (item["source_b"], int(item["row_b"]))
        if (*a, *b) in decided or (*b, *a) in decided:
            continue
        out.append({k: (None if v != v else v) for k, v in item.items()})  # NaN -> None
        if len(out) >= limit:
            break
    return out
