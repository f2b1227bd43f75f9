"""Reconciliation invariant: rows in = rows used + rows excluded, by reason, for any dirty export."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi_kit.costing import analyse, contacts_frame


@st.composite
def dirty_exports(draw):
    n = draw(st.integers(1, 60))
    frame = contacts_frame(n, seed=draw(st.integers(0, 10_000)), days=draw(st.integers(1, 30)),
                           dirty=draw(st.sampled_from([0.0, 0.05, 0.3])))
    frame = frame.astype({"queue_seconds": object, "talk_seconds": object, "outcome": object})
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    breakers = draw(st.lists(st.sampled_from(["text", "blank", "outcome", "negative", "date"]), max_size=6))
    for kind in breakers:
        i = int(rng.integers(0, len(frame)))
        if kind == "text":
            frame.at[i, "talk_seconds"] = "n/a"
        elif kind == "blank":
            frame.at[i, "queue_seconds"] = None
        elif kind == "outcome":
            frame.at[i, "outcome"] = "MYSTERY"
        elif kind == "negative":
            frame.at[i, "talk_seconds"] = -3
        else:
            frame.at[i, "started_at"] = pd.NaT
    return frame


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=dirty_exports())
def test_rows_reconcile(tmp_path, frame):
    path = tmp_path / "contacts.csv"
    frame.to_csv(path, index=False)
    r = analyse(path, {"default_hourly_cost": 30})
    s = r.summary
    assert s["rows_in"] == len(frame)
    assert s["rows_in"] == s["rows_used"] + sum(s["excluded"].values())
    assert s["rows_used"] == s["contacts_handled"] + s["contacts_abandoned"]
    for name in ("by_channel", "by_type", "by_team", "by_segment"):
        t = r.tables[name]
        assert t["contacts_handled"].sum() + t["contacts_abandoned"].sum() == s["rows_used"]
        assert abs(t["total_cost"].sum() - s["total_cost"]) < 1e-6 * max(1.0, s["total_cost"])
