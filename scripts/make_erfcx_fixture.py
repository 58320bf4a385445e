#!/usr/bin/env python3
"""Reference values of the scaled complementary error function erfcx(x) = exp(x^2) erfc(x) from
SciPy (scipy.special.erfcx, Faddeeva package), for SDDCoreTests/ErfcxTests.

Points: dense over [-26, 30] (negative arguments up to where erfcx overflows near -26.6, the
direct/continued-fraction cut-over region 8-12 sampled finely), then log-spaced to 1e300.

    python3 scripts/make_erfcx_fixture.py > Tests/SDDCoreTests/Fixtures/special/erfcx.csv
"""
import numpy as np
from scipy.special import erfcx

xs = np.concatenate([
    np.linspace(-26.0, -1.0, 251),
    np.linspace(-1.0, 3.0, 401),
    np.linspace(3.0, 8.0, 251),
    np.linspace(8.0, 12.0, 801),
    np.linspace(12.0, 30.0, 181),
    np.geomspace(30.0, 1e300, 120),
])
xs = np.unique(xs)
print("x,erfcx")
for x in xs:
    print(f"{float(x)!r},{float(erfcx(x))!r}")
