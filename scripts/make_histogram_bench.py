#!/usr/bin/env python3
"""VIP-2-like ADC spectra, one per cell, with known calibrations, for sddcal's histogram-input paths.

    python3 scripts/make_histogram_bench.py --cells 56 --counts 7e8 --out /tmp/sddcal-bench-56.npy
    python3 scripts/make_histogram_bench.py --cells 384 --counts 4e6 --format root --out /tmp/s2.root
    python3 scripts/make_histogram_bench.py --cells 384 --counts 3.84e8 --lines siddharta2 \
        --gain 8:20 --zero 50:2500 --format root --out /tmp/s2-gains.root   # SIDDHARTA-2-like, any gain

Each cell: gain 2.9-3.3 eV/ADC, zero at ADC 550-650 (E = gain * (ADC - zero); --gain/--zero LO:HI
for other set-ups), Ti/Mn/Cu K lines with VIP-2's yields (--lines siddharta2: Ti and Cu K lines,
Ti Ka 0.7 : Cu Ka 1), Gaussian resolution from ENC 12 e- and Fano 0.118, a falling continuum; Poisson counts
per channel (8192 channels), `--counts` in all. Formats: a 2-D .npy (rows = cells), a ROOT file of
TH1F bus{b}_sdd{s} (uproot), a CSV with one column per cell, or a folder of one-column text files.
The true calibrations go to OUT.truth.json ({label: [p0, p1, 0]}).
Not a runtime dependency; numpy (and uproot for ROOT) only.
"""
import argparse, json, math, os
import numpy as np

LINE_SETS = {
    "vip2": {"TiKa": (4508.8, 0.6), "TiKb": (4931.8, 0.078), "MnKa": (5895.9, 1.0), "MnKb": (6490.5, 0.134),
             "CuKa": (8041.1, 0.01), "CuKb": (8905.4, 0.0013)},
    "siddharta2": {"TiKa": (4508.8, 0.7), "TiKb": (4931.8, 0.7 * 0.13), "CuKa": (8041.1, 1.0), "CuKb": (8905.4, 0.134)},
}
LINES = LINE_SETS["vip2"]

def cell_spectrum(rng, channels, counts, gains=(2.9, 3.3), zeros=(550, 650)):
    gain, zero = rng.uniform(*gains), rng.uniform(*zeros)
    edges = np.arange(channels + 1) - 0.5
    e_edges = gain * (edges - zero)
    mu = np.zeros(channels)
    total_y = sum(y for _, y in LINES.values())
    from scipy.special import erf as serf
    for e, y in LINES.values():
        sigma = math.sqrt((12.0 * 3.65) ** 2 + 0.118 * 3.65 * e)
        cdf = 0.5 * (1 + serf((e_edges - e) / (math.sqrt(2) * sigma)))
        mu += 0.9 * y / total_y * np.diff(cdf)
    cont = np.where(e_edges[:-1] > 1000, np.exp(-np.clip(e_edges[:-1], 0, None) / 4000.0), 0)
    mu += 0.1 * cont / cont.sum()
    return rng.poisson(mu / mu.sum() * counts).astype(np.float64), (-gain * zero, gain)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=56)
    ap.add_argument("--counts", type=float, default=7e8, help="counts in all cells together")
    ap.add_argument("--channels", type=int, default=8192)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--format", choices=["npy", "root", "csv", "folder"], default="npy")
    ap.add_argument("--lines", choices=sorted(LINE_SETS), default="vip2")
    ap.add_argument("--gain", default="2.9:3.3", help="LO:HI eV/ADC, uniform per cell")
    ap.add_argument("--zero", default="550:650", help="LO:HI ADC of zero energy, uniform per cell")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    global LINES
    LINES = LINE_SETS[a.lines]
    gains = tuple(float(x) for x in a.gain.split(":"))
    zeros = tuple(float(x) for x in a.zero.split(":"))
    rng = np.random.default_rng(a.seed)
    labels = [f"bus{i // 8 + 1}_sdd{i % 8 + 1}" for i in range(a.cells)]
    rows, truth = [], {}
    for i in range(a.cells):
        h, cal = cell_spectrum(rng, a.channels, a.counts / a.cells, gains, zeros)
        rows.append(h)
        truth[labels[i]] = [cal[0], cal[1], 0.0]
    arr = np.array(rows)
    if a.format == "npy":
        np.save(a.out, arr)
    elif a.format == "root":
        import uproot
        with uproot.recreate(a.out, compression=uproot.ZLIB(1)) as f:
            for lab, h in zip(labels, rows):
                # TH1F(n, -0.5, n - 0.5): bin k is ADC channel k.
                f[lab] = (h.astype(np.float32), np.arange(a.channels + 1) - 0.5)
    elif a.format == "csv":
        with open(a.out, "w") as f:
            f.write("channel," + ",".join(labels) + "\n")
            for k in range(a.channels):
                f.write(f"{k}," + ",".join(str(int(r[k])) for r in rows) + "\n")
    else:
        os.makedirs(a.out, exist_ok=True)
        for lab, h in zip(labels, rows):
            np.savetxt(os.path.join(a.out, lab + ".txt"), h, fmt="%d")
    with open(a.out.rstrip("/") + ".truth.json", "w") as f:
        json.dump(truth, f)
    print(f"wrote {a.out}: {a.cells} cells, {arr.sum():.3g} counts")

if __name__ == "__main__":
    main()
