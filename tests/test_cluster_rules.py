"""Clustering guards weighed against the whole identity, and a stable EM fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custfocus.match.cluster import DECISIONS, cluster_nodes
from custfocus.match.compare import COMPARISONS
from custfocus.match.score import estimate_model, score_pairs

NODE = {"size": 1, "nid": None, "nid_any": None, "birth": None, "given_canon": None,
        "given_fold": None, "family_fold": None, "address_key": None, "postal_code": None,
        "email_key": None}


def nodes(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{**NODE, **row} for row in rows])


def cluster(frame: pd.DataFrame, edges: list[tuple[int, int]]) -> np.ndarray:
    a = np.array([x for x, _ in edges])
    b = np.array([y for _, y in edges])
    prob = np.linspace(0.999, 0.95, len(edges))  # strongest first, in the given order
    return cluster_nodes(frame, a, b, prob).labels


def person(given: str, **extra: str) -> dict:
    base = {"given_canon": given, "given_fold": given, "family_fold": "pantazopoulos",
            "birth": "1986-08-07", "address_key": "allott place 147 2325", "postal_code": "2325"}
    return {**base, **extra}


def test_a_replaced_given_name_is_outweighed_by_birth_date_surname_and_address():
    labels = cluster(nodes(person("chloe"), person("eboni")), [(0, 1)])
    assert labels[0] == labels[1]


def test_twins_with_their_own_mailboxes_and_households_stay_apart():
    twins = nodes(person("chloe", email_key="chloe@x.es"), person("eboni", email_key="eboni@y.es"))
    assert len(set(cluster(twins, [(0, 1)]))) == 2
    household = nodes(person("chloe"), person("eboni", birth="1990-02-01"))
    assert len(set(cluster(household, [(0, 1)]))) == 2
    valid_ids = nodes(person("chloe", nid="11111111H", nid_any="11111111H"),
                      person("eboni", nid="22222222J", nid_any="22222222J"))
    assert len(set(cluster(valid_ids, [(0, 1)]))) == 2


def test_one_odd_record_does_not_keep_the_rest_of_its_person_out():
    # Record 1 (a replaced name) joins record 0 through the same id number; record 2 (id
    # typo'd, name as in record 0) must still join: two of three names agree.
    frame = nodes(
        {"given_canon": "liam", "family_fold": "waller", "nid_any": "7876568"},
        {"given_canon": "elton", "family_fold": "waller", "nid_any": "7876568"},
        {"given_canon": "liam", "family_fold": "waller", "nid_any": "2705026"},
        {"given_canon": "liam", "family_fold": "waller", "nid_any": "7876568"},
    )
    labels = cluster(frame, [(0, 1), (1, 3), (0, 3), (2, 3), (0, 2)])
    assert len(set(labels)) == 1


def test_an_id_one_swap_away_outweighs_a_different_given_name_but_not_a_valid_conflict():
    frame = nodes({"given_canon": "flynn", "family_fold": "rollins", "nid_any": "2427387"},
                  {"given_canon": "zachary", "family_fold": "rollins", "nid_any": "2423787"})
    labels = cluster(frame, [(0, 1)])
    assert labels[0] == labels[1]
    short = nodes({"given_canon": "flynn", "nid_any": "2437"},
                  {"given_canon": "zachary", "nid_any": "2347"})
    assert len(set(cluster(short, [(0, 1)]))) == 2


def test_a_nickname_and_its_typo_are_one_given_name():
    frame = nodes({"given_canon": "john", "given_fold": "jack", "birth": "1994-08-14"},
                  {"given_canon": "jacq", "given_fold": "jacq", "birth": "1994-08-14"})
    assert len(set(cluster(frame, [(0, 1)]))) == 1


def _levels(n_match: int, n_non: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    levels = {}
    for comp in COMPARISONS:
        top = len(comp.levels) - 1
        match = np.where(rng.random(n_match) < 0.9, top, 0)
        non = np.where(rng.random(n_non) < 0.05, top, 0)
        levels[comp.name] = np.concatenate([match, non]).astype(np.int8)
    levels["email"][:] = -1  # fields a source does not have
    levels["phone"][:] = -1
    return levels


def test_em_with_almost_only_matches_converges_and_stays_put_when_data_grows():
    random_levels = {c.name: np.zeros(5000, dtype=np.int8) for c in COMPARISONS}
    small = _levels(500, 2, seed=1)
    grown = {k: np.concatenate([v, _levels(20, 2, seed=2)[k]]) for k, v in small.items()}
    first = estimate_model(small, random_levels)
    second = estimate_model(grown, random_levels)
    assert first.converged and second.converged
    assert first.prior > 0.95 and second.prior > 0.95
    decided = [score_pairs(m, small).probability >= 0.9 for m in (first, second)]
    assert (decided[0] == decided[1]).all()
    again = estimate_model(small, random_levels)
    assert again.to_dict() == first.to_dict()  # deterministic


def test_a_shared_name_alone_is_kept_below_the_match_threshold() -> None:
    import numpy as np

    from custfocus.match.score import cap_name_only

    probability = np.array([0.99, 0.99, 0.99, 0.99])
    levels = {"email": np.array([0, 4, -1, 0]), "phone": np.array([-1, -1, 2, 0]),
              "national_id": np.array([-1, -1, -1, -1]),
              "birth_date": np.array([-1, -1, -1, 0]), "address": np.array([0, -1, -1, -1])}
    shared = np.array([True, True, True, False])
    capped = cap_name_only(probability, levels, shared, 0.899)
    # Name only and shared: capped. Same e-mail or same phone: kept. A name the pair
    # alone carries: kept.
    assert capped.tolist() == [0.899, 0.99, 0.99, 0.99]
    assert probability.tolist() == [0.99] * 4


def test_namesakes_outnumbering_matches_do_not_become_the_match_class():
    # A large file: most candidates are namesakes from the name blocks (same given and
    # family name, different e-mail and phone); true pairs agree on the name and mostly on
    # an e-mail or phone too. A joint fit took "same name" for "same person" (a different
    # e-mail then weighed nothing); the model must tell the namesakes apart.
    rng = np.random.default_rng(3)

    def block(n: int, given: int, family: int, p_email: float, p_phone: float,
              tops: tuple[int, int] = (4, 2)) -> dict[str, np.ndarray]:
        levels = {c.name: np.full(n, -1, dtype=np.int8) for c in COMPARISONS}
        levels["given_name"][:] = given
        levels["family_name"][:] = family
        levels["email"][:] = np.where(rng.random(n) < p_email, tops[0], 0)
        levels["phone"][:] = np.where(rng.random(n) < p_phone, tops[1], 0)
        levels["phone"][rng.random(n) < 0.5] = -1  # half the records carry no phone
        return levels

    parts = [block(2_000, 3, 3, 0.95, 0.9), block(20_000, 3, 3, 0.01, 0.01),
             block(1_000, 0, 3, 0.01, 0.01), block(1_000, 3, 0, 0.01, 0.01)]
    levels = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    random_levels = {c.name: np.zeros(5000, dtype=np.int8) for c in COMPARISONS}
    model = estimate_model(levels, random_levels)
    assert model.prior < 0.2  # truly 2,000 of 24,000
    namesakes = score_pairs(model, parts[1]).probability
    matches = score_pairs(model, parts[0]).probability
    assert (namesakes[parts[1]["email"] == 0] < 0.5).all()
    corroborated = (parts[0]["email"] == 4) & (parts[0]["phone"] != 0)
    assert (matches[corroborated] >= 0.9).all()


def test_a_persons_own_records_do_not_make_their_name_shared() -> None:
    from custfocus.match.adjust import NameSlots, name_carriers, pair_shared

    folded = pd.Categorical(
        ["ana lopez", "ana lopez", "ana lopez", "luis gil", "luis gil", "luis gil"])
    names = NameSlots.of(folded.codes, len(folded.categories))
    a, b = np.array([0, 0, 1, 3, 3, 4]), np.array([1, 2, 2, 4, 5, 5])

    def shared(identity=None, apart=None):
        """Per pair, whether its name is someone else's too; without ``apart`` every pair
        within a name counts as told apart (no name is one person's)."""
        identity = np.arange(len(folded)) if identity is None else identity
        same = names.same(a, b)
        told_apart = np.ones(int(same.sum()), bool) if apart is None else apart[same]
        groups, one_person = name_carriers(names, identity, a[same], told_apart)
        return pair_shared(names, identity, groups, one_person, a, b).tolist()

    # Records 0 and 1 are linked by an e-mail: with record 2, two carriers of "ana lopez",
    # so a name-only link of record 2 is between the name's only two carriers.
    identity = np.array([0, 0, 2, 3, 4, 5])
    assert shared() == [True] * 6  # by records: three carriers
    assert shared(identity) == [True, False, False, True, True, True]
    # Every two "luis gil" records compared and none told apart: one person's name.
    apart = np.zeros(6, dtype=bool)
    assert not any(shared(identity, apart))
    # One pair scored as different people: the name is shared.
    apart[4] = True
    assert shared(identity, apart) == [False, False, False, True, True, True]


def test_contacts_without_a_name_are_kept_below_the_match_threshold() -> None:
    from custfocus.match.score import cap_contacts_only

    def levels(given: int, family: int, email: int, birth: int) -> dict[str, np.ndarray]:
        out = {c.name: np.array([-1]) for c in COMPARISONS}
        out.update(given_name=np.array([given]), family_name=np.array([family]),
                   email=np.array([email]), phone=np.array([2]), address=np.array([3]),
                   birth_date=np.array([birth]))
        return out

    probability = np.array([0.99])
    # A company account (no name) and an employee: shared mailbox, phone, office address.
    assert cap_contacts_only(probability, levels(-1, -1, 3, -1), 0.899).tolist() == [0.899]
    # The same personal e-mail or birth date points at one person; so does a name.
    assert cap_contacts_only(probability, levels(-1, -1, 4, -1), 0.899).tolist() == [0.99]
    assert cap_contacts_only(probability, levels(-1, -1, 3, 2), 0.899).tolist() == [0.99]
    assert cap_contacts_only(probability, levels(3, 3, 3, -1), 0.899).tolist() == [0.99]


def test_categorical_columns_cluster_like_text_and_edges_name_their_decision():
    # dedupe hands the clustering categorical columns (it works on their codes); plain
    # text must give the same clusters and decisions. An empty value is a missing one.
    frame = nodes(person("chloe"), person("eboni", birth="1990-02-01"),  # household
                  person("ana", nid="11111111H"), person("ana", nid=""),  # "" is no id
                  person("ana", nid="22222222J"),  # two valid ids
                  {"given_canon": "lone"})  # no strong link: a cluster of its own
    a, b = np.array([0, 2, 3, 1]), np.array([1, 3, 4, 2])
    prob = np.array([0.99, 0.98, 0.97, 0.6])
    categorical = frame.astype({c: pd.CategoricalDtype(
        pd.Index(sorted(frame[c].dropna().unique()), dtype="string[pyarrow]"))
        for c in frame if c != "size"})
    plain, coded = (cluster_nodes(f, a, b, prob) for f in (frame, categorical))
    assert plain.labels.tolist() == coded.labels.tolist() == [0, 1, 2, 2, 3, 4]
    assert plain.codes.tolist() == coded.codes.tolist()
    assert coded.decisions.tolist() == ["conflict", "merged", "conflict", "review"]
    assert [DECISIONS[c] for c in coded.codes] == coded.decisions.tolist()
    assert coded.refused == {"conflict": 2}
