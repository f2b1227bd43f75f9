"""A straightforward pandas implementation of the costing tables: the benchmark's reference.

Same rules and formulas as :mod:`roi_kit.costing.tables` for canonical Parquet input (typed
columns), written the way an analyst would in pandas: load everything, drop duplicates, filter,
map rates, sort for repeats, group for each table. Kept to check the DuckDB engine's figures
and to time it against.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

DIMS = ("channel", "contact_type", "team", "segment")


def costing_tables(path: str, rates: dict) -> dict:
    df = pd.read_parquet(path)
    rows_in = len(df)
    df = df.drop_duplicates()
    excluded = {"duplicate_row": rows_in - len(df)}
    for col in ("queue_seconds", "hold_seconds", "acw_seconds"):
        df[col] = df[col].fillna(0.0)
    checks = {
        "bad_started_at": df["started_at"].isna(),
        "unknown_outcome": ~df["outcome"].isin(["handled", "abandoned"]),
        "missing_channel": df["channel"].isna(),
        "missing_contact_type": df["contact_type"].isna(),
        "missing_talk_time": (df["outcome"] == "handled") & df["talk_seconds"].isna(),
        "negative_duration": (df[["queue_seconds", "talk_seconds", "hold_seconds", "acw_seconds"]] < 0).any(axis=1),
        "duration_over_24h": df[["queue_seconds", "talk_seconds", "hold_seconds", "acw_seconds"]].sum(axis=1) > 86400,
    }
    bad = pd.Series(False, index=df.index)
    for reason, mask in checks.items():
        excluded[reason] = int((mask & ~bad).sum())
        bad |= mask
    df = df[~bad].copy()
    df["customer_id"] = df["customer_id"].where(~df["customer_id"].astype(str).str.fullmatch(
        r"[+-]?[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]+"), None)
    handled = df["outcome"] == "handled"
    for col in ("talk_seconds", "hold_seconds", "acw_seconds"):
        df.loc[~handled, col] = 0.0
    df["talk_seconds"] = df["talk_seconds"].fillna(0.0)
    df["team"] = df["team"].fillna("(none)")
    df["segment"] = df["segment"].fillna("(none)")
    uplift = 1 / (rates.get("occupancy", 0.85) * (1 - rates.get("shrinkage", 0.30)))
    rate = df["agent_id"].map(rates.get("hourly_cost_by_agent", {}))
    rate = rate.fillna(df["team"].map(rates.get("hourly_cost_by_team", {}))).fillna(rates["default_hourly_cost"])
    df["rate"] = rate
    df["labour"] = (df["talk_seconds"] + df["hold_seconds"] + df["acw_seconds"]) / 3600 * rate * uplift
    tech = rates.get("technology", {})
    per_min = df["channel"].map({k: v.get("per_minute", 0) for k, v in tech.items()}).fillna(0.0)
    per_con = df["channel"].map({k: v.get("per_contact", 0) for k, v in tech.items()}).fillna(0.0)
    df["tech"] = per_min * (df["queue_seconds"] + df["talk_seconds"] + df["hold_seconds"]) / 60 + per_con
    df["overhead"] = 0.0
    df["cost"] = df["labour"] + df["tech"] + df["overhead"]
    df["direct"] = df["talk_seconds"] / 3600 * rate
    df["handled"] = handled
    # repeats: same identified customer and type, previous handled contact within the window
    window = pd.Timedelta(days=rates.get("repeat_window_days", 7))
    h = df[handled & df["customer_id"].notna()].sort_values(["customer_id", "contact_type", "started_at"])
    gap = h["started_at"] - h.groupby(["customer_id", "contact_type"])["started_at"].shift()
    df["is_repeat"] = False
    df.loc[h.index[(gap <= window).to_numpy()], "is_repeat"] = True
    df["identified"] = handled & df["customer_id"].notna()

    def table(keys):
        g = df.groupby(keys) if keys else df.assign(_all=1).groupby("_all")
        out = pd.DataFrame({
            "contacts_handled": g["handled"].sum(),
            "contacts_abandoned": g["handled"].size() - g["handled"].sum(),
            "total_cost": g["cost"].sum(),
            "direct": g["direct"].sum(),
            "repeats": g["is_repeat"].sum(),
            "identified": g["identified"].sum(),
        })
        hd = df[df["handled"]]
        hg = hd.groupby(keys) if keys else hd.assign(_all=1).groupby("_all")
        out["aht_seconds"] = hg.apply(lambda x: (x["talk_seconds"] + x["hold_seconds"]).mean())
        out["cost_p50"] = hg["cost"].quantile(0.5)
        out["cost_p90"] = hg["cost"].quantile(0.9)
        ranked = hd.sort_values("cost", ascending=False)
        rg = ranked.groupby(keys) if keys else ranked.assign(_all=1).groupby("_all")
        rank = rg.cumcount() + 1
        n = rg["cost"].transform("size")
        top = ranked[rank <= np.ceil(n / 10)]
        tg = top.groupby(keys) if keys else top.assign(_all=1).groupby("_all")
        out["top_decile_cost_share"] = tg["cost"].sum() / hg["cost"].sum()
        out["abandon_rate"] = out["contacts_abandoned"] / (out["contacts_handled"] + out["contacts_abandoned"])
        out["cost_per_contact"] = out["total_cost"] / out["contacts_handled"]
        rr = (out["repeats"] / out["identified"]).fillna(0.0)
        out["repeat_rate"] = rr
        out["cost_per_resolution"] = out["total_cost"] / (out["contacts_handled"] * (1 - rr))
        out["engagement_share"] = out["direct"] / out["total_cost"]
        return out

    tables = {f"by_{d}": table(d) for d in DIMS}
    tables["total"] = table(None)
    df["weekday"] = df["started_at"].dt.dayofweek
    df["hour"] = df["started_at"].dt.hour
    hours = df.groupby(["weekday", "hour"]).agg(offered=("handled", "size"), handled=("handled", "sum"))
    hours["abandon_rate"] = 1 - hours["handled"] / hours["offered"]
    tables["abandon_by_hour"] = hours
    eff = df[df["handled"]].groupby(["contact_type", "team"]).agg(actual=("labour", "sum"), n=("cost", "size"))
    tables["efficiency"] = eff
    tables["excluded"] = excluded
    tables["rows_in"] = rows_in
    return tables


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) < 2:  # `make bench` runs bench/*.py: the reference is timed by bench_costing.py
        print("pandas_costing_reference: reference for bench_costing.py; usage: FILE.parquet")
        sys.exit(0)
    t = costing_tables(sys.argv[1], {"default_hourly_cost": 30})
    print(t["total"].T)
