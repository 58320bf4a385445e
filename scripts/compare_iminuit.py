#!/usr/bin/env python3
"""Agreement and speed of sddcal's line fit (LineFitting.CuKalphaLineFit) against iminuit.

Generates Poisson histograms of a Cu Kα line (Kα1/Kα2 doublet with the tabulated ratio 0.513 and
20 eV splitting [D],[S], Gaussian cores of common σ, the low-energy tail of physics.md, linear
background) on 300 bins of 5 eV over 7000–8500 eV, then fits each histogram

  * in Swift, through `sddcal-bench fitting` (SDDCAL_FIT_HISTOGRAMS / SDDCAL_FIT_RESULTS), and
  * with iminuit (MIGRAD + HESSE) on the same Baker–Cousins χ² written with NumPy/SciPy,

and checks that best-fit values agree within 0.05 σ (σ = iminuit's HESSE error) and errors within 5%.
Parameters that end on a limit in either fit are listed and not compared (Minuit's limit transform
and sddcal's active set treat them differently by design).

Speed: the Swift benchmark (median per fit over repeated samples) and iminuit (median per fit of
MIGRAD + HESSE with default tolerance) are run in alternation, several rounds in one run; the script
prints both medians and their ratio.

    python3 scripts/compare_iminuit.py [--histograms 20] [--rounds 5] [--json]
    python3 scripts/compare_iminuit.py --calibration [--rounds 3]

--calibration times the standard calibration instead: a simulated 2-cell month (`sddcal simulate`,
CSV) in 48 h batches is calibrated by `sddcal calibrate` (wall and CPU seconds from its --json) and by
the same steps in Python — per batch an ADC histogram, iminuit fits of the Ti (Kα+Kβ), Mn (Kα+Kβ) and
Cu Kα windows with the NumPy line model (f_T free, β fixed, Kβ width tied to Kα), and the weighted
quadratic E(ADC) — seeded with sddcal's own centroids so both start equally well. Python's time per
batch (median) is scaled to 32 cells × 15 batches and compared with sddcal's full calibration of the
same size (`sddcal-bench fitting`); rounds alternate between the two.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    from scipy.special import erfc, erfcx
    from iminuit import Minuit
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "numpy", "scipy", "iminuit"])
    import numpy as np
    from scipy.special import erfc, erfcx
    from iminuit import Minuit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "release", "sddcal-bench")

# Cu Kα [D] energies and Kα2/Kα1 ratio [S]; components placed around the intensity-weighted mean.
KA1, KA2, RATIO = 8047.823, 8027.842, 0.513
MEAN = (KA1 + RATIO * KA2) / (1 + RATIO)
OFFSETS = np.array([KA1 - MEAN, KA2 - MEAN])
WEIGHTS = np.array([1.0, RATIO]) / (1 + RATIO)
LOW, WIDTH, BINS = 7000.0, 5.0, 300
X = LOW + (np.arange(BINS) + 0.5) * WIDTH
REF = LOW + 0.5 * WIDTH * BINS
NAMES = ["area_CuKa", "centroid_CuKa", "sigma_CuKa", "tail_fraction", "tail_slope", "bg_const", "bg_slope"]


def shape(x, mu, s, f, beta):
    """(1 − f)·Gauss + f·T, unit area; T as in physics.md, in its overflow-free erfcx form."""
    d = (x - mu) / s
    core = np.exp(-0.5 * d * d)
    g = core / (s * np.sqrt(2 * np.pi))
    u = (d + 1 / beta) / np.sqrt(2)
    with np.errstate(over="ignore", invalid="ignore"):   # np.where evaluates both branches
        e = np.where(u < 10, np.exp(np.minimum(d / beta + 0.5 / beta**2, 700)) * erfc(u), core * erfcx(u))
    return (1 - f) * g + f * e / (2 * beta * s)


def model(p):
    area, c, s, f, beta, b0, b1 = p
    dens = sum(w * shape(X, c + o, s, f, beta) for o, w in zip(OFFSETS, WEIGHTS))
    return WIDTH * (area * dens + b0 + b1 * (X - REF))


def make_histograms(n, seed):
    rng = np.random.default_rng(seed)
    out, truths = [], []
    for _ in range(n):
        t = [rng.uniform(30000, 60000), rng.uniform(8035, 8045), rng.uniform(70, 80), rng.uniform(0.04, 0.07),
             rng.uniform(1.2, 1.6), rng.uniform(2, 4), rng.uniform(-0.002, 0.0)]
        out.append(rng.poisson(model(t)).astype(float))
        truths.append(t)
    return out, truths


def fit_iminuit(counts, tol=None):
    n = counts

    def cost(area, c, s, f, beta, b0, b1):
        mu = model((area, c, s, f, beta, b0, b1))
        if np.any(mu <= 0):
            return 1e30
        return 2 * np.sum(mu - n + np.where(n > 0, n * np.log(np.where(n > 0, n, 1) / mu), 0))

    edge = BINS // 20
    b0 = max(0.0, 0.5 * (n[:edge].mean() + n[-edge:].mean()) / WIDTH)
    top = int(np.argmax(np.convolve(n, np.ones(3), "same")))
    start = [max(n.sum() - b0 * WIDTH * BINS, 1), X[top], 70.0, 0.03, 1.4, b0, 0.0]
    m = Minuit(cost, *start, name=NAMES)
    m.errordef = Minuit.LEAST_SQUARES
    m.limits["tail_fraction"] = (0, 0.3)
    m.limits["tail_slope"] = (0.3, 5)
    if tol is not None:
        m.tol = tol
    m.migrad()
    m.hesse()
    return m


def run_swift(hist_file, results_file=None):
    env = dict(os.environ, SDDCAL_FIT_HISTOGRAMS=hist_file, SDDCAL_FIT_SKIP_CALIBRATION="1")
    if results_file:
        env["SDDCAL_FIT_RESULTS"] = results_file
    out = subprocess.run([BENCH, "fitting", "--json"], env=env, check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    return next(r for r in rows if r["name"].startswith("Cu Kα fit") and "7 free" in r["name"])["median_s"]


# ---------------------------------------------------------------- standard calibration timing

LINES = {  # id: (components [(energy, relative intensity)]) [D],[S]
    "TiKa": [(4510.899, 1.0), (4504.920, 0.508)], "TiKb": [(4931.827, 1.0)],
    "MnKa": [(5898.801, 1.0), (5887.686, 0.510)], "MnKb": [(6490.585, 1.0)],
    "CuKa": [(8047.823, 1.0), (8027.842, 0.513)],
}
GROUPS = [["TiKa", "TiKb"], ["MnKa", "MnKb"], ["CuKa"]]


def nominal_sigma(e):
    return np.sqrt((13.6 * 3.749) ** 2 + 0.119 * 3.749 * e) if e > 0 else 1.0


def fit_group(counts, lo, seeds, ids, gain, tail=None):
    """iminuit fit of one window (lines of one element) in ADC; returns centroids, errors, validity and
    the fitted tail fraction. `tail` fixes f_T (weak windows borrow it from a strong one, as sddcal)."""
    sig = [nominal_sigma(np.mean([c[0] for c in LINES[i]])) / gain for i in ids]
    per = max(1, int(sig[0] / 4))
    first = max(0, int(lo))
    hi = max(seeds) + 5 * sig[-1]
    nb = int((hi - first) / per)
    n = counts[first:first + nb * per].reshape(nb, per).sum(axis=1).astype(float)
    x = first - 0.5 + (np.arange(nb) + 0.5) * per
    ref = x.mean()
    comps = []
    for i in ids:
        tot = sum(w for _, w in LINES[i])
        mean = sum(e * w for e, w in LINES[i]) / tot
        comps.append([((e - mean) / gain, w / tot) for e, w in LINES[i]])
    quad = len(ids) > 1

    def model(p):
        f, b0, b1, b2 = p[-4:]
        mu = per * (b0 + b1 * (x - ref) + (b2 * (x - ref) ** 2 if quad else 0))
        for k, cs in enumerate(comps):
            area, c = p[2 * k], p[2 * k + 1]
            s = p[-5] * (sig[k] / sig[0])
            mu = mu + per * area * sum(w * shape(x, c + o, s, f, 1.4) for o, w in cs)
        return mu

    def cost(p):
        mu = model(p)
        if np.any(mu <= 0):
            return 1e30
        return 2 * np.sum(mu - n + np.where(n > 0, n * np.log(np.where(n > 0, n, 1) / mu), 0))

    start, names = [], []
    for k, i in enumerate(ids):
        near = n[np.abs(x - seeds[k]) < sig[k]].sum()
        start += [max(near * 1.5, 1), seeds[k]]
        names += [f"area_{i}", f"centroid_{i}"]
    b0 = max(0.5 * (n[:3].mean() + n[-3:].mean()) / per, 1e-3)
    start += [sig[0], 0.03, b0, 0.0, 0.0]
    names += ["sigma", "tail_fraction", "bg0", "bg1", "bg2"]
    m = Minuit(cost, np.array(start), name=names)
    m.errordef = Minuit.LEAST_SQUARES
    m.limits["tail_fraction"] = (0, 0.3)
    m.limits["sigma"] = (0.1 * sig[0], 10 * sig[0])
    if not quad:
        m.fixed["bg2"] = True
    if tail is not None:
        m.values["tail_fraction"] = tail
        m.fixed["tail_fraction"] = True
    m.migrad()
    if not m.valid:
        m.migrad()   # the usual second call when MIGRAD stops short
    m.hesse()
    return [(m.values[f"centroid_{i}"], m.errors[f"centroid_{i}"]) for i in ids], m.valid, m.values["tail_fraction"]


def python_calibrate_batch(adc, seeds):
    counts = np.bincount(adc, minlength=8192)
    ids = [i for i in LINES if i in seeds]
    e = np.array([sum(a * w for a, w in LINES[i]) / sum(w for _, w in LINES[i]) for i in ids])
    xs = np.array([seeds[i] for i in ids])
    gain = np.polyfit(xs, e, 1)[0]
    pts = []
    tail = None
    for g in GROUPS:
        ids_g = [i for i in g if i in seeds]
        if not ids_g:
            continue
        sd = [seeds[i] for i in ids_g]
        lo = min(sd) - 6 * nominal_sigma(sum(a * w for a, w in LINES[ids_g[0]]) / sum(w for _, w in LINES[ids_g[0]])) / gain
        res, ok, f = fit_group(counts, lo, sd, ids_g, gain, tail=tail if len(ids_g) == 1 else None)
        if ok and len(ids_g) > 1:
            tail = f
        if ok:
            for i, (c, ce) in zip(ids_g, res):
                energy = sum(a * w for a, w in LINES[i]) / sum(w for _, w in LINES[i])
                pts.append((c, ce, energy))
    x = np.array([p[0] for p in pts]); se = np.array([p[1] for p in pts]) * gain; y = np.array([p[2] for p in pts])
    return np.polyfit(x, y, 2 if len(pts) >= 4 else 1, w=1 / se, cov="unscaled")


def calibration_batches(tmp, sddcal):
    """A simulated 2-cell month in 48 h batches and sddcal's own seeds: [(ADC values, {line: seed ADC})],
    the (binary) events file and sddcal's calibration of it (also used by scripts/compare)."""
    ev = os.path.join(tmp, "events.csv")
    subprocess.run([sddcal, "simulate", "--cells", "2", "--days", "30", "--seed", "9", "--out", ev,
                    "--truth", os.path.join(tmp, "truth.json")], check=True, capture_output=True)
    # sddcal reads the binary copy: since many-cells, `calibrate` takes a CSV's columns as spectra.
    ev_bin = os.path.join(tmp, "events.bin")
    subprocess.run([sddcal, "convert", ev, ev_bin], check=True, capture_output=True)
    seeds_file = os.path.join(tmp, "seeds.json")
    subprocess.run([sddcal, "calibrate", ev_bin, "--batch", "48h", "--seeds", "pattern", "--out", seeds_file],
                   check=True, capture_output=True)
    cal = json.load(open(seeds_file))
    # The file starts with a "# sddcal generation" comment line, then the header.
    data = np.loadtxt((l for l in open(ev) if not l.startswith("#")), delimiter=",", skiprows=1)
    cell, adc, t = data[:, 0].astype(int), data[:, 1].astype(int), data[:, 2]
    batches = []
    for c in cal["cells"]:
        for b in c["batches"]:
            sel = (cell == c["cell"]) & (t >= b["start"]) & (t < b["end"])
            batches.append((adc[sel], {l["line"]: l["centroid_adc"] for l in b["lines"]}))
    return batches, ev_bin, cal


def time_calibration(a):
    tmp = tempfile.mkdtemp(prefix="sddcal-calib-")
    sddcal = os.path.join(ROOT, ".build", "release", "sddcal")
    if not os.path.exists(sddcal):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "sddcal"], cwd=ROOT)
    batches, ev, _ = calibration_batches(tmp, sddcal)
    swift_wall, swift_cpu, py_per_batch, bench = [], [], [], []
    env = dict(os.environ)
    for _ in range(a.rounds):
        out = subprocess.run([sddcal, "calibrate", ev, "--batch", "48h", "--seeds", "pattern", "--json", "--force",
                              "--out", os.path.join(tmp, "calib.json")], check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        swift_wall.append(r["seconds"] / r["batches"]); swift_cpu.append(r["cpu_seconds"] / r["batches"])
        rows = json.loads(subprocess.run([BENCH, "fitting", "--json"], env=env, check=True, capture_output=True,
                                         text=True).stdout)
        bench.append(next(x for x in rows if x["name"].startswith("standard calibration"))["median_s"])
        per = []
        for adc_b, seeds in batches:
            t1 = time.perf_counter()
            python_calibrate_batch(adc_b, seeds)
            per.append(time.perf_counter() - t1)
        py_per_batch.append(float(np.median(per)))
    py_full = float(np.median(py_per_batch)) * 480
    sw_full = float(np.median(bench))
    report = {"batches_timed": len(batches), "python_s_per_batch": float(np.median(py_per_batch)),
              "python_s_480_batches_extrapolated": py_full, "sddcal_s_per_batch_wall": float(np.median(swift_wall)),
              "sddcal_s_per_batch_cpu": float(np.median(swift_cpu)), "sddcal_bench_32x15_s": sw_full,
              "ratio_python_over_sddcal": py_full / sw_full, "rounds": a.rounds}
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"standard calibration, {a.rounds} interleaved rounds: Python + iminuit "
              f"{report['python_s_per_batch'] * 1e3:.0f} ms per batch → {py_full:.1f} s for 32 × 15 batches (scaled); "
              f"sddcal {sw_full:.3f} s for 32 × 15 batches (benchmark, both cores; "
              f"{report['sddcal_s_per_batch_cpu'] * 1e3:.2f} ms CPU per batch): ratio {py_full / sw_full:.0f}×")


def fit_agreement(hists, swift):
    """Compares sddcal's fits (its SDDCAL_FIT_RESULTS list) with iminuit's on the same histograms."""
    worst_value, worst_error, compared, skipped, failures = 0.0, 0.0, 0, [], []
    calls = []
    for k, h in enumerate(hists):
        m = fit_iminuit(h, tol=1e-4)
        calls.append(m.nfcn)
        s = swift[k]
        if not m.valid or s["status"] != "converged":
            failures.append(f"histogram {k}: iminuit valid={m.valid}, sddcal {s['status']}")
            continue
        for name in NAMES:
            i = s["names"].index(name)
            at_limit = name in s["at_limit"] or m.fmin.has_parameters_at_limit and (
                m.limits[name][0] is not None and abs(m.values[name] - m.limits[name][0]) < 1e-3 * m.errors[name]
                or m.limits[name][1] is not None and abs(m.values[name] - m.limits[name][1]) < 1e-3 * m.errors[name])
            if at_limit:
                skipped.append(f"histogram {k}: {name} at a limit")
                continue
            dv = abs(s["values"][i] - m.values[name]) / m.errors[name]
            de = abs(s["errors"][i] / m.errors[name] - 1)
            worst_value, worst_error = max(worst_value, dv), max(worst_error, de)
            compared += 1
            if dv > 0.05 or de > 0.05:
                failures.append(f"histogram {k}: {name} sddcal {s['values'][i]:.6g} ± {s['errors'][i]:.4g}, "
                                f"iminuit {m.values[name]:.6g} ± {m.errors[name]:.4g} (Δ = {dv:.3f}σ, errors {de:.1%})")
    return worst_value, worst_error, compared, skipped, failures, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--histograms", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--calibration", action="store_true", help="time the standard calibration instead")
    a = ap.parse_args()
    if not os.path.exists(BENCH):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "sddcal-bench"], cwd=ROOT)
    if a.calibration:
        time_calibration(a)
        return

    hists, truths = make_histograms(a.histograms, a.seed)
    tmp = tempfile.mkdtemp(prefix="sddcal-iminuit-")
    hist_file = os.path.join(tmp, "histograms.json")
    res_file = os.path.join(tmp, "swift_results.json")
    with open(hist_file, "w") as f:
        json.dump([{"lower_edge": LOW, "bin_width": WIDTH, "counts": h.tolist()} for h in hists], f)

    # Agreement: tight Minuit tolerance so its own EDM does not blur a 0.05σ comparison.
    run_swift(hist_file, res_file)
    swift = json.load(open(res_file))
    worst_value, worst_error, compared, skipped, failures, calls = fit_agreement(hists, swift)

    # Speed, interleaved: one Swift benchmark run, then one pass of iminuit fits, per round.
    swift_t, py_t, py_calls = [], [], []
    for _ in range(a.rounds):
        swift_t.append(run_swift(hist_file))
        per = []
        for h in hists:
            t0 = time.perf_counter()
            m = fit_iminuit(h)
            per.append(time.perf_counter() - t0)
            py_calls.append(m.nfcn)
        py_t.append(float(np.median(per)))
    ms, mp = float(np.median(swift_t)), float(np.median(py_t))
    report = {
        "histograms": len(hists), "parameters_compared": compared, "skipped_at_limit": skipped,
        "max_value_difference_sigma": worst_value, "max_error_relative_difference": worst_error,
        "failures": failures, "agreement_ok": not failures,
        "swift_median_s_per_fit": ms, "iminuit_median_s_per_fit": mp, "ratio_iminuit_over_swift": mp / ms,
        "iminuit_median_calls": float(np.median(py_calls)), "rounds": a.rounds,
        "swift_round_medians_s": swift_t, "iminuit_round_medians_s": py_t,
    }
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{len(hists)} histograms, {compared} parameter comparisons ({len(skipped)} skipped at limits)")
        print(f"  max |Δvalue| = {worst_value:.4f} σ (limit 0.05), max |Δerror| = {worst_error:.2%} (limit 5%)")
        for f in failures:
            print("  FAIL", f)
        print(f"speed, {a.rounds} interleaved rounds: sddcal {ms * 1e3:.3f} ms per fit, "
              f"iminuit {mp * 1e3:.1f} ms per fit ({np.median(py_calls):.0f} calls): ratio {mp / ms:.1f}×")
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
