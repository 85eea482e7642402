"""``custfocus dedupe --show-model``: the fitted model of the last run, without matching."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from rich.console import Console

from custfocus.cli import app
from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.explain import FIELD_NAMES
from custfocus.dedupe.model import MatchModel
from custfocus.dedupe.run import dedupe
from custfocus.ingest.importer import import_paths
from custfocus.report.dedupe import FittedModel, load_fitted_model, render_fitted_model
from custfocus.store import Store

WIDE = {"COLUMNS": "140"}  # rich wraps at 80 columns outside a terminal


@pytest.fixture(scope="module")
def deduped_db(tmp_path_factory, examples_dir):
    """The bundled examples, imported and deduped once for the module."""
    db = tmp_path_factory.mktemp("show_model") / "ex.duckdb"
    with Store(db) as store:
        import_paths(store, [examples_dir])
        dedupe(store)
    return db


def test_text_names_every_comparison_and_shows_weights(deduped_db, runner):
    result = runner.invoke(app, ["dedupe", "--show-model", "--db", str(deduped_db),
                                 "--lang", "en"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for comp in COMPARISONS:
        assert FIELD_NAMES["en"][comp.name] in out
    assert "same e-mail" in out and "Prior" in out and "bits" in out
    assert re.search(r"[+-]\d+\.\d\b", out)  # weights in bits
    assert "Block models" in out and "Value frequencies" in out
    with Store(deduped_db, read_only=True) as store:  # a rerun did not happen
        assert store.query_value("SELECT count(*) FROM dedupe_runs") == 1


def test_json_has_the_model_fields(deduped_db, runner):
    result = runner.invoke(app, ["dedupe", "--show-model", "--json", "--db", str(deduped_db)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("m", "u", "prior", "prior_bits", "candidate_prior", "trained", "warnings",
                "blocks", "weights", "levels", "term_frequencies", "run_id"):
        assert key in data
    names = {c.name for c in COMPARISONS}
    assert set(data["m"]) == set(data["weights"]) == set(data["trained"]) == names
    assert set(data["trained"].values()) <= {"data", "default"}
    assert 0 < data["prior"] < 1 and data["prior_bits"] < 0
    for name, weights in data["weights"].items():
        assert len(weights) == len(data["levels"][name])
        assert weights == sorted(weights)  # monotone in agreement
    assert data["blocks"] and all({"comparisons", "prior", "pairs", "weights"} <= set(b)
                                  for b in data["blocks"])
    assert MatchModel.from_dict(data).prior == data["prior"]  # reads back as the model
    for tf in data["term_frequencies"].values():  # ranges, never a value
        assert set(tf) == {"values", "min_count", "max_count", "mean_shared"}
        assert all(v is None or isinstance(v, (int, float)) for v in tf.values())


def test_no_value_of_the_term_frequencies_is_printed(deduped_db, runner):
    with Store(deduped_db, read_only=True) as store:
        values = [v for (v,) in store.con.execute(
            "SELECT arg_max(value, count) FROM match_tf GROUP BY comparison").fetchall()
            if v and len(v) >= 4]
    assert values
    text = runner.invoke(app, ["dedupe", "--show-model", "--db", str(deduped_db)], env=WIDE)
    js = runner.invoke(app, ["dedupe", "--show-model", "--json", "--db", str(deduped_db)])
    for value in values:
        assert value.lower() not in text.stdout.lower() and value not in js.stdout


def test_spanish_uses_spanish_words(deduped_db, runner):
    result = runner.invoke(app, ["dedupe", "--show-model", "--db", str(deduped_db),
                                 "--lang", "es"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("Comparación", "Nivel", "Avisos", "Modelos por bloque", "pares candidatos",
                 "mismo correo", "apellidos", "Frecuencia de valores"):
        assert word in out
    for english in ("Comparison", "Level", "Warnings", "Block models", "candidate pairs",
                    "same", "surname", "on the data", "default", "Trained"):
        assert english not in out
    assert re.search(r"[+-]\d+,\d\b", out)  # decimal comma


def test_warnings_are_translated_and_unknown_ones_kept():
    model = MatchModel(m={}, u={}, prior=0.001, warnings=[
        "block email: phone fitted implausibly (agreeing rarer among matches); not used",
        "something new"])
    out = StringIO()
    render_fitted_model(FittedModel(2, 1, 150, model, []),
                        Console(file=out, width=100, color_system=None), "pt")
    text = out.getvalue()
    assert "bloco e-mail: telefone com um ajuste implausível" in text
    assert "something new" in text and "Avisos" in text


def test_library_reads_the_model_of_the_last_run(deduped_db):
    with Store(deduped_db, read_only=True) as store:
        fitted = load_fitted_model(store)
    assert fitted.run_id == fitted.fitted_by_run == 1 and fitted.identities > 0
    assert {t.comparison for t in fitted.term_frequencies} == {
        c.name for c in COMPARISONS if c.tf_column}
    assert all(t.values == 0 or 2 <= t.min_count <= t.max_count
               for t in fitted.term_frequencies)


def test_a_store_never_deduped_is_exit_3(tmp_path, runner, examples_dir):
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    imported = tmp_path / "imported.duckdb"
    runner.invoke(app, ["import", str(examples_dir / "soporte.csv"), "--db", str(imported), "-q"])
    for db in (empty, imported):
        result = runner.invoke(app, ["dedupe", "--show-model", "--db", str(db)])
        assert result.exit_code == 3, result.output
        assert "no match model" in result.stderr and result.stderr.count("\n") == 1
        assert result.stdout == ""


def test_show_model_does_not_combine_with_matching_options(deduped_db, runner):
    result = runner.invoke(app, ["dedupe", "--show-model", "--retrain", "--db", str(deduped_db)])
    assert result.exit_code == 2 and "--show-model" in result.stderr
