"""generator.test's checks of GA-NTKg samples (numpy only).

  generator.py close A.npy B.npy TOL     the two agree to TOL (max abs)
  generator.py units A.npy U.npy         A (data units) is one affine map of
                                         U (the training scaling, in (0, 1))
  generator.py LAST S1 S2 S3 S4          the samples' properties (below)
"""
import sys

import numpy as np

if sys.argv[1] == "close":
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    err = np.abs(a - b).max()
    print(f"max |A - B| = {err:.3g}")
    assert a.shape == b.shape and err <= float(sys.argv[4]), err
    sys.exit(0)

if sys.argv[1] == "units":
    a, u = np.load(sys.argv[2]), np.load(sys.argv[3])
    assert np.all((u > 0) & (u < 1)), "a sigmoid output lies in (0, 1)"
    m = np.stack([np.ones(u.size), u.ravel()], axis=1)
    (offset, scale), *_ = np.linalg.lstsq(m, a.ravel(), rcond=None)
    residual = np.abs(m @ np.array([offset, scale]) - a.ravel()).max()
    print(f"data = {offset:.4f} + {scale:.4f} * unit, residual {residual:.1e}")
    assert residual < 1e-12 and scale > 0, (offset, scale, residual)
    # 2x2 Gaussians at +-0.5: the unit box maps to about [-0.65, 0.65].
    assert abs(offset + 0.65) < 0.1 and abs(scale - 1.3) < 0.2, (offset, scale)
    sys.exit(0)

# The data: 2x2 Gaussians at +-0.5 (std 0.05), so a sigmoid output mapped
# back into the data's coordinates lies within about +-0.7.
box = 0.8
last, s1, s2, s3, s4 = (np.load(p) for p in sys.argv[1:6])
assert last.shape == (6, 2), last.shape
assert np.all(np.abs(last) < box), "a sigmoid output lies in the data's box"
assert s1.shape == (40, 2), s1.shape
assert np.all(np.abs(s1) < box), "a sigmoid output lies in the data's box"
# The run directory and its checkpoint file are the same source.
assert np.array_equal(s1, s2), "the directory and the file sample alike"
# Another seed, other latent rows; an earlier θ, other points.
assert np.abs(s1 - s3).max() > 1e-6, "--seed changes the latent rows"
assert np.abs(s1 - s4).max() > 1e-6, "θ after 3 and after 6 steps differ"
# Not collapsed to one point: the rows spread.
assert s1.std(axis=0).min() > 1e-4, s1.std(axis=0)
print("generator samples: ok")
