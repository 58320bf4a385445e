"""The one timing helper of the reference-side scripts (compare.py, bench_cnn_keras.py,
bench_jax_likelihood.py): per-call seconds of a function, after one untimed warm-up call (JAX and
Keras compile on the first call)."""
import time


def quartiles(ts):
    """(median, first quartile, third quartile) of a list of times."""
    ts = sorted(ts)
    return ts[len(ts) // 2], ts[len(ts) // 4], ts[(3 * len(ts)) // 4]


def timed(fn, samples, inner=1):
    """(median, q1, q3) seconds per call over `samples` samples of `inner` calls each, after one warm-up call."""
    fn()
    ts = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t) / inner)
    return quartiles(ts)


def median_time(fn, samples, inner=1):
    """Median seconds per call (see `timed`)."""
    return timed(fn, samples, inner)[0]
