#!/usr/bin/env python3
"""Independent reader for sddcal's binary event file (docs/binary-format.md), for cross-checks.

Usage: check_binary_events.py EVENTS.bin [EVENTS.csv]
Verifies the header, size and checksums (version 4: XXH64 of each payload block against the
table at the end; versions 2 and 3: XXH64 of the whole payload; version 1: CRC-32 with zlib), and, given the CSV the file was converted from, that every
(sdd, adc, time) matches exactly. Prints the event count. Needs numpy; uses the xxhash package
when installed, else the small pure-Python XXH64 below (fine for test-sized files).
"""
import csv
import sys
import zlib

import numpy as np

M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _round(acc, lane):
    return (_rotl((acc + lane * P2) & M64, 31) * P1) & M64


def xxh64_pure(data, seed=0):
    """XXH64 written from the xxHash specification, independent of sddcal's Swift code."""
    n, i = len(data), 0
    word = lambda k: int.from_bytes(data[k:k + 8], "little")
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while i + 32 <= n:
            v = [_round(v[j], word(i + 8 * j)) for j in range(4)]
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M64
        for x in v:
            h = (((h ^ _round(0, x)) * P1) + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, word(i)), 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ (int.from_bytes(data[i:i + 4], "little") * P1 & M64), 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h = (_rotl(h ^ (data[i] * P5 & M64), 11) * P1) & M64
        i += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def xxh64(data):
    try:
        import xxhash
    except ImportError:
        return xxh64_pure(data)
    return xxhash.xxh64(data).intdigest()


def read_bin(path):
    b = open(path, "rb").read()
    assert b[:8] == b"SDDCALEV", "bad magic"
    version = int.from_bytes(b[8:12], "little")
    assert version in (1, 2, 3, 4), "bad version"
    n = int.from_bytes(b[16:24], "little")
    t0 = 64 + 4 * n + 4 * (n % 2)
    end = t0 + 8 * n
    if version == 4:
        # A table of one XXH64 per block of the payload (bytes 64..end) follows the payload.
        block = int.from_bytes(b[36:40], "little")
        count = int.from_bytes(b[40:48], "little")
        assert block >= 4096 and block & (block - 1) == 0 and block <= 1 << 30, "block size"
        assert count == -(-(end - 64) // block), "block count"
        assert len(b) == end + 8 * count, "size"
        for k in range(count):
            lo = 64 + k * block
            stored = int.from_bytes(b[end + 8 * k:end + 8 * k + 8], "little")
            assert xxh64(b[lo:min(lo + block, end)]) == stored, f"block {k} (bytes {lo}..{min(lo + block, end)}) checksum"
    else:
        assert len(b) == end, "size"
    if version == 1:
        assert zlib.crc32(b[:40]) == int.from_bytes(b[40:44], "little"), "header checksum"
        assert zlib.crc32(b[64:]) == int.from_bytes(b[36:40], "little"), "payload checksum"
    else:
        # Versions 3 and 4 also cover the generation id at 56..64.
        covered = b[:48] + (b[56:64] if version >= 3 else b"")
        assert xxh64(covered) == int.from_bytes(b[48:56], "little"), "header checksum"
        if version < 4:
            assert xxh64(b[64:]) == int.from_bytes(b[40:48], "little"), "payload checksum"
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
