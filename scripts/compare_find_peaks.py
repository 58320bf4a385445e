#!/usr/bin/env python3
"""Agreement of sddcal's PeakFinding module with SciPy.

Generates random signals (Gaussian noise, Poisson spectra, step functions with plateaus and flat
runs, tiny and edge cases) and random parameter sets covering every argument of
scipy.signal.find_peaks (height, threshold, distance, prominence, width, wlen, rel_height,
plateau_size; each None, a number, or a (min, max) pair with None on either side), plus the
standalone peak_prominences / peak_widths, scipy.ndimage.gaussian_filter1d (the smoothing before
the search) and calls SciPy rejects with ValueError. SciPy's answers are written to a JSON file
that the Swift test `PeakFindingTests.SciPyAgreementTests` checks: identical peak indices and
integer properties, float properties equal to 1e-9 relative.

    python3 scripts/compare_find_peaks.py                 # 10,000+ cases, runs the Swift check
    python3 scripts/compare_find_peaks.py --write-fixtures  # also refresh the committed fixtures

Tie order under `distance`: SciPy visits peaks by np.argsort of their heights, whose order among
equal heights is unspecified (it changes with NumPy's SIMD sort on this CPU). sddcal keeps, of
equal peaks, the one further right, which is what SciPy does when that argsort is stable. The
reference is therefore computed with np.argsort made stable; the script also reports how many
cases native SciPy answers differently and checks that each of those has tied peak heights.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings

try:
    import numpy as np
    import scipy
    from scipy import signal, ndimage
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "numpy", "scipy"])
    import numpy as np
    import scipy
    from scipy import signal, ndimage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "PeakFindingTests", "Fixtures", "scipy_peak_cases.json")

_native_argsort = np.argsort


def _stable_argsort(a, *args, **kwargs):
    kwargs["kind"] = "stable"
    return _native_argsort(a, **kwargs)


def stable_find_peaks(x, **params):
    """signal.find_peaks with np.argsort made stable: the reference tie order (module docstring)."""
    np.argsort = _stable_argsort
    try:
        return signal.find_peaks(x, **params)
    finally:
        np.argsort = _native_argsort


# ---------------------------------------------------------------- signals

def make_signal(rng, kind):
    if kind == "noise":
        n = int(rng.integers(3, 200))
        return rng.normal(0, 1, n) * 10 ** rng.uniform(-3, 3)
    if kind == "poisson_spectrum":
        n = int(rng.choice([50, 120, 300]))
        t = np.arange(n)
        lam = np.full(n, rng.uniform(0, 20))
        for _ in range(int(rng.integers(1, 7))):
            mu, s, a = rng.uniform(0, n), rng.uniform(0.7, 8), rng.uniform(1, 500)
            lam += a * np.exp(-0.5 * ((t - mu) / s) ** 2)
        return rng.poisson(lam).astype(float)
    if kind == "plateaus":
        # Step function: runs of equal values (flat tops, flat valleys, flat shoulders).
        runs = int(rng.integers(1, 25))
        vals = rng.integers(-5, 6, runs).astype(float)
        lens = rng.integers(1, 6, runs)
        return np.repeat(vals, lens)
    if kind == "small_ints":
        n = int(rng.integers(0, 40))
        return rng.integers(0, 4, n).astype(float)
    if kind == "smooth_peaks":
        n = int(rng.integers(20, 400))
        t = np.arange(n)
        x = rng.normal(0, 0.05, n)
        for _ in range(int(rng.integers(1, 6))):
            x += rng.uniform(0.2, 3) * np.exp(-0.5 * ((t - rng.uniform(0, n)) / rng.uniform(1, 15)) ** 2)
        return x
    if kind == "edge":
        choices = [
            [], [1.0], [1.0, 2.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0],
            [0.0, 2.0, 2.0, 0.0], [0.0, 2.0, 2.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0],
            list(range(10)), list(range(10, 0, -1)), [0.0, 1.0] * 8, [1.0, 0.0] * 8 + [1.0],
            [5.0, 1.0, 5.0, 1.0, 5.0], [0.0, 3.0, 3.0, 1.0, 3.0, 3.0, 0.0],
            [-1e6, 1e6, -1e6, 2e6, -3e6], [1e-9, 3e-9, 2e-9, 5e-9, 1e-9],
            [0.0, 1.0, 2.0, 2.0, 2.0, 2.0], [2.0, 2.0, 2.0, 1.0, 3.0, 0.0],
        ]
        x = np.array(choices[int(rng.integers(len(choices)))], dtype=float)
        if x.size and rng.random() < 0.5:
            x = x * rng.choice([-1.0, 1.0, 7.0, 1e-3])
        return x
    raise ValueError(kind)


KINDS = ["noise", "poisson_spectrum", "plateaus", "small_ints", "smooth_peaks", "edge"]


# ---------------------------------------------------------------- parameters

def draw(rng, values, lo_q, hi_q):
    """A value from the spread of `values` between two quantiles (so conditions neither keep nor
    drop everything); sometimes an exact data value, to exercise the inclusive bounds."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return float(rng.normal())
    if rng.random() < 0.15:
        return float(rng.choice(values))
    q = float(np.quantile(values, min(1.0, rng.uniform(lo_q, hi_q))))
    return q + float(rng.normal(0, 0.05)) * (abs(q) + 1e-3)


def condition(rng, values, p_none=0.7):
    """None, a scalar minimum, or a (min, max) pair with either side possibly None.
    Returns (value for SciPy, [min, max] for JSON)."""
    r = rng.random()
    if r < p_none:
        return None, None
    lo = draw(rng, values, 0.0, 0.5)
    if r < p_none + (1 - p_none) * 0.35:
        return lo, [lo, None]
    hi = draw(rng, values, 0.4, 1.05)
    if rng.random() < 0.07:
        lo, hi = max(lo, hi) + 1, min(lo, hi)   # empty interval: nothing passes
    form = rng.random()
    if form < 0.2:
        return (None, hi), [None, hi]
    if form < 0.35:
        return (lo, None), [lo, None]
    if form < 0.45:
        return [lo, hi], [lo, hi]
    return (lo, hi), [lo, hi]


def random_params(rng, x):
    n = len(x)
    diffs = np.abs(np.diff(x)) if n > 1 else np.array([0.0])
    sp, jp = {}, {}
    sp["height"], jp["height"] = condition(rng, x)
    sp["threshold"], jp["threshold"] = condition(rng, diffs)
    if rng.random() < 0.45:
        d = float(rng.choice([1.0, 1.5, 2.0, 3.0])) if rng.random() < 0.4 else float(rng.uniform(1, max(2, n / 2)))
        sp["distance"] = jp["distance"] = d
    else:
        sp["distance"] = jp["distance"] = None
    base = signal.find_peaks(x, prominence=0, width=0)[1] if n else {}
    proms = base.get("prominences", np.array([0.0, 1.0]))
    widths = base.get("widths", np.array([0.0, 3.0]))
    sp["prominence"], jp["prominence"] = condition(rng, proms if len(proms) else [0.0, 1.0])
    sp["width"], jp["width"] = condition(rng, widths if len(widths) else [0.0, 3.0])
    if rng.random() < 0.4:
        w = float(rng.choice([2.0, 3.0, 4.0, 5.0])) if rng.random() < 0.4 else float(rng.uniform(1.01, max(3, 2 * n)))
        sp["wlen"] = jp["wlen"] = w
    else:
        sp["wlen"] = jp["wlen"] = None
    rh = float(rng.choice([0.0, 0.5, 1.0])) if rng.random() < 0.4 else float(rng.uniform(0, 1.5))
    sp["rel_height"] = jp["rel_height"] = rh
    sp["plateau_size"], jp["plateau_size"] = condition(rng, np.array([0.0, 1.0, 1.0, 2.0, 3.0, 4.0]))
    return sp, jp


PROPERTY_NAMES = ["peak_heights", "left_thresholds", "right_thresholds", "prominences", "left_bases",
                  "right_bases", "widths", "width_heights", "left_ips", "right_ips", "plateau_sizes",
                  "left_edges", "right_edges"]


def floats(a):
    return [float(v) for v in a]


def ints(a):
    return [int(v) for v in a]


def encode_props(props):
    out = {}
    for k, v in props.items():
        out[k] = ints(v) if np.asarray(v).dtype.kind in "iu" else floats(v)
    return out


def tied_heights(x, peaks):
    h = x[peaks]
    return len(np.unique(h)) < len(h)


# ---------------------------------------------------------------- case generation

def generate(n_cases, seed):
    rng = np.random.default_rng(seed)
    cases = {"find_peaks": [], "peak_prominences": [], "peak_widths": [], "gaussian_filter1d": [], "errors": []}
    native_diff, native_diff_untied = 0, 0
    for cid in range(n_cases):
        kind = KINDS[cid % len(KINDS)]
        x = make_signal(rng, kind)
        sp, jp = random_params(rng, x)
        peaks, props = stable_find_peaks(x, **sp)
        if sp["distance"] is not None:
            native, _ = signal.find_peaks(x, **sp)
            if not np.array_equal(native, peaks):
                native_diff += 1
                if not tied_heights(x, signal.find_peaks(x)[0]):
                    native_diff_untied += 1
        cases["find_peaks"].append({"id": cid, "kind": kind, "x": floats(x), "params": jp,
                                    "peaks": ints(peaks), "properties": encode_props(props)})
    # Standalone prominences and widths on arbitrary (not only local-maximum) peak indices.
    for cid in range(max(1, n_cases // 10)):
        x = make_signal(rng, KINDS[cid % 5])
        if len(x) == 0:
            continue
        peaks = np.unique(rng.integers(0, len(x), int(rng.integers(0, 8))))
        wlen = None if rng.random() < 0.5 else float(rng.uniform(1.01, 2 * len(x) + 2))
        pr, lb, rb = signal.peak_prominences(x, peaks, wlen=wlen)
        cases["peak_prominences"].append({"id": cid, "x": floats(x), "peaks": ints(peaks), "wlen": wlen,
                                          "prominences": floats(pr), "left_bases": ints(lb), "right_bases": ints(rb)})
        rh = float(rng.uniform(0, 1.5))
        w, wh, li, ri = signal.peak_widths(x, peaks, rel_height=rh, wlen=wlen)
        cases["peak_widths"].append({"id": cid, "x": floats(x), "peaks": ints(peaks), "wlen": wlen, "rel_height": rh,
                                     "widths": floats(w), "width_heights": floats(wh),
                                     "left_ips": floats(li), "right_ips": floats(ri)})
    for cid in range(max(1, n_cases // 20)):
        x = make_signal(rng, KINDS[cid % 5])
        if len(x) == 0:
            continue
        sigma = float(rng.choice([0.5, 1.0, 2.5])) if rng.random() < 0.3 else float(rng.uniform(0.2, 12))
        truncate = 4.0 if rng.random() < 0.7 else float(rng.uniform(1, 6))
        y = ndimage.gaussian_filter1d(x, sigma, mode="reflect", truncate=truncate)
        cases["gaussian_filter1d"].append({"id": cid, "x": floats(x), "sigma": sigma, "truncate": truncate, "y": floats(y)})
    # Calls SciPy refuses: each must throw in Swift too.
    bad = [({"distance": 0.5}, "distance"), ({"distance": 0.0}, "distance"), ({"distance": -3.0}, "distance"),
           ({"prominence": 1.0, "wlen": 1.0}, "wlen"), ({"width": 1.0, "wlen": 0.5}, "wlen"),
           ({"width": 1.0, "rel_height": -0.1}, "rel_height")]
    for cid, (params, what) in enumerate(bad):
        x = make_signal(rng, "noise")
        try:
            signal.find_peaks(x, **params)
            raise SystemExit(f"expected SciPy to refuse {params}")
        except ValueError:
            pass
        jp = {"height": None, "threshold": None, "distance": None, "prominence": None, "width": None,
              "wlen": None, "rel_height": 0.5, "plateau_size": None}
        for k, v in params.items():
            jp[k] = [v, None] if k in ("prominence", "width") else v
        cases["errors"].append({"id": cid, "x": floats(x), "params": jp, "parameter": what})
    return cases, native_diff, native_diff_untied


def summary(cases):
    fp = cases["find_peaks"]
    used = {k: 0 for k in ["height", "threshold", "distance", "prominence", "width", "wlen", "plateau_size"]}
    for c in fp:
        for k in used:
            if c["params"][k] is not None:
                used[k] += 1
    with_peaks = sum(1 for c in fp if c["peaks"])
    return used, with_peaks


def run_swift(path, swift_test_args):
    env = dict(os.environ, SDDCAL_SCIPY_CASES=path)
    cmd = ["swift", "test", "--filter", "PeakFindingTests.SciPyAgreementTests"] + swift_test_args
    print("running:", " ".join(cmd), f"(SDDCAL_SCIPY_CASES={path})", flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [l for l in (proc.stdout + proc.stderr).splitlines()
             if "scipy agreement" in l or "error:" in l or "Executed" in l]
    for l in lines[:60]:
        print("  " + l)
    return proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000, help="number of find_peaks cases (default 10000)")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--write-fixtures", action="store_true", help="rewrite the committed fixture file")
    ap.add_argument("--fixture-cases", type=int, default=600, help="find_peaks cases in the fixture file")
    ap.add_argument("--no-swift", action="store_true", help="only generate (skip the Swift check)")
    ap.add_argument("--keep", help="write the full case file here instead of a temporary file")
    args, swift_args = ap.parse_known_args()
    warnings.simplefilter("ignore", RuntimeWarning)   # zero prominences/widths are valid cases

    t0 = time.time()
    cases, native_diff, native_untied = generate(args.cases, args.seed)
    used, with_peaks = summary(cases)
    meta = {"generator": "scripts/compare_find_peaks.py", "seed": args.seed, "numpy": np.__version__,
            "scipy": scipy.__version__, "tie_order": "stable argsort (equal heights: rightmost kept)"}
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; generated in {time.time() - t0:.1f} s:")
    print(f"  find_peaks cases: {len(cases['find_peaks'])} ({with_peaks} with peaks); parameter use: {used}")
    print(f"  peak_prominences: {len(cases['peak_prominences'])}, peak_widths: {len(cases['peak_widths'])}, "
          f"gaussian_filter1d: {len(cases['gaussian_filter1d'])}, refused calls: {len(cases['errors'])}")
    print(f"  distance cases where native SciPy (unstable argsort) differs from the stable tie order: "
          f"{native_diff}, of which without tied heights: {native_untied}")
    if native_untied:
        print("FAIL: native SciPy differs on a case without ties")
        return 1

    if args.write_fixtures:
        k = args.fixture_cases
        fixture = {"meta": meta,
                   "find_peaks": cases["find_peaks"][:k],
                   "peak_prominences": cases["peak_prominences"][: k // 6],
                   "peak_widths": cases["peak_widths"][: k // 6],
                   "gaussian_filter1d": cases["gaussian_filter1d"][: k // 12],
                   "errors": cases["errors"]}
        os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
        with open(FIXTURE, "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
        print(f"wrote {FIXTURE} ({os.path.getsize(FIXTURE) / 1e6:.2f} MB)")

    if args.no_swift:
        return 0
    path = args.keep or os.path.join(tempfile.mkdtemp(prefix="sddcal-peaks-"), "cases.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, **cases}, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")
    rc = run_swift(path, swift_args)
    print("AGREEMENT OK" if rc == 0 else f"AGREEMENT FAILED (swift test exit {rc})")
    return rc


if __name__ == "__main__":
    sys.exit(main())
