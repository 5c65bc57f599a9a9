#!/usr/bin/python3
"""Mode coverage of generated 2-D samples on a gaussian_grid data set.

Usage:
  mode-coverage.py SAMPLES.npy [--size 5] [--spacing 1.0] [--std 0.02]
                   [--n 256] [--seed 0] [--scale unit|none]
                   [--real REAL.npy] [--radius 3] [--min-modes K] [--quiet]

For every mode of the grid it counts the generated points within
`radius` standard deviations (Euclidean distance, in the coordinates the
runtime trains in) of the mode centre, and reports

  * the per-mode counts (a size x size table, row = first coordinate),
  * the number of modes covered (at least one point),
  * the fraction of "high-quality" samples: points within `radius` std of
    some mode.

It exits 1 when fewer than --min-modes modes are covered (default 0: never).

Where the mode centres are (scale = unit).  The runtime
(runtime/src/Data.cpp: loadRealData / sampleMixture / minMaxScale) draws the
n real points as

    centre  = ((i - (size-1)/2) * spacing, (j - (size-1)/2) * spacing)
    point   = centre + std * (N(0,1), N(0,1))       (mode picked uniformly)

and then maps ALL values (both coordinates together) affinely onto [0, 1]
with the min and max of the drawn real values:  v' = (v - min) / (max - min).
The scaled mode centres and the scaled std therefore depend on the extreme
real points of that one draw (about 3 std beyond the outer modes), which
shifts the centres by up to ~1 scaled std compared with an idealised
"[-c - 3std, c + 3std]" guess.  This script does not guess: by default it
re-draws the real data exactly as the runtime does (std::mt19937_64 seeded
with the spec's train seed, libstdc++'s uniform_int_distribution and
normal_distribution (Marsaglia polar method, one value saved), i.e. the same
bit stream) and applies the same min/max.  Pass --n and --seed as in the
spec.  Alternatively pass the real data itself (--real REAL.npy, raw
unscaled n x 2 points) and its min/max is used.  With --scale none the
centres are used unscaled.
"""

import argparse
import math
import sys

import numpy as np

MASK64 = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64 (the C++11 64-bit Mersenne Twister), pure Python."""

    N, M = 312, 156
    A = 0xB5026F5AA96619E9
    UPPER = (~((1 << 31) - 1)) & MASK64
    LOWER = (1 << 31) - 1

    def __init__(self, seed):
        mt = [0] * self.N
        mt[0] = seed & MASK64
        for i in range(1, self.N):
            prev = mt[i - 1]
            mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK64
        self.mt = mt
        self.index = self.N

    def _twist(self):
        mt, n, m = self.mt, self.N, self.M
        for i in range(n):
            x = (mt[i] & self.UPPER) | (mt[(i + 1) % n] & self.LOWER)
            xa = x >> 1
            if x & 1:
                xa ^= self.A
            mt[i] = mt[(i + m) % n] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def uniform_index(rng, count):
    """libstdc++ uniform_int_distribution<size_t>(0, count - 1) on a 64-bit
    engine: Lemire's nearly divisionless method with a 128-bit product."""
    product = rng() * count
    low = product & MASK64
    if low < count:
        threshold = ((1 << 64) - count) % count
        while low < threshold:
            product = rng() * count
            low = product & MASK64
    return product >> 64


def canonical(rng):
    """std::generate_canonical<double, 53> on a 64-bit engine."""
    r = float(rng()) / 18446744073709551616.0
    return r if r < 1.0 else math.nextafter(1.0, 0.0)


class Normal:
    """libstdc++ std::normal_distribution<double>(0, 1): polar method."""

    def __init__(self):
        self.saved = None

    def __call__(self, rng):
        if self.saved is not None:
            value, self.saved = self.saved, None
            return value
        while True:
            x = 2.0 * canonical(rng) - 1.0
            y = 2.0 * canonical(rng) - 1.0
            r2 = x * x + y * y
            if r2 <= 1.0 and r2 != 0.0:
                break
        mult = math.sqrt(-2.0 * math.log(r2) / r2)
        self.saved = x * mult
        return y * mult


def grid_centres(size, spacing):
    c = (size - 1) / 2.0
    return np.array([((i - c) * spacing, (j - c) * spacing)
                     for i in range(size) for j in range(size)])


def runtime_real_data(size, spacing, std, n, seed):
    """The raw (unscaled) real points exactly as Data.cpp draws them."""
    modes = grid_centres(size, spacing)
    rng = MT19937_64(seed)
    normal = Normal()
    out = np.empty((n, 2))
    for i in range(n):
        mx, my = modes[uniform_index(rng, len(modes))]
        nx = normal(rng)
        ny = normal(rng)
        out[i, 0] = mx + std * nx
        out[i, 1] = my + std * ny
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("samples", help="generated points, m x 2 .npy")
    p.add_argument("--size", type=int, default=5)
    p.add_argument("--spacing", type=float, default=1.0)
    p.add_argument("--std", type=float, default=0.02)
    p.add_argument("--n", type=int, default=256, help="real rows (spec's n)")
    p.add_argument("--seed", type=int, default=0, help="spec's train seed")
    p.add_argument("--scale", choices=["unit", "none"], default="unit")
    p.add_argument("--real", help="raw real points (n x 2 .npy) to take "
                   "min/max from instead of re-drawing them")
    p.add_argument("--radius", type=float, default=3.0,
                   help="radius in standard deviations (3)")
    p.add_argument("--min-modes", type=int, default=0)
    p.add_argument("--dump-real", help="write the re-drawn scaled real "
                   "points to this .npy (for checking)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()

    z = np.load(args.samples).astype(np.float64)
    if z.ndim != 2 or z.shape[1] != 2:
        sys.exit("mode-coverage: %s: expected an m x 2 array, got shape %s"
                 % (args.samples, z.shape))

    centres = grid_centres(args.size, args.spacing)
    std = args.std
    if args.scale == "unit":
        if args.real:
            real = np.load(args.real).astype(np.float64)
        else:
            real = runtime_real_data(args.size, args.spacing, args.std,
                                     args.n, args.seed)
        lo, hi = float(real.min()), float(real.max())
        rng_ = hi - lo
        centres = (centres - lo) / rng_
        std = std / rng_
        if args.dump_real:
            np.save(args.dump_real, (real - lo) / rng_)
        affine = "v' = (v - %.6g) / %.6g" % (lo, rng_)
    else:
        affine = "none"

    dist = np.sqrt(((z[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    near = dist <= args.radius * std          # m x modes
    counts = near.sum(0)
    nearest = dist.argmin(1)
    good = dist.min(1) <= args.radius * std
    covered = int((counts > 0).sum())
    modes = len(centres)

    print("scaling: %s; scaled std %.6g; radius %.3g std = %.6g"
          % (affine, std, args.radius, args.radius * std))
    if not args.quiet:
        print("points within %.3g std per mode (rows: first coordinate):"
              % args.radius)
        for i in range(args.size):
            print("  " + " ".join("%4d" % counts[i * args.size + j]
                                  for j in range(args.size)))
    print("modes covered: %d / %d" % (covered, modes))
    print("high-quality samples: %d / %d = %.4f"
          % (int(good.sum()), len(z), good.mean() if len(z) else 0.0))
    if not args.quiet:
        sizes = np.bincount(nearest[good], minlength=modes)
        print("largest / smallest mode share (of high-quality): %d / %d"
              % (sizes.max(), sizes.min()))
    if covered < args.min_modes:
        print("FAIL: %d modes covered, fewer than --min-modes %d"
              % (covered, args.min_modes))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
