/* One plain BLAS product of the full Gram, (N x d) . (d x N), timed: the
 * floor a GA-NTK step is compared with (bench/floor). Row-major S times
 * its transpose with cblas_?gemm, on T OpenBLAS threads, median of R runs
 * after one warm-up run.
 *   gram-gemm N d f32|f64 T R   ->  "gemm N=.. d=.. f32 threads=..: median X s"
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: gram-gemm N d f32|f64 THREADS RUNS\n");
    return 2;
  }
  long n = atol(argv[1]), d = atol(argv[2]);
  int f64 = strcmp(argv[3], "f64") == 0, threads = atoi(argv[4]),
      runs = atoi(argv[5]);
  if (n <= 0 || d <= 0 || threads <= 0 || runs <= 0) {
    fprintf(stderr, "gram-gemm: sizes, threads and runs must be positive\n");
    return 2;
  }
  openblas_set_num_threads(threads);
  size_t elem = f64 ? sizeof(double) : sizeof(float);
  void *s = malloc((size_t)(n * d) * elem), *g = malloc((size_t)(n * n) * elem);
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
  double *times = calloc((size_t)runs, sizeof(double));
  for (int r = -1; r < runs; ++r) {
    double t0 = seconds();
    if (f64)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
                  (int)d, 1.0, s, (int)d, s, (int)d, 0.0, g, (int)n);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n,
                  (int)d, 1.0f, s, (int)d, s, (int)d, 0.0f, g, (int)n);
    if (r >= 0)
      times[r] = seconds() - t0;
  }
  qsort(times, (size_t)runs, sizeof(double), ascending);
  printf("gemm N=%ld d=%ld %s threads=%d: median %.6f s\n", n, d,
         f64 ? "f64" : "f32", threads, times[runs / 2]);
  free(times);
  free(s);
  free(g);
  return 0;
}
