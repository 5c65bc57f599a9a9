"""generator.test's checks of GA-NTKg samples (numpy only).

  generator.py close A.npy B.npy TOL     the two agree to TOL (max abs)
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

last, s1, s2, s3, s4 = (np.load(p) for p in sys.argv[1:6])
assert last.shape == (6, 2), last.shape
assert np.all((last > 0) & (last < 1)), "a sigmoid output lies in (0, 1)"
assert s1.shape == (40, 2), s1.shape
assert np.all((s1 > 0) & (s1 < 1)), "a sigmoid output lies in (0, 1)"
# The run directory and its checkpoint file are the same source.
assert np.array_equal(s1, s2), "the directory and the file sample alike"
# Another seed, other latent rows; an earlier θ, other points.
assert np.abs(s1 - s3).max() > 1e-6, "--seed changes the latent rows"
assert np.abs(s1 - s4).max() > 1e-6, "θ after 3 and after 6 steps differ"
# Not collapsed to one point: the rows spread.
assert s1.std(axis=0).min() > 1e-4, s1.std(axis=0)
print("generator samples: ok")
