#!/usr/bin/env python3
"""Writes the binary and Latin-1 spectrum fixtures of Tests/SDDCoreTests/Fixtures/spectra.

The text fixtures there are written by hand after the format descriptions in
shared/reference/physics.md; this script makes the ones that need exact bytes: NumPy arrays in
every dtype, header version and memory order the reader accepts, and the Amptek file whose
DPP STATUS block carries a Latin-1 degree sign (byte 0xB0, not valid UTF-8).
Run from the repository root: python3 scripts/make_spectrum_fixtures.py
"""
import os
import numpy as np

OUT = "Tests/SDDCoreTests/Fixtures/spectra"


def grid(rows, cols):
    """counts[r, c] = 10*r + c: every value tells its own row and channel."""
    return (10 * np.arange(rows)[:, None] + np.arange(cols)[None, :])


def save(name, arr, version=(1, 0)):
    with open(os.path.join(OUT, name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    save("one-f8-v1.npy", np.array([0.0, 1.5, 2.0, 40.25, 7.0], dtype="<f8"))
    save("cells-u2-v1.npy", grid(3, 6).astype("<u2"))
    save("cells-i4-v2.npy", grid(3, 6).astype("<i4"), version=(2, 0))
    save("cells-f4-v3.npy", grid(3, 6).astype("<f4"), version=(3, 0))
    save("cells-i8-v1.npy", grid(3, 6).astype("<i8"))
    save("cells-u4-v1.npy", grid(3, 6).astype("<u4"))
    save("cells-i2-v1.npy", grid(3, 6).astype("<i2"))
    save("cells-u1-v1.npy", grid(3, 6).astype("|u1"))
    save("cells-f8-fortran.npy", np.asfortranarray(grid(3, 6).astype("<f8")))
    save("cells-f8-big.npy", grid(3, 6).astype(">f8"))
    save("negative-i4.npy", np.array([[1, 2, 3], [4, -5, 6]], dtype="<i4"))
    save("three-d.npy", np.zeros((2, 2, 2), dtype="<f8"))

    # Amptek PMCA file: CRLF line ends, keV calibration, two ROIs, DP5 configuration, DPP status
    # with "°C" in Latin-1. 64 channels of a peak on a flat background.
    counts = [3 + int(round(500 * np.exp(-0.5 * ((c - 40) / 2.5) ** 2))) for c in range(64)]
    lines = [
        "<<PMCA SPECTRUM>>",
        "TAG - live_data",
        "DESCRIPTION - Fe-55 source, SDD cell 4",
        "GAIN - 2",
        "THRESHOLD - 0",
        "LIVE_MODE - 0",
        "PRESET_TIME - 600",
        "LIVE_TIME - 598.125",
        "REAL_TIME - 600.000",
        "START_TIME - 11/27/2026 14:03:11",
        "SERIAL_NUMBER - 31337",
        "<<CALIBRATION>>",
        "LABEL - keV",
        "10 1.5",
        "40 5.899",
        "60 8.8",
        "<<ROI>>",
        "35 45",
        "55 62",
        "<<DATA>>",
        *[str(c) for c in counts],
        "<<END>>",
        "<<DP5 CONFIGURATION>>",
        "RESC=Y;    Reset Configuration",
        "MCAC=64;    MCA/MCS Channels",
        "TPEA=4.000;    Peaking Time",
        "GAIN=50.000;    Total Gain (Analog * Fine)",
        "HVSE=-130;    HV Set",
        "TECS=220;    Cooler Temperature Target",
        "PURE=ON;    PUR Interval On/Off",
        "<<DP5 CONFIGURATION END>>",
        "<<DPP STATUS>>",
        "Device Type: DP5",
        "Serial Number: 31337",
        "Fast Count: 61234",
        "Slow Count: 60321",
        "Dead Time: 0.9%",
        "Accumulation Time: 598.125",
        "Detector Temp: 220K",
        "Board Temp: 31\u00b0C",
        "TEC Temp: 220K",
        "<<DPP STATUS END>>",
    ]
    with open(os.path.join(OUT, "fe55-cell4.mca"), "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("latin-1"))


if __name__ == "__main__":
    main()
