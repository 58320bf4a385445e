#!/usr/bin/env python3
"""Independent reader for sddcal's binary event file (docs/binary-format.md), for cross-checks.

Usage: check_binary_events.py EVENTS.bin [EVENTS.csv]
Verifies the header, size and both checksums (version 2: XXH64 with the xxhash package;
version 1: CRC-32 with zlib), and, given the CSV the file was converted from, that every
(sdd, adc, time) matches exactly. Prints the event count. Needs numpy and xxhash (pip install xxhash).
"""
import csv
import sys
import zlib

import numpy as np


def read_bin(path):
    b = open(path, "rb").read()
    assert b[:8] == b"SDDCALEV", "bad magic"
    version = int.from_bytes(b[8:12], "little")
    assert version in (1, 2), "bad version"
    n = int.from_bytes(b[16:24], "little")
    t0 = 64 + 4 * n + 4 * (n % 2)
    assert len(b) == t0 + 8 * n, "size"
    if version == 1:
        assert zlib.crc32(b[:40]) == int.from_bytes(b[40:44], "little"), "header checksum"
        assert zlib.crc32(b[64:]) == int.from_bytes(b[36:40], "little"), "payload checksum"
    else:
        import xxhash
        assert xxhash.xxh64(b[:48]).intdigest() == int.from_bytes(b[48:56], "little"), "header checksum"
        assert xxhash.xxh64(b[64:]).intdigest() == int.from_bytes(b[40:48], "little"), "payload checksum"
    cell = np.frombuffer(b, "<u2", n, 64)
    adc = np.frombuffer(b, "<u2", n, 64 + 2 * n)
    time = np.frombuffer(b, "<f8", n, t0)
    cells = np.unique(cell)
    assert int.from_bytes(b[24:28], "little") == len(cells), "distinct cells"
    assert int.from_bytes(b[28:32], "little") == (int(cells[-1]) + 1 if n else 0), "cell bound"
    return cell, adc, time


def main():
    cell, adc, time = read_bin(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == len(cell), "event count differs from the CSV"
        for i, r in enumerate(rows):
            if (int(r["sdd"]), int(r["adc"]), float(r["time"])) != (cell[i], adc[i], time[i]):
                raise SystemExit(f"event {i} differs: csv {r} bin {(cell[i], adc[i], time[i])}")
    print(len(cell))


if __name__ == "__main__":
    main()
