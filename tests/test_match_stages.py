"""Each matching stage on small, hand-made inputs: block, compare, score."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.dedupe.block import BlockingRule, find_candidates
from custfocus.dedupe.compare import COMPARISONS, compare_pairs
from custfocus.dedupe.model import estimate_model
from custfocus.dedupe.prepare import prepare_nodes
from custfocus.dedupe.score import score_pairs, tf_adjustments

BASE = {
    "source": "s.csv", "system": "s.csv", "unit": "s", "account_code": None, "company": None,
    "email_key": None, "email_role": False, "phone": None, "phone2": None, "national_id": None,
    "national_id_valid": False, "address_key": None, "postal_code": None, "city": None,
    "birth_date": None, "given_name": None, "family_name": None,
}


def records(*rows: dict) -> pd.DataFrame:
    out = []
    for i, row in enumerate(rows, start=1):
        full = f"{row.get('given_name') or ''} {row.get('family_name') or ''}".strip()
        out.append({**BASE, "record_id": i, "row": i + 1, "record_hash": f"h{i}",
                    "full_name": full or None, "name_key": full.lower() or None, **row})
    return pd.DataFrame(out)


def levels_of(frame: pd.DataFrame) -> dict[str, int]:
    nodes = prepare_nodes(frame).frame
    lv = compare_pairs(nodes, np.array([0]), np.array([1]))
    return {c.name: int(lv[c.name][0]) for c in COMPARISONS}


def test_nicknames_swapped_order_and_dropped_surname_compare_as_same():
    lv = levels_of(records({"given_name": "Pepe", "family_name": "García López"},
                           {"given_name": "José", "family_name": "García"}))
    assert lv["given_name"] == 3 and lv["family_name"] == 2  # nickname; second surname dropped
    swapped = levels_of(records({"given_name": "García López", "family_name": "María"},
                                {"given_name": "María", "family_name": "García López"}))
    assert swapped["given_name"] == 3 and swapped["family_name"] == 3


def test_birth_date_swap_and_email_local_part():
    lv = levels_of(records(
        {"given_name": "Ana", "birth_date": pd.Timestamp("1980-03-04"), "email_key": "ana.ruiz@gmail.com"},
        {"given_name": "Ana", "birth_date": pd.Timestamp("1980-04-03"), "email_key": "ana.ruiz@hotmail.com"}))
    assert lv["birth_date"] == 1 and lv["email"] == 2
    digits = levels_of(records({"given_name": "Maria", "email_key": "maria8363@gmail.com"},
                               {"given_name": "Maria", "email_key": "maria5675@gmail.com"}))
    assert digits["email"] == 0  # different digits: different people


def test_missing_values_carry_no_evidence():
    lv = levels_of(records({"given_name": "Ana"}, {"given_name": "Ana"}))
    assert lv["email"] == lv["phone"] == lv["national_id"] == -1


def test_blocking_caps_huge_blocks_and_reports_them():
    many = records(*[{"given_name": f"P{i}", "email_key": "info@empresa.es"} for i in range(30)])
    nodes = prepare_nodes(many).frame
    capped = find_candidates(nodes, (BlockingRule("email", "email_key", 10),))
    # Over its cap: sub-blocked and walked (nothing else to tell them apart: no pairs).
    assert len(capped) == 0 and capped.oversized_blocks == {"email": 1}
    allowed = find_candidates(nodes, (BlockingRule("email", "email_key", 50),))
    assert len(allowed) == 30 * 29 // 2


def test_em_separates_matches_and_tf_weakens_common_values():
    rng = np.random.default_rng(0)
    n = 2000
    truth = rng.random(n) < 0.4
    levels = {}
    for comp in COMPARISONS:
        top = len(comp.levels) - 1
        levels[comp.name] = np.where(truth, np.where(rng.random(n) < 0.85, top, 0),
                                     np.where(rng.random(n) < 0.1, top, 0)).astype(np.int8)
    # Random pairs are non-matches: they agree at the top level 10 % of the time.
    random_levels = {c.name: np.where(rng.random(20_000) < 0.1, len(c.levels) - 1, 0
                                      ).astype(np.int8) for c in COMPARISONS}
    model = estimate_model(levels, random_levels)  # the candidates are every pair
    assert model.converged and abs(model.candidate_prior - 0.4) < 0.05
    assert abs(model.prior - model.candidate_prior) < 0.01
    scores = score_pairs(model, levels)
    predicted = scores.probability > 0.5
    assert (predicted == truth).mean() > 0.97
    nodes = pd.DataFrame({"given_canon": ["maria"] * 50 + ["zoe", "zoe"],
                          "family_fold": [None] * 52, "email_key": [None] * 52,
                          "phone": [None] * 52, "address_key": [None] * 52, "company_fold": [None] * 52})
    a, b = np.array([0, 50]), np.array([1, 51])
    lv = {c.name: np.array([-1, -1], dtype=np.int8) for c in COMPARISONS}
    lv["given_name"] = np.array([3, 3], dtype=np.int8)
    tf = tf_adjustments(nodes, a, b, lv)
    assert tf["given_name"][0] < 0 < tf["given_name"][1]  # common "maria" weak, rare "zoe" strong


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["ana", "anna", "luis", "lu", "maría josé", "jose"]), min_size=2,
                max_size=2))
def test_name_comparison_is_symmetric(names):
    first = records({"given_name": names[0], "family_name": "Ruiz"},
                    {"given_name": names[1], "family_name": "Ruiz"})
    second = records({"given_name": names[1], "family_name": "Ruiz"},
                     {"given_name": names[0], "family_name": "Ruiz"})
    assert levels_of(first) == levels_of(second)


def test_incremental_blocking_drops_pairs_of_a_block_new_records_overfill():
    rules = (BlockingRule("email", "email_key", 4), BlockingRule("phone", "phone", 10))
    rows = [{"given_name": f"P{i}", "email_key": "info@empresa.es"} for i in range(4)]
    rows[0]["phone"] = rows[1]["phone"] = "+34600000001"  # a pair another rule also makes
    rows += [{"given_name": "Nuevo", "email_key": "info@empresa.es"},  # overfills the block
             {"given_name": "Otro", "phone": "+34600000001"}]
    nodes = prepare_nodes(records(*rows)).frame
    before = find_candidates(nodes.iloc[:4].reset_index(drop=True), rules)
    assert len(before) == 6
    incremental = find_candidates(nodes, rules, fresh=np.array([4, 5]),
                                  oversized_before=before.oversized_keys)
    touched = set(incremental.touched.tolist())
    kept = {p for p in zip(before.a.tolist(), before.b.tolist())
            if not touched & set(p)}
    full = find_candidates(nodes, rules)
    assert kept | set(zip(incremental.a.tolist(), incremental.b.tolist())) == set(
        zip(full.a.tolist(), full.b.tolist()))
    # The e-mail block over its cap is walked: 2, 3 and Nuevo agree on every other column
    # (none), so share a window.
    assert set(zip(full.a.tolist(), full.b.tolist())) == {(0, 1), (0, 5), (1, 5), (2, 3),
                                                          (2, 4), (3, 4)}
    assert {"rule": "email", "key": "info@empresa.es"} in incremental.oversized_keys.to_pylist()
    # The other way: the newcomer's records go again, the block shrinks under its cap.
    shrunk = find_candidates(nodes.iloc[[0, 1, 2, 3, 5]].reset_index(drop=True), rules,
                             fresh=np.array([], dtype=np.int64),
                             oversized_before=incremental.oversized_keys)
    assert set(shrunk.touched.tolist()) == {0, 1, 2, 3} and len(shrunk) == 6 + 2


def test_address_without_postcode_is_the_same_as_with_it():
    """One file has no postcode column: its key is the other's without the postcode."""
    lv = levels_of(records({"company": "Gads Hill Center", "address_key": "ogden 2653"},
                           {"company": "Gads Hill", "address_key": "ogden 2653 60608",
                            "postal_code": "60608"}))
    assert lv["address"] == 4
    other = levels_of(records({"company": "A", "address_key": "ogden 2653 60609",
                               "postal_code": "60609"},
                              {"company": "A", "address_key": "ogden 2653 60608",
                               "postal_code": "60608"}))
    assert other["address"] == 3  # two postcodes that differ: similar, not the same
    number = levels_of(records({"company": "A", "address_key": "ogden 2653"},
                               {"company": "A", "address_key": "ogden 2653 rear",
                                "postal_code": "60608"}))
    assert number["address"] == 3  # the extra word is no postcode


def test_both_names_mistyped_or_swapped_meet_on_birth_date_and_an_initial():
    rows = records(
        {"given_name": "Logn", "family_name": "Feeruson", "birth_date": pd.Timestamp("2013-10-15")},
        {"given_name": "Ferguson", "family_name": "Logan", "birth_date": pd.Timestamp("2013-10-15")},
        {"family_name": "Fergusson", "birth_date": pd.Timestamp("2013-10-15")},
        {"given_name": "Mia", "family_name": "Jones", "birth_date": pd.Timestamp("2013-10-15")})
    found = find_candidates(prepare_nodes(rows).frame)
    pairs = set(zip(found.a.tolist(), found.b.tolist()))
    assert {(0, 1), (0, 2), (1, 2)} <= pairs
    assert not {(0, 3), (1, 3), (2, 3)} & pairs  # same birth date, other initials


def test_unread_local_phones_keep_records_apart_and_meet_the_number_by_its_tail():
    """Numbers in another country's local form: not in the record hash (only valid numbers
    are), so they must not collapse two tickets into one node; and the same number in
    international form is found by its last eight digits."""
    rows = records({"phone": "~3207394252", "record_hash": "same"},
                   {"phone": "~3235340359", "record_hash": "same"},
                   {"phone": "~3207394252", "record_hash": "same"},
                   {"given_name": "Aníbal", "phone": "+573207394252"})
    nodes = prepare_nodes(rows)
    assert len(nodes) == 3  # the two tickets of one number collapse, the other stays apart
    found = find_candidates(nodes.frame)
    pairs = set(zip(found.a.tolist(), found.b.tolist()))
    assert (0, 2) in pairs and found.pairs_per_rule.get("phone_tail")
    assert (0, 1) not in pairs and (1, 2) not in pairs


def test_a_record_with_one_name_meets_a_full_name_in_its_town_by_either_name():
    rows = records({"given_name": "Brown", "family_name": "Florence", "city": "London"},
                   {"family_name": "Brown", "city": "London"},
                   {"given_name": "Florence", "city": "London"},
                   {"family_name": "Brown", "city": "Leeds"})
    found = find_candidates(prepare_nodes(rows).frame)
    pairs = set(zip(found.a.tolist(), found.b.tolist()))
    assert {(0, 1), (0, 2)} <= pairs
    assert (0, 3) not in pairs  # another town


def test_one_name_typed_in_the_other_column_agrees_with_that_name_once():
    lv = levels_of(records({"given_name": "Brown", "family_name": "Florence"},
                           {"family_name": "Brown"}))
    assert lv["family_name"] == 3 and lv["given_name"] == -1
    lv = levels_of(records({"given_name": "Reuben"},
                           {"given_name": "Davies", "family_name": "Reubne"}))
    assert lv["given_name"] == 2 and lv["family_name"] == -1  # with a typo: similar
    lv = levels_of(records({"given_name": "Ana", "family_name": "Ruiz"},
                           {"family_name": "Alonso"}))
    assert lv["family_name"] == 0  # the same first letter, another name
    for pair in (({"given_name": "Luca"}, {"family_name": "Luca"}),
                 ({"family_name": "Luca"}, {"given_name": "Luca"})):
        lv = levels_of(records(*pair))  # one name each: the surname, either way round
        assert lv["family_name"] == 3 and lv["given_name"] == -1
    full = levels_of(records({"given_name": "Ana", "family_name": "Ruiz"},
                             {"given_name": "Ruiz", "family_name": "Lopez"}))
    assert full["given_name"] == 0 and full["family_name"] == 0  # both full: not this rule


def test_compare_matches_per_pair_rules_on_every_distinct_value_pair():
    rows = [{"given_name": g, "family_name": f, "email_key": e, "birth_date": d}
            for g, f, e, d in [
                ("Ana", "García López", "ana.garcia1@x.es", pd.Timestamp("1980-03-04")),
                ("A", "García", "ana.garcia2@y.es", pd.Timestamp("1980-04-03")),
                ("Anabel", "López García", "anagarcia1@z.es", pd.Timestamp("1981-03-04")),
                ("Ana", "Ruiz", None, None)]]
    nodes = prepare_nodes(records(*rows)).frame
    a, b = np.triu_indices(len(nodes), 1)
    lv = compare_pairs(nodes, a, b)
    by_pair = {(int(x), int(y)): {c.name: int(lv[c.name][i]) for c in COMPARISONS}
               for i, (x, y) in enumerate(zip(a, b))}
    assert by_pair[(0, 1)]["given_name"] == 1 and by_pair[(0, 1)]["family_name"] == 2
    assert by_pair[(0, 2)]["family_name"] >= 2 and by_pair[(0, 2)]["birth_date"] == 1
    assert by_pair[(0, 1)]["birth_date"] == 1 and by_pair[(0, 3)]["email"] == -1
    assert by_pair[(0, 2)]["email"] == 1  # similar local part, same digits


def test_batches_and_derived_value_caches_give_the_levels_of_one_pass():
    """Compared in batches of one pair (what is derived from the values made for just the
    values in the batch, then cached for the whole dictionary) or all at once: the same."""
    from custfocus.dedupe.compare import _Encoded, compare_in_batches

    rows = [{"given_name": g, "family_name": f, "email_key": e, "national_id": i}
            for g, f, e, i in [
                ("Ana", "García López", "ana.garcia12@x.es", "12345678Z"),
                ("Ana", "García", "ana.garcia21@y.es", "12345687Z"),
                ("Anabel", "López García", "anagarcia12@z.es", None),
                ("Luis", "Pérez", "luis7@x.es", "X1234567L"),
                ("Luís", "Perez Gil", "luis.7@x.es", "X1234567L"),
                ("Pepe", "Gil", "pepe@x.es", None)]]
    nodes = prepare_nodes(records(*rows)).frame
    a, b = np.triu_indices(len(nodes), 1)
    whole = compare_pairs(nodes, a, b)
    for batch in (1, 4):
        batched = compare_in_batches(_Encoded(nodes), a, b, batch=batch)
        for name, values in whole.items():
            np.testing.assert_array_equal(batched[name], values, err_msg=name)
    assert whole["email"][list(zip(a, b)).index((0, 2))] == 1  # same digits, in order
    assert whole["email"][list(zip(a, b)).index((0, 1))] == 0  # digits swapped


def test_prior_counts_the_matches_blocking_sampled_only_in_part():
    """292 rows of one organisation make 42,000 pairs, of which a walked block yields a few
    hundred candidates: the prior comes from the random pairs then (a tenth of them are that
    organisation), not from the candidates alone, and those rows are matched."""
    rng = np.random.default_rng(3)
    n_nodes = 900
    candidates = {c.name: np.full(800, -1, dtype=np.int8) for c in COMPARISONS}
    candidates["company"] = np.full(800, 3, dtype=np.int8)  # the same name, nothing else
    share = (292 * 291) / (n_nodes * (n_nodes - 1))
    random_levels = {c.name: np.full(200_000, -1, dtype=np.int8) for c in COMPARISONS}
    random_levels["company"] = np.where(rng.random(200_000) < share, 3, 0).astype(np.int8)
    model = estimate_model(candidates, random_levels, nodes=n_nodes)
    assert abs(model.prior - share) < 0.02
    assert (score_pairs(model, candidates).probability > 0.9).all()
