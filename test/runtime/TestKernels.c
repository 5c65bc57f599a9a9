/* Kernels with the gantk ABI, fn(void **args, int64_t begin, int64_t end),
 * built into a shared object that the tests embed in artifacts as their
 * x86_64-linux-cpu code object. */

#include <math.h>
#include <stdint.h>

/* y[i] = 2 x[i] + y[i] on float64: args = {x, y}. */
void gantk_test_axpy(void **args, int64_t begin, int64_t end) {
  const double *x = (const double *)args[0];
  double *y = (double *)args[1];
  for (int64_t i = begin; i < end; ++i)
    y[i] = 2 * x[i] + y[i];
}

/* counts[i] += 1: shows how a dispatch range was covered. args = {counts}. */
void gantk_test_cover(void **args, int64_t begin, int64_t end) {
  int32_t *counts = (int32_t *)args[0];
  for (int64_t i = begin; i < end; ++i)
    counts[i] += 1;
}

/* L = 1/2 |Z - X|^2 and G = Z - X over [begin, end): pulls the generated
 * points onto the real ones. args = {X, Z, G, L}; run as one call. */
void gantk_test_pull_f64(void **args, int64_t begin, int64_t end) {
  const double *x = (const double *)args[0], *z = (const double *)args[1];
  double *g = (double *)args[2], *loss = (double *)args[3];
  double sum = 0;
  for (int64_t i = begin; i < end; ++i) {
    g[i] = z[i] - x[i];
    sum += g[i] * g[i];
  }
  *loss = 0.5 * sum;
}

void gantk_test_pull_f32(void **args, int64_t begin, int64_t end) {
  const float *x = (const float *)args[0], *z = (const float *)args[1];
  float *g = (float *)args[2], *loss = (float *)args[3];
  double sum = 0;
  for (int64_t i = begin; i < end; ++i) {
    g[i] = z[i] - x[i];
    sum += (double)g[i] * g[i];
  }
  *loss = (float)(0.5 * sum);
}

/* The recursion of a matrix-free Krylov test: turns Gram rows into K rows,
 * K[i][j] = G + 0.5 sqrt(v_i v_j) + G² with G the Gram entry, for i in
 * [begin, end) and j in [i, N) (symmetric in i and j, and positive
 * semidefinite for a positive v). args = {m, v, n}: m the N × N matrix
 * indexed by global rows (only rows [begin, end) may be touched: the
 * runtime passes a tile minus its first row), v the diagonal vector (N),
 * n one element holding N. */
void gantk_test_recursion_f64(void **args, int64_t begin, int64_t end) {
  double *m = (double *)args[0];
  const double *v = (const double *)args[1];
  int64_t n = (int64_t)*(const double *)args[2];
  for (int64_t i = begin; i < end; ++i)
    for (int64_t j = i; j < n; ++j) {
      double g = m[i * n + j];
      m[i * n + j] = g + 0.5 * sqrt(v[i] * v[j]) + g * g;
    }
}

void gantk_test_recursion_f32(void **args, int64_t begin, int64_t end) {
  float *m = (float *)args[0];
  const float *v = (const float *)args[1];
  int64_t n = (int64_t)*(const float *)args[2];
  for (int64_t i = begin; i < end; ++i)
    for (int64_t j = i; j < n; ++j) {
      float g = m[i * n + j];
      m[i * n + j] = g + 0.5f * sqrtf(v[i] * v[j]) + g * g;
    }
}

/* A row-wise kernel that needs the global row index i: x[i][j] =
 * x[i][j]² / 2 + i + j / 4 for i in [begin, end), j in [0, W). args = {x, w}:
 * x indexed by global rows, w one element holding W. */
void gantk_test_rows(void **args, int64_t begin, int64_t end) {
  double *x = (double *)args[0];
  int64_t w = (int64_t)*(const double *)args[1];
  for (int64_t i = begin; i < end; ++i)
    for (int64_t j = 0; j < w; ++j)
      x[i * w + j] = 0.5 * x[i * w + j] * x[i * w + j] + (double)i + 0.25 * j;
}
