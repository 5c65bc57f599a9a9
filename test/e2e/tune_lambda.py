#!/usr/bin/env python3
"""tune_lambda.test's reference: Algorithm 1 on a kernel written by gantk.

  tune_lambda.py K.npy N_REAL EIG_REG EPS START TRACE.txt

K (N x N) is `gantk kernel`'s NTK of X then Z. K' = K + EIG_REG (tr K / N) I;
the loss at lambda is (1/N) |expm(-lambda K') y|^2, y = 1 on the first
N_REAL rows, computed here with numpy's eigh (the eigenvalues clamped at 0,
as the step does). Lambda doubles from START until the loss is <= EPS.
TRACE.txt is gantk's output: its "lambda L  loss V" lines must be these
lambdas with these losses (1e-6 relative: printed with 7 digits), and its
"lambda = L" line the answer.
"""
import re
import sys

import numpy as np


def main(argv):
    k = np.load(argv[1]).astype(np.float64)
    n_real, eig_reg, eps, lam = int(argv[2]), float(argv[3]), float(argv[4]), float(argv[5])
    text = open(argv[6]).read()
    n = k.shape[0]
    k = k + eig_reg * np.trace(k) / n * np.eye(n)
    theta, v = np.linalg.eigh(k)
    c = v.T @ np.concatenate([np.ones(n_real), np.zeros(n - n_real)])
    expected = []
    while True:
        loss = np.sum(np.exp(-2 * lam * np.maximum(theta, 0)) * c**2) / n
        expected.append((lam, loss))
        if loss <= eps:
            break
        lam *= 2
    got = [(float(a), float(b)) for a, b in
           re.findall(r"^\s+lambda (\S+)\s+loss (\S+)$", text, re.M)]
    answer = float(re.search(r"^lambda = (\S+)$", text, re.M).group(1))
    print(f"{len(expected)} trials, lambda = {expected[-1][0]:g}")
    ok = len(got) == len(expected) and answer == expected[-1][0]
    for (gl, gv), (el, ev) in zip(got, expected):
        err = abs(gv - ev) / ev
        print(f"  lambda {el:g}: loss {gv:.6e} vs {ev:.6e} (relative {err:.1e})")
        ok = ok and gl == el and err <= 1e-6
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
