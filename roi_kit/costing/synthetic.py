"""A seeded generator of realistic interaction exports, of any size, for tests and benchmarks.

Shape: four channels with their own handle-time profiles, five contact types, agents in teams,
a diurnal and weekly arrival profile, customers drawn from a skewed pool (so the same customer
comes back about the same issue, as in real repeat traffic), two customer segments, and
abandonment that grows with queue time. ``dirty`` injects the defects real exports carry, at
that rate each: ids in scientific notation, negative durations, handled contacts without an agent,
hang-ups carrying talk time, and duplicate rows.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = ("voice", "chat", "email", "messaging")
CHANNEL_MIX = (0.55, 0.25, 0.12, 0.08)
TYPES = ("billing", "technical", "orders", "account", "cancellation")
TYPE_MIX = (0.30, 0.25, 0.22, 0.15, 0.08)
TYPE_TALK = (300.0, 520.0, 240.0, 200.0, 420.0)  # median talk seconds, voice
CHANNEL_FACTOR = (1.0, 1.4, 0.6, 1.2)
TEAMS = ("North", "South", "East", "West", "Tier2")
START = np.datetime64("2026-01-05T00:00:00")  # a Monday
HOUR_PROFILE = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 2.5, 5.0, 7.0, 7.5, 7.2, 6.5, 6.8,
                         7.0, 6.8, 6.2, 5.5, 4.5, 3.5, 2.5, 1.6, 0.9, 0.4])


def contacts_frame(n: int, *, seed: int = 0, days: int = 28, agents: int = 300,
                   customers: int | None = None, dirty: float = 0.0, id_offset: int = 0) -> pd.DataFrame:
    """``n`` contact rows in canonical columns (plus ``segment``), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    customers = customers or max(10, n // 3)
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_MIX)
    ctype = rng.choice(len(TYPES), n, p=TYPE_MIX)
    day = rng.integers(0, days, n)
    weekday_weight = np.where(day % 7 >= 5, 0.45, 1.0)
    hour = rng.choice(24, n, p=HOUR_PROFILE / HOUR_PROFILE.sum())
    keep_weekend = rng.random(n) < weekday_weight
    day = np.where(keep_weekend, day, (day // 7) * 7 + rng.integers(0, 5, n))
    day = np.minimum(day, days - 1)
    seconds = day.astype(np.int64) * 86400 + hour * 3600 + rng.integers(0, 3600, n)
    started = START + seconds.astype("timedelta64[s]")
    # a skewed customer pool: a few customers call a lot
    cust = (customers * rng.power(0.35, n)).astype(np.int64)
    customer_id = np.char.add("CU", (cust + 100000).astype(str)).astype(object)
    unidentified = rng.random(n) < 0.04
    customer_id[unidentified] = None
    segment = np.where(cust % 10 == 0, "Premium", "Everyday")
    median = np.array(TYPE_TALK)[ctype] * np.array(CHANNEL_FACTOR)[channel]
    talk = np.round(median * rng.lognormal(0.0, 0.55, n))
    hold = np.round(np.where(rng.random(n) < 0.3, rng.exponential(45, n), 0.0))
    acw = np.round(rng.gamma(2.0, 22.0, n))
    queue = np.round(rng.exponential(35, n) * (1 + (hour >= 9) * (hour <= 16) * 0.8))
    abandoned = rng.random(n) < np.clip(0.015 + queue / 1500, 0, 0.6)
    talk[abandoned] = hold[abandoned] = acw[abandoned] = 0
    agent = rng.integers(0, agents, n)
    agent_id = np.char.add("A", (agent + 1000).astype(str)).astype(object)
    agent_id[abandoned] = None
    team = np.array(TEAMS, dtype=object)[agent % len(TEAMS)]
    team[abandoned] = None
    frame = pd.DataFrame({
        "contact_id": np.char.add("K", (np.arange(n, dtype=np.int64) + 10_000_000 + id_offset).astype(str)),
        "customer_id": customer_id,
        "channel": np.array(CHANNELS, dtype=object)[channel],
        "contact_type": np.array(TYPES, dtype=object)[ctype],
        "started_at": started,
        "queue_seconds": queue,
        "talk_seconds": talk,
        "hold_seconds": hold,
        "acw_seconds": acw,
        "agent_id": agent_id,
        "team": team,
        "outcome": np.where(abandoned, "abandoned", "handled"),
        "segment": segment,
    })
    return _dirty(frame, rng, dirty) if dirty > 0 else frame


def _dirty(frame: pd.DataFrame, rng: np.random.Generator, rate: float) -> pd.DataFrame:
    """Inject each defect into about ``rate`` of the rows (and append that share of duplicates)."""
    n = len(frame)
    out = frame.copy()
    out["customer_id"] = out["customer_id"].astype(object)
    pick = lambda: rng.random(n) < rate  # noqa: E731
    sci = pick() & out["customer_id"].notna().to_numpy()
    out.loc[sci, "customer_id"] = [f"{float(i[2:]) * 1e6:.5E}" for i in out.loc[sci, "customer_id"]]
    neg = pick()
    out.loc[neg, "hold_seconds"] = -rng.integers(1, 60, neg.sum())
    handled = (out["outcome"] == "handled").to_numpy()
    noagent = pick() & handled
    out.loc[noagent, "agent_id"] = None
    hang = pick() & ~handled
    out.loc[hang, "talk_seconds"] = rng.integers(5, 40, hang.sum())
    dups = out[pick()]
    return pd.concat([out, dups], ignore_index=True)


def write_contacts(path: str | os.PathLike[str], n: int, *, seed: int = 0, chunk: int = 1_000_000,
                   days: int = 28, dirty: float = 0.0) -> Path:
    """Write ``n`` synthetic contacts to Parquet or CSV (by suffix) in chunks, so any size fits memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    customers = max(10, n // 3)
    writer = None
    first = True
    try:
        for i, start in enumerate(range(0, n, chunk)):
            size = min(chunk, n - start)
            frame = contacts_frame(size, seed=seed * 1_000_003 + i, days=days, customers=customers,
                                   dirty=dirty, id_offset=start)
            if path.suffix == ".parquet":
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            else:
                frame.to_csv(path, mode="w" if first else "a", header=first, index=False)
            first = False
    finally:
        if writer is not None:
            writer.close()
    return path
