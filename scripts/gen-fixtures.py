#!/usr/bin/env python3
"""Generate the reference fixtures under test/fixtures/ (NOT run by CI).

Independent references for gantk's numerics:
  a) Neural Tangents' closed-form NTK/NNGP (stax, NTK parameterisation) for a
     few dense architectures: <arch>.inputs.npy, <arch>.ntk.npy,
     <arch>.nngp.npy and a matching spec <arch>.gantk.
  b) The empirical NTK (J J^T over all parameters) of wide finite networks,
     averaged over seeds, for relu1 and erf: <arch>.empirical_ntk.npy.
     Independent of NT's closed forms; agrees to ~1% (finite-width noise).
  c) GA-NTK loss and dL/dZ by JAX autodiff through NT's kernel and
     jax.scipy.linalg.expm (no eigendecomposition: independent of gantk's
     eigh / Daleckii-Krein path): ganntk.real.npy, ganntk.fake.npy and per
     case <case>.loss.txt, <case>.grad.npy, <case>.gantk.

Usage (from the repository root):
    python3 -m venv .venv-fixtures
    .venv-fixtures/bin/pip install -r scripts/fixtures-requirements.txt
    .venv-fixtures/bin/python scripts/gen-fixtures.py [--out test/fixtures]
    .venv-fixtures/bin/python scripts/gen-fixtures.py --only gelu,sin
(--only ARCH,...: write only those architectures' kernel fixtures (a); no
empirical NTKs, no GA-NTK cases; a block is appended to generated-with.txt.
The inputs are the same as a full run's: every architecture's inputs are
still drawn, in order, from the one generator.)

All inputs are dyadic rationals (k/16 or k/64) so that every input Gram entry
is exact in floating point whatever the summation order: pairs with rho = +-1
(identical / negated rows, and the diagonal) then have q11*q22 - q12^2 == 0
exactly in any implementation, instead of ~1e-16 noise that arccos/sqrt
amplify to ~1e-8 (which would make a 1e-10 comparison meaningless).
"""

import argparse
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402
import numpy as np  # noqa: E402
import neural_tangents as nt  # noqa: E402
from neural_tangents import stax  # noqa: E402

SEED = 20240611

# --------------------------------------------------------------------------
# Architectures: ('dense', w_std, b_std) | ('relu',) | ('leaky_relu', alpha)
#                | ('abs',) | ('erf', a, b, c) | ('gelu',) | ('sin', a, b, c)
# New architectures go at the END: the kernel inputs are drawn from one
# generator in this order, so appending keeps every earlier fixture's inputs.
# --------------------------------------------------------------------------
FNTK_W = math.sqrt(1.4615)
FNTK_B = math.sqrt(0.1)

ARCHS = {
    "relu1": [("dense", 1.5, 0.2), ("relu",), ("dense", 1.5, 0.2)],
    "fntk": [("dense", FNTK_W, FNTK_B), ("relu",)] * 3 + [("dense", FNTK_W, FNTK_B)],
    "leaky": [("dense", 1.3, 0.1), ("leaky_relu", 0.2), ("dense", 1.3, 0.1),
              ("abs",), ("dense", 1.0, 0.0)],
    "erf": [("dense", 1.2, 0.3), ("erf", 1.0, 1.0, 0.0), ("dense", 1.1, 0.1),
            ("erf", 0.7, 1.3, 0.2), ("dense", 1.0, 0.05)],
    "gelu": [("dense", 1.4, 0.1), ("gelu",), ("dense", 1.2, 0.2), ("gelu",),
             ("dense", 1.0, 0.05)],
    "sin": [("dense", 1.1, 0.2), ("sin", 1.0, 1.0, 0.0), ("dense", 1.3, 0.1),
            ("sin", 0.8, 1.5, 0.3), ("dense", 1.0, 0.05)],
    # 41 layers that all differ: gantk runs such a chain as a loop over the
    # layers (more than 32), which this fixture checks. ABReLU and dense
    # rules keep the diagonal exact (sq = 0 when q12 = q11 = q22), so depth
    # does not amplify rounding; a relu after erf or gelu would (their
    # variance and pair formulas round differently, and √(q11 q22 − q12²)
    # turns one ulp into 1e-8).
    "deep": [layer
             for i in range(20)
             for layer in (("dense", 1.0 + 0.02 * i, 0.1),
                           [("relu",), ("leaky_relu", 0.1), ("abs",)][i % 3])]
            + [("dense", 1.0, 0.05)],
}

EMPIRICAL = {  # arch -> (width, number of seeds)
    "relu1": (8192, 8),
    "erf": (4096, 6),
}


def nt_stack(layers):
    out = []
    n = len(layers)
    for i, l in enumerate(layers):
        kind = l[0]
        if kind == "dense":
            # out_dim is irrelevant to the infinite-width kernel.
            out.append(stax.Dense(1 if i == n - 1 else 512, W_std=l[1], b_std=l[2]))
        elif kind == "relu":
            out.append(stax.Relu())
        elif kind == "leaky_relu":
            out.append(stax.LeakyRelu(l[1]))
        elif kind == "abs":
            out.append(stax.Abs())
        elif kind == "erf":
            out.append(stax.Erf(a=l[1], b=l[2], c=l[3]))
        elif kind == "gelu":
            out.append(stax.Gelu(approximate=False))  # exact: x * Phi(x)
        elif kind == "sin":
            out.append(stax.Sin(a=l[1], b=l[2], c=l[3]))  # a * sin(b x + c)
        else:
            raise ValueError(kind)
    return stax.serial(*out)


def fmt(x):
    """Shortest decimal that round-trips to the same double."""
    r = repr(float(x))
    return r[:-2] if r.endswith(".0") else r


def dsl_layers(layers):
    lines = []
    for l in layers:
        kind = l[0]
        if kind == "dense":
            lines.append(f"  dense(w_std: {fmt(l[1])}, b_std: {fmt(l[2])})")
        elif kind == "relu":
            lines.append("  relu")
        elif kind == "leaky_relu":
            lines.append(f"  leaky_relu(alpha: {fmt(l[1])})")
        elif kind == "abs":
            lines.append("  abs")
        elif kind == "erf":
            lines.append(f"  erf(a: {fmt(l[1])}, b: {fmt(l[2])}, c: {fmt(l[3])})")
        elif kind == "gelu":
            lines.append("  gelu")
        elif kind == "sin":
            lines.append(f"  sin(a: {fmt(l[1])}, b: {fmt(l[2])}, c: {fmt(l[3])})")
        else:
            raise ValueError(kind)
    return "\n".join(lines)


def write_spec(path, title, real_npy, layers, objective=None):
    parts = [f"# {title}", "# Generated by scripts/gen-fixtures.py; do not edit by hand.",
             "data {", f'  real = npy("{real_npy}")', "  n = 6", "  scale = none", "}",
             "discriminator {", dsl_layers(layers), "}"]
    if objective is not None:
        lam, loss, eig_reg = objective
        parts += ["objective {", f"  lambda = {fmt(lam)}", f"  loss = {loss}",
                  f"  eig_reg = {fmt(eig_reg)}", "}"]
    parts += ["train {", "  precision = f64", "}"]
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


# --------------------------------------------------------------------------
# a) NT closed-form kernels
# --------------------------------------------------------------------------
def make_inputs(rng, n=12, d=5):
    # Dyadic entries k/16, |k| <= 24: products are multiples of 1/256 and
    # sums of five of them are exact in binary64.
    x = rng.integers(-24, 25, size=(n, d)).astype(np.float64) / 16.0
    for i in range(n):  # no zero rows (a zero row has v = sigma_b^2 only; fine,
        while not x[i].any():  # but keep the test about angles)
            x[i] = rng.integers(-24, 25, size=d) / 16.0
    x[7] = x[2]      # rho = +1 off the diagonal
    x[9] = -x[4]     # rho = -1
    return x


def spec_kernel(layers, x):
    """NTK_SPEC.md's rules, literally, in numpy (a sanity check that the
    written spec reproduces NT to ~1e-15 on these inputs)."""
    d = x.shape[1]
    sig = np.einsum("ik,jk->ij", x, x) / d
    v = np.einsum("ik,ik->i", x, x) / d
    th = np.zeros_like(sig)
    for l in layers:
        kind = l[0]
        if kind == "dense":
            w2, b2 = l[1] ** 2, l[2] ** 2
            sig = w2 * sig + b2
            v = w2 * v + b2
            th = sig + w2 * th
        elif kind in ("relu", "leaky_relu", "abs"):
            a, b = {"relu": (0.0, 1.0), "abs": (-1.0, 1.0)}.get(kind, (l[-1], 1.0))
            q12 = sig
            sq = np.sqrt(np.maximum(np.outer(v, v) - q12 ** 2, 0.0))
            np.fill_diagonal(sq, 0.0)
            theta = np.arctan2(sq, q12)
            f = (a - b) ** 2 / (2 * np.pi)
            sdot = (a * a + b * b) / 2 - f * theta
            sig = f * sq + sdot * q12
            th = sdot * th
            v = (a * a + b * b) / 2 * v
        elif kind == "erf":
            a, b, c = l[1], l[2], l[3]
            sig, v, th = b * b * sig, b * b * v, b * b * th
            D = np.sqrt(np.maximum(np.outer(1 + 2 * v, 1 + 2 * v) - 4 * sig ** 2, 0.0))
            th = a * a * th * (4 / np.pi) / D
            sig = a * a * (2 / np.pi) * np.arctan2(2 * sig, D) + c * c
            v = a * a * (2 / np.pi) * np.arctan2(2 * v, np.sqrt((1 + 2 * v) ** 2 - 4 * v ** 2)) + c * c
        elif kind == "gelu":
            # Exact GeLU x * Phi(x) of a centred Gaussian pair (q11, q22, s12)
            # (gelu and sin: the closed forms the gantk layers are to implement).
            def gelu_pair(s12, q11, q22):
                p = (q11 + 1) * (q22 + 1)
                dd = np.sqrt(np.maximum(p - s12 ** 2, 0.0))
                t = np.arctan2(s12, dd)
                s = ((s12 ** 2 + q11 * q22 * dd ** 2) / (p * dd) + s12 * t) / (2 * np.pi) + s12 / 4
                sdot = s12 / (2 * np.pi * dd) * (1 / dd ** 2 + (1 - q11 * q22) / p + 1) \
                    + 0.25 + t / (2 * np.pi)
                return s, sdot
            s_new, sdot = gelu_pair(sig, v[:, None], v[None, :])
            th = th * sdot
            sig = s_new
            v = gelu_pair(v, v, v)[0]
        elif kind == "sin":
            a, b, c = l[1], l[2], l[3]
            qs = (v[:, None] + v[None, :]) / 2
            s1 = np.exp(b * b * (-qs + sig))
            s2 = np.exp(b * b * (-qs - sig)) * np.cos(2 * c)
            th = th * (a * a / 2) * b * b * (s1 + s2)
            sig = a * a / 2 * (s1 - s2)
            v = a * a / 2 * (1 - np.exp(-2 * b * b * v) * np.cos(2 * c))
        else:
            raise ValueError(kind)
    return th, sig


def gen_nt(out, rng, log, only=None):
    inputs = {}
    for arch, layers in ARCHS.items():
        x = make_inputs(rng)  # drawn even when skipped: keeps later inputs fixed
        if only is not None and arch not in only:
            continue
        _, _, kernel_fn = nt_stack(layers)
        k = kernel_fn(x, None, ("ntk", "nngp"))
        ntk = np.asarray(k.ntk, dtype=np.float64)
        nngp = np.asarray(k.nngp, dtype=np.float64)
        assert ntk.shape == (12, 12) and np.all(np.isfinite(ntk))
        np.save(os.path.join(out, f"{arch}.inputs.npy"), x)
        np.save(os.path.join(out, f"{arch}.ntk.npy"), ntk)
        np.save(os.path.join(out, f"{arch}.nngp.npy"), nngp)
        write_spec(os.path.join(out, f"{arch}.gantk"),
                   f"Architecture '{arch}' for the NT closed-form kernel fixtures.",
                   f"{arch}.inputs.npy", layers)
        inputs[arch] = (x, ntk)
        th_s, sig_s = spec_kernel(layers, x)
        e_spec = max(np.abs(th_s - ntk).max() / np.abs(ntk).max(),
                     np.abs(sig_s - nngp).max() / np.abs(nngp).max())
        assert e_spec < 1e-13, (arch, e_spec)
        log(f"[nt] {arch}: NTK_SPEC.md rules (numpy) vs NT: max rel error {e_spec:.2e}")
        log(f"[nt] {arch}: ntk max {np.abs(ntk).max():.6g}, "
            f"nngp max {np.abs(nngp).max():.6g}, "
            f"ntk[2,7]-ntk[2,2] = {ntk[2, 7] - ntk[2, 2]:.3g}")
    return inputs


# --------------------------------------------------------------------------
# b) empirical NTK of a wide finite network (own JAX code, not NT)
# --------------------------------------------------------------------------
def finite_init(key, layers, d, width):
    params = []
    fan_in = d
    n_dense = sum(1 for l in layers if l[0] == "dense")
    seen = 0
    for l in layers:
        if l[0] != "dense":
            continue
        seen += 1
        fan_out = 1 if seen == n_dense else width
        key, k1, k2 = jax.random.split(key, 3)
        params.append((jax.random.normal(k1, (fan_in, fan_out), jnp.float64),
                       jax.random.normal(k2, (fan_out,), jnp.float64)))
        fan_in = fan_out
    return params


def finite_apply(params, layers, x):
    """NTK parameterisation: z = w_std/sqrt(fan_in) * x W + b_std * b."""
    h = x
    i = 0
    for l in layers:
        kind = l[0]
        if kind == "dense":
            W, b = params[i]
            i += 1
            h = l[1] / jnp.sqrt(W.shape[0]) * (h @ W) + l[2] * b
        elif kind == "relu":
            h = jnp.maximum(h, 0.0)
        elif kind == "leaky_relu":
            h = jnp.where(h > 0, h, l[1] * h)
        elif kind == "abs":
            h = jnp.abs(h)
        elif kind == "erf":
            h = l[1] * jax.scipy.special.erf(l[2] * h) + l[3]
        elif kind == "gelu":
            h = jax.nn.gelu(h, approximate=False)
        elif kind == "sin":
            h = l[1] * jnp.sin(l[2] * h + l[3])
        else:
            raise ValueError(kind)
    return h[:, 0]


def empirical_ntk(layers, x, width, seed):
    params = finite_init(jax.random.PRNGKey(seed), layers, x.shape[1], width)
    jac = jax.jacrev(lambda p: finite_apply(p, layers, x))(params)
    theta = jnp.zeros((x.shape[0], x.shape[0]), jnp.float64)
    for leaf in jax.tree_util.tree_leaves(jac):
        j = leaf.reshape(x.shape[0], -1)
        theta = theta + j @ j.T
    return np.asarray(theta)


def gen_empirical(out, nt_inputs, log):
    errs = {}
    for arch, (width, seeds) in EMPIRICAL.items():
        x, ntk = nt_inputs[arch]
        acc = np.zeros_like(ntk)
        for s in range(seeds):
            acc += empirical_ntk(ARCHS[arch], x, width, 1000 + s)
        emp = acc / seeds
        np.save(os.path.join(out, f"{arch}.empirical_ntk.npy"), emp)
        rel = np.linalg.norm(emp - ntk) / np.linalg.norm(ntk)
        errs[arch] = rel
        assert rel < 0.02, (arch, rel)  # the e2e tests allow 3%
        log(f"[empirical] {arch}: width {width}, {seeds} seeds: "
            f"relative Frobenius difference to NT = {rel:.4%}")
    return errs


# --------------------------------------------------------------------------
# c) GA-NTK loss / gradient (DESIGN.md section 1) by autodiff through expm
# --------------------------------------------------------------------------
GANNTK_CASES = {  # case -> (loss, eig_reg)
    "ganntk_squared": ("squared", 0.0),
    "ganntk_xent": ("cross_entropy", 0.0),
    "ganntk_squared_eigreg": ("squared", 1e-5),
}
LAM = 0.7


def ganntk_loss_fn(kernel_fn, X, loss, eig_reg, lam):
    n = X.shape[0]

    def L(Z):
        m = Z.shape[0]
        S = jnp.concatenate([X, Z], axis=0)
        N = n + m
        K = kernel_fn(S, S, "ntk")
        if eig_reg:
            K = K + eig_reg * (jnp.trace(K) / N) * jnp.eye(N)
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


def gen_ganntk(out, rng, log):
    n, m, d = 6, 6, 3
    # k/64 in [0, 1]: exact Gram entries (see module docstring).
    X = rng.integers(0, 65, size=(n, d)).astype(np.float64) / 64.0
    Z = rng.integers(0, 65, size=(m, d)).astype(np.float64) / 64.0
    S = np.concatenate([X, Z])
    # No two rows parallel (rho = 1 off the diagonal is a kink of the kernel:
    # the gradient would not be defined there).
    G = S @ S.T
    nrm = np.sqrt(np.diag(G))
    rho = G / np.outer(nrm, nrm)
    np.fill_diagonal(rho, 0.0)
    assert rho.max() < 1 - 1e-6, rho.max()
    layers = ARCHS["fntk"]
    _, _, kernel_fn = nt_stack(layers)
    K = np.asarray(kernel_fn(S, S, "ntk"))
    lmax = np.linalg.eigvalsh(K).max()
    log(f"[ganntk] lambda_max(K) = {lmax:.6g}, lambda*lambda_max = {LAM * lmax:.4g}")
    np.save(os.path.join(out, "ganntk.real.npy"), X)
    np.save(os.path.join(out, "ganntk.fake.npy"), Z)
    for case, (loss, eig_reg) in GANNTK_CASES.items():
        L = ganntk_loss_fn(kernel_fn, jnp.asarray(X), loss, eig_reg, LAM)
        val, grad = jax.value_and_grad(L)(jnp.asarray(Z))
        val = float(val)
        grad = np.asarray(grad, dtype=np.float64)
        # Central finite-difference spot check of the autodiff gradient.
        h = 1e-6
        fd_err = 0.0
        for (i, j) in [(0, 0), (3, 1), (5, 2)]:
            e = np.zeros_like(Z)
            e[i, j] = h
            fd = (float(L(jnp.asarray(Z + e))) - float(L(jnp.asarray(Z - e)))) / (2 * h)
            fd_err = max(fd_err, abs(fd - grad[i, j]) / np.abs(grad).max())
        assert fd_err < 1e-6, (case, fd_err)
        with open(os.path.join(out, f"{case}.loss.txt"), "w") as f:
            f.write(repr(val) + "\n")
        np.save(os.path.join(out, f"{case}.grad.npy"), grad)
        write_spec(os.path.join(out, f"{case}.gantk"),
                   f"GA-NTK {loss} loss (eig_reg {fmt(eig_reg)}) on the FNTK "
                   f"discriminator; fake rows come from ganntk.fake.npy.",
                   "ganntk.real.npy", layers, objective=(LAM, loss, eig_reg))
        log(f"[ganntk] {case}: loss {val!r}, |grad|max {np.abs(grad).max():.6g}, "
            f"finite-difference check {fd_err:.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures"))
    ap.add_argument("--skip-empirical", action="store_true",
                    help="skip the (slow, ~minutes) wide-network empirical NTKs")
    ap.add_argument("--only", metavar="ARCH,...",
                    help="write only these architectures' kernel fixtures "
                         f"({', '.join(ARCHS)}); no empirical NTKs, no GA-NTK "
                         "cases; appends its log to generated-with.txt")
    args = ap.parse_args()
    only = None
    if args.only is not None:
        only = [a for a in args.only.split(",") if a]
        bad = [a for a in only if a not in ARCHS]
        if bad or not only:
            ap.error(f"--only: unknown architecture(s) {bad} (known: {', '.join(ARCHS)})")
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)
    lines = []

    def log(s):
        print(s, flush=True)
        lines.append(s)

    rng = np.random.default_rng(SEED)
    nt_inputs = gen_nt(out, rng, log, only)
    if only is None:
        gen_ganntk(out, np.random.default_rng(SEED + 1), log)
        if not args.skip_empirical:
            gen_empirical(out, nt_inputs, log)

    if only is None and args.skip_empirical:
        return  # keep generated-with.txt from the last full run
    import importlib.metadata as md
    vers = ", ".join(f"{p}=={md.version(p)}" for p in
                     ("jax", "jaxlib", "neural-tangents", "numpy", "scipy"))
    run = f"seed {SEED}" + ("" if only is None else f", --only {','.join(only)}")
    head = (f"# Output of scripts/gen-fixtures.py ({run}); "
            f"python {sys.version.split()[0]}; {vers}\n")
    # --only appends: the earlier blocks still describe the other files.
    with open(os.path.join(out, "generated-with.txt"), "w" if only is None else "a") as f:
        f.write(head)
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
