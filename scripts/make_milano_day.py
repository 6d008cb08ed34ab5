#!/usr/bin/python3
"""Writes activity files in the Telecom Italia Big Data Challenge format (DESIGN.md 2.3) for
the 10,000 squares of the Milan grid, with a known commuter pattern, so that ingest, the
pipeline and the benchmarks run on files laid out as the real ones are.

Each row: square_id, time (ms since the epoch at the start of a 10-minute slot), country code,
sms_in, sms_out, call_in, call_out, internet; empty fields mean no activity. Every square has a
row per slot for Italy (39) and rows for a few other country codes; the activity follows
people who live around the city and work in its centre (morning in, evening out).

  make_milano_day.py OUT_DIR [--date 2013-11-01] [--slots 144] [--first-slot 0] [--files 1]
                     [--drop-slots 5,6] [--bad-rows] [--shuffle] [--seed 1]

Writes OUT_DIR/sms-call-internet-mi-DATE[-PART].txt and OUT_DIR/expected.npz with the
internet and all-variable sums per [slot, square] (square ids 1..10000 as index 0..9999).
"""
import argparse
import datetime
import os

import numpy as np

SIDE = 100  # squares per side of the Milan grid
COUNTRIES = [39, 0, 33, 44, 49, 86, 4, 34]


def activity_pattern(slots, first_slot, rng):
    """Activity per [slot, square]: residents (around the centre) commute to the centre."""
    j, i = np.mgrid[0:SIDE, 0:SIDE]
    centre = np.exp(-(((i - 52) / 9.0) ** 2 + ((j - 48) / 9.0) ** 2))
    ring = np.exp(-((np.hypot(i - 52, j - 48) - 30.0) / 10.0) ** 2)
    background = 0.2 + 0.3 * rng.random((SIDE, SIDE))
    home = ring / ring.sum()
    work = centre / centre.sum()
    out = np.empty((slots, SIDE * SIDE))
    for s in range(slots):
        hour = (first_slot + s) / 6.0  # local hours of the day
        at_work = np.clip((hour - 7.0) / 2.0, 0, 1) * np.clip((19.0 - hour) / 2.0, 0, 1)
        awake = 0.3 + 0.7 * np.clip((hour - 6.0) / 3.0, 0, 1) * np.clip((24.0 - hour) / 3.0, 0, 1)
        people = 2e4 * ((1 - at_work) * home + at_work * work) + background
        out[s] = (awake * people).ravel()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--date", default="2013-11-01")
    parser.add_argument("--slots", type=int, default=144)
    parser.add_argument("--first-slot", type=int, default=0, help="slot of the day to start at")
    parser.add_argument("--files", type=int, default=1, help="split the rows into this many files")
    parser.add_argument("--drop-slots", default="", help="slot indices with no rows at all")
    parser.add_argument("--bad-rows", action="store_true", help="add one bad row of each kind")
    parser.add_argument("--shuffle", action="store_true", help="rows in random order")
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out_dir, exist_ok=True)
    # The day in Milan's local time (CET, UTC+1 in November).
    day = datetime.datetime.fromisoformat(a.date).replace(tzinfo=datetime.timezone.utc)
    start_ms = int(day.timestamp() * 1000) - 3600 * 1000 + a.first_slot * 600000
    level = activity_pattern(a.slots, a.first_slot, rng)
    dropped = {int(s) for s in a.drop_slots.split(",") if s}

    squares = np.arange(1, SIDE * SIDE + 1)
    internet = np.zeros((a.slots, SIDE * SIDE))
    everything = np.zeros((a.slots, SIDE * SIDE))
    chunks = []
    for s in range(a.slots):
        if s in dropped:
            continue
        for k, country in enumerate(COUNTRIES):
            share = 1.0 if k == 0 else 0.02 / k
            present = rng.random(squares.size) < (1.0 if k < 2 else 0.35)
            n = int(present.sum())
            base = level[s, present] * share
            # sms_in, sms_out, call_in, call_out, internet; some fields empty (no activity).
            # A few percent of noise per slot, as counts of many phones have.
            fields = base[:, None] * np.array([0.02, 0.018, 0.015, 0.016, 1.0]) * \
                rng.lognormal(0.0, 0.03, size=(n, 5))
            empty_share = np.array([0.1, 0.1, 0.1, 0.1, 0.0]) if k == 0 else 0.4
            empty = rng.random((n, 5)) < empty_share
            fields[empty] = 0.0
            internet[s, present] += fields[:, 4]
            everything[s, present] += fields.sum(axis=1)
            text = np.char.mod("%.16g", fields).astype(object)
            text[empty] = ""
            rows = [f"{sq}\t{start_ms + s * 600000}\t{country}\t" + "\t".join(t)
                    for sq, t in zip(squares[present], text)]
            chunks.extend(rows)
    if a.shuffle:
        order = rng.permutation(len(chunks))
        chunks = [chunks[k] for k in order]
    if a.bad_rows:
        t = start_ms
        chunks[3:3] = [
            f"17\t{t}\t39\t0.1\t0.2\t0.3",                           # wrong field count
            f"18\t{t}\t39\tabc\t\t\t\t1.5",                          # not a number
            f"19\t{t + 1234}\t39\t\t\t\t\t2.5",                      # off the slot grid
            f"20\t{t}\t39\t\t\t\t\t-4.0",                            # negative
            f"10001\t{t}\t39\t\t\t\t\t3.0",                          # not in the grid
        ]
    per_file = (len(chunks) + a.files - 1) // a.files
    names = []
    for f in range(a.files):
        suffix = "" if a.files == 1 else f"-{f}"
        name = os.path.join(a.out_dir, f"sms-call-internet-mi-{a.date}{suffix}.txt")
        with open(name, "w") as out:
            out.write("\n".join(chunks[f * per_file:(f + 1) * per_file]))
            out.write("\n")
        names.append(name)
    keep = [s for s in range(a.slots) if s not in dropped]
    np.savez(os.path.join(a.out_dir, "expected.npz"), internet=internet, all=everything,
             slot_ms=np.array([start_ms + s * 600000 for s in range(a.slots)]),
             present=np.array(keep))
    print("\n".join(names))


if __name__ == "__main__":
    main()
