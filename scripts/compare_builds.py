#!/usr/bin/env python3
"""Compare two sddcal-bench binaries row by row (e.g. a commit before and after a change, each built with
`swift build -c release --product sddcal-bench` in its own checkout and wrapped in a script that cd's there): suites run alternately (A, B, A, B, ...) so both see the
same machine phases; per row the median over rounds of each side's per-run median, and the ratio B/A.
Also the median of the per-round ratios ("paired"): a shared VM switches between fast and slow phases
that can last several rounds, and a ratio of two runs made back to back is steadier than the ratio of
medians taken over mixed phases."""
import argparse, json, subprocess, statistics, sys, os, time

def run(binary, suite):
    r = subprocess.run([binary, suite, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    txt = r.stdout[r.stdout.index("["):] if "[" in r.stdout else "[]"
    return {row["name"]: row["median_s"] for row in json.loads(txt)}

ap = argparse.ArgumentParser()
ap.add_argument("old"); ap.add_argument("new")
ap.add_argument("--suites", required=True)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--out")
a = ap.parse_args()
res = {}
for suite in a.suites.split(","):
    for r in range(a.rounds):
        order = [("old", a.old), ("new", a.new)] if r % 2 == 0 else [("new", a.new), ("old", a.old)]
        for side, b in order:
            out = run(b, suite)
            if out is None:
                print(f"{suite}: {side} failed", file=sys.stderr); continue
            for name, t in out.items():
                res.setdefault((suite, name), {"old": [], "new": []})[side].append(t)
        if a.out: json.dump({f"{k[0]}|{k[1]}": v for k, v in res.items()}, open(a.out + ".partial", "w"))
        print(f"# {suite} round {r+1} load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
rows = []
for (suite, name), d in res.items():
    if d["old"] and d["new"]:
        o, n = statistics.median(d["old"]), statistics.median(d["new"])
        paired = statistics.median(b / a for a, b in zip(d["old"], d["new"]))
        rows.append((suite, name, o, n, n / o, paired))
        print(f"{suite:12s} {name:48s} old {o*1e3:10.4f} ms  new {n*1e3:10.4f} ms  new/old {n/o:5.2f}  paired {paired:5.2f}")
    else:
        print(f"{suite:12s} {name:48s} only in {'old' if d['old'] else 'new'}")
if a.out:
    json.dump([dict(suite=s, name=n, old_s=o, new_s=nw, ratio=r, paired_ratio=p) for s, n, o, nw, r, p in rows], open(a.out, "w"), indent=1)
