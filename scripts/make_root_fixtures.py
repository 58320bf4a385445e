#!/usr/bin/env python3
"""Writes the ROOT fixtures of Tests/SDDCoreTests/Fixtures/root with uproot, an implementation of the
ROOT file format independent of ROOT and of sddcal, plus `expected.json`: every value as uproot reads
the files back. The Swift reader's tests compare against that JSON exactly.

Written with uproot 5.7.7 (numpy, lz4 4.4.5, zstandard 0.25.0, xxhash 4.1.0 for the compressions):
    pip install uproot==5.7.7 lz4 zstandard xxhash
Run from the repository root:
    python3 scripts/make_root_fixtures.py                 # the committed fixtures
    python3 scripts/make_root_fixtures.py --bench PATH    # the 384-histogram benchmark file (not committed)

Each fixture file (one per compression: none, zlib, lz4, zstd) holds
  - bus1_sdd1: TH1F, 64 fixed bins on [-0.5, 63.5), non-zero under- and overflow
  - bus1_sdd2: TH1D, 5 variable-width bins (edges 0, 1, 2.5, 5, 10, 20), fractional contents
  - bus1_sdd3: TH1I, 40 fixed bins on [100, 140)
  - bus1_sdd4: TH1S and bus1_sdd5: TH1C, 8 fixed bins each
  - sub/bus2_sdd6: TH1F in a subdirectory, and sub/deeper/bus3_sdd7: TH1D two levels down
  - events: TTree with flat numeric branches sdd (int32), adc (uint16), time (float64),
    energy (float32), flag (int8), big (int64), 60 entries in two baskets
"""
import json
import os
import sys

import numpy as np
import uproot
from uproot.writing import identify

OUT = "Tests/SDDCoreTests/Fixtures/root"
COMPRESSIONS = {
    "none": None,
    "zlib": uproot.ZLIB(1),
    "lz4": uproot.LZ4(1),
    "zstd": uproot.ZSTD(1),
}


def th1(dtype, name, title, contents_with_flow, edges=None, lo=None, hi=None):
    """A TH1 of the given content dtype; contents include underflow (first) and overflow (last)."""
    data = np.asarray(contents_with_flow, dtype=dtype)
    nbins = len(data) - 2
    if edges is not None:
        axis = identify.to_TAxis("xaxis", "", nbins, float(edges[0]), float(edges[-1]),
                                 fXbins=np.asarray(edges, dtype=">f8"))
        centers = 0.5 * (np.asarray(edges[1:]) + np.asarray(edges[:-1]))
    else:
        axis = identify.to_TAxis("xaxis", "", nbins, float(lo), float(hi))
        w = (hi - lo) / nbins
        centers = lo + (np.arange(nbins) + 0.5) * w
    inner = data[1:-1].astype(np.float64)
    entries = float(data.astype(np.float64).sum())
    return identify.to_TH1x(name, title, data, entries, float(inner.sum()), float((inner ** 2).sum()),
                            float((inner * centers).sum()), float((inner * centers ** 2).sum()),
                            data.astype(np.float64) ** 2, axis)


def fixture_objects():
    rng = np.random.default_rng(20261203)
    h = {}
    flow = np.concatenate([[7], rng.poisson(50, 64), [3]])
    h["bus1_sdd1"] = th1(">f4", "bus1_sdd1", "SDD 1 of bus 1; ADC; counts", flow, lo=-0.5, hi=63.5)
    h["bus1_sdd2"] = th1(">f8", "bus1_sdd2", "variable bins", [0.25, 1.5, 2.75, 1e-3, 12345.678, -2.5, 9.0],
                         edges=[0.0, 1.0, 2.5, 5.0, 10.0, 20.0])
    h["bus1_sdd3"] = th1(">i4", "bus1_sdd3", "integers", np.concatenate([[0], rng.poisson(1000, 40), [2_000_000_000]]),
                         lo=100.0, hi=140.0)
    h["bus1_sdd4"] = th1(">i2", "bus1_sdd4", "shorts", [1, 32767, -32768, 0, 5, 6, 7, 8, 9, 10], lo=0.0, hi=8.0)
    h["bus1_sdd5"] = th1(">i1", "bus1_sdd5", "chars é", [1, 127, -128, 0, 5, 6, 7, 8, 9, 10], lo=0.0, hi=8.0)
    h["sub/bus2_sdd6"] = th1(">f4", "bus2_sdd6", "in a subdirectory", np.concatenate([[0], np.arange(16) * 1.5, [0]]),
                             lo=0.0, hi=16.0)
    h["sub/deeper/bus3_sdd7"] = th1(">f8", "bus3_sdd7", "two levels down", np.concatenate([[1], np.full(10, 0.1), [2]]),
                                    lo=-1.0, hi=1.0)
    n = 60
    tree = {
        "sdd": rng.integers(0, 48, n).astype(np.int32),
        "adc": rng.integers(0, 65535, n).astype(np.uint16),
        "time": np.sort(rng.uniform(0, 3600, n)).astype(np.float64),
        "energy": rng.normal(8047.0, 80.0, n).astype(np.float32),
        "flag": rng.integers(-128, 127, n).astype(np.int8),
        "big": rng.integers(-(2 ** 62), 2 ** 62, n).astype(np.int64),
    }
    return h, tree


def write_fixture(path, compression):
    hists, tree = fixture_objects()
    with uproot.recreate(path, compression=compression) as f:
        for k, v in hists.items():
            f[k] = v
        # Two extend calls: two baskets per branch, so the reader must follow fBasketSeek/fBasketEntry.
        half = 35
        f.mktree("events", {k: v.dtype for k, v in tree.items()}, title="SDD events")
        f["events"].extend({k: v[:half] for k, v in tree.items()})
        f["events"].extend({k: v[half:] for k, v in tree.items()})


def read_back(path):
    """Everything as uproot reads it: histograms with flow bins and edges, tree branches."""
    out = {"histograms": {}, "trees": {}, "keys": []}
    with uproot.open(path) as f:
        for key, cls in sorted(f.classnames(recursive=True).items()):
            name = key.split(";")[0]
            out["keys"].append({"path": name, "class": cls})
            obj = f[key]
            if cls.startswith("TH1"):
                counts = obj.values(flow=True)
                edges = obj.axis().edges(flow=False)
                out["histograms"][name] = {
                    "class": cls,
                    "name": obj.member("fName"),
                    "title": obj.member("fTitle"),
                    "counts_with_flow": [float(x) for x in counts],
                    "edges": [float(x) for x in edges],
                    "variable": len(obj.member("fXaxis").member("fXbins")) > 0,
                    "entries": float(obj.member("fEntries")),
                }
            elif cls == "TTree":
                out["trees"][name] = {
                    "entries": int(obj.num_entries),
                    "title": obj.title,
                    "branches": {b: branch_values(obj[b].array(library="np")) for b in obj.keys()},
                }
    return out


def branch_values(a):
    """A branch's values as floats, and exactly as integers for integer types (int64 exceeds 2^53)."""
    out = {"type": str(a.dtype), "values": [float(x) for x in a]}
    if a.dtype.kind in "iu":
        out["exact"] = [int(x) for x in a]
    return out


def write_bench(path):
    """384 TH1F of 10^4 bins each, zlib, names bus{b}_sdd{s} as at SIDDHARTA-2 (48 buses × 8 SDDs)."""
    rng = np.random.default_rng(384)
    with uproot.recreate(path, compression=uproot.ZLIB(1)) as f:
        for i in range(384):
            counts = np.concatenate([[0], rng.poisson(20.0, 10_000), [0]]).astype(">f4")
            f[f"bus{i // 8 + 1}_sdd{i % 8 + 1}"] = th1(">f4", f"bus{i // 8 + 1}_sdd{i % 8 + 1}", "", counts,
                                                       lo=-0.5, hi=9999.5)
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        write_bench(sys.argv[2])
        return
    os.makedirs(OUT, exist_ok=True)
    expected = {"uproot": uproot.__version__, "files": {}}
    for name, comp in COMPRESSIONS.items():
        path = os.path.join(OUT, f"fixture-{name}.root")
        write_fixture(path, comp)
        expected["files"][os.path.basename(path)] = read_back(path)
        print(f"wrote {path}: {os.path.getsize(path)} bytes")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, sort_keys=True, separators=(",", ":"))


if __name__ == "__main__":
    main()
