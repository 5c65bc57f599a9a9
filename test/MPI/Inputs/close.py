"""test/MPI's comparisons of one problem split over ranks.

  close.py grad A_LOSS A.npy B_LOSS B.npy BOUND
    the losses and dL/dZ arrays agree to BOUND, relative to the largest |A|
  close.py bytes BENCH_OUTPUT
    every rank's bytes a step equal the model gantk bench prints for it
"""
import re
import sys

import numpy as np

if sys.argv[1] == "grad":
    la, a, lb, b, bound = (float(open(sys.argv[2]).read().split()[1]),
                           np.load(sys.argv[3]),
                           float(open(sys.argv[4]).read().split()[1]),
                           np.load(sys.argv[5]), float(sys.argv[6]))
    assert a.shape == b.shape, (a.shape, b.shape)
    dloss = abs(la - lb) / abs(la)
    dgrad = np.abs(a - b).max() / np.abs(a).max()
    print(f"loss {dloss:.1e} grad {dgrad:.1e}")
    assert dloss <= bound and dgrad <= bound, (dloss, dgrad, bound)
    print("ok")
elif sys.argv[1] == "samples":
    a, b, bound = np.load(sys.argv[2]), np.load(sys.argv[3]), float(sys.argv[4])
    d = np.abs(a - b).max() / np.abs(a).max()
    print(f"samples {d:.1e}")
    assert a.shape == b.shape and d <= bound, (a.shape, b.shape, d)
    print("ok")
else:
    line = next(l for l in open(sys.argv[2]) if l.startswith("ranks "))
    m = re.match(r"ranks (\d+): bytes sent a step by each rank: ([\d ]+) \(model ([\d ]+)\)", line)
    ranks = int(m.group(1))
    sent, model = ([int(v) for v in m.group(i).split()] for i in (2, 3))
    assert len(sent) == ranks and sent == model, line
    print(f"ok: {ranks} ranks, {' '.join(map(str, model))} bytes")
