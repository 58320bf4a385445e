#!/usr/bin/env python3
"""Rendering a 4096-bin spectrum as a braille plot: sddcal's Inspector against drawille (Python).

Interleaves rounds of `sddcal-bench tui --json` (Swift, release build; the benchmark
"render spectrum view, 4096 bins, 200x60": the whole 200x60 view — axes, tick labels, the spectrum
envelope, centroid markers and labels, cursor, legend, batch selector, p0/p1/p2 strip — into a cell
buffer) and drawille drawing only the spectrum envelope (the largest bin per dot column, joined by
vertical runs, as sddcal draws it) on a 196x55-cell braille canvas and turning it into text
(`Canvas.frame()`). Prints medians and the ratio. drawille does less work than the Swift view.

Usage: pip install drawille==0.2.0; swift build -c release --product sddcal-bench;
       python3 scripts/bench_tui_drawille.py [rounds]
"""
import json, math, statistics, subprocess, sys, time
from pathlib import Path

import drawille

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".build" / "release" / "sddcal-bench"
NAME = "render spectrum view, 4096 bins, 200x60"

# The same deterministic spectrum shape as TUIBench.spectrum (gain 3.05 eV/ADC, zero at ADC 600).
LINES = [(4504.9, 4510.9, 0.6), (4931.8, 4931.8, 0.078), (5887.7, 5898.8, 1.0), (6490.6, 6490.6, 0.134),
         (8027.8, 8047.8, 0.01), (8905.4, 8905.4, 0.00134)]
def spectrum(gain=3.05, zero=600.0):
    out = []
    for i in range(4096):
        e = (i - zero) * gain
        v = 20 * math.exp(-i / 2500)
        for e2, e1, y in LINES:
            mu = (e1 + 0.5 * e2) / 1.5
            fwhm = 2.3548 * math.sqrt((13.6 * 3.749) ** 2 + 0.119 * 3.749 * mu)
            s = fwhm / 2.3548
            v += y * 4e5 * gain * math.exp(-0.5 * ((e - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        out.append(round(v + math.sqrt(v) * math.sin(i * 12.9898)))
    return out

COLS, ROWS = 196, 55          # the plot area of the 200x60 view (gutter, axis and strip removed)

def drawille_once(y):
    c = drawille.Canvas()
    w, h = 2 * COLS, 4 * ROWS
    top = max(y)
    per = len(y) / w
    prev = None
    for px in range(w):
        a, b = int(px * per), max(int(px * per) + 1, int((px + 1) * per))
        m = max(y[a:b])
        py = h - 1 - int(round(m / top * (h - 1)))
        lo, hi = (py, py) if prev is None else (min(prev, py), max(prev, py))
        for q in range(lo, hi + 1):
            c.set(px, q)
        prev = py
    return c.frame()

def drawille_median(y, n=15):
    drawille_once(y)
    t = []
    for _ in range(n):
        s = time.perf_counter(); drawille_once(y); t.append(time.perf_counter() - s)
    return statistics.median(t)

def swift_median():
    r = subprocess.run([str(BENCH), "tui", "--json"], capture_output=True, text=True, check=True)
    text = r.stdout[r.stdout.index("["):]
    return next(b["median_s"] for b in json.loads(text) if b["name"] == NAME)

def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not BENCH.exists():
        sys.exit(f"build first: swift build -c release --product sddcal-bench ({BENCH} missing)")
    y = spectrum()
    sw, py = [], []
    for _ in range(rounds):
        sw.append(swift_median()); py.append(drawille_median(y))
    s, p = statistics.median(sw), statistics.median(py)
    print(f"{NAME}: sddcal (whole view) {s*1e3:.3f} ms, drawille (envelope only) {p*1e3:.3f} ms "
          f"(medians of {rounds} interleaved rounds); drawille/sddcal = {p/s:.1f}x")

if __name__ == "__main__":
    main()
