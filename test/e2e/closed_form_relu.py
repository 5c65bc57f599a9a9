#!/usr/bin/env python3
"""Hand-derived NTK/NNGP of Dense -> Relu -> Dense on two orthogonal unit inputs.

Usage: closed_form_relu.py OUTDIR CASE      (CASE = A or B)
Writes OUTDIR/closed_form_relu_CASE.gantk (the spec), OUTDIR/inputs.npy
(2x2), OUTDIR/expected_ntk.npy and OUTDIR/expected_nngp.npy (2x2 float64).
Needs only numpy (Debian's python3-numpy): no fixture generator involved.

Conventions (docs: NTK_SPEC.md):
  input:  Sigma0_ij = x_i . x_j / d,  Theta0 = 0
  dense(sw, sb):  Sigma' = sw^2 Sigma + sb^2,  Theta' = Sigma' + sw^2 Theta
  relu (q11 = Sigma_ii, q22 = Sigma_jj, q12 = Sigma_ij):
      sq = sqrt(q11 q22 - q12^2),  theta = atan2(sq, q12)
      Sigma' = (sq + (pi - theta) q12) / (2 pi)
      Sigma_dot = (pi - theta) / (2 pi),   Theta' = Sigma_dot * Theta

Inputs x1 = (1, 0), x2 = (0, 1), d = 2:
  Sigma0 = [[1/2, 0], [0, 1/2]].

Both cases end in dense(w_std: 1.5, b_std: 0.2): sw2^2 = 2.25, sb2^2 = 0.04.
On the diagonal (i = j) every case has q12 = q11, sq = 0, theta = 0, so
Sigma'_ii = q11 / 2 and Sigma_dot_ii = 1/2.

Case A: dense(w_std: sqrt 2, b_std: 0) -> relu -> dense(1.5, 0.2)
  dense 1:  Sigma1 = 2 * Sigma0 + 0 = I            Theta1 = Sigma1 = I
  relu, off-diagonal: q11 = q22 = 1, q12 = 0
            sq = 1, theta = atan2(1, 0) = pi/2
            Sigma2_12 = (1 + (pi/2) * 0) / (2 pi) = 1/(2 pi)
            Sigma_dot_12 = (pi - pi/2) / (2 pi) = 1/4
            Theta2_12 = 1/4 * Theta1_12 = 0
  relu, diagonal: Sigma2_ii = 1/2, Theta2_ii = 1/2 * 1 = 1/2
  dense 2:  Sigma3_ii = 2.25 * 1/2 + 0.04 = 1.165
            Sigma3_12 = 2.25 / (2 pi) + 0.04
            Theta3_ii = Sigma3_ii + 2.25 * 1/2 = 2.29
            Theta3_12 = Sigma3_12 + 2.25 * 0 = 2.25 / (2 pi) + 0.04

Case B: dense(w_std: 1, b_std: sqrt 0.5) -> relu -> dense(1.5, 0.2)
  dense 1:  Sigma1 = Sigma0 + 1/2 = [[1, 1/2], [1/2, 1]]   Theta1 = Sigma1
  relu, off-diagonal: q11 = q22 = 1, q12 = 1/2
            sq = sqrt(1 - 1/4) = sqrt(3)/2, theta = atan2(sqrt3/2, 1/2) = pi/3
            Sigma2_12 = (sqrt(3)/2 + (2 pi/3)(1/2)) / (2 pi) = sqrt(3)/(4 pi) + 1/6
            Sigma_dot_12 = (2 pi/3) / (2 pi) = 1/3
            Theta2_12 = 1/3 * 1/2 = 1/6
  relu, diagonal: Sigma2_ii = 1/2, Theta2_ii = 1/2
  dense 2:  Sigma3_ii = 1.165,  Theta3_ii = 2.29 (as in case A)
            Sigma3_12 = 2.25 (sqrt(3)/(4 pi) + 1/6) + 0.04
            Theta3_12 = Sigma3_12 + 2.25 * 1/6 = Sigma3_12 + 0.375
"""

import math
import os
import sys

import numpy as np

PI = math.pi


def case_a():
    first = (repr(math.sqrt(2.0)), "0")
    s_diag, t_diag = 1.165, 2.29
    s_off = 2.25 / (2 * PI) + 0.04
    t_off = s_off
    return first, s_diag, s_off, t_diag, t_off


def case_b():
    first = ("1", repr(math.sqrt(0.5)))
    s_diag, t_diag = 1.165, 2.29
    s_off = 2.25 * (math.sqrt(3.0) / (4 * PI) + 1.0 / 6.0) + 0.04
    t_off = s_off + 0.375
    return first, s_diag, s_off, t_diag, t_off


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("A", "B"):
        sys.exit("usage: closed_form_relu.py OUTDIR A|B")
    outdir, case = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    (w1, b1), s_diag, s_off, t_diag, t_off = (case_a if case == "A" else case_b)()

    np.save(os.path.join(outdir, "inputs.npy"),
            np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float64))
    np.save(os.path.join(outdir, "expected_ntk.npy"),
            np.array([[t_diag, t_off], [t_off, t_diag]], dtype=np.float64))
    np.save(os.path.join(outdir, "expected_nngp.npy"),
            np.array([[s_diag, s_off], [s_off, s_diag]], dtype=np.float64))
    spec = f"""# Closed-form check, case {case} (see test/e2e/closed_form_relu.py).
data {{
  real = npy("inputs.npy")
  n = 2
  scale = none
}}
discriminator {{
  dense(w_std: {w1}, b_std: {b1})
  relu
  dense(w_std: 1.5, b_std: 0.2)
}}
train {{
  precision = f64
}}
"""
    with open(os.path.join(outdir, f"closed_form_relu_{case}.gantk"), "w") as f:
        f.write(spec)


if __name__ == "__main__":
    main()
