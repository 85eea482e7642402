"""Render a :class:`DedupeResult`, an explanation, and the fitted match model of the last run."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from custfocus.dedupe.block import split_summary
from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.explain import (
    DECISIONS,
    FIELD_NAMES,
    MEMBER_HEADERS,
    field_name,
    level_text,
)
from custfocus.dedupe.model import MatchModel
from custfocus.dedupe.run import DedupeResult
from custfocus.errors import BadInputError
from custfocus.i18n import count as counted
from custfocus.i18n import fmt_float, fmt_pct
from custfocus.store import Store


def dedupe_as_dict(result: DedupeResult) -> dict[str, Any]:
    data = asdict(result)
    data["duplicates"] = result.duplicates
    data["cluster_sizes"] = {str(k): v for k, v in result.cluster_sizes.items()}
    return data


SIZE_ROWS = 12  # customers of 1..12 records one row each; the larger ones share a last row


def size_rows(cluster_sizes: dict[int, int], shown: int = SIZE_ROWS) -> list[tuple[str, int]]:
    """The customers-by-records histogram as rows: one per size up to ``shown``, then "13+".

    Why the last row: the table used to stop at 12, so the largest customers (23 records on
    the examples) were in no row while the summary named them.

    Example:
        >>> size_rows({1: 5, 2: 3, 14: 1, 23: 1}, shown=2)
        [('1', 5), ('2', 3), ('3+', 2)]
    """
    rows = [(str(size), number) for size, number in sorted(cluster_sizes.items())
            if size <= shown]
    larger = sum(number for size, number in cluster_sizes.items() if size > shown)
    if larger:
        rows.append((f"{shown + 1}+", larger))
    return rows


def render_dedupe(result: DedupeResult, console: Console, lang: str = "en") -> None:
    """The run's counts, customer sizes and pairs per blocking key, in ``lang``."""
    say = _Words(lang)
    rate = result.duplicates / result.records if result.records else 0.0
    console.print(say("summary", records=counted(result.records, "record", say.lang),
                      customers=counted(result.customers, "customer", say.lang),
                      duplicates=say.count(result.duplicates), rate=say.pct(rate),
                      mode=say(f"mode_{result.mode}"), run=result.run_id))
    table = Table(title=say("matching"), title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row(say("distinct_identities"), say.count(result.distinct_identities))
    table.add_row(say("candidate_pairs"), say.count(result.candidate_pairs))
    table.add_row(say("compared_pairs"), say.count(result.compared_pairs))
    table.add_row(say("merged_pairs"), say.count(result.merged_pairs))
    table.add_row(say("review_pairs"), say.count(result.review_pairs))
    for reason, refused in sorted(result.refused.items()):
        table.add_row(say("refused", reason=say.decision(reason)), say.count(refused))
    table.add_row(say("no_identifier"), say.count(result.no_identifier_records))
    table.add_row(say("largest"), say.count(result.largest_cluster))
    table.add_row(say("ids"), f"{say.count(result.kept_ids)} / {say.count(result.new_ids)}")
    for kind, number in sorted(result.events.items()):
        table.add_row(say("customers_event", kind=kind), say.count(number))
    console.print(table)
    sizes = Table(title=say("sizes"), title_justify="left")
    sizes.add_column(say("records"), justify="right")
    sizes.add_column(say("customers"), justify="right")
    for size, number in size_rows(result.cluster_sizes):
        sizes.add_row(size, say.count(number))
    console.print(sizes)
    rules = Table(title=say("per_key"), title_justify="left")
    for name in ("key", "pairs_per_key", "over_cap", "walked", "left_out"):
        rules.add_column(say(name), justify="left" if name == "key" else "right")
    split = split_summary(result.oversized_blocks)
    for rule, count in sorted(result.pairs_per_rule.items(), key=lambda kv: -kv[1]):
        if "/" in rule:
            continue  # (counted with its rule)
        over = split.get(rule, {})
        total = count + sum(n for r, n in result.pairs_per_rule.items()
                            if r.startswith(rule + "/"))
        rules.add_row(say.rule(rule), say.count(total), say.count(over.get("sub_blocked", 0)),
                      say.count(over.get("walked", 0)), say.count(over.get("left_out", 0)))
    console.print(rules)
    timing = ", ".join(f"{k} {say.number(v, 1)} s" for k, v in result.timings.items())
    console.print(f"[dim]{say('timing', timing=timing)}[/]")


def render_explanation(explanation: Any, console: Console, lang: str = "en") -> None:
    """Members with provenance, then each link with its reasons and their weights, in ``lang``."""
    say = _Words(lang)
    console.print(f"[bold]{explanation.customer_id}[/]: "
                  f"{counted(len(explanation.members), 'record', say.lang)}")
    headers = MEMBER_HEADERS[say.lang]
    members = Table(show_header=True)
    for name in headers.values():
        members.add_column(name)
    for m in explanation.members:
        members.add_row(*[str(m.get(k) or "") for k in headers])
    console.print(members)
    for link in explanation.links:
        reasons = "; ".join(f"{text} ({say.bits(bits)})" for text, bits in link.reasons)
        console.print(f"{link.record_a} ~ {link.record_b}: {say.pct(link.probability, 0)} "
                      f"{escape('[' + link.decision + ']')} — {escape(reasons)}")
    for event in explanation.events:
        console.print(f"[dim]{event['event_time']:%Y-%m-%d} {event['kind']}: "
                      f"{', '.join(event['other_ids'] or [])} {event['reason']}[/]")


# -- the fitted match model (``custfocus dedupe --show-model``) ---------------------------------


@dataclass
class TermFrequencyRange:
    """How often the values of one comparison recur, without any value (they are personal
    data): how many values more than one identity holds, the smallest and largest count."""

    comparison: str
    values: int
    min_count: int | None
    max_count: int | None
    mean_shared: float | None  # other identities a value is shared with, on average


@dataclass
class FittedModel:
    """The match model the last dedupe run scored with, as the store keeps it."""

    run_id: int  # the last run
    fitted_by_run: int  # the run that fitted it (later incremental runs reuse it)
    identities: int  # distinct identities it was fitted on
    model: MatchModel
    term_frequencies: list[TermFrequencyRange]


def load_fitted_model(store: Store) -> FittedModel:
    """The model of the last dedupe run and the ranges of its value counts; no matching.

    Raises:
        BadInputError: the store was never deduped (or its last run kept no model).

    Example:
        >>> with Store("custfocus.duckdb", read_only=True) as store:  # doctest: +SKIP
        ...     load_fitted_model(store).model.prior
        0.00046
    """
    rows = store.query_dicts("SELECT run_id, stats FROM dedupe_runs WHERE stats IS NOT NULL "
                             "ORDER BY run_id DESC LIMIT 1")
    state = (json.loads(rows[0]["stats"]).get("state") or {}) if rows else {}
    trained = state.get("trained") or {}
    if "model" not in trained:
        raise BadInputError("the store has no match model yet: run 'custfocus dedupe' first")
    counts = {r["comparison"]: r for r in store.query_dicts(
        "SELECT comparison, count(*) AS n_values, min(count) AS min_count, "
        "max(count) AS max_count FROM match_tf GROUP BY comparison")}
    average = trained.get("average") or {}
    ranges = []
    for comp in COMPARISONS:
        if comp.tf_column is None:
            continue
        found = counts.get(comp.name, {})
        mean = average.get(comp.name)
        ranges.append(TermFrequencyRange(
            comp.name, int(found.get("n_values") or 0), found.get("min_count"),
            found.get("max_count"), None if mean is None else float(mean)))
    return FittedModel(int(rows[0]["run_id"]), int(trained.get("run", rows[0]["run_id"])),
                       int(trained.get("nodes", 0)), MatchModel.from_dict(trained["model"]),
                       ranges)


def prior_bits(probability: float) -> float:
    """A probability as log-odds in bits: what the evidence of a pair starts from."""
    p = min(max(probability, 1e-300), 1 - 1e-16)
    return math.log2(p / (1 - p))


def fitted_model_as_dict(fitted: FittedModel) -> dict[str, Any]:
    """One JSON object: the model's own fields (``MatchModel.from_dict`` reads it back), the
    weights in bits per level, the level names, the prior in bits and the count ranges."""
    model = fitted.model
    data: dict[str, Any] = {"run_id": fitted.run_id, "fitted_by_run": fitted.fitted_by_run,
                            "identities": fitted.identities, **model.to_dict()}
    data["prior_bits"] = prior_bits(model.prior)
    data["levels"] = {c.name: list(c.levels) for c in COMPARISONS if c.name in model.m}
    data["thresholds"] = {c.name: dict(c.thresholds) for c in COMPARISONS if c.name in model.m}
    data["weights"] = {name: [float(x) for x in w] for name, w in model.weights().items()}
    for block, block_model in zip(data["blocks"], model.block_models()):
        block["weights"] = {name: [float(x) for x in w]
                            for name, w in block_model.weights().items()}
    data["term_frequencies"] = {t.comparison: {"values": t.values, "min_count": t.min_count,
                                               "max_count": t.max_count,
                                               "mean_shared": t.mean_shared}
                                for t in fitted.term_frequencies}
    return data


def render_fitted_model(fitted: FittedModel, console: Console, lang: str = "en") -> None:
    """The model as tables, every word in ``lang`` (es, pt or en)."""
    model, say = fitted.model, _Words(lang)
    console.print(f"[bold]{say('model_title')}[/]: " + say(
        "fitted_by", run=fitted.fitted_by_run, identities=say.count(fitted.identities),
        last=fitted.run_id))
    console.print(say("prior", p=say.prob(model.prior), bits=say.bits(prior_bits(model.prior))))
    console.print(say("candidates", pairs=say.count(model.pairs), share=say.pct(model.candidate_prior),
                      iterations=model.iterations,
                      converged=say("converged" if model.converged else "not_converged")))
    console.print(_comparisons_table(model, say))
    console.print(f"[bold]{say('warnings')}[/]: " + ("" if model.warnings else say("no_warnings")))
    for warning in model.warnings:
        console.print(f"  - {escape(say.warning(warning))}")
    console.print(_blocks_table(model, say))
    console.print(_term_frequency_table(fitted.term_frequencies, say))


def _comparisons_table(model: MatchModel, say: _Words) -> Table:
    weights = model.weights()
    tf_names = [say.field(c.name) for c in COMPARISONS if c.tf_column and c.name in model.m]
    table = Table(title=say("comparisons_title"), title_justify="left",
                  caption=say("comparisons_caption", fields=", ".join(tf_names)),
                  caption_justify="left")
    table.add_column(say("comparison"))
    table.add_column(say("trained"))
    table.add_column(say("level"))
    for column in ("m", "u", "bits"):
        table.add_column(say(column), justify="right")
    # The stored model names its comparisons and sizes its levels: a model kept by an older
    # version with other levels still prints (unknown levels by number).
    keys = {c.name: c.levels for c in COMPARISONS}
    for name, m in model.m.items():
        trained = say(model.trained.get(name, "default"))
        for level in range(len(m)):
            first = level == 0
            known = level < len(keys.get(name, ()))
            table.add_row(say.field(name) if first else "", trained if first else "",
                          say.level(name, keys[name][level]) if known
                          else f"{say('level')} {level}",
                          say.prob(m[level]), say.prob(model.u[name][level]),
                          say.bits(weights[name][level]))
        table.add_section()
    return table


def _blocks_table(model: MatchModel, say: _Words) -> Table:
    table = Table(title=say("blocks_title"), title_justify="left")
    table.add_column(say("block"))
    table.add_column(say("pairs"), justify="right")
    table.add_column(say("match_share"), justify="right")
    table.add_column(say("other_comparison"))
    table.add_column(say("bits_per_level"))
    for block in model.block_models():
        for row, (name, weights) in enumerate(block.weights().items()):
            first = row == 0
            table.add_row(" + ".join(say.field(c) for c in block.comparisons) if first else "",
                          say.count(block.pairs) if first else "",
                          say.pct(block.prior) if first else "", say.field(name),
                          " → ".join(say.bits(w) for w in weights))
        table.add_section()
    return table


def _term_frequency_table(ranges: list[TermFrequencyRange], say: _Words) -> Table:
    table = Table(title=say("tf_title"), title_justify="left")
    table.add_column(say("comparison"))
    for column in ("values", "min_count", "max_count", "mean_shared"):
        table.add_column(say(column), justify="right")
    for t in ranges:
        table.add_row(say.field(t.comparison), say.count(t.values),
                      "" if t.min_count is None else say.count(t.min_count),
                      "" if t.max_count is None else say.count(t.max_count),
                      "" if t.mean_shared is None else say.number(t.mean_shared, 1))
    return table


# Blocking rules (``block.RULES``) by the parts of their name, for the pairs-per-key table.
RULE_WORDS: dict[str, dict[str, str]] = {
    "es": {"email": "e-mail", "email_local": "usuario del e-mail", "phone": "teléfono",
           "phone2": "segundo teléfono", "phone_cross": "teléfono cruzado",
           "national_id": "documento", "account_code": "código de cliente", "name": "nombre",
           "postcode": "código postal", "city": "localidad", "surname": "apellido",
           "given": "nombre de pila", "birth": "nacimiento", "address": "dirección",
           "full_name": "nombre completo", "sounds_like": "suena igual",
           "organisation": "organización", "organisation_start": "inicio de la organización"},
    "pt": {"email": "e-mail", "email_local": "usuário do e-mail", "phone": "telefone",
           "phone2": "segundo telefone", "phone_cross": "telefone cruzado",
           "national_id": "documento", "account_code": "código de cliente", "name": "nome",
           "postcode": "CEP", "city": "cidade", "surname": "sobrenome", "given": "prenome",
           "birth": "nascimento", "address": "endereço", "full_name": "nome completo",
           "sounds_like": "som parecido", "organisation": "organização",
           "organisation_start": "início da organização"},
}
MODEL_TEXTS: dict[str, dict[str, str]] = {
    # ``custfocus dedupe``: the run's summary
    "summary": {"en": "[bold]{records}[/] -> [bold]{customers}[/] ({duplicates} duplicates, "
                      "{rate}); {mode} run #{run}",
                "es": "[bold]{records}[/] -> [bold]{customers}[/] ({duplicates} duplicados, "
                      "{rate}); ejecución {mode} #{run}",
                "pt": "[bold]{records}[/] -> [bold]{customers}[/] ({duplicates} duplicados, "
                      "{rate}); execução {mode} #{run}"},
    "mode_full": {"en": "full", "es": "completa", "pt": "completa"},
    "mode_incremental": {"en": "incremental", "es": "incremental", "pt": "incremental"},
    "matching": {"en": "Matching", "es": "Deduplicación", "pt": "Deduplicação"},
    "distinct_identities": {"en": "distinct identities (after collapsing repeats)",
                            "es": "identidades distintas (tras agrupar repeticiones)",
                            "pt": "identidades distintas (após agrupar repetições)"},
    "candidate_pairs": {"en": "candidate pairs", "es": "pares candidatos",
                        "pt": "pares candidatos"},
    "compared_pairs": {"en": "pairs compared this run", "es": "pares comparados en esta ejecución",
                       "pt": "pares comparados nesta execução"},
    "merged_pairs": {"en": "pairs merged", "es": "pares unidos", "pt": "pares unidos"},
    "review_pairs": {"en": "pairs to review", "es": "pares a revisar", "pt": "pares para revisar"},
    "refused": {"en": "merges refused: {reason}", "es": "uniones rechazadas: {reason}",
                "pt": "uniões recusadas: {reason}"},
    "no_identifier": {"en": "records with no identifier (kept as their own customer)",
                      "es": "registros sin identificador (cada uno es su propio cliente)",
                      "pt": "registros sem identificador (cada um é seu próprio cliente)"},
    "largest": {"en": "largest customer (records)", "es": "cliente más grande (registros)",
                "pt": "maior cliente (registros)"},
    "ids": {"en": "ids kept / new", "es": "identificadores conservados / nuevos",
            "pt": "identificadores mantidos / novos"},
    "customers_event": {"en": "customers {kind}", "es": "clientes: {kind}",
                        "pt": "clientes: {kind}"},
    "sizes": {"en": "Customers by number of records", "es": "Clientes por número de registros",
              "pt": "Clientes por número de registros"},
    "records": {"en": "records", "es": "registros", "pt": "registros"},
    "customers": {"en": "customers", "es": "clientes", "pt": "clientes"},
    "per_key": {"en": "Candidate pairs per blocking key", "es": "Pares candidatos por clave de bloqueo",
                "pt": "Pares candidatos por chave de bloqueio"},
    "key": {"en": "key", "es": "clave", "pt": "chave"},
    "pairs_per_key": {"en": "pairs", "es": "pares", "pt": "pares"},
    "over_cap": {"en": "over cap", "es": "sobre el tope", "pt": "acima do limite"},
    "walked": {"en": "walked", "es": "recorridos", "pt": "percorridos"},
    "left_out": {"en": "left out", "es": "excluidos", "pt": "excluídos"},
    "timing": {"en": "time per stage: {timing}", "es": "tiempo por etapa: {timing}",
               "pt": "tempo por etapa: {timing}"},
    "model_title": {"en": "Match model", "es": "Modelo de coincidencias",
                    "pt": "Modelo de correspondência"},
    "fitted_by": {"en": "fitted by run #{run} on {identities} distinct identities; last run #{last}",
                  "es": "ajustado en la ejecución #{run} con {identities} identidades distintas; "
                        "última ejecución #{last}",
                  "pt": "ajustado na execução #{run} com {identities} identidades distintas; "
                        "última execução #{last}"},
    "prior": {"en": "Prior: two random records are one customer with probability {p} ({bits} bits)",
              "es": "A priori: dos registros al azar son el mismo cliente con probabilidad {p} "
                    "({bits} bits)",
              "pt": "A priori: dois registros ao acaso são o mesmo cliente com probabilidade {p} "
                    "({bits} bits)"},
    "candidates": {"en": "Matches among the {pairs} candidate pairs: {share} "
                         "({iterations} EM iterations, {converged})",
                   "es": "Coincidencias entre los {pairs} pares candidatos: {share} "
                         "({iterations} iteraciones de EM, {converged})",
                   "pt": "Correspondências entre os {pairs} pares candidatos: {share} "
                         "({iterations} iterações de EM, {converged})"},
    "converged": {"en": "converged", "es": "convergió", "pt": "convergiu"},
    "not_converged": {"en": "not converged", "es": "no convergió", "pt": "não convergiu"},
    "comparisons_title": {"en": "Comparisons: m, u and weight per level",
                          "es": "Comparaciones: m, u y peso por nivel",
                          "pt": "Comparações: m, u e peso por nível"},
    "comparisons_caption": {
        "en": "m: share of true matches at the level; u: share of random pairs; bits: log2(m/u), "
              "never decreasing with agreement and bounded. The top level of {fields} is adjusted "
              "by how common each value is.",
        "es": "m: proporción de coincidencias verdaderas en el nivel; u: proporción de pares al "
              "azar; bits: log2(m/u), nunca menor al coincidir más y acotado. El nivel superior de "
              "{fields} se ajusta según lo común que es cada valor.",
        "pt": "m: proporção de correspondências verdadeiras no nível; u: proporção de pares ao "
              "acaso; bits: log2(m/u), nunca menor ao concordar mais e limitado. O nível superior "
              "de {fields} é ajustado conforme o quanto cada valor é comum."},
    "comparison": {"en": "Comparison", "es": "Comparación", "pt": "Comparação"},
    "trained": {"en": "Trained", "es": "Entrenado", "pt": "Treinado"},
    "data": {"en": "on the data", "es": "con los datos", "pt": "com os dados"},
    "default": {"en": "no: default m", "es": "no: m por defecto", "pt": "não: m padrão"},
    "level": {"en": "Level", "es": "Nivel", "pt": "Nível"},
    "m": {"en": "m", "es": "m", "pt": "m"},
    "u": {"en": "u", "es": "u", "pt": "u"},
    "bits": {"en": "bits", "es": "bits", "pt": "bits"},
    "warnings": {"en": "Warnings", "es": "Avisos", "pt": "Avisos"},
    "no_warnings": {"en": "none", "es": "ninguno", "pt": "nenhum"},
    "blocks_title": {"en": "Block models: candidates that agree on some comparisons, and the "
                           "weights of the others among them",
                     "es": "Modelos por bloque: candidatos que coinciden en unas comparaciones, y "
                           "el peso de las demás entre ellos",
                     "pt": "Modelos por bloco: candidatos que concordam em algumas comparações, e "
                           "o peso das demais entre eles"},
    "block": {"en": "Agree on", "es": "Coinciden en", "pt": "Concordam em"},
    "pairs": {"en": "Pairs", "es": "Pares", "pt": "Pares"},
    "match_share": {"en": "Match share", "es": "Coincidencias", "pt": "Correspondências"},
    "other_comparison": {"en": "Other comparison", "es": "Otra comparación",
                         "pt": "Outra comparação"},
    "bits_per_level": {"en": "Bits per level (different → same)",
                       "es": "Bits por nivel (distinto → igual)",
                       "pt": "Bits por nível (diferente → igual)"},
    "tf_title": {"en": "Value frequencies (values held by two or more identities; no value shown)",
                 "es": "Frecuencia de valores (valores de dos o más identidades; no se muestra "
                       "ningún valor)",
                 "pt": "Frequência de valores (valores de duas ou mais identidades; nenhum valor "
                       "é mostrado)"},
    "values": {"en": "Values", "es": "Valores", "pt": "Valores"},
    "min_count": {"en": "Fewest holders", "es": "Mínimo de titulares", "pt": "Mínimo de titulares"},
    "max_count": {"en": "Most holders", "es": "Máximo de titulares", "pt": "Máximo de titulares"},
    "mean_shared": {"en": "Shared with (mean)", "es": "Compartido con (media)",
                    "pt": "Compartilhado com (média)"},
}
# The warnings model.py writes, in each language; an unknown one is shown as written.
MODEL_WARNINGS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (re.compile(r"block (?P<block>[\w+]+): (?P<field>\w+) fitted implausibly \(agreeing rarer "
                r"among matches\); not used"),
     {"en": "block {block}: {field} fitted implausibly (agreeing rarer among true matches); "
            "not used",
      "es": "bloque {block}: {field} con un ajuste inverosímil (coincidir es más raro entre las "
            "coincidencias verdaderas); no se usa",
      "pt": "bloco {block}: {field} com um ajuste implausível (concordar é mais raro entre as "
            "correspondências verdadeiras); não usado"}),
    (re.compile(r"(?P<nodes>\d+) records: too few to train a model; the default m is used"),
     {"en": "{nodes} records: too few to train a model; the default m is used",
      "es": "{nodes} registros: demasiado pocos para entrenar un modelo; se usa la m por defecto",
      "pt": "{nodes} registros: poucos demais para treinar um modelo; usa-se a m padrão"}),
)


class _Words:
    """Texts, field and level names and numbers in one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in FIELD_NAMES else "en"

    def __call__(self, key: str, **values: Any) -> str:
        texts = MODEL_TEXTS[key]
        return texts.get(self.lang, texts["en"]).format(**values)

    def field(self, name: str) -> str:
        return field_name(name, self.lang)

    def level(self, comparison: str, key: str) -> str:
        return level_text(comparison, key, self.lang)

    def rule(self, name: str) -> str:
        """A blocking rule's name in words: ``name+city`` -> ``nombre + localidad``."""
        words = RULE_WORDS.get(self.lang)
        if not words:
            return name
        return " + ".join(words.get(part, part) for part in name.split("+"))

    def decision(self, key: str) -> str:
        """A refusal reason (``conflict``, ``weak_bridge``...) as explain words it."""
        text = DECISIONS[self.lang].get(key, key.replace("_", " "))
        return text.split(": ", 1)[-1]

    def warning(self, text: str) -> str:
        for pattern, texts in MODEL_WARNINGS:
            found = pattern.fullmatch(text)
            if found:
                parts = found.groupdict()
                if "block" in parts:
                    parts["block"] = " + ".join(self.field(n) for n in parts["block"].split("+"))
                if "field" in parts:
                    parts["field"] = self.field(parts["field"])
                return texts[self.lang].format(**parts)
        return text

    def number(self, value: float, digits: int) -> str:
        return fmt_float(value, self.lang, digits)

    def count(self, value: int) -> str:
        return self.number(value, 0)

    def pct(self, share: float, digits: int = 1) -> str:
        return fmt_pct(share, self.lang, digits)

    def bits(self, value: float) -> str:
        rounded = round(float(value), 1) + 0.0  # + 0.0: no "-0.0"
        return ("+" if rounded > 0 else "") + self.number(rounded, 1)

    def prob(self, value: float) -> str:
        """Four decimals, or two significant digits for what is rarer than one in a thousand."""
        if value == 0 or value >= 1e-3:
            return self.number(float(value), 4)
        text = f"{float(value):.1e}"
        return text if self.lang == "en" else text.replace(".", ",")
