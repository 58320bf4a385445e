#!/usr/bin/env python3
"""Event-file loading speed: sddcal (release build) against the Python reference stack, interleaved.

Makes a 10^6-event set with `sddcal simulate`, writes it as CSV and as sddcal's binary file, then
alternates, for each round: `sddcal convert` reading the CSV and the binary file (its JSON summary
reports the read time alone, without process start-up or writing), pandas.read_csv (C parser) and
NumPy reading the binary columns. Prints medians over the rounds and the ratios.

Usage (from the repository root, after `swift build -c release --product sddcal`):
    python3 scripts/bench_formats.py [--rounds 7]
Needs numpy and pandas (pip install pandas); a cross-check tool, not a runtime dependency.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

SDDCAL = os.path.join(".build", "release", "sddcal")


def sddcal(*args):
    out = subprocess.run([SDDCAL, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out) if "--json" in args else out


def numpy_bin(path):
    b = open(path, "rb").read()
    n = int.from_bytes(b[16:24], "little")
    return (np.frombuffer(b, "<u2", n, 64).copy(), np.frombuffer(b, "<u2", n, 64 + 2 * n).copy(),
            np.frombuffer(b, "<f8", n, 64 + 4 * n + 4 * (n % 2)).copy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        csv, bin_, out = (os.path.join(d, x) for x in ("ev.csv", "ev.bin", "out.bin"))
        # 32 cells × 3 days × 10,400 events/cell/day ≈ 10^6 events.
        sddcal("simulate", "--cells", "32", "--days", "3", "--seed", "5", "--out", csv, "--truth", os.path.join(d, "t.json"))
        sddcal("convert", csv, bin_)
        n = len(pd.read_csv(csv, comment="#"))
        print(f"{n} events; CSV {os.path.getsize(csv) / 1e6:.1f} MB, binary {os.path.getsize(bin_) / 1e6:.1f} MB")
        times = {k: [] for k in ("sddcal csv", "pandas read_csv", "sddcal bin", "numpy bin")}
        for _ in range(a.rounds):
            times["sddcal csv"].append(sddcal("convert", csv, out, "--force", "--json")["read_seconds"])
            t = time.perf_counter(); pd.read_csv(csv, comment="#", dtype={"sdd": "u2", "adc": "u2", "time": "f8"}); times["pandas read_csv"].append(time.perf_counter() - t)
            times["sddcal bin"].append(sddcal("convert", bin_, out, "--force", "--json")["read_seconds"])
            t = time.perf_counter(); numpy_bin(bin_); times["numpy bin"].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in times.items()}
        for k, v in med.items():
            print(f"{k:18s} median {v * 1e3:8.1f} ms")
        print(f"sddcal CSV vs pandas: {med['pandas read_csv'] / med['sddcal csv']:.2f}x faster")
        print(f"sddcal binary vs its CSV: {med['sddcal csv'] / med['sddcal bin']:.1f}x faster")
        print(f"sddcal binary vs numpy frombuffer: {med['numpy bin'] / med['sddcal bin']:.2f}x")


if __name__ == "__main__":
    main()
