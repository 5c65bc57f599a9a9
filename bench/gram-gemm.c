/* One plain BLAS product of the full Gram, (N x d) . (d x N), timed: the
 * floor a GA-NTK step is compared with (bench/floor). Row-major S times
 * its transpose with cblas_?gemm, on T OpenBLAS threads, median of R runs
 * after one warm-up run.
 *   gram-gemm N d f32|f64 T R        ->  "gemm N=.. d=.. f32 threads=..: median X s"
 * With "step" as a sixth argument it times instead the products a step
 * cannot do without, at m = n = N/2 (S = X over Z, X the n fixed rows):
 * the Z rows of the Gram, Z Xᵀ (m x n x d, ?gemm) and the upper triangle of
 * Z Zᵀ (?syrk, m x m x d / 2), then the backward's m rows, (m x N).(N x d)
 * (?gemm): 7/8 of the full product's multiply-adds.
 *   gram-gemm N d f32|f64 T R step   ->  "step-gemms N=.. ...: median X s"
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

void openblas_set_num_threads(int);

int main(int argc, char **argv) {
  if (argc != 6 && !(argc == 7 && strcmp(argv[6], "step") == 0)) {
    fprintf(stderr, "usage: gram-gemm N d f32|f64 THREADS RUNS [step]\n");
    return 2;
  }
  int step = argc == 7;
  long n = atol(argv[1]), d = atol(argv[2]);
  int f64 = strcmp(argv[3], "f64") == 0, threads = atoi(argv[4]),
      runs = atoi(argv[5]);
  if (n <= 0 || d <= 0 || threads <= 0 || runs <= 0 || (step && n % 2)) {
    fprintf(stderr, "gram-gemm: sizes, threads and runs must be positive "
                    "(N even with step)\n");
    return 2;
  }
  openblas_set_num_threads(threads);
  size_t elem = f64 ? sizeof(double) : sizeof(float);
  size_t sBytes = (size_t)(n * d) * elem, gBytes = (size_t)(n * n) * elem;
  void *s = big(sBytes), *g = big(gBytes);
  if (!s || !g) {
    fprintf(stderr, "gram-gemm: out of memory\n");
    return 1;
  }
  /* Values in [0, 1), as pixels scaled to unit range. */
  srand(1);
  for (long i = 0; i < n * d; ++i) {
    double v = rand() / (RAND_MAX + 1.0);
    if (f64)
      ((double *)s)[i] = v;
    else
      ((float *)s)[i] = (float)v;
  }
  /* With step: S's last m rows are Z, and G's last m rows (m x N) serve
   * as the Z rows' product and then as dL/dS's rows for the backward,
   * whose m x d result goes to dz. */
  long m = n / 2;
  void *z = (char *)s + (size_t)(m * d) * elem;
  void *zrows = (char *)g + (size_t)(m * n) * elem;
  size_t dzBytes = (size_t)(m * d) * elem;
  void *dz = step ? big(dzBytes) : NULL;
  if (step && !dz) {
    fprintf(stderr, "gram-gemm: out of memory\n");
    return 1;
  }
  double *times = calloc((size_t)runs, sizeof(double));
  for (int r = -1; r < runs; ++r) {
    double t0 = seconds();
    if (!step && f64)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
                  (int)d, 1.0, s, (int)d, s, (int)d, 0.0, g, (int)n);
    else if (!step)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
                  (int)d, 1.0f, s, (int)d, s, (int)d, 0.0f, g, (int)n);
    else if (f64) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)m,
                  (int)d, 1.0, z, (int)d, s, (int)d, 0.0, zrows, (int)n);
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, (int)d,
                  1.0, z, (int)d, 0.0, (double *)zrows + m, (int)n);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)d,
                  (int)n, 1.0, zrows, (int)n, s, (int)d, 0.0, dz, (int)d);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)m,
                  (int)d, 1.0f, z, (int)d, s, (int)d, 0.0f, zrows, (int)n);
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, (int)d,
                  1.0f, z, (int)d, 0.0f, (float *)zrows + m, (int)n);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)d,
                  (int)n, 1.0f, zrows, (int)n, s, (int)d, 0.0f, dz, (int)d);
    }
    if (r >= 0)
      times[r] = seconds() - t0;
  }
  printf("%s N=%ld d=%ld %s threads=%d: median %.6f s\n",
         step ? "step-gemms" : "gemm", n, d,
         f64 ? "f64" : "f32", threads, median(times, runs));
  free(times);
  if (dz)
    munmap(dz, dzBytes);
  munmap(s, sBytes);
  munmap(g, gBytes);
  return 0;
}
