"""test/MPI's checks of independent problems' samples.

  check.py WHOLE.npy M P SINGLE0.npy
    WHOLE (mpirun -n P) has M rows; its first m_0 rows (rank 0's problem,
    m_0 = ceil-split of M over P) are bit for bit SINGLE0 (a run alone of
    the spec with m = m_0); every other rank's rows differ from rank 0's.
"""
import sys

import numpy as np

whole_path, m, p, single_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
whole = np.load(whole_path)
single = np.load(single_path)
assert whole.shape[0] == m, (whole.shape, m)
rows = [m // p + (1 if r < m % p else 0) for r in range(p)]
starts = np.cumsum([0] + rows)
part0 = whole[: rows[0]]
assert single.shape == part0.shape, (single.shape, part0.shape)
assert single.dtype == whole.dtype, (single.dtype, whole.dtype)
assert part0.tobytes() == single.tobytes(), "rank 0's rows differ from the single run"
for r in range(1, p):
    part = whole[starts[r] : starts[r + 1]]
    k = min(len(part), len(part0))
    assert not np.array_equal(part[:k], part0[:k]), f"rank {r}'s rows equal rank 0's"
    assert np.all(np.isfinite(part))
print(f"ok: {m} rows, parts {rows}")
