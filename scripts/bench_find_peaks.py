#!/usr/bin/env python3
"""Speed of sddcal's find_peaks against scipy.signal.find_peaks on the same spectra, same machine,
same run, interleaved: each round times SciPy on every case, then runs the Swift benchmark suite
`peaks` (release build) on the same cases; medians over rounds and the ratio SciPy / Swift.

    python3 scripts/bench_find_peaks.py [--rounds 5] [--json]

Spectra: a VIP-2 window of 300 bins (10 ADC per bin, ~40k events) and a 4096-channel spectrum
(~400k events), Poisson counts of Ti/Mn/Cu lines on a flat continuum; each searched with no
condition, with prominence+width, and with every condition.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import timeit

import numpy as np
from scipy.signal import find_peaks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINES = {"TiKa": (4508.9, 0.6), "TiKb": (4931.8, 0.08), "MnKa": (5895.1, 1.0), "MnKb": (6490.6, 0.134),
         "CuKa": (8041.0, 0.012)}


def spectrum(bins, first_adc, adc_per_bin, events, seed):
    rng = np.random.default_rng(seed)
    gain, zero, sigma = 3.1, 600.0, 22.0
    x = first_adc + (np.arange(bins) + 0.5) * adc_per_bin
    lam = np.full(bins, events * 0.05 / bins)
    norm = sum(y for _, y in LINES.values())
    for e, y in LINES.values():
        mu = zero + e / gain
        lam += events * 0.95 * y / norm * adc_per_bin / (sigma * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((x - mu) / sigma) ** 2)
    return rng.poisson(lam).astype(float)


def cases():
    out = []
    for label, x in [("300 bins", spectrum(300, 1500, 10, 40_000, 1)), ("4096 bins", spectrum(4096, 0, 1, 400_000, 2))]:
        out.append({"name": f"{label} plain", "counts": x, "params": {}})
        out.append({"name": f"{label} prominence+width", "counts": x, "params": {"prominence": 5, "width": 1}})
        out.append({"name": f"{label} all conditions", "counts": x,
                    "params": {"height": 2, "threshold": 0, "distance": 3, "prominence": 3, "width": (0.5, 40),
                               "wlen": 60, "rel_height": 0.5, "plateau_size": 1}})
    return out


def to_json_case(c):
    j = {"name": c["name"], "counts": [float(v) for v in c["counts"]]}
    for k, v in c["params"].items():
        if k in ("height", "threshold", "prominence", "width", "plateau_size"):
            j[k] = list(v) if isinstance(v, tuple) else [v, None]
        else:
            j[k] = v
    return j


def time_scipy(c, target=0.0003, repeat=31):
    """Median per-call time over short samples (~0.3 ms), like the Swift harness's samples: on a
    shared machine long samples are often cut by other processes."""
    x, p = c["counts"], c["params"]
    f = lambda: find_peaks(x, **p)
    n = max(1, int(target / max(1e-7, timeit.timeit(f, number=20) / 20)))
    return statistics.median(t / n for t in timeit.repeat(f, number=n, repeat=repeat))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="use the existing release build")
    args = ap.parse_args()

    cs = cases()
    path = os.path.join(tempfile.mkdtemp(prefix="sddcal-peakbench-"), "cases.json")
    with open(path, "w") as f:
        json.dump([to_json_case(c) for c in cs], f)
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "sddcal-bench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    bench = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip() + "/sddcal-bench"
    env = dict(os.environ, SDDCAL_PEAK_BENCH_CASES=path)

    # Same answers first: the timing compares like with like.
    scipy_counts = {c["name"]: len(find_peaks(c["counts"], **c["params"])[0]) for c in cs}

    sp = {c["name"]: [] for c in cs}
    sw = {c["name"]: [] for c in cs}
    for r in range(args.rounds):
        for c in cs:
            sp[c["name"]].append(time_scipy(c))
        out = subprocess.run([bench, "peaks", "--json"], env=env, check=True, capture_output=True, text=True).stdout
        for row in json.loads(out):
            sw[row["name"].removeprefix("find_peaks ")].append(row["median_s"])

    rows = []
    for c in cs:
        n = c["name"]
        s, w = statistics.median(sp[n]), statistics.median(sw[n])
        rows.append({"case": n, "bins": len(c["counts"]), "peaks": scipy_counts[n], "scipy_s": s, "swift_s": w, "ratio": s / w})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"numpy {np.__version__}, scipy {__import__('scipy').__version__}; {args.rounds} interleaved rounds, medians per call")
    print(f"{'case':34} {'peaks':>5} {'SciPy':>10} {'Swift':>10} {'ratio':>7}")
    for r in rows:
        print(f"{r['case']:34} {r['peaks']:5d} {r['scipy_s'] * 1e6:8.2f}µs {r['swift_s'] * 1e6:8.2f}µs {r['ratio']:6.1f}×")
    worst = min(r["ratio"] for r in rows)
    print(f"slowest ratio {worst:.1f}× (target ≥ 5×): {'OK' if worst >= 5 else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
