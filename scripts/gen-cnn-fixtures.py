#!/usr/bin/env python3
"""Generate the convolutional (GA-CNTK) reference fixtures under test/fixtures/cnn/.

NOT run by CI. Independent references for gantk's convolutional kernels:
  a) Neural Tangents' closed-form NTK/NNGP (stax, NTK parameterisation,
     NHWC) for a few CNN architectures: <arch>.inputs.npy (N, H, W, C),
     <arch>.ntk.npy, <arch>.nngp.npy (N x N) and a matching spec <arch>.gantk.
     Every one is also recomputed by a plain-numpy implementation of
     NTK_SPEC.md's rules (window operator A, SAME/VALID/CIRCULAR padding,
     per-position Sigma, flatten = mean over positions) and must agree with
     NT to ~1e-15.
  b) GA-NTK loss and dL/dZ with a conv discriminator, by JAX autodiff through
     NT's kernel_fn and jax.scipy.linalg.expm (no eigendecomposition), checked
     against central finite differences: ganntk_cnn.{real,fake}.npy and per
     case <case>.{gantk,loss.txt,grad.npy}.
  c) The empirical NTK (J J^T over all parameters) of a wide finite CNN
     written directly in JAX (XLA's SAME padding, im2col GEMM checked equal to
     lax.conv_general_dilated), averaged over seeds:
     cnn_small.empirical_ntk.npy (plus NT's cnn_small.{ntk,nngp}.npy).
  d) A few log-only convention checks (SAME split, CIRCULAR wrap, AvgPool
     normalisation), with negative controls showing that they discriminate.

Usage (from the repository root):
    .venv-fixtures/bin/python scripts/gen-cnn-fixtures.py [--out test/fixtures/cnn]
        [--only NAME,...] [--skip-empirical]
NAME is a kernel architecture (see ARCHS), cnn_small, ganntk_cnn or
conventions. A full run (no --only, no --skip-empirical) rewrites
generated-with.txt; a partial run appends its log as a new block. Every
fixture's inputs come from its own seed (derived from SEED and its name), so
--only reproduces exactly what a full run writes.

All inputs are dyadic rationals (k/16 in [-1, 1] for the kernel inputs, k/64 in
[0, 1] for the GA-NTK data), so every input Gram entry and every first-layer
patch dot product is exact in binary64 whatever the summation order.
"""

import argparse
import math
import os
import sys
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402
from jax import lax  # noqa: E402
import numpy as np  # noqa: E402
import neural_tangents as nt  # noqa: E402,F401
from neural_tangents import stax  # noqa: E402

SEED = 20240612
T0 = time.time()

# --------------------------------------------------------------------------
# Layers:
#   ('conv', filters, (kh, kw), (sh, sw) | None, padding | None, w_std, b_std)
#        stride None / padding None: omitted in the .gantk (defaults [1, 1],
#        valid); NT gets the same defaults.
#   ('avg_pool', (kh, kw), (sh, sw), padding)     (first layer(s) only)
#   ('flatten',)
#   ('dense', w_std, b_std) | ('relu',) | ('leaky_relu', alpha) | ('abs',)
#   ('erf', a, b, c) | ('gelu',) | ('sin', a, b, c)
# --------------------------------------------------------------------------
PW = math.sqrt(1.4615)  # the paper's sigma_w, sigma_b
PB = math.sqrt(0.1)


def conv(f, k, s, pad, w, b):
    return ("conv", f, (k, k), None if s is None else (s, s), pad, w, b)


ARCHS = {  # name -> (input shape (N, H, W, C), layers)
    "cnn_mnist": ((6, 28, 28, 1), [
        conv(64, 4, 2, "same", PW, PB), ("relu",),
        conv(128, 4, 2, "same", PW, PB), ("relu",), ("flatten",),
        ("dense", PW, PB), ("relu",), ("dense", PW, PB)]),
    "cnn_cifar": ((5, 32, 32, 3), [
        conv(64, 4, 2, "same", PW, PB), ("relu",),
        conv(128, 4, 2, "same", PW, PB), ("relu",),
        conv(256, 4, 2, "same", PW, PB), ("relu",), ("flatten",),
        ("dense", PW, PB)]),
    "cnn_celeba": ((4, 64, 64, 3), [
        conv(64, 4, 2, "same", PW, PB), ("relu",),
        conv(128, 4, 2, "same", PW, PB), ("relu",),
        conv(256, 4, 2, "same", PW, PB), ("relu",),
        conv(512, 4, 2, "same", PW, PB), ("relu",), ("flatten",),
        ("dense", PW, PB)]),
    "cnn_same7": ((6, 7, 7, 2), [
        conv(32, 4, 2, "same", 1.3, 0.2), ("relu",),
        conv(32, 3, 1, "same", 1.1, 0.1), ("erf", 1.0, 1.0, 0.0), ("flatten",),
        ("dense", 1.0, 0.05)]),
    "cnn_valid": ((6, 9, 8, 3), [
        # stride and padding omitted: exercises the defaults [1, 1] / valid.
        conv(32, 3, None, None, 1.2, 0.1), ("relu",),
        conv(32, 2, 2, "valid", 1.4, 0.2), ("abs",), ("flatten",),
        ("dense", 1.1, 0.1), ("relu",), ("dense", 1.0, 0.0)]),
    "cnn_circular": ((6, 8, 8, 1), [
        conv(32, 3, 1, "circular", 1.5, 0.1), ("relu",),
        conv(32, 4, 2, "circular", 1.2, 0.2), ("gelu",), ("flatten",),
        ("dense", 1.0, 0.05)]),
    "cnn_dense_spatial": ((6, 6, 6, 2), [
        conv(32, 3, 1, "same", 1.3, 0.1), ("relu",),
        ("dense", 1.2, 0.2), ("leaky_relu", 0.1), ("flatten",),
        ("dense", 1.0, 0.0)]),
    "cnn_pool": ((5, 8, 8, 3), [
        ("avg_pool", (2, 2), (2, 2), "valid"),
        conv(32, 3, 1, "same", 1.4, 0.1), ("relu",), ("flatten",),
        ("dense", 1.0, 0.05)]),
    # (c): also has an empirical NTK of a wide finite CNN.
    "cnn_small": ((6, 6, 6, 1), [
        conv(64, 3, 1, "same", 1.4, 0.1), ("relu",),
        conv(64, 3, 2, "same", 1.3, 0.1), ("relu",), ("flatten",),
        ("dense", 1.0, 0.05)]),
}
KERNEL_ARCHS = [a for a in ARCHS if a != "cnn_small"]

EMPIRICAL = {"cnn_small": (2048, 8)}  # arch -> (channels, number of seeds)

GANNTK_LAYERS = [
    conv(64, 3, 2, "same", 1.3, 0.2), ("relu",),
    conv(64, 3, 1, "valid", 1.2, 0.1), ("relu",), ("flatten",),
    ("dense", 1.1, 0.1)]
GANNTK_SHAPE = (4, 8, 8, 1)  # n = m = 4
GANNTK_LAM = 1.75  # raw; lambda_max(K) = 4.214, so lambda * lambda_max = 7.37 (asserted in [5, 10])
GANNTK_CASES = {"ganntk_cnn_squared": "squared", "ganntk_cnn_xent": "cross_entropy"}


def rng_for(name):
    """Each fixture's own generator: independent of run order and --only."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


# --------------------------------------------------------------------------
# Neural Tangents
# --------------------------------------------------------------------------
def nt_stack(layers, normalize_edges=False):
    out = []
    n_dense = sum(1 for l in layers if l[0] == "dense")
    seen = 0
    for l in layers:
        kind = l[0]
        if kind == "conv":
            _, f, k, s, pad, w, b = l
            kw = {}
            if s is not None:
                kw["strides"] = s
            if pad is not None:
                kw["padding"] = pad.upper()
            out.append(stax.Conv(f, k, W_std=w, b_std=b, **kw))
        elif kind == "avg_pool":
            # NT's default normalize_edges=False: divide by the window size
            # everywhere (padded cells count as zeros).
            out.append(stax.AvgPool(l[1], l[2], l[3].upper(),
                                    normalize_edges=normalize_edges))
        elif kind == "flatten":
            out.append(stax.Flatten())
        elif kind == "dense":
            seen += 1
            out.append(stax.Dense(1 if seen == n_dense else 512, W_std=l[1], b_std=l[2]))
        elif kind == "relu":
            out.append(stax.Relu())
        elif kind == "leaky_relu":
            out.append(stax.LeakyRelu(l[1]))
        elif kind == "abs":
            out.append(stax.Abs())
        elif kind == "erf":
            out.append(stax.Erf(a=l[1], b=l[2], c=l[3]))
        elif kind == "gelu":
            out.append(stax.Gelu(approximate=False))
        elif kind == "sin":
            out.append(stax.Sin(a=l[1], b=l[2], c=l[3]))
        else:
            raise ValueError(kind)
    return stax.serial(*out)


# --------------------------------------------------------------------------
# .gantk specs
# --------------------------------------------------------------------------
def fmt(x):
    """Shortest decimal that round-trips to the same double."""
    r = repr(float(x))
    return r[:-2] if r.endswith(".0") else r


def pair(t):
    return f"[{t[0]}, {t[1]}]"


def dsl_layers(layers):
    lines = []
    for l in layers:
        kind = l[0]
        if kind == "conv":
            _, f, k, s, pad, w, b = l
            args = [str(f), f"kernel: {pair(k)}"]
            if s is not None:
                args.append(f"stride: {pair(s)}")
            if pad is not None:
                args.append(f"padding: {pad}")
            args += [f"w_std: {fmt(w)}", f"b_std: {fmt(b)}"]
            lines.append(f"  conv({', '.join(args)})")
        elif kind == "avg_pool":
            lines.append(f"  avg_pool(window: {pair(l[1])}, stride: {pair(l[2])}, "
                         f"padding: {l[3]})")
        elif kind == "flatten":
            lines.append("  flatten")
        elif kind == "dense":
            lines.append(f"  dense(w_std: {fmt(l[1])}, b_std: {fmt(l[2])})")
        elif kind in ("relu", "abs", "gelu"):
            lines.append(f"  {kind}")
        elif kind == "leaky_relu":
            lines.append(f"  leaky_relu(alpha: {fmt(l[1])})")
        elif kind in ("erf", "sin"):
            lines.append(f"  {kind}(a: {fmt(l[1])}, b: {fmt(l[2])}, c: {fmt(l[3])})")
        else:
            raise ValueError(kind)
    return "\n".join(lines)


def write_spec(path, title, real_npy, n, layers, objective=None):
    parts = [f"# {title}", "# Generated by scripts/gen-cnn-fixtures.py; do not edit by hand.",
             "data {", f'  real = npy("{real_npy}")', f"  n = {n}", "  scale = none", "}",
             "discriminator {", dsl_layers(layers), "}"]
    if objective is not None:
        lam, loss, eig_reg = objective
        parts += ["objective {", f"  lambda = {fmt(lam)}", f"  loss = {loss}",
                  f"  eig_reg = {fmt(eig_reg)}", "}"]
    parts += ["train {", "  precision = f64", "}"]
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def describe(layers):
    out = []
    for l in layers:
        kind = l[0]
        if kind == "conv":
            _, f, k, s, pad, w, b = l
            s = s or (1, 1)
            out.append(f"conv {k[0]}x{k[1]}/{s[0]} {(pad or 'valid').upper()} "
                       f"({fmt(w)}, {fmt(b)})")
        elif kind == "avg_pool":
            out.append(f"avg_pool {l[1][0]}x{l[1][1]}/{l[2][0]} {l[3].upper()}")
        elif kind == "dense":
            out.append(f"dense({fmt(l[1])}, {fmt(l[2])})")
        elif len(l) > 1:
            out.append(f"{kind}({', '.join(fmt(a) for a in l[1:])})")
        else:
            out.append(kind)
    return " -> ".join(out)


# --------------------------------------------------------------------------
# NTK_SPEC.md's rules, literally, in numpy
# --------------------------------------------------------------------------
def pad_amounts(n, k, s, padding, flip=False):
    """(lo, hi) and output size along one axis (NTK_SPEC.md "Convolutions")."""
    if padding == "valid":
        return (0, 0), (n - k) // s + 1
    out = -(-n // s)  # ceil(n / s)
    P = max((out - 1) * s + k - n, 0)
    lo = P // 2
    if flip:  # negative control only: the other split
        lo = P - lo
    return (lo, P - lo), out


def window_op(M, k, s, padding, flip=False):
    """A(M)(h, w) = 1/(kh kw) sum_{a<kh, b<kw} Mpad(s h + a, s w + b) over the
    last two axes. SAME: zeros; CIRCULAR: wrap-pad to SAME size, then VALID."""
    (kh, kw), (sh, sw) = k, s
    H, W = M.shape[-2:]
    ph, oh = pad_amounts(H, kh, sh, padding, flip)
    pw, ow = pad_amounts(W, kw, sw, padding, flip)
    if padding != "valid":
        widths = [(0, 0)] * (M.ndim - 2) + [ph, pw]
        M = np.pad(M, widths, mode="wrap" if padding == "circular" else "constant")
    out = np.zeros(M.shape[:-2] + (oh, ow))
    for a in range(kh):
        for b in range(kw):
            out += M[..., a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]
    return out / (kh * kw)


def gelu_pair(s12, q11, q22):
    """Exact GeLU x * Phi(x) of a centred Gaussian pair (as gen-fixtures.py)."""
    p = (q11 + 1) * (q22 + 1)
    dd = np.sqrt(np.maximum(p - s12 ** 2, 0.0))
    t = np.arctan2(s12, dd)
    s = ((s12 ** 2 + q11 * q22 * dd ** 2) / (p * dd) + s12 * t) / (2 * np.pi) + s12 / 4
    sdot = s12 / (2 * np.pi * dd) * (1 / dd ** 2 + (1 - q11 * q22) / p + 1) \
        + 0.25 + t / (2 * np.pi)
    return s, sdot


def spec_kernel(layers, x, flip_same=False, pool_normalize_edges=False):
    """x: (N, H, W, C). State: sig (N, N, H, W), th (N, N, H, W), v (N, H, W)
    while spatial; (N, N) / (N,) after flatten."""
    N = x.shape[0]
    li = 0
    while li < len(layers) and layers[li][0] == "avg_pool":
        # avg_pool on the input = pool the images first (NTK_SPEC.md).
        _, k, s, pad = layers[li]
        xm = np.moveaxis(x, 3, 1)  # N, C, H, W
        pooled = window_op(xm, k, s, pad)
        if pool_normalize_edges:  # control: divide by the number of real cells
            pooled = pooled / window_op(np.ones_like(xm), k, s, pad)
        x = np.moveaxis(pooled, 1, 3)
        li += 1
    C = x.shape[3]
    sig = np.einsum("ihwc,jhwc->ijhw", x, x) / C
    v = np.einsum("ihwc,ihwc->ihw", x, x) / C
    th = np.zeros_like(sig)
    spatial = True
    diag = np.arange(N)
    for l in layers[li:]:
        kind = l[0]
        if kind == "conv":
            assert spatial
            _, _, k, s, pad, w, b = l
            s = s or (1, 1)
            pad = pad or "valid"
            fl = flip_same and pad in ("same", "circular")
            w2, b2 = w * w, b * b
            sig = w2 * window_op(sig, k, s, pad, fl) + b2
            v = w2 * window_op(v, k, s, pad, fl) + b2
            th = w2 * window_op(th, k, s, pad, fl) + sig
        elif kind == "avg_pool":
            raise ValueError("avg_pool only as the first layer(s)")
        elif kind == "flatten":
            assert spatial
            sig = sig.mean(axis=(2, 3))
            th = th.mean(axis=(2, 3))
            v = v.mean(axis=(1, 2))
            spatial = False
        elif kind == "dense":
            w2, b2 = l[1] ** 2, l[2] ** 2
            sig = w2 * sig + b2
            v = w2 * v + b2
            th = sig + w2 * th
        else:
            v1, v2 = v[:, None], v[None, :]
            if kind in ("relu", "leaky_relu", "abs"):
                a, bb = {"relu": (0.0, 1.0), "abs": (-1.0, 1.0)}.get(kind, (l[-1], 1.0))
                q12 = sig
                sq = np.sqrt(np.maximum(v1 * v2 - q12 ** 2, 0.0))
                sq[diag, diag] = 0.0  # i = j: exactly zero
                theta = np.arctan2(sq, q12)
                f = (a - bb) ** 2 / (2 * np.pi)
                sdot = (a * a + bb * bb) / 2 - f * theta
                sig = f * sq + sdot * q12
                th = sdot * th
                v = (a * a + bb * bb) / 2 * v
            elif kind == "erf":
                a, b, c = l[1], l[2], l[3]
                sig, v, th = b * b * sig, b * b * v, b * b * th
                v1, v2 = v[:, None], v[None, :]
                D = np.sqrt(np.maximum((1 + 2 * v1) * (1 + 2 * v2) - 4 * sig ** 2, 0.0))
                th = a * a * th * (4 / np.pi) / D
                sig = a * a * (2 / np.pi) * np.arctan2(2 * sig, D) + c * c
                v = a * a * (2 / np.pi) * np.arctan2(
                    2 * v, np.sqrt((1 + 2 * v) ** 2 - 4 * v ** 2)) + c * c
            elif kind == "gelu":
                s_new, sdot = gelu_pair(sig, v1, v2)
                th = th * sdot
                sig = s_new
                v = gelu_pair(v, v, v)[0]
            elif kind == "sin":
                a, b, c = l[1], l[2], l[3]
                qs = (v1 + v2) / 2
                s1 = np.exp(b * b * (-qs + sig))
                s2 = np.exp(b * b * (-qs - sig)) * np.cos(2 * c)
                th = th * (a * a / 2) * b * b * (s1 + s2)
                sig = a * a / 2 * (s1 - s2)
                v = a * a / 2 * (1 - np.exp(-2 * b * b * v) * np.cos(2 * c))
            else:
                raise ValueError(kind)
    assert not spatial, "the network must end in flatten (+ dense)"
    return th, sig


def rel_err(th_s, sig_s, ntk, nngp):
    return max(np.abs(th_s - ntk).max() / np.abs(ntk).max(),
               np.abs(sig_s - nngp).max() / np.abs(nngp).max())


# --------------------------------------------------------------------------
# a) kernel fixtures
# --------------------------------------------------------------------------
def make_images(name, shape):
    """k/16 in [-1, 1]; image N-2 = image 0 (rho = +1), image N-1 = -image 1
    (rho = -1). Products are multiples of 1/256 and patch sums are exact."""
    rng = rng_for(name)
    N = shape[0]
    x = rng.integers(-16, 17, size=shape).astype(np.float64) / 16.0
    x[N - 2] = x[0]
    x[N - 1] = -x[1]
    assert all(x[i].any() for i in range(N))
    return x


def nt_kernel(layers, x, **kw):
    _, _, kernel_fn = nt_stack(layers, **kw)
    k = kernel_fn(x, None, ("ntk", "nngp"))
    return np.asarray(k.ntk, dtype=np.float64), np.asarray(k.nngp, dtype=np.float64)


def gen_kernel(out, arch, log):
    shape, layers = ARCHS[arch]
    x = make_images(arch, shape)
    t = time.time()
    ntk, nngp = nt_kernel(layers, x)
    N = shape[0]
    assert ntk.shape == (N, N) and np.all(np.isfinite(ntk)) and np.all(np.isfinite(nngp))
    np.save(os.path.join(out, f"{arch}.inputs.npy"), x)
    np.save(os.path.join(out, f"{arch}.ntk.npy"), ntk)
    np.save(os.path.join(out, f"{arch}.nngp.npy"), nngp)
    write_spec(os.path.join(out, f"{arch}.gantk"),
               f"Architecture '{arch}' ({'x'.join(map(str, shape[1:]))} images) for the "
               f"NT closed-form CNN kernel fixtures.",
               f"{arch}.inputs.npy", N, layers)
    th_s, sig_s = spec_kernel(layers, x)
    e = rel_err(th_s, sig_s, ntk, nngp)
    log(f"[nt] {arch}: {describe(layers)}")
    log(f"[nt] {arch}: inputs {shape}; NTK_SPEC.md rules (numpy) vs NT: "
        f"max rel error {e:.2e} ({time.time() - t:.1f}s)")
    d, g = N - 2, N - 1
    log(f"[nt] {arch}: ntk max {np.abs(ntk).max():.6g}, nngp max {np.abs(nngp).max():.6g}; "
        f"duplicate pair: NT ntk[0,{d}]-ntk[0,0] = {ntk[0, d] - ntk[0, 0]:.3g}, "
        f"nngp {nngp[0, d] - nngp[0, 0]:.3g}; spec ntk {th_s[0, d] - th_s[0, 0]:.3g}; "
        f"negated pair ntk[1,{g}] = {ntk[1, g]:.6g}")
    if e > 1e-13:
        log(f"[nt] {arch}: *** NT AND NTK_SPEC.md DISAGREE (max rel {e:.3e}) ***")
        raise SystemExit(f"{arch}: NT vs spec {e:.3e}")
    return x, ntk


# --------------------------------------------------------------------------
# d) convention checks (log only) with negative controls
# --------------------------------------------------------------------------
def gen_conventions(log):
    # SAME split lo = floor(P/2) (7 -> 4 with 4x4/2 pads (1, 2)): the fixture
    # cnn_same7 agrees; the other split must not.
    shape, layers = ARCHS["cnn_same7"]
    x = make_images("cnn_same7", shape)
    ntk, nngp = nt_kernel(layers, x)
    e_ok = rel_err(*spec_kernel(layers, x), ntk, nngp)
    e_bad = rel_err(*spec_kernel(layers, x, flip_same=True), ntk, nngp)
    log(f"[conv] SAME split (cnn_same7): spec lo=floor(P/2) vs NT {e_ok:.2e}; "
        f"control lo=ceil(P/2) vs NT {e_bad:.2e}")
    assert e_ok < 1e-13 and e_bad > 1e-4
    print("  lax.padtype_to_pads:", end=" ")
    for n, k, s in [(28, 4, 2), (7, 4, 2), (64, 4, 2), (8, 3, 2), (6, 3, 2), (8, 4, 1)]:
        p = lax.padtype_to_pads((n,), (k,), (s,), "SAME")[0]
        mine = pad_amounts(n, k, s, "same")[0]
        assert tuple(p) == mine, (n, k, s, p, mine)
        print(f"{n}/{k}/{s}->{tuple(p)}", end=" ")
    print()
    log("[conv] lax.padtype_to_pads(SAME) == NTK_SPEC.md (lo = floor(P/2)) for "
        "28/4/2 (1,1), 7/4/2 (1,2), 64/4/2 (1,1), 8/3/2 (0,1), 6/3/2 (0,1), 8/4/1 (1,2)")

    # CIRCULAR with an asymmetric split and stride 2 (where the wrap direction
    # matters even after flatten): 8x8x2, conv 3x3/2 circular (pads (0, 1))
    # -> relu -> conv 2x2/1 circular (pads (0, 1)) -> flatten -> dense.
    layers = [conv(8, 3, 2, "circular", 1.3, 0.1), ("relu",),
              conv(8, 2, 1, "circular", 1.1, 0.2), ("relu",), ("flatten",),
              ("dense", 1.0, 0.05)]
    x = make_images("conventions_circular", (5, 8, 8, 2))
    ntk, nngp = nt_kernel(layers, x)
    e_ok = rel_err(*spec_kernel(layers, x), ntk, nngp)
    e_bad = rel_err(*spec_kernel(layers, x, flip_same=True), ntk, nngp)
    log(f"[conv] CIRCULAR asymmetric ({describe(layers)}, 8x8x2): spec (wrap-pad "
        f"(0,1) then VALID) vs NT {e_ok:.2e}; control wrap-pad (1,0) vs NT {e_bad:.2e}")
    assert e_ok < 1e-13 and e_bad > 1e-4
    # AvgPool as the first layer: NT's default normalize_edges=False divides by
    # the window size (padded cells are zeros) = the spec's rule; SAME with an
    # odd size so that the edge matters: 7x7x3, avg_pool 2x2/2 SAME (pads (0, 1)).
    layers = [("avg_pool", (2, 2), (2, 2), "same"),
              conv(8, 3, 1, "same", 1.4, 0.1), ("relu",), ("flatten",),
              ("dense", 1.0, 0.05)]
    x = make_images("conventions_pool", (5, 7, 7, 3))
    ntk, nngp = nt_kernel(layers, x)
    e_ok = rel_err(*spec_kernel(layers, x), ntk, nngp)
    e_bad = rel_err(*spec_kernel(layers, x, pool_normalize_edges=True), ntk, nngp)
    ntk_ne, nngp_ne = nt_kernel(layers, x, normalize_edges=True)
    e_ne = rel_err(*spec_kernel(layers, x, pool_normalize_edges=True), ntk_ne, nngp_ne)
    log(f"[conv] AvgPool first layer ({describe(layers)}, 7x7x3): NT default "
        f"(normalize_edges=False) vs spec (pool images, zeros, divisor kh*kw) {e_ok:.2e}; "
        f"control: spec dividing by the real cells vs NT default {e_bad:.2e} "
        f"(but vs NT normalize_edges=True {e_ne:.2e})")
    assert e_ok < 1e-13 and e_bad > 1e-4 and e_ne < 1e-13
    # NT under jax.jit: the rho = 1 entries (diagonal, duplicate pair) come out
    # ~1e-9 off (consistent with XLA's fused code rounding nngp[i, i] and
    # cov1[i] differently, so that q11 q22 - q12^2 = +ulp, which the square
    # root turns into ~1e-8): the references must be computed eagerly (they
    # are; eagerly NT equals the spec's rules to ~1e-16).
    shape, layers = ARCHS["cnn_small"]
    x = make_images("cnn_small", shape)
    _, _, kernel_fn = nt_stack(layers)
    eager = np.asarray(kernel_fn(x, None, "ntk"))
    jitted = np.asarray(jax.jit(lambda s: kernel_fn(s, None, "ntk"))(jnp.asarray(x)))
    d = np.abs(jitted - eager) / np.abs(eager).max()
    N = shape[0]
    other = ~np.eye(N, dtype=bool)
    other[0, N - 2] = other[N - 2, 0] = False
    log(f"[conv] NT kernel_fn under jax.jit (cnn_small): max rel difference to eager "
        f"{d.max():.1e} (diagonal {np.diag(d).max():.1e}, duplicate pair "
        f"{d[0, N - 2]:.1e}, other pairs {d[other].max():.1e}); "
        f"all references here are computed eagerly")
    # The first-layer avg_pool acts on the full spatial covariance (it equals
    # pooling the images), not on the per-position diagonal: show the
    # difference between those two readings.
    x = make_images("cnn_pool", ARCHS["cnn_pool"][0])
    xm = np.moveaxis(x, 3, 1)
    sig_diag = window_op(np.einsum("ihwc,jhwc->ijhw", x, x) / 3, (2, 2), (2, 2), "valid")
    p = window_op(xm, (2, 2), (2, 2), "valid")
    sig_pool = np.einsum("ichw,jchw->ijhw", p, p) / 3
    log(f"[conv] (pooling the per-position diagonal instead of the images would "
        f"change cnn_pool's input Sigma by up to "
        f"{np.abs(sig_diag - sig_pool).max() / np.abs(sig_pool).max():.2f} relative)")


# --------------------------------------------------------------------------
# b) GA-NTK loss / gradient by autodiff through NT and expm
# --------------------------------------------------------------------------
def ganntk_loss_fn(kernel_fn, X, loss, lam):
    n = X.shape[0]

    def L(Z):
        m = Z.shape[0]
        S = jnp.concatenate([X, Z], axis=0)
        K = kernel_fn(S, S, "ntk")
        E = jsl.expm(-lam * K)
        if loss == "squared":
            y = jnp.concatenate([jnp.ones(n), jnp.zeros(m)])
            r = (1.0 - y) + E @ y
            return 0.5 * jnp.sum(r * r)
        if loss == "cross_entropy":
            Y = jnp.concatenate([jnp.tile(jnp.array([0.0, 1.0]), (n, 1)),
                                 jnp.tile(jnp.array([1.0, 0.0]), (m, 1))])
            F = Y - E @ Y  # (I - exp(-lam K)) Y
            return jnp.mean(jax.nn.softplus(F[:, 0] - F[:, 1]))
        raise ValueError(loss)

    return L


def spec_loss(layers, X, Z, loss, lam):
    """The same GA-NTK loss from NTK_SPEC.md's rules (numpy) and scipy's expm."""
    import scipy.linalg as sl
    n, m = X.shape[0], Z.shape[0]
    K, _ = spec_kernel(layers, np.concatenate([X, Z]))
    E = sl.expm(-lam * K)
    if loss == "squared":
        y = np.r_[np.ones(n), np.zeros(m)]
        r = (1.0 - y) + E @ y
        return 0.5 * float(r @ r)
    Y = np.r_[np.tile([0.0, 1.0], (n, 1)), np.tile([1.0, 0.0], (m, 1))]
    F = Y - E @ Y
    return float(np.mean(np.logaddexp(0.0, F[:, 0] - F[:, 1])))


def gen_ganntk(out, log):
    rng = rng_for("ganntk_cnn")
    X = rng.integers(0, 65, size=GANNTK_SHAPE).astype(np.float64) / 64.0
    Z = rng.integers(0, 65, size=GANNTK_SHAPE).astype(np.float64) / 64.0
    S = np.concatenate([X, Z])
    layers = GANNTK_LAYERS
    # No off-diagonal pair may have rho = 1 at any position before a relu (a
    # kink: the gradient would not be defined). Pre-activations of conv 1 and
    # conv 2 by the spec's rules:
    N = S.shape[0]
    off = ~np.eye(N, dtype=bool)
    sig = np.einsum("ihwc,jhwc->ijhw", S, S)
    v = np.einsum("ihwc,ihwc->ihw", S, S)
    worst = 0.0
    for li, l in enumerate(layers):
        if l[0] == "conv":
            _, _, k, s, pad, w, b = l
            sig = w * w * window_op(sig, k, s, pad) + b * b
            v = w * w * window_op(v, k, s, pad) + b * b
            rho = sig / np.sqrt(v[:, None] * v[None, :])
            worst = max(worst, rho[off].max())
            sq = np.sqrt(np.maximum(v[:, None] * v[None, :] - sig ** 2, 0))
            sq[np.arange(N), np.arange(N)] = 0
            th = np.arctan2(sq, sig)
            sig = (sq + (np.pi - th) * sig) / (2 * np.pi)
            v = v / 2
    assert worst < 1 - 1e-6, worst
    _, _, kernel_fn = nt_stack(layers)
    K = np.asarray(kernel_fn(S, S, "ntk"))
    lmax = np.linalg.eigvalsh(K).max()
    lam = GANNTK_LAM
    log(f"[ganntk] discriminator: {describe(layers)}; X, Z {GANNTK_SHAPE} (k/64 in [0, 1])")
    log(f"[ganntk] lambda = {lam} (raw), lambda_max(K) = {lmax:.6g}, "
        f"lambda*lambda_max = {lam * lmax:.4g}, max off-diagonal pre-activation rho "
        f"{worst:.6f}")
    assert 5 <= lam * lmax <= 10, lam * lmax
    np.save(os.path.join(out, "ganntk_cnn.real.npy"), X)
    np.save(os.path.join(out, "ganntk_cnn.fake.npy"), Z)
    np.save(os.path.join(out, "ganntk_cnn.ntk.npy"), K)
    spots = [(0, 0, 0, 0), (0, 3, 5, 0), (1, 7, 7, 0), (2, 4, 1, 0), (3, 2, 6, 0),
             (3, 6, 3, 0), (1, 0, 4, 0), (2, 7, 0, 0)]
    for case, loss in GANNTK_CASES.items():
        t = time.time()
        # Eager, NOT jax.jit: under jit NT's kernel has ~1e-9 relative noise
        # (see gen_conventions); eagerly it equals the spec's rules to 1e-16.
        L = ganntk_loss_fn(kernel_fn, jnp.asarray(X), loss, lam)
        val, grad = jax.value_and_grad(L)(jnp.asarray(Z))
        val = float(val)
        grad = np.asarray(grad, dtype=np.float64)
        assert grad.shape == GANNTK_SHAPE and np.all(np.isfinite(grad))
        # An independent evaluation of the loss: NTK_SPEC.md's rules (numpy)
        # and scipy.linalg.expm.
        L_spec = lambda Zp: spec_loss(layers, X, Zp, loss, lam)  # noqa: E731
        e_val = abs(L_spec(Z) - val) / abs(val)
        assert e_val < 1e-13, (case, e_val)
        # Central finite differences of both losses vs the autodiff gradient.
        h = 1e-4
        fd_err = fd_err_spec = 0.0
        for idx in spots:
            e = np.zeros_like(Z)
            e[idx] = h
            fd = (float(L(jnp.asarray(Z + e))) - float(L(jnp.asarray(Z - e)))) / (2 * h)
            fd_err = max(fd_err, abs(fd - grad[idx]) / np.abs(grad).max())
            fd = (L_spec(Z + e) - L_spec(Z - e)) / (2 * h)
            fd_err_spec = max(fd_err_spec, abs(fd - grad[idx]) / np.abs(grad).max())
        assert fd_err < 1e-7 and fd_err_spec < 1e-7, (case, fd_err, fd_err_spec)
        with open(os.path.join(out, f"{case}.loss.txt"), "w") as f:
            f.write(repr(val) + "\n")
        np.save(os.path.join(out, f"{case}.grad.npy"), grad)
        write_spec(os.path.join(out, f"{case}.gantk"),
                   f"GA-NTK {loss} loss (eig_reg 0) on a conv discriminator (8x8x1 "
                   f"images); fake rows come from ganntk_cnn.fake.npy.",
                   "ganntk_cnn.real.npy", GANNTK_SHAPE[0], layers,
                   objective=(lam, loss, 0.0))
        log(f"[ganntk] {case}: loss {val!r} (spec rules + scipy expm: rel diff "
            f"{e_val:.1e}), |grad|max {np.abs(grad).max():.6g}; central finite "
            f"differences (h={h:g}, {len(spots)} entries) vs autodiff, max error relative "
            f"to |grad|max: NT loss {fd_err:.2e}, spec loss {fd_err_spec:.2e} "
            f"({time.time() - t:.1f}s)")


# --------------------------------------------------------------------------
# c) empirical NTK of a wide finite CNN (own JAX code, not NT)
# --------------------------------------------------------------------------
def finite_init(key, layers, C_in, width, n_pos):
    params = []
    n_dense = sum(1 for l in layers if l[0] == "dense")
    seen = 0
    spatial_fan = None
    c = C_in
    for l in layers:
        key, k1, k2 = jax.random.split(key, 3)
        if l[0] == "conv":
            kh, kw = l[2]
            params.append((jax.random.normal(k1, (kh, kw, c, width), jnp.float64),
                           jax.random.normal(k2, (width,), jnp.float64)))
            c = width
        elif l[0] == "flatten":
            spatial_fan = c * n_pos
        elif l[0] == "dense":
            seen += 1
            fan_in = spatial_fan if spatial_fan is not None else c
            fan_out = 1 if seen == n_dense else width
            params.append((jax.random.normal(k1, (fan_in, fan_out), jnp.float64),
                           jax.random.normal(k2, (fan_out,), jnp.float64)))
            spatial_fan, c = None, fan_out
    return params


def conv_im2col(h, W, strides, padding):
    """The same convolution as lax.conv_general_dilated(h, W, strides, padding,
    ('NHWC', 'HWIO', 'NHWC')): XLA's own padding (lax.padtype_to_pads, the
    split NT uses), then a GEMM over im2col patches. XLA's float64 conv on CPU
    is ~30x slower than this; gen_empirical checks that the two agree."""
    kh, kw, cin, cout = W.shape
    pads = lax.padtype_to_pads(h.shape[1:3], (kh, kw), strides, padding)
    hp = jnp.pad(h, ((0, 0), tuple(pads[0]), tuple(pads[1]), (0, 0)))
    sh, sw = strides
    oh = (hp.shape[1] - kh) // sh + 1
    ow = (hp.shape[2] - kw) // sw + 1
    patches = jnp.stack([hp[:, a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw, :]
                         for a in range(kh) for b in range(kw)], axis=3)
    return patches.reshape(h.shape[0], oh, ow, kh * kw * cin) @ W.reshape(kh * kw * cin, cout)


def conv_lax(h, W, strides, padding):
    return lax.conv_general_dilated(h, W, strides, padding,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"))


def finite_apply(params, layers, x, conv_fn=conv_im2col):
    """NTK parameterisation: conv z = w_std/sqrt(C_in kh kw) conv(x, W) + b_std b
    (XLA's 'SAME' padding, as NT's apply_fn uses), dense likewise with fan_in."""
    h = x
    i = 0
    for l in layers:
        kind = l[0]
        if kind == "conv":
            W, b = params[i]
            i += 1
            _, _, (kh, kw), s, pad, w_std, b_std = l
            fan_in = W.shape[2] * kh * kw
            h = w_std / jnp.sqrt(fan_in) * conv_fn(
                h, W, s or (1, 1), (pad or "valid").upper()) + b_std * b
        elif kind == "flatten":
            h = h.reshape(h.shape[0], -1)
        elif kind == "dense":
            W, b = params[i]
            i += 1
            h = l[1] / jnp.sqrt(W.shape[0]) * (h @ W) + l[2] * b
        elif kind == "relu":
            h = jnp.maximum(h, 0.0)
        else:
            raise ValueError(kind)
    return h[:, 0]


def flatten_positions(layers, shape):
    H, W = shape[1:3]
    for l in layers:
        if l[0] == "conv":
            H = pad_amounts(H, l[2][0], (l[3] or (1, 1))[0], l[4] or "valid")[1]
            W = pad_amounts(W, l[2][1], (l[3] or (1, 1))[1], l[4] or "valid")[1]
        if l[0] == "flatten":
            return H * W
    raise ValueError("no flatten")


def gen_empirical(out, arch, x, ntk, log):
    width, seeds = EMPIRICAL[arch]
    layers = ARCHS[arch][1]
    N = x.shape[0]
    n_pos = flatten_positions(layers, x.shape)
    xj = jnp.asarray(x)

    def make_ntk_of(width, conv_fn):
        @jax.jit
        def ntk_of(key):
            params = finite_init(key, layers, x.shape[3], width, n_pos)
            f = lambda p: finite_apply(p, layers, xj, conv_fn)  # noqa: E731
            _, vjp_fn = jax.vjp(f, params)

            def col(e):  # Theta e = J (J^T e): no N x P Jacobian in memory
                g, = vjp_fn(e)
                return jax.jvp(f, (params,), (g,))[1]

            return jnp.stack([col(jnp.eye(N)[k]) for k in range(N)], axis=1)
        return ntk_of

    # The im2col convolution is lax.conv_general_dilated: same empirical NTK
    # (one narrow network, same parameters) to rounding.
    key = jax.random.PRNGKey(999)
    a = np.asarray(make_ntk_of(128, conv_im2col)(key))
    b = np.asarray(make_ntk_of(128, conv_lax)(key))
    e_conv = np.abs(a - b).max() / np.abs(b).max()
    log(f"[empirical] {arch}: im2col conv vs lax.conv_general_dilated (128 channels, "
        f"one seed): empirical NTK max rel difference {e_conv:.2e}")
    assert e_conv < 1e-12, e_conv
    ntk_of = make_ntk_of(width, conv_im2col)
    acc = np.zeros_like(ntk)
    rels = []
    for s in range(seeds):
        t = time.time()
        th = np.asarray(ntk_of(jax.random.PRNGKey(1000 + s)))
        acc += th
        rels.append(np.linalg.norm(th - ntk) / np.linalg.norm(ntk))
        print(f"  [empirical] seed {s}: single-seed distance {rels[-1]:.4%}, running mean "
              f"{np.linalg.norm(acc / (s + 1) - ntk) / np.linalg.norm(ntk):.4%} "
              f"({time.time() - t:.1f}s)", flush=True)
    emp = acc / seeds
    emp = (emp + emp.T) / 2  # J J^T is symmetric up to rounding
    np.save(os.path.join(out, f"{arch}.empirical_ntk.npy"), emp)
    rel = np.linalg.norm(emp - ntk) / np.linalg.norm(ntk)
    log(f"[empirical] {arch}: finite CNN ({describe(layers)}), {width} channels, "
        f"{seeds} seeds: relative Frobenius distance to NT = {rel:.4%} (single seeds "
        f"{min(rels):.2%}..{max(rels):.2%})")
    assert rel < 0.03, rel


# --------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    names = list(ARCHS) + ["ganntk_cnn", "conventions"]
    ap.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures", "cnn"))
    ap.add_argument("--skip-empirical", action="store_true",
                    help="skip the wide finite CNN's empirical NTK (the slow part)")
    ap.add_argument("--only", metavar="NAME,...",
                    help=f"generate only these ({', '.join(names)}); appends its log "
                         "to generated-with.txt")
    args = ap.parse_args()
    only = None
    if args.only is not None:
        only = [a for a in args.only.split(",") if a]
        bad = [a for a in only if a not in names]
        if bad or not only:
            ap.error(f"--only: unknown name(s) {bad} (known: {', '.join(names)})")
    want = lambda name: only is None or name in only  # noqa: E731
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)
    lines = []

    def log(s):
        print(f"[{time.time() - T0:6.1f}s] {s}", flush=True)
        lines.append(s)

    for arch in ARCHS:
        if want(arch):
            x, ntk = gen_kernel(out, arch, log)
            if arch in EMPIRICAL and not args.skip_empirical:
                gen_empirical(out, arch, x, ntk, log)
    if want("conventions"):
        gen_conventions(log)
    if want("ganntk_cnn"):
        gen_ganntk(out, log)

    import importlib.metadata as md
    vers = ", ".join(f"{p}=={md.version(p)}" for p in
                     ("jax", "jaxlib", "neural-tangents", "numpy", "scipy"))
    opts = []
    if only is not None:
        opts.append(f"--only {','.join(only)}")
    if args.skip_empirical:
        opts.append("--skip-empirical")
    run = f"seed {SEED}" + "".join(", " + o for o in opts)
    head = (f"# Output of scripts/gen-cnn-fixtures.py ({run}); "
            f"python {sys.version.split()[0]}; {vers}; {time.time() - T0:.0f}s\n")
    with open(os.path.join(out, "generated-with.txt"), "a" if opts else "w") as f:
        f.write(head)
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
