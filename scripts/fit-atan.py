#!/usr/bin/env python3
"""Fits the f32 atan polynomial of gantk-approximate-math (ApproximateMath.cpp).

atan(t) ≈ t·P(t²) on [0, 1], P of degree 8, for the least maximum relative
error (Lawson's iteratively reweighted least squares on Chebyshev nodes, in
double). Prints the coefficients rounded to float32 (lowest degree first)
and the error of Horner's rule evaluated in float32 on 2·10⁶ points, which
is what the kernels compute.

    /usr/bin/python3 scripts/fit-atan.py      (python3-numpy)
"""
import numpy as np

TERMS = 9  # t, t³, …, t¹⁷


def fit(terms):
    nodes = 4000
    k = np.arange(nodes)
    t = 0.5 + 0.5 * np.cos(np.pi * (k + 0.5) / nodes)
    # Rows scaled by 1/atan(t): the residual is the relative error.
    a = np.stack([t ** (2 * i + 1) for i in range(terms)], 1) / np.arctan(t)[:, None]
    w = np.full(nodes, 1.0 / nodes)
    for _ in range(200):
        s = np.sqrt(w)
        c, *_ = np.linalg.lstsq(a * s[:, None], s, rcond=None)
        w *= np.abs(a @ c - 1)
        w /= w.sum()
    return np.float32(c)


def horner32(c, t):
    t = t.astype(np.float32)
    t2 = t * t
    p = np.full_like(t, c[-1])
    for ci in c[-2::-1]:
        p = p * t2 + ci  # float32 throughout
    return p * t


c = fit(TERMS)
t = np.linspace(0, 1, 2_000_001, dtype=np.float64)[1:]
exact = np.arctan(t.astype(np.float32).astype(np.float64))
got = horner32(c, t).astype(np.float64)
print("coefficients:", ", ".join(f"{x:.9g}" for x in c))
print(f"max relative error {np.max(np.abs(got - exact) / exact):.3g}, "
      f"max absolute error {np.max(np.abs(got - exact)):.3g}")
