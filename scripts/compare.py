#!/usr/bin/env python3
"""sddcal against the Python reference stack, every row of issue 15 in one run: one table.

Run through `scripts/compare` (which makes the pinned virtual environment and the release build);
this driver assumes both. Each round runs, per row group, sddcal's side (an `sddcal-bench` suite with
--json, or `sddcal convert --json` for the file readers) and then the reference's on the same inputs,
so both see the same machine load. The file readers have two rows each: in a fresh process per read
on both sides (`sddcal convert --json`, a new Python process), and warm, the file read again and again
in one process on both sides (`sddcal-bench formats`, this driver); Formats says why, and what each
side checks. Printed per row: medians over rounds of each side's per-round
median, the spread (medians of the per-round first and third quartiles), the ratio reference/sddcal
(> 1: sddcal faster) and the agreement of the two sides' results on the same inputs.

The reference code is the per-area scripts' (bench_find_peaks, bench_jax_likelihood,
compare_iminuit, bench_cnn_keras, bench_formats), imported, not copied.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import bench_formats as formats_ref  # noqa: E402
from timing import quartiles, timed  # noqa: E402

# The other groups' libraries (SciPy, JAX, Keras, iminuit) are imported by `import_references` for the
# groups chosen, so that `--only formats` needs NumPy and pandas alone.
scipy = find_peaks = peaks_ref = jax_ref = fit_ref = peaks_agree = cnn_ref = jax = keras = iminuit = None


def import_references(groups):
    global scipy, find_peaks, peaks_ref, jax_ref, fit_ref, peaks_agree, cnn_ref, jax, keras, iminuit
    if "peaks" in groups:
        import scipy
        from scipy.signal import find_peaks
        import bench_find_peaks as peaks_ref
        import compare_find_peaks as peaks_agree
    if "likelihood" in groups:
        import jax
        import bench_jax_likelihood as jax_ref
    if "fits" in groups:
        import iminuit
        import compare_iminuit as fit_ref
    if "cnn" in groups:
        import keras
        import bench_cnn_keras as cnn_ref


TARGET = 1.5  # every row at least this far ahead (issue 15)


class Rows:
    """Per row: per-round (median, q1, q3) of each side, and one agreement text."""

    def __init__(self):
        self.order, self.sddcal, self.ref, self.agree, self.refname = [], {}, {}, {}, {}

    def add(self, row, side, m):
        if row not in self.order:
            self.order.append(row)
        (self.sddcal if side == "sddcal" else self.ref).setdefault(row, []).append(m)

    def summary(self, row, side):
        ms = (self.sddcal if side == "sddcal" else self.ref).get(row, [])
        if not ms:
            return None
        return tuple(statistics.median(m[i] for m in ms) for i in range(3))


def bench(suite, env=None, stderr_sink=None):
    p = subprocess.run([BENCH, suite, "--json"], env=dict(os.environ, **(env or {})), check=True,
                       capture_output=True, text=True, cwd=ROOT)
    if stderr_sink is not None:
        stderr_sink.append(p.stderr.strip())
    return {r["name"]: (r["median_s"], r["q1_s"], r["q3_s"]) for r in json.loads(p.stdout)}


def scaled(m, f):
    return tuple(x * f for x in m)


# ---------------------------------------------------------------- find_peaks vs SciPy

class Peaks:
    def __init__(self, tmp, quick):
        self.cases = peaks_ref.cases()
        self.path = os.path.join(tmp, "peak_cases.json")
        with open(self.path, "w") as f:
            json.dump([peaks_ref.to_json_case(c) for c in self.cases], f)
        self.quick = quick

    def agreement(self, rows):
        out = os.path.join(os.path.dirname(self.path), "peak_answers.json")
        bench("peaks", {"SDDCAL_PEAK_BENCH_CASES": self.path, "SDDCAL_PEAK_BENCH_RESULTS": out, "SDDCAL_BENCH_SAMPLES": "3"})
        swift = json.load(open(out))
        for c, s in zip(self.cases, swift):
            # Ties under `distance`: SciPy's order among equal heights follows an unstable argsort; the
            # reference is SciPy with a stable one (scripts/compare_find_peaks.py explains), native noted.
            native = find_peaks(c["counts"], **c["params"])[0].tolist()
            ref = peaks_agree.stable_find_peaks(c["counts"], **c["params"])[0].tolist()
            text = f"{len(ref)} peaks, same indices" if ref == s else f"DIFFER: scipy {ref[:6]}…, sddcal {s[:6]}…"
            if native != ref:
                text += " (stable tie order; native SciPy differs on tied heights)"
            rows.agree[f"find_peaks {c['name']}"] = text

    def round(self, rows):
        sw = bench("peaks", {"SDDCAL_PEAK_BENCH_CASES": self.path})
        for c in self.cases:
            row = f"find_peaks {c['name']}"
            rows.refname[row] = f"SciPy {scipy.__version__}"
            rows.add(row, "sddcal", sw[row])
            x, p = c["counts"], c["params"]
            f = lambda: find_peaks(x, **p)
            n = max(1, int(0.0003 / max(1e-7, min(timed(f, 3, 20)))))
            rows.add(row, "ref", timed(f, 11 if self.quick else 31, n))


# ---------------------------------------------------------------- likelihood and full optimization vs JAX

class Likelihood:
    def __init__(self, tmp, quick):
        self.tmp = tmp
        self.exps = (5, 6) if quick else (5, 6, 7)
        self.samples = {e: jax_ref.sample(10 ** e, e) for e in self.exps}
        self.vg = jax.jit(jax.value_and_grad(jax_ref.density_loss))
        self.q = jax.numpy.asarray(jax_ref.q_start())
        self.quick = quick
        self.newton = None

    def agreement(self, rows):
        x = self.samples[5]
        ev, out = os.path.join(self.tmp, "loss_events.f64"), os.path.join(self.tmp, "loss_answers.json")
        x.astype("<f8").tofile(ev)
        bench("refine", {"SDDCAL_LOSS_EVENTS": ev, "SDDCAL_LOSS_RESULTS": out, "SDDCAL_BENCH_SAMPLES": "3"})
        sw = json.load(open(out))
        texts = []
        for name, lf in (("density", jax_ref.density_loss), ("paper", jax_ref.paper_loss)):
            v, g = jax.value_and_grad(lf)(self.q, jax.numpy.asarray(x))
            v, g = float(v), np.asarray(g)
            dv = abs(sw[name]["value"] - v) / abs(v)
            dg = float(np.max(np.abs(np.asarray(sw[name]["gradient"]) - g)) / np.max(np.abs(g)))
            texts.append(f"{name}: value {dv:.1e}, gradient {dg:.1e} rel.")
        for e in self.exps:
            rows.agree[f"loss+grad per event, 1e{e} events"] = "; ".join(texts) + " (1e5 events)"

    def round(self, rows):
        env = {"SDDCAL_BENCH_SAMPLES": "5"} if self.quick else {}
        sw = bench("refine", env)
        for e in self.exps:
            row = f"loss+grad per event, 1e{e} events"
            rows.refname[row] = f"JAX {jax.__version__} jit f64"
            rows.add(row, "sddcal", scaled(sw[f"loss+grad density 1e{e} events"], 10.0 ** -e))
            x = jax.numpy.asarray(self.samples[e])
            m = timed(lambda: jax.block_until_ready(self.vg(self.q, x)), 5 if e == 7 else 11)
            rows.add(row, "ref", scaled(m, 1 / len(self.samples[e])))
        row = "full optimization 32 cells × 15 batches, Newton"
        rows.refname[row] = "JAX vmapped Newton, 10 it"
        rows.add(row, "sddcal", sw["optimize 32 cells x 15 batches (newton)"])
        rows.add(row, "ref", timed(lambda: jax.block_until_ready(self.newton_fn(self.q0)), 3))

    @property
    def newton_fn(self):
        if self.newton is None:
            x, w = jax_ref.month_batches()
            self.q0 = jax.numpy.tile(self.q, (x.shape[0], 1))
            self.newton = jax_ref.newton_optimizer(x, w)
        return self.newton


# ---------------------------------------------------------------- Cu Kα fit and standard calibration vs iminuit

class Fits:
    def __init__(self, tmp, quick):
        self.tmp = tmp
        self.quick = quick
        self.hists, _ = fit_ref.make_histograms(8 if quick else 20, 2024)
        self.hist_file = os.path.join(tmp, "histograms.json")
        with open(self.hist_file, "w") as f:
            json.dump([{"lower_edge": fit_ref.LOW, "bin_width": fit_ref.WIDTH, "counts": h.tolist()} for h in self.hists], f)
        self.batches, _, self.cal = fit_ref.calibration_batches(tmp, SDDCAL)

    def agreement(self, rows):
        res = os.path.join(self.tmp, "fit_answers.json")
        bench("fitting", {"SDDCAL_FIT_HISTOGRAMS": self.hist_file, "SDDCAL_FIT_RESULTS": res,
                          "SDDCAL_FIT_SKIP_CALIBRATION": "1", "SDDCAL_BENCH_SAMPLES": "3"})
        wv, we, n, skipped, failures, _ = fit_ref.fit_agreement(self.hists, json.load(open(res)))
        rows.agree["Cu Kα line fit, 300 bins, 7 free"] = (
            f"{n} values: max {wv:.3f} σ, errors {we:.1%}" + (f"; {len(failures)} FAIL" if failures else ""))
        # Standard calibration: E(ADC) of Python + iminuit against sddcal's, per batch, at the Cu Kα ADC.
        sd = [b for c in self.cal["cells"] for b in c["batches"]]
        de = []
        for (adc, seeds), b in zip(self.batches, sd):
            c = b.get("calibration")
            if not c or "CuKa" not in seeds:
                continue
            p, _ = fit_ref.python_calibrate_batch(adc, seeds)
            x = seeds["CuKa"]
            e_sw = c["p0"] + c["p1"] * x + c.get("p2", 0.0) * x * x
            de.append(abs(np.polyval(p, x) - e_sw))
        rows.agree["standard calibration 32 cells × 15 batches"] = (
            f"E(Cu Kα ADC): median |ΔE| {np.median(de):.2f} eV, max {np.max(de):.2f} eV ({len(de)} batches)" if de
            else "NONE: `sddcal calibrate --seeds pattern` calibrated no batch of the 2-cell month")

    def round(self, rows):
        env = {"SDDCAL_FIT_HISTOGRAMS": self.hist_file}
        if self.quick:
            env["SDDCAL_BENCH_SAMPLES"] = "5"
        sw = bench("fitting", env)
        row = "Cu Kα line fit, 300 bins, 7 free"
        rows.refname[row] = f"iminuit {iminuit.__version__} MIGRAD+HESSE"
        rows.add(row, "sddcal", sw["Cu Kα fit 300 bins, tail free (7 free)"])
        per = []
        for h in self.hists:
            t = time.perf_counter()
            fit_ref.fit_iminuit(h)
            per.append(time.perf_counter() - t)
        rows.add(row, "ref", quartiles(per))
        row = "standard calibration 32 cells × 15 batches"
        rows.refname[row] = "Python + iminuit (per batch × 480)"
        rows.add(row, "sddcal", next(v for k, v in sw.items() if k.startswith("standard calibration")))
        per = []
        for adc, seeds in self.batches:
            t = time.perf_counter()
            fit_ref.python_calibrate_batch(adc, seeds)
            per.append(time.perf_counter() - t)
        if per:
            rows.add(row, "ref", scaled(quartiles(per), 480))


# ---------------------------------------------------------------- CNN vs Keras (JAX backend)

def read_sddnn(path):
    """Weights of an sddcal model file (ModelFile.swift: magic, version, metadata, count, float32, CRC)."""
    b = open(path, "rb").read()
    assert b[:8] == b"SDDCALNN", path
    meta_len = int.from_bytes(b[12:16], "little")
    o = 16 + meta_len
    count = int.from_bytes(b[o:o + 8], "little")
    return np.frombuffer(b, "<f4", count, o + 8)


def load_sddcal_weights(model, flat):
    """CentroidCNN.parameters order: convA1, convA2, convB (kernel, bias), dense 500, 50, outputs; Keras layouts."""
    conv = {l.kernel_size[0]: l for l in model.layers if isinstance(l, keras.layers.Conv1D)}
    dense = {l.units: l for l in model.layers if isinstance(l, keras.layers.Dense)}
    o = 0
    for layer in (conv[50], conv[10], conv[1], dense[500], dense[50], dense[5]):
        ws = []
        for w in layer.get_weights():
            ws.append(flat[o:o + w.size].reshape(w.shape))
            o += w.size
        layer.set_weights(ws)
    assert o == flat.size, (o, flat.size)


class CNN:
    def __init__(self, tmp, quick):
        self.tmp, self.quick = tmp, quick
        self.model = cnn_ref.build_model()
        rng = np.random.default_rng(1)
        self.x256, self.y256 = cnn_ref.spectra(256, rng)
        self.x1024, _ = cnn_ref.spectra(1024, rng)
        self.kernel = []

    def agreement(self, rows):
        m = cnn_ref.build_model()
        load_sddcal_weights(m, read_sddnn(os.path.join(ROOT, "Assets", "cnn-vip2.sddnn")))
        x = self.x1024[:256]
        inp, out = os.path.join(self.tmp, "cnn_inputs.f32"), os.path.join(self.tmp, "cnn_outputs.json")
        x.astype("<f4").tofile(inp)
        bench("cnn", {"SDDCAL_CNN_AGREEMENT_INPUTS": inp, "SDDCAL_CNN_AGREEMENT_OUTPUTS": out,
                      "SDDCAL_CNN_MODEL": os.path.join(ROOT, "Assets", "cnn-vip2.sddnn"), "SDDCAL_BENCH_SAMPLES": "3"},
              self.kernel)
        sw = np.asarray(json.load(open(out))).reshape(len(x), -1)
        ref = np.asarray(m.predict_on_batch(x))
        d = float(np.max(np.abs(sw - ref)))
        text = f"shipped model, 256 spectra: max |Δoutput| {d:.1e} (outputs ~{np.std(ref):.2f})"
        for r in ("CNN training step, batch 256", "CNN inference, batch 1024", "CNN inference, one spectrum"):
            rows.agree[r] = text if "inference" in r else "same architecture, 1,078,825 parameters; Adam + MSE"

    def round(self, rows):
        env = {"SDDCAL_BENCH_SAMPLES": "5"} if self.quick else {}
        sw = bench("cnn", env)
        ref = f"Keras {keras.__version__} + JAX"
        find = lambda prefix: next(v for k, v in sw.items() if k.startswith(prefix))
        m, x256, y256, x1024 = self.model, self.x256, self.y256, self.x1024
        for row, s, fn, inner in (
                ("CNN training step, batch 256", find("cnn train step, batch 256, Dense split by Dispatch"),
                 lambda: m.train_on_batch(x256, y256), 3),
                ("CNN inference, batch 1024", find("cnn inference, batch 1024, Dense split by Dispatch"),
                 lambda: np.asarray(m.predict_on_batch(x1024)), 2),
                ("CNN inference, one spectrum", find("cnn inference, single spectrum"),
                 lambda: np.asarray(m.predict_on_batch(x1024[:1])), 20)):
            rows.refname[row] = ref
            rows.add(row, "sddcal", s)
            rows.add(row, "ref", timed(fn, 5 if self.quick else 7, inner))


# ---------------------------------------------------------------- event files vs pandas / NumPy

class Formats:
    def __init__(self, tmp, quick):
        self.quick = quick
        self.csv, self.bin, self.out = (os.path.join(tmp, x) for x in ("ev.csv", "ev.bin", "out.bin"))
        # 32 cells × 3 days × ~10,400 events/cell/day ≈ 10^6 events (as scripts/bench_formats.py).
        formats_ref.sddcal("simulate", "--cells", "32", "--days", "3", "--seed", "5", "--out", self.csv,
                           "--truth", os.path.join(tmp, "t.json"))
        formats_ref.sddcal("convert", self.csv, self.bin)
        self.n = len(pd.read_csv(self.csv, comment="#"))

    def agreement(self, rows):
        ref = pd.read_csv(self.csv, comment="#", dtype={"sdd": "u2", "adc": "u2", "time": "f8"}, float_precision="round_trip")
        cols = [ref[c].to_numpy() for c in ref.columns[:3]]
        # sddcal's parse of the CSV is what it wrote to the binary file: compared with pandas' correctly rounded parse.
        got = formats_ref.numpy_bin(self.bin)
        bad = sum(int(np.sum(a != b)) for a, b in zip(cols, got))
        for how in ("fresh", "warm"):
            rows.agree[f"read 10^6 events, CSV, {how} process"] = f"{self.n} events: " + ("all values bit-identical" if bad == 0 else f"{bad} values DIFFER")
        # sddcal's read of the binary file, written back as CSV and parsed by pandas, against NumPy's read.
        back = os.path.join(os.path.dirname(self.csv), "back.csv")
        formats_ref.sddcal("convert", self.bin, back, "--force")
        rt = pd.read_csv(back, comment="#", dtype={"sdd": "u2", "adc": "u2", "time": "f8"}, float_precision="round_trip")
        bad = sum(int(np.sum(rt[c].to_numpy() != g)) for c, g in zip(rt.columns[:3], got))
        for how in ("fresh", "warm"):
            rows.agree[f"read 10^6 events, binary, {how} process"] = f"{self.n} events: " + ("all values bit-identical" if bad == 0 else f"{bad} values DIFFER")

    # Each file is read two ways, on both sides, and both are shown:
    # - fresh process: a new process per sample, the file in the page cache, the clock around the read
    #   alone. sddcal's figure is `sddcal convert --json`'s read_seconds (no process start-up, no
    #   writing); the reference runs in a new Python process that imports its library before starting
    #   the clock. Both pay the first touch of their new arrays' memory (page faults), which on a
    #   virtual machine is most of a 12 MB read.
    # - warm process: the same file read again and again in one process, whose allocator hands back
    #   the pages of the previous read: sddcal in `sddcal-bench formats` (SDDCAL_FORMAT_BENCH_FILES),
    #   the reference in this driver. Medians of the per-read times after a first, untimed read.
    # The work itself is not the same, to sddcal's cost: sddcal checks the XXH64 checksums of the binary
    # file and every value of both files (cells and ADC in range, times finite and within the limit) and
    # would name the line or byte of a bad one; NumPy's frombuffer checks nothing, and pandas only parses.
    READ = {
        "csv": "pd.read_csv(path, comment='#', dtype={'sdd': 'u2', 'adc': 'u2', 'time': 'f8'})",
        "bin": "formats_ref.numpy_bin(path)",
    }

    def fresh_reference(self, kind, path, samples):
        code = ("import sys, time; sys.path.insert(0, %r)\n"
                "import numpy as np, pandas as pd, bench_formats as formats_ref\n"
                "path = %r\n"
                "t = time.perf_counter(); %s; print(time.perf_counter() - t)") % (HERE, path, self.READ[kind])
        return [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
                for _ in range(samples)]

    def round(self, rows):
        k = 3 if self.quick else 7
        env = {"SDDCAL_FORMAT_BENCH_FILES": f"{self.csv},{self.bin}"}
        if self.quick:
            env["SDDCAL_BENCH_SAMPLES"] = "5"
        warm = bench("formats", env)
        for row, kind, path, ref_name, sw_warm in (
                ("read 10^6 events, CSV", "csv", self.csv, f"pandas {pd.__version__} read_csv", "read CSV file"),
                ("read 10^6 events, binary", "bin", self.bin, f"NumPy {np.__version__} frombuffer", "read binary file")):
            fresh, again = f"{row}, fresh process", f"{row}, warm process"
            rows.refname[fresh] = rows.refname[again] = ref_name
            ts = [formats_ref.sddcal("convert", path, self.out, "--force", "--json")["read_seconds"] for _ in range(k)]
            rows.add(fresh, "sddcal", quartiles(ts))
            rows.add(fresh, "ref", quartiles(self.fresh_reference(kind, path, k)))
            rows.add(again, "sddcal", warm[sw_warm])
            # The same expression as in the fresh process.
            read = eval("lambda path: " + self.READ[kind], {"pd": pd, "np": np, "formats_ref": formats_ref})
            rows.add(again, "ref", timed(lambda: read(path), 5 if self.quick else 15))


# ---------------------------------------------------------------- table

def fmt(s):
    if s < 1e-6:
        return f"{s * 1e9:.2f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    global BENCH, SDDCAL
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds, fewer samples and sizes (a few minutes)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 3, quick 2)")
    ap.add_argument("--only", help="comma-separated groups: peaks,likelihood,fits,cnn,formats")
    ap.add_argument("--bin-path", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--json", help="also write the table as JSON to this file")
    a = ap.parse_args()
    BENCH, SDDCAL = os.path.join(a.bin_path, "sddcal-bench"), os.path.join(a.bin_path, "sddcal")
    formats_ref.SDDCAL = SDDCAL
    rounds = a.rounds or (2 if a.quick else 3)
    load0 = os.getloadavg()
    t0 = time.time()
    groups = {"peaks": Peaks, "likelihood": Likelihood, "fits": Fits, "cnn": CNN, "formats": Formats}
    chosen = a.only.split(",") if a.only else list(groups)
    import_references(chosen)
    if fit_ref is not None:
        fit_ref.BENCH = BENCH
    rows = Rows()
    with tempfile.TemporaryDirectory(prefix="sddcal-compare-") as tmp:
        made = []
        for g in chosen:
            print(f"setting up {g} …", file=sys.stderr, flush=True)
            made.append(groups[g](tmp, a.quick))
        for g in made:
            print(f"agreement: {type(g).__name__} …", file=sys.stderr, flush=True)
            g.agreement(rows)
        for r in range(rounds):
            for g in made:
                print(f"round {r + 1}/{rounds}: {type(g).__name__} …", file=sys.stderr, flush=True)
                g.round(rows)
        kernel = next((k for g in made if isinstance(g, CNN) for k in g.kernel), "")
    load1 = os.getloadavg()
    if not kernel:
        kernel = subprocess.run([BENCH, "--json", "none-such"], capture_output=True, text=True).stderr.splitlines()[0]
    print(f"sddcal vs the Python stack — {cpu_model()}, {os.cpu_count()} cores, {kernel.strip()}")
    versions = ", ".join(f"{name} {m.__version__}" for name, m in (("NumPy", np), ("SciPy", scipy), ("JAX", jax), ("Keras", keras),
                                                                   ("iminuit", iminuit), ("pandas", pd)) if m is not None)
    print(f"load average {load0[0]:.1f} at start, {load1[0]:.1f} at end; {rounds} interleaved rounds; "
          f"{time.time() - t0:.0f} s; Python {platform.python_version()}, {versions}")
    print("times per call: median over rounds (q1–q3); ratio = reference / sddcal (> 1: sddcal faster)")
    head = f"{'work':46} {'sddcal':>24} {'reference':>24} {'ratio':>7}  {'':2} {'reference is':34} agreement"
    print(head)
    print("-" * len(head))
    table = []
    for row in rows.order:
        s, r = rows.summary(row, "sddcal"), rows.summary(row, "ref")
        if s is None or r is None:
            print(f"{row:46} {'(not measured)':>24}  {rows.agree.get(row, '—')}")
            continue
        ratio = r[0] / s[0]
        mark = "ok" if ratio >= TARGET else "<<"
        sp = lambda m: f"{fmt(m[0])} ({fmt(m[1])}–{fmt(m[2])})"
        print(f"{row:46} {sp(s):>24} {sp(r):>24} {ratio:6.2f}×  {mark:2} {rows.refname[row]:34} {rows.agree.get(row, '—')}")
        table.append({"work": row, "sddcal_s": s, "reference_s": r, "ratio": ratio, "reference": rows.refname[row],
                      "agreement": rows.agree.get(row)})
    behind = [t["work"] for t in table if t["ratio"] < TARGET]
    print(f"rows below {TARGET}×: {len(behind)}" + (": " + "; ".join(behind) if behind else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": kernel.strip(), "load": [load0, load1],
                       "rounds": rounds, "rows": table}, f, indent=1)


if __name__ == "__main__":
    main()
