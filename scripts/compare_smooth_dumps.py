#!/usr/bin/env python3
"""Compares two smooth calibrations dumped by `sddcal-bench smooth` (SDDCAL_BENCH_SMOOTH_DUMP=FILE),
e.g. from a build before and after a change to the refinement's kernels: per cell and knot the
energies at the model's reference channel (strongest line) and high channel (Cu Kα), their
posterior errors, the curvature, the fitted response and the prior strengths.

Usage: python3 scripts/compare_smooth_dumps.py BEFORE.json AFTER.json [--tolerance-ev 0.01]
Exit status 1 when an energy differs by more than the tolerance (or the cells/knots differ)."""
import json
import math
import sys


def energies(cell):
    m = cell["model"]
    b = m["base"]
    xr, xh = m["referenceADC"], m["highADC"]

    def base(x):
        return b["p0"] + x * (b["p1"] + x * b["p2"])

    q = cell["curvature"]
    out = []
    for o, g in zip(cell["offset"], cell["logGain"]):
        out.append((o + math.exp(g) * base(xr), o + math.exp(g) * (base(xh) + q)))
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tol = 0.01
    if "--tolerance-ev" in sys.argv:
        tol = float(sys.argv[sys.argv.index("--tolerance-ev") + 1])
        args = [a for a in args if a != str(sys.argv[sys.argv.index("--tolerance-ev") + 1])]
    a, b = (json.load(open(p)) for p in args[:2])
    print("prior before:", a["prior"])
    print("prior after: ", b["prior"])
    ok = True
    if [c["cell"] for c in a["cells"]] != [c["cell"] for c in b["cells"]]:
        print("cells differ"); return 1
    worst = {"E_ref": 0.0, "E_high": 0.0, "q": 0.0, "offset": 0.0, "logGain": 0.0, "enc": 0.0, "err_rel": 0.0}
    for ca, cb in zip(a["cells"], b["cells"]):
        if len(ca["offset"]) != len(cb["offset"]):
            print(f"cell {ca['cell']}: knots {len(ca['offset'])} vs {len(cb['offset'])}"); ok = False; continue
        if ca["status"] != cb["status"]:
            print(f"cell {ca['cell']}: status {ca['status']} vs {cb['status']}")
        for (ra, ha), (rb, hb) in zip(energies(ca), energies(cb)):
            worst["E_ref"] = max(worst["E_ref"], abs(ra - rb))
            worst["E_high"] = max(worst["E_high"], abs(ha - hb))
        worst["q"] = max(worst["q"], abs(ca["curvature"] - cb["curvature"]))
        worst["offset"] = max(worst["offset"], max(abs(x - y) for x, y in zip(ca["offset"], cb["offset"])))
        worst["logGain"] = max(worst["logGain"], max(abs(x - y) for x, y in zip(ca["logGain"], cb["logGain"])))
        worst["enc"] = max(worst["enc"], abs(ca["response"]["enc"] - cb["response"]["enc"]))
        va, vb = ca.get("covariance"), cb.get("covariance")
        if va and vb:
            for da, db in zip(va["diagonal"], vb["diagonal"]):
                worst["err_rel"] = max(worst["err_rel"], abs(math.sqrt(da[0]) / math.sqrt(db[0]) - 1))
    n = sum(len(c["offset"]) for c in a["cells"])
    print(f"{len(a['cells'])} cells, {n} knots; largest differences:")
    for k, v in worst.items():
        print(f"  {k:8s} {v:.3g}")
    if worst["E_ref"] > tol or worst["E_high"] > tol:
        ok = False
    print("OK" if ok else f"DIFFERENT (tolerance {tol} eV)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
