#!/usr/bin/env python3
"""Cu Kα likelihood in JAX next to sddcal's Swift implementation, interleaved in one run.

What is timed (CPU, float32 and float64):
  * loss + gradient per event at 1e5, 1e6, 1e7 events, for the paper's eq. 3 ("paper") and for
    sddcal's default loss ("density": line shape x dE/dADC normalised over the window, tail,
    linear background, Ti/Mn anchor prior), both evaluated event by event as a JAX user writes them;
  * the full optimization of 32 cells x 15 batches (vmapped over batches): Adam, 300 iterations
    (the paper's optimizer) and Newton, 10 iterations, on the density loss.
The Swift side is `sddcal-bench refine --json` (release build), run alternately with the JAX
timings for --rounds rounds; the table gives medians over rounds and the ratio JAX / Swift.

Usage: pip install jax; swift build -c release --product sddcal-bench
       python3 scripts/bench_jax_likelihood.py [--rounds 3] [--bench .build/release/sddcal-bench]
Not a runtime dependency of sddcal.
"""
import argparse, json, statistics, subprocess, os, sys

import numpy as np
import jax
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp
from jax.scipy.special import erfc, erfcx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import median_time  # noqa: E402

# Same synthetic Cu Kα window as the Swift suite (SyntheticCuWindow): truth calibration, Cu Kα1/Kα2
# [D] with ratio 0.513 [S], sigma from ENC 13.6 e-, F 0.119, w 3.749 eV; tail 0.035 / 1.4; flat continuum.
P0, P1, P2 = -1880.0, 3.1, 1.5e-6
E1, E2, R21 = 8047.823, 8027.842, 0.513
W1, W2 = 1 / (1 + R21), R21 / (1 + R21)
ECU = W1 * E1 + W2 * E2
FANO, PAIR, ENC = 0.119, 3.749, 13.6
SIG = np.sqrt((ENC * PAIR) ** 2 + FANO * PAIR * ECU)
FT, BETA = 0.035, 1.4
ANCHOR_E = {"TiKa": (4510.899 + 0.508 * 4504.920) / 1.508, "TiKb": 4931.827,
            "MnKa": (5898.801 + 0.510 * 5887.686) / 1.510, "MnKb": 6490.585}


def adc_of(e):
    return (-P1 + np.sqrt(P1 * P1 - 4 * P2 * (P0 - e))) / (2 * P2)


XC = adc_of(ECU)
SPAN = XC - adc_of(ANCHOR_E["TiKa"])
LO, HI = np.ceil(adc_of(7000.0)), np.floor(adc_of(8500.0))
EDGE_LO, EDGE_HI = LO - 0.5, HI + 0.5
ANCHORS = np.array([[(adc_of(e) - XC) / SPAN, e, 0.15 * (P1 + 2 * P2 * adc_of(e))] for e in ANCHOR_E.values()])


def q_true():
    return np.array([P0 + P1 * XC + P2 * XC * XC, SPAN * (P1 + 2 * P2 * XC), SPAN * SPAN * P2])


def sample(n, seed, frac=0.6):
    rng = np.random.default_rng(seed)
    nl = int(n * frac)
    comp = rng.random(nl) < W1
    e = np.where(comp, E1, E2) + SIG * rng.standard_normal(nl)
    tail = rng.random(nl) < FT
    e = e - tail * BETA * SIG * rng.exponential(1.0, nl)
    e = np.concatenate([e, rng.uniform(7000, 8500, n - nl)])
    x = np.rint(adc_of(e))
    return x[(x >= LO) & (x <= HI)]


def energy(q, t):
    return q[0] + q[1] * t + q[2] * t * t


def paper_loss(q, x):
    e = energy(q, (x - XC) / SPAN)
    g = (jnp.exp(-0.5 * ((e - 8047.8) / SIG) ** 2) + jnp.exp(-0.5 * ((e - 8027.8) / SIG) ** 2)) / (np.sqrt(2 * np.pi) * SIG)
    return -jnp.sum(jnp.log(g))


def exp_erfc(a, u):
    # exp(a)·erfc(u) without overflow: exp(a − u²)·erfcx(u) for large u.
    safe = jnp.minimum(u, 5.0)
    return jnp.where(u > 5, jnp.exp(a - u * u) * erfcx(jnp.maximum(u, 5.0)), jnp.exp(a) * erfc(safe))


def shape_density(e):
    s = 0.0
    for mu, w in ((E1, W1), (E2, W2)):
        d = (e - mu) / SIG
        g = (1 - FT) * jnp.exp(-0.5 * d * d) / (np.sqrt(2 * np.pi) * SIG)
        tl = FT / (2 * BETA * SIG) * exp_erfc(d / BETA + 0.5 / BETA ** 2, (d + 1 / BETA) / np.sqrt(2))
        s = s + w * (g + tl)
    return s


def shape_cdf(e):
    s = 0.0
    for mu, w in ((E1, W1), (E2, W2)):
        d = (e - mu) / SIG
        s = s + w * (0.5 * erfc(-d / np.sqrt(2)) + 0.5 * FT * exp_erfc(d / BETA + 0.5 / BETA ** 2, (d + 1 / BETA) / np.sqrt(2)))
    return s


def density_loss(q, x, wgt=None, eta=0.6, slope=0.0):
    t = (x - XC) / SPAN
    e = energy(q, t)
    jac = (q[1] + 2 * q[2] * t) / SPAN
    tlo, thi = (EDGE_LO - XC) / SPAN, (EDGE_HI - XC) / SPAN
    inside = shape_cdf(energy(q, thi)) - shape_cdf(energy(q, tlo))
    width = EDGE_HI - EDGE_LO
    u = (x - 0.5 * (EDGE_LO + EDGE_HI)) * 2 / width
    f = eta * shape_density(e) * jac / inside + (1 - eta) * (1 + slope * u) / width
    lf = jnp.log(f)
    nll = -jnp.sum(lf if wgt is None else lf * wgt)
    a = jnp.asarray(ANCHORS, dtype=x.dtype)
    r = (energy(q, a[:, 0]) - a[:, 1]) / a[:, 2]
    return nll + 0.5 * jnp.sum(r * r)


def jax_per_event(results):
    for exp in (5, 6, 7):
        n = 10 ** exp
        xs = sample(n, exp)
        for dtype, name in ((jnp.float32, "f32"), (jnp.float64, "f64")):
            x = jnp.asarray(xs, dtype=dtype)
            q = jnp.asarray(q_true() + np.array([2, -1, 0.5]), dtype=dtype)
            for lname, lf in (("paper", paper_loss), ("density", density_loss)):
                vg = jax.jit(jax.value_and_grad(lf))
                t = median_time(lambda: jax.block_until_ready(vg(q, x)), 5 if exp == 7 else 15)
                results.setdefault(f"jax {lname} {name} 1e{exp}", []).append(t / len(xs))


def month_batches(nb=480, seed=1):
    """480 batches of the simulated month's size (~250 window events each), padded with zero weights."""
    rng = np.random.default_rng(seed)
    sizes = rng.poisson(250, nb)
    m = sizes.max()
    x = np.full((nb, m), XC)
    w = np.zeros((nb, m))
    for i, s in enumerate(sizes):
        v = sample(int(s / 0.95), 1000 + i)[:s]
        x[i, :len(v)] = v
        w[i, :len(v)] = 1
    return jnp.asarray(x), jnp.asarray(w)


def q_start():
    """The optimizations' start: the true parameters, offset."""
    return q_true() + np.array([2, -1, 0.5])


def newton_optimizer(x, w, iterations=10):
    """Jitted Newton on every batch at once (vmapped over the rows of x, w): q (batches × 3) → q."""
    grad, hess = jax.grad(density_loss), jax.hessian(density_loss)

    @jax.jit
    def newton(q):
        def body(i, q):
            g = jax.vmap(grad)(q, x, w)
            h = jax.vmap(hess)(q, x, w)
            return q - jnp.linalg.solve(h, g[..., None])[..., 0]
        return jax.lax.fori_loop(0, iterations, body, q)
    return newton


def jax_full(results):
    x, w = month_batches()
    q0 = jnp.tile(jnp.asarray(q_start()), (x.shape[0], 1))
    grad = jax.grad(density_loss)

    @jax.jit
    def adam(q):
        def body(i, st):
            q, m, v = st
            g = jax.vmap(grad)(q, x, w)
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            mh = m / (1 - 0.9 ** (i + 1.0))
            vh = v / (1 - 0.999 ** (i + 1.0))
            return q - 0.3 * mh / (jnp.sqrt(vh) + 1e-12), m, v
        return jax.lax.fori_loop(0, 300, body, (q, jnp.zeros_like(q), jnp.zeros_like(q)))[0]

    newton = newton_optimizer(x, w)
    results.setdefault("jax optimize 480 batches adam 300 it", []).append(median_time(lambda: jax.block_until_ready(adam(q0)), 3))
    results.setdefault("jax optimize 480 batches newton 10 it", []).append(median_time(lambda: jax.block_until_ready(newton(q0)), 3))


def swift(bench, results):
    out = subprocess.run([bench, "refine", "--json"], check=True, capture_output=True, text=True).stdout
    for row in json.loads(out):
        name, t = row["name"], row["median_s"]
        for exp in (5, 6, 7):
            if name.endswith(f"1e{exp} events"):
                t /= 10 ** exp
        if "one term per event" in name:
            t /= 1e5
        results.setdefault("swift " + name, []).append(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bench", default=os.path.join(".build", "release", "sddcal-bench"))
    args = ap.parse_args()
    res = {}
    for r in range(args.rounds):
        swift(args.bench, res)
        jax_per_event(res)
        jax_full(res)
        print(f"round {r + 1}/{args.rounds} done", flush=True)
    med = {k: statistics.median(v) for k, v in res.items()}

    def fmt(s):
        return f"{s * 1e9:9.2f} ns" if s < 1e-6 else (f"{s * 1e3:9.2f} ms" if s < 1 else f"{s:9.3f} s ")
    print("\nper event, loss + gradient (median over rounds)")
    print(f"{'events':>7} {'loss':>8} {'swift f64':>12} {'jax f32':>12} {'jax f64':>12} {'f32/swift':>10} {'f64/swift':>10}")
    for exp in (5, 6, 7):
        for l in ("paper", "density"):
            s = med[f"swift loss+grad {l} 1e{exp} events"]
            a, b = med[f"jax {l} f32 1e{exp}"], med[f"jax {l} f64 1e{exp}"]
            print(f"   1e{exp} {l:>8} {fmt(s)} {fmt(a)} {fmt(b)} {a / s:9.1f}x {b / s:9.1f}x")
    print("\nfull optimization, 32 cells x 15 batches")
    for k in sorted(med):
        if "optimize" in k:
            print(f"  {k:<48} {fmt(med[k])}")
    sw = med["swift optimize 32 cells x 15 batches (newton)"]
    for k in sorted(med):
        if k.startswith("jax optimize"):
            print(f"  ratio {k} / swift newton: {med[k] / sw:.1f}x")
    print("\nother Swift rows")
    for k in ("swift loss+grad density evaluation only (counts given)", "swift loss+grad density 1e5 events, one term per event"):
        print(f"  {k:<60} {fmt(med[k])}{' per event' if 'one term' in k else ' per call'}")
    print(json.dumps({k: med[k] for k in sorted(med)}, indent=1))


if __name__ == "__main__":
    main()
