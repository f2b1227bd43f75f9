"""The engine's storage choices stay invisible: dimensions are one-byte ENUM codes inside DuckDB,
but every table hands back plain text keys, and cost sums built per combination of dimensions
equal the per-contact sums of the module formulas."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.api.types import is_numeric_dtype

from roi_kit.costing import analyse, contacts_frame

RATES = {"default_hourly_cost": 30, "hourly_cost_by_team": {"North": 28},
         "technology": {"voice": {"per_minute": 0.012, "per_contact": 0.05}},
         "overhead": {"share_of_labour": 0.1, "per_contact": 0.25},
         "standards": {"billing": {"handle_seconds": 360}, "orders": {"cost_per_contact": 4.2}}}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("engine") / "contacts.parquet"
    contacts_frame(3000, seed=21, dirty=0.01).to_parquet(path, index=False)
    return analyse(path, RATES)


def test_table_keys_are_plain_text(result):
    keys = {"by_channel": "channel", "by_type": "contact_type", "by_team": "team",
            "by_segment": "segment", "efficiency": "contact_type"}
    for name, column in keys.items():
        frame = result.tables[name]
        assert len(frame) > 0, name
        assert not isinstance(frame[column].dtype, pd.CategoricalDtype), name
        assert all(isinstance(v, str) for v in frame[column]), name
    assert not isinstance(result.tables["efficiency"]["team"].dtype, pd.CategoricalDtype)


def test_group_sums_add_up_to_the_total(result):
    s = result.summary
    for name in ("by_channel", "by_type", "by_team", "by_segment"):
        frame = result.tables[name]
        for column in ("total_cost", "labour_cost", "technology_cost", "overhead_cost"):
            assert is_numeric_dtype(frame[column])
            assert frame[column].sum() == pytest.approx(s[column], rel=1e-12), (name, column)
        assert frame["contacts_handled"].sum() == s["contacts_handled"]
        assert frame["repeats"].sum() == s["repeats"]
    # overhead = 10 % of labour + 0.25 per handled contact, summed
    assert s["overhead_cost"] == pytest.approx(0.1 * s["labour_cost"] + 0.25 * s["contacts_handled"], rel=1e-12)
