#!/usr/bin/env python3
"""An independent numpy reference for `gantk eval` (test/Driver/eval.test).

Usage:
  eval_reference.py make DIR
      writes the test's .npy inputs into DIR.
  eval_reference.py check METRIC [gantk eval's options] < OUTPUT
      reads gantk eval's output, finds METRIC's line (am-ssim, mmd, modes or
      fd), recomputes it here from the same files and options, and prints
      "ok METRIC" when every number agrees to 1e-9 relative (counts
      exactly); otherwise prints both and exits 1.

Written apart from runtime/src/Eval.cpp, and differently:
  * SSIM: tf.image.ssim's 2-D window (a softmax over -(u^2 + v^2) / (2
    sigma^2), not a separable filter), every 4x4 window summed in full at
    every VALID position, TF's arrangement of the terms;
  * MMD^2: whole kernel matrices, the diagonal subtracted by its trace;
  * modes: every point against every centre, the nearest by argmin;
  * Frechet: Tr (C1 C2)^(1/2) from the eigenvalues of the non-symmetric
    product C1 C2 (np.linalg.eigvals), cross-checked against the symmetric
    route through eigh.
Needs only numpy (Debian's python3-numpy).
"""

import math
import os
import re
import sys

import numpy as np

RTOL = 1e-9
MEDIAN_ROWS = 2048  # the first rows of each set the median heuristic uses


def make(out):
    rng = np.random.default_rng(20240611)
    os.makedirs(out, exist_ok=True)

    def save(name, array):
        np.save(os.path.join(out, name), array)

    # Grey 8x7 images: real as (N, H, W), generated flat as a run writes
    # them. Generated image 1 is real image 2 exactly (its max-SSIM is 1);
    # the others blend real images with noise, so their maxima differ.
    real = rng.random((6, 8, 7))
    gen = np.empty((4, 56))
    gen[0] = (0.6 * real[4] + 0.4 * rng.random((8, 7))).ravel()
    gen[1] = real[2].ravel()
    gen[2] = (0.3 * real[0] + 0.7 * rng.random((8, 7))).ravel()
    gen[3] = rng.random(56)
    save("grey_real.npy", real)
    save("grey_real_flat.npy", real.reshape(6, 56))
    save("grey_gen.npy", gen)

    # RGB 6x6x3: real float32 (widened by both sides), generated float64.
    rgb = rng.random((5, 6, 6, 3)).astype(np.float32)
    rgb_gen = 0.5 * rgb[[1, 3, 4]].astype(np.float64) + 0.5 * rng.random((3, 6, 6, 3))
    save("rgb_real.npy", rgb)
    save("rgb_gen.npy", rgb_gen)

    # Bytes: real uint8 images, generated in data units [0, 255].
    save("byte_real.npy", rng.integers(0, 256, size=(4, 5, 5), dtype=np.uint8))
    save("byte_gen.npy", rng.random((3, 25)) * 255)

    # Points for MMD: two Gaussians apart.
    save("x.npy", rng.normal(size=(40, 3)))
    save("y.npy", rng.normal(size=(30, 3)) * 1.3 + 0.4)
    # More rows than the median heuristic looks at.
    save("big_x.npy", rng.normal(size=(2100, 2)))
    save("big_y.npy", rng.normal(size=(2050, 2)) + 0.2)

    # A 3x3 grid (spacing 1, std 0.05) with two modes left empty, points
    # spread to 4 std so some fall outside 3 std, and a few far away.
    centres = grid_centres(3, 1.0)
    keep = [0, 1, 2, 4, 5, 7, 8]
    pick = rng.choice(keep, size=300)
    pts = centres[pick] + rng.normal(size=(300, 2)) * 0.05 * 1.6
    pts[:5] = rng.uniform(-2, 2, size=(5, 2))
    save("grid_gen.npy", pts)
    ring = ring_centres(5, 2.0)
    save("ring_gen.npy", ring[rng.integers(0, 5, size=200)]
         + rng.normal(size=(200, 2)) * 0.1 * 1.5)

    # Features for the Frechet distance: correlated columns, shifted.
    mix = rng.normal(size=(4, 4))
    save("feat_real.npy", rng.normal(size=(50, 4)) @ mix)
    save("feat_gen.npy", rng.normal(size=(60, 4)) @ (mix * 1.2) + 0.5)

    # Inputs of the error cases.
    save("feat_wide.npy", rng.normal(size=(60, 5)))
    save("feat_one.npy", rng.normal(size=(1, 4)))
    save("feat_3d.npy", rng.normal(size=(5, 2, 2)))
    save("rank1.npy", rng.random(6))
    save("tiny_real.npy", rng.random((3, 3, 3)))
    save("tiny_gen.npy", rng.random((2, 9)))
    save("two_rgb.npy", rng.random((2, 8, 7, 3)))
    save("wide_gen.npy", rng.random((4, 57)))
    save("one_point.npy", rng.normal(size=(1, 3)))
    save("three_col.npy", rng.normal(size=(10, 3)))
    nan = rng.random((3, 56))
    nan[1, 4] = np.nan
    save("nan_gen.npy", nan)
    save("same.npy", np.ones((4, 2)))
    save("huge_gen.npy", rng.random((2, 64, 64)))
    # 150,000 images of 64x64 bytes: 600 MB on the page but a sparse file,
    # enough for am-ssim's filtered maps to exceed 8 GiB.
    with open(os.path.join(out, "huge_real.npy"), "wb") as f:
        header = "{'descr': '|u1', 'fortran_order': False, 'shape': (150000, 64, 64), }"
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little"))
        f.write(header.encode())
        f.seek(150000 * 64 * 64 - 1, 1)
        f.write(b"\0")


def grid_centres(size, spacing):
    c = (size - 1) / 2
    return np.array([[(i - c) * spacing, (j - c) * spacing]
                     for i in range(size) for j in range(size)])


def ring_centres(modes, radius):
    return np.array([[radius * math.cos(2 * math.pi * k / modes),
                      radius * math.sin(2 * math.pi * k / modes)]
                     for k in range(modes)])


# --- SSIM ---------------------------------------------------------------

def tf_window(size=4, sigma=1.5):
    u = np.arange(size) - (size - 1) / 2
    g = -(u[:, None] ** 2 + u[None, :] ** 2) / (2 * sigma ** 2)
    e = np.exp(g)
    return e / e.sum()


def ssim(x, y, L):
    """x, y: (H, W, C) arrays."""
    w = tf_window()
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    h, wd, ch = x.shape
    total = np.zeros(ch)
    count = 0
    for p in range(h - 3):
        for q in range(wd - 3):
            px, py = x[p:p + 4, q:q + 4], y[p:p + 4, q:q + 4]
            mx = np.einsum("ab,abc->c", w, px)
            my = np.einsum("ab,abc->c", w, py)
            exx = np.einsum("ab,abc->c", w, px * px)
            eyy = np.einsum("ab,abc->c", w, py * py)
            exy = np.einsum("ab,abc->c", w, px * py)
            lum = (2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1)
            cs = (2 * exy - 2 * mx * my + c2) / (exx + eyy - mx ** 2 - my ** 2 + c2)
            total += lum * cs
            count += 1
    return float(np.mean(total / count))


# --- the other measures ---------------------------------------------------

def kernel(a, b, sigma):
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-d2 / (2 * sigma ** 2))


def median_distance(a, b):
    z = np.concatenate([a[:MEDIAN_ROWS], b[:MEDIAN_ROWS]])
    d2 = np.zeros((len(z), len(z)))
    for k in range(z.shape[1]):
        d2 += (z[:, None, k] - z[None, :, k]) ** 2
    return float(np.median(np.sqrt(d2[np.triu_indices(len(z), 1)])))


def mmd2(x, y, sigma):
    m, n = len(x), len(y)
    kxx, kyy = kernel(x, x, sigma), kernel(y, y, sigma)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kernel(x, y, sigma).sum() / (m * n))


def frechet(a, b):
    mu = a.mean(axis=0) - b.mean(axis=0)
    ca = np.atleast_2d(np.cov(a, rowvar=False))
    cb = np.atleast_2d(np.cov(b, rowvar=False))
    ev = np.linalg.eigvals(ca @ cb)
    root = np.sqrt(np.clip(ev.real, 0, None)).sum()
    # The symmetric route must agree, or the reference itself is off.
    va, wa = np.linalg.eigh(ca)
    half = (wa * np.sqrt(np.clip(va, 0, None))) @ wa.T
    sym = np.sqrt(np.clip(np.linalg.eigvalsh(half @ cb @ half), 0, None)).sum()
    assert abs(sym - root) <= 1e-10 * max(1.0, root), (sym, root)
    return float(mu @ mu + np.trace(ca) + np.trace(cb) - 2 * root)


def coverage(points, centres, std, radius):
    d = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    nearest = d.argmin(axis=1)
    inside = d[np.arange(len(points)), nearest] <= radius * std
    counts = np.bincount(nearest[inside], minlength=len(centres))
    return int((counts > 0).sum()), counts.tolist(), int(inside.sum())


# --- check ----------------------------------------------------------------

def options(argv):
    opts = {}
    i = 0
    while i < len(argv):
        key, _, value = argv[i].partition("=")
        if not value:
            i += 1
            value = argv[i]
        opts[key.lstrip("-")] = value
        i += 1
    return opts


def close(name, got, want, failures):
    if not abs(got - want) <= RTOL * abs(want) + 1e-15:
        failures.append("%s: gantk %r, reference %r" % (name, got, want))


def images(path, shape):
    a = np.load(path)
    h, w, c = shape
    return a.astype(np.float64).reshape(len(a), h, w, c), a.dtype


def check(metric, opts, output):
    prefix = {"am-ssim": "am-ssim ", "mmd": "mmd2 ", "modes": "modes ", "fd": "fd "}[metric]
    lines = [l for l in output.splitlines() if l.startswith(prefix)]
    if len(lines) != 1:
        sys.exit("expected one line starting with %r in:\n%s" % (prefix, output))
    line = lines[0]
    failures = []
    limit = int(opts.get("real-limit", 1 << 62))
    if metric == "am-ssim":
        m = re.match(r"am-ssim (\S+) ± (\S+) \((\d+) generated vs (\d+)(?: of \d+)? "
                     r"real images (\d+)x(\d+)x(\d+);", line)
        shape = tuple(int(v) for v in m.group(5, 6, 7))
        if "image" in opts:
            want_shape = tuple(int(v) for v in (opts["image"] + "x1").split("x")[:3])
            assert want_shape == shape, (want_shape, shape)
        gen, _ = images(opts["samples"], shape)
        real, dtype = images(opts["real"], shape)
        real = real[:limit]
        L = float(opts.get("max-val", 255 if dtype == np.uint8 else 1))
        maxima = np.array([max(ssim(g, r, L) for r in real) for g in gen])
        close("mean", float(m.group(1)), float(maxima.mean()), failures)
        close("std", float(m.group(2)), float(maxima.std()), failures)
        if (int(m.group(3)), int(m.group(4))) != (len(gen), len(real)):
            failures.append("counts: " + line)
    elif metric == "mmd":
        m = re.match(r"mmd2 (\S+) \(gaussian kernel, sigma (\S+) (given|by the "
                     r"median heuristic)", line)
        x = np.load(opts["samples"]).astype(np.float64)
        y = np.load(opts["real"]).astype(np.float64)[:limit]
        x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
        sigma = float(opts["sigma"]) if "sigma" in opts else median_distance(x, y)
        close("sigma", float(m.group(2)), sigma, failures)
        close("mmd2", float(m.group(1)), mmd2(x, y, sigma), failures)
    elif metric == "modes":
        m = re.match(r"modes (\d+)/(\d+) covered, (\d+)/(\d+) within (\S+) std "
                     r"of a mode \(.*\); points per mode: (.*)$", line)
        kind, _, rest = opts["mixture"].partition(":")
        size, spread, std = rest.split(",")
        centres = (grid_centres(int(size), float(spread)) if kind == "grid"
                   else ring_centres(int(size), float(spread)))
        points = np.load(opts["samples"]).astype(np.float64)
        radius = float(opts.get("radius", 3))
        covered, counts, inside = coverage(points, centres, float(std), radius)
        if len(counts) > 64:  # summarised as min, median, max
            counts = "min %d, median %g, max %d" % (
                min(counts), np.median(counts), max(counts))
            per_mode = m.group(6)
        else:
            per_mode = [int(v) for v in m.group(6).split()]
        got = (int(m.group(1)), int(m.group(2)), int(m.group(3)),
               int(m.group(4)), per_mode)
        want = (covered, len(centres), inside, len(points), counts)
        if got != want:
            failures.append("gantk %r, reference %r" % (got, want))
    else:
        m = re.match(r"fd (\S+) \(features you supplied: (\d+) dims", line)
        a_path, b_path = opts["features"].split(",")
        a = np.load(a_path).astype(np.float64)
        b = np.load(b_path).astype(np.float64)
        close("fd", float(m.group(1)), frechet(a, b), failures)
        if int(m.group(2)) != a.shape[1]:
            failures.append("dims: " + line)
    if failures:
        print("MISMATCH " + metric + "\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok " + metric)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2], options(sys.argv[3:]), sys.stdin.read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
