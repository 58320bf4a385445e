#!/usr/bin/env python3
"""Independent check of `sddcal apply` outputs (docs/calibrated-events.md) with NumPy.

Usage: check_calibrated_events.py CALIB.json EVENTS.csv OUT.npy [OUT.bin] [OUT.csv] [--no-dither]

Reads the .npy with numpy.load (must be float64, shape (N, 4)), the optional .bin with numpy and
xxhash (header, size, both XXH64 checksums) and the optional .csv with numpy, and checks that they
hold the same rows. Then recomputes, in NumPy and from the calibration JSON alone, the calibration
of every event at its time (version 2: the cell's timeline, p0 and p2 linear and ln p1 linear
between knots, clamped outside; version 1: the batch whose [start, end) holds the time, else the
nearest by distance to start or end, the earlier on ties) and checks each energy lies in
[E(adc - 1/2), E(adc + 1/2)] (dithered) or equals E(adc) (--no-dither), and that dithered
positions within the channel look uniform (mean 1/2 and variance 1/12 within 5 standard errors).
EVENTS.csv is the input event file in CSV (sdd,adc,time), to check no event was lost or changed.
Prints one line and exits 0 when everything agrees.
"""
import json
import sys

import numpy as np


def load_events_csv(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    order = np.lexsort((a[:, 2], a[:, 0]))
    return a[order]


def calibrations(calib, cells, times):
    """(p0, p1, p2) per event from the calibration JSON, written independently of the Swift code."""
    by_cell = {c["cell"]: c for c in calib["cells"]}
    p = np.full((len(cells), 3), np.nan)
    for c in np.unique(cells):
        idx = np.nonzero(cells == c)[0]
        t = times[idx]
        entry = by_cell.get(int(c))
        if entry is None:
            continue
        tl = entry.get("timeline")
        if tl is not None:
            k = np.asarray(tl["knots"], float)
            q0, q1, q2 = (np.asarray(tl[n], float) for n in ("p0", "p1", "p2"))
            p[idx, 0] = np.interp(t, k, q0)
            p[idx, 1] = np.exp(np.interp(t, k, np.log(q1)))
            p[idx, 2] = np.interp(t, k, q2)
        else:
            bs = entry["batches"]
            s = np.array([b["start"] for b in bs]); e = np.array([b["end"] for b in bs])
            coef = np.array([[b["calibration"]["p0"], b["calibration"]["p1"], b["calibration"]["p2"]] for b in bs])
            for j, tj in zip(idx, t):
                inside = np.nonzero((tj >= s) & (tj < e))[0]
                if len(inside):
                    b = inside[0]
                else:
                    d = np.minimum(np.abs(tj - s), np.abs(tj - e))
                    b = int(np.argmin(d))  # the first minimum: the earlier on ties
                p[j] = coef[b]
    return p


def read_bin(path):
    import xxhash
    b = open(path, "rb").read()
    assert b[:8] == b"SDDCALEN", "magic"
    assert int.from_bytes(b[8:12], "little") == 1 and int.from_bytes(b[12:16], "little") == 64
    assert xxhash.xxh64(b[:48]).intdigest() == int.from_bytes(b[48:56], "little"), "header checksum"
    assert xxhash.xxh64(b[64:]).intdigest() == int.from_bytes(b[40:48], "little"), "payload checksum"
    n = int.from_bytes(b[16:24], "little")
    t0 = 64 + 4 * n + 4 * (n % 2)
    assert len(b) == t0 + 16 * n, "size"
    cell = np.frombuffer(b, "<u2", n, 64); adc = np.frombuffer(b, "<u2", n, 64 + 2 * n)
    time = np.frombuffer(b, "<f8", n, t0); energy = np.frombuffer(b, "<f8", n, t0 + 8 * n)
    return np.column_stack([cell, adc, time, energy]).astype(float)


def main(argv):
    no_dither = "--no-dither" in argv
    args = [a for a in argv if a != "--no-dither"]
    calib = json.load(open(args[0]))
    events = load_events_csv(args[1])
    a = np.load(args[2])
    assert a.dtype == np.dtype("<f8") and a.ndim == 2 and a.shape[1] == 4, (a.dtype, a.shape)
    for other in args[3:]:
        b = read_bin(other) if other.endswith(".bin") else np.loadtxt(other, delimiter=",", skiprows=1, ndmin=2)
        assert b.shape == a.shape and np.array_equal(b, a), f"{other} differs from {args[2]}"
    covered = np.isin(events[:, 0], [c["cell"] for c in calib["cells"]])
    ev = events[covered]
    assert len(ev) == len(a), (len(ev), len(a))
    assert np.array_equal(ev[:, :3], a[:, :3]), "cell, adc or time changed"
    p = calibrations(calib, a[:, 0], a[:, 2])
    adc = a[:, 1]
    def energy(x):
        return p[:, 0] + x * (p[:, 1] + x * p[:, 2])
    if no_dither:
        assert np.allclose(a[:, 3], energy(adc), rtol=0, atol=1e-9 * np.abs(a[:, 3]).max()), "energies differ"
        print(f"ok: {len(a)} events, energies = E(adc) at each event's time")
        return 0
    lo, hi = energy(adc - 0.5), energy(adc + 0.5)
    tol = 1e-9 * np.abs(a[:, 3]).max()
    assert np.all(a[:, 3] >= np.minimum(lo, hi) - tol) and np.all(a[:, 3] <= np.maximum(lo, hi) + tol), "energy outside its channel"
    u = (a[:, 3] - np.minimum(lo, hi)) / np.abs(hi - lo)
    n = len(u)
    assert abs(u.mean() - 0.5) < 5 * (1 / 12 / n) ** 0.5, u.mean()
    assert abs(u.var() - 1 / 12) < 5 * (1 / 180 / n) ** 0.5, u.var()
    print(f"ok: {n} events, each within its channel at its time; dither mean {u.mean():.4f} var {u.var():.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
