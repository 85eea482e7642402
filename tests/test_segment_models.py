"""Library tests of the BG/NBD and Gamma-Gamma fitters and the RFM map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from custfocus.segment import clv
from custfocus.segment.value import RFM_CODE_TO_SEGMENT, RFM_SEGMENTS

CDNOW = Path(__file__).parent / "data" / "cdnow_sample.csv"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def cdnow_summary():
    """x, t_x, T (weeks) and mean repeat spend at 1997-09-30, same-day purchases combined."""
    import pandas as pd

    d = pd.read_csv(CDNOW, dtype={"customer_id": str}, parse_dates=["date"])
    end = pd.Timestamp("1997-09-30")
    d = d[d.date <= end].groupby(["customer_id", "date"], as_index=False).amount.sum()
    g = d.sort_values("date").groupby("customer_id")
    first, last, n = g.date.min(), g.date.max(), g.size()
    x = (n - 1).to_numpy(float)
    tx = ((last - first).dt.days / 7).to_numpy()
    T = ((end - first).dt.days / 7).to_numpy()
    repeat_sum = (g.amount.sum() - g.amount.first()).to_numpy()
    m = np.where(x > 0, repeat_sum / np.maximum(x, 1), np.nan)
    return x, tx, T, m


def test_cdnow_bgnbd_and_gamma_gamma_match_published():
    x, tx, T, m = cdnow_summary()
    assert len(x) == 2357
    bg = clv.fit_bgnbd(x, tx, T)
    assert bg.converged
    for name, want in PUBLISHED_BGNBD.items():
        assert bg.params[name] == pytest.approx(want, rel=0.01), name
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.5)
    gg = clv.fit_gamma_gamma(x, m)
    assert gg.converged and gg.customers == 946
    for name, want in PUBLISHED_GG.items():
        assert gg.params[name] == pytest.approx(want, rel=0.01), name
    p_alive = clv.bgnbd_p_alive(bg.params, x, tx, T)
    assert np.all(p_alive[x == 0] == 1.0)  # model property, reported as a warning
    assert p_alive.mean() == pytest.approx(0.813, abs=0.005)
    assert any("bought once" in w for w in bg.warnings)
    # 39-week holdout forecast of the paper is about 1,664 purchases in total
    assert clv.bgnbd_expected(bg.params, 39, x, tx, T).sum() == pytest.approx(1664, rel=0.02)


def test_fitters_refuse_too_little_data():
    fit = clv.fit_bgnbd(np.array([0, 1, 0]), np.array([0, 2, 0]), np.array([5, 5, 5]))
    assert not fit.usable and "not fitted" in fit.message
    gg = clv.fit_gamma_gamma(np.array([1, 2]), np.array([-5.0, 10.0]))
    assert not gg.params.get("p") and any("negative" in w for w in gg.warnings)


def test_gamma_gamma_warns_when_spend_follows_frequency():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 20, 500).astype(float)
    m = x * 10 + rng.gamma(2, 2, 500)
    gg = clv.fit_gamma_gamma(x, m)
    assert any("correlated" in w for w in gg.warnings)


def test_lifetime_value_discounting_lowers_value():
    x, tx, T, m = cdnow_summary()
    bg = clv.fit_bgnbd(x, tx, T)
    spend = np.full(len(x), 30.0)
    v0, e0 = clv.lifetime_value(
        bg.params, x, tx, T, spend, horizon_months=12, annual_discount=0.0, unit_days=7
    )
    v1, _ = clv.lifetime_value(
        bg.params, x, tx, T, spend, horizon_months=12, annual_discount=0.2, unit_days=7
    )
    assert np.allclose(v0, e0 * 30) and np.all(v1 <= v0 + 1e-9) and v1.sum() < v0.sum()


def test_rfm_map_covers_every_code_once():
    codes = [c for codes in RFM_SEGMENTS.values() for c in codes.split()]
    assert len(codes) == len(set(codes)) == 125 == len(RFM_CODE_TO_SEGMENT)
    assert len(RFM_SEGMENTS) == 11
