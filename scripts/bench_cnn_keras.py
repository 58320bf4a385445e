#!/usr/bin/env python3
"""Speed of the paper's CNN in Keras (JAX backend) next to sddcal's Swift implementation.

Builds the same architecture in Keras (1,078,825 parameters), times training steps (Adam + MSE,
mini-batch 256, `train_on_batch`) and inference (a batch of 1024, and a single spectrum), and
runs `sddcal-bench cnn --json` between Keras rounds so both see the same machine load. Prints the
median of each figure over the rounds and the Swift/Keras ratios.

Usage (from the package root, after `swift build -c release --product sddcal-bench`):
    pip install keras jax
    python3 scripts/bench_cnn_keras.py [--rounds 3] [--json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import median_time  # noqa: E402


def build_model(input_length=300, outputs=5, dropout=0.2):
    inp = keras.Input((input_length, 1))
    a = layers.Conv1D(5, 50, activation="relu")(inp)
    a = layers.Conv1D(5, 10, activation="relu")(a)
    a = layers.MaxPooling1D(2)(a)
    a = layers.Flatten()(a)
    b = layers.Conv1D(5, 1)(inp)
    b = layers.Dropout(dropout)(b)
    b = layers.Flatten()(b)
    h = layers.Concatenate()([a, b])
    h = layers.Dense(500, activation="relu")(h)
    h = layers.Dense(50, activation="relu")(h)
    out = layers.Dense(outputs)(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return model


def spectra(n, rng):
    """Peaked, normalised inputs like the network's (five Gaussian lines on a continuum)."""
    x = np.arange(300)[None, :]
    centres = rng.uniform(20, 280, size=(n, 5))
    s = sum(rng.uniform(0.05, 1, size=(n, 1)) * np.exp(-0.5 * ((x - centres[:, k:k + 1]) / 2.5) ** 2) for k in range(5))
    s += 0.02 * rng.random((n, 300))
    s = np.sqrt(s / s.max(axis=1, keepdims=True))
    return s[..., None].astype(np.float32), ((centres - 150) / 75).astype(np.float32)


def keras_round(model, data):
    x256, y256, x1024, x1 = data
    train = median_time(lambda: model.train_on_batch(x256, y256), samples=7, inner=3)
    infer = median_time(lambda: np.asarray(model.predict_on_batch(x1024)), samples=7, inner=2)
    single = median_time(lambda: np.asarray(model.predict_on_batch(x1)), samples=7, inner=20)
    return {"train_spectra_per_s": 256 / train, "infer_batch_ms_per_spectrum": infer / 1024 * 1e3,
            "infer_single_ms": single * 1e3}


def swift_round(bench):
    out = subprocess.run([bench, "cnn", "--json"], check=True, capture_output=True, text=True).stdout
    rows = {r["name"]: r["median_s"] for r in json.loads(out)}
    find = lambda prefix: next(v for k, v in rows.items() if k.startswith(prefix))
    # sddcal's default threading splits the dense products over Dispatch threads; the OpenBLAS-threaded
    # variant is reported too.
    return {"train_spectra_per_s": 256 / find("cnn train step, batch 256, Dense split by Dispatch"),
            "train_spectra_per_s_openblas_threads": 256 / find("cnn train step, batch 256 (per batch)"),
            "infer_batch_ms_per_spectrum": find("cnn inference, batch 1024, Dense split by Dispatch") / 1024 * 1e3,
            "infer_batch_ms_per_spectrum_openblas_threads": find("cnn inference, batch 1024 (per batch)") / 1024 * 1e3,
            "infer_single_ms": find("cnn inference, single spectrum") * 1e3}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bench", default=".build/release/sddcal-bench")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    model = build_model()
    assert model.count_params() == 1_078_825, model.count_params()
    rng = np.random.default_rng(1)
    x256, y256 = spectra(256, rng)
    x1024, _ = spectra(1024, rng)
    data = (x256, y256, x1024, x1024[:1])
    keras_rows, swift_rows = [], []
    for r in range(args.rounds):
        swift_rows.append(swift_round(args.bench))
        keras_rows.append(keras_round(model, data))
        print(f"round {r + 1}: swift {swift_rows[-1]}  keras {keras_rows[-1]}", file=sys.stderr)
    med = lambda rows, k: statistics.median(row[k] for row in rows)
    keys = ["train_spectra_per_s", "infer_batch_ms_per_spectrum", "infer_single_ms"]
    result = {k: {"swift": med(swift_rows, k), "keras_jax": med(keras_rows, k)} for k in keys}
    result["train_spectra_per_s"]["speedup"] = result["train_spectra_per_s"]["swift"] / result["train_spectra_per_s"]["keras_jax"]
    for k in keys[1:]:
        result[k]["speedup"] = result[k]["keras_jax"] / result[k]["swift"]
    for k in ["train_spectra_per_s_openblas_threads", "infer_batch_ms_per_spectrum_openblas_threads"]:
        result[k] = {"swift": med(swift_rows, k)}
    result["rounds"] = args.rounds
    result["keras"] = keras.__version__
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"median of {args.rounds} interleaved rounds (Keras {keras.__version__}, JAX backend)")
        print(f"{'figure':32} {'swift':>12} {'keras+jax':>12} {'speedup':>8}")
        for k in keys:
            print(f"{k:32} {result[k]['swift']:12.4g} {result[k]['keras_jax']:12.4g} {result[k]['speedup']:7.2f}x")
        print("swift with OpenBLAS's own threads instead of the Dispatch split: "
              f"train {result['train_spectra_per_s_openblas_threads']['swift']:.0f} spectra/s, "
              f"inference {result['infer_batch_ms_per_spectrum_openblas_threads']['swift']:.4f} ms/spectrum")


if __name__ == "__main__":
    main()
