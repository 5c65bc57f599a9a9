/* Kernels with the gantk ABI, fn(void **args, int64_t begin, int64_t end),
 * built into a shared object that the tests embed in artifacts as their
 * x86_64-linux-cpu code object. */

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
