/* Would fewer flops than the classical product help a step? One level of
 * Strassen–Winograd (7 half-size products and 14 block additions and
 * copies instead of 8 half-size products) for C = A·B, row-major A (M x K)
 * and B (K x N), timed against one plain ?gemm of the same product on the
 * same OpenBLAS threads, beside the 7 half-size products alone: what any
 * one-level variant would take if its additions were free. A step's GEMMs
 * have the shapes M K N = m N d (the backward's m rows: dL/dS's rows
 * times S) and m d n (the Z rows of the Gram, Z Xᵀ), m = n = N/2.
 *   cc -O2 -march=native -fopenmp bench/strassen.c -o /tmp/strassen \
 *     -lopenblas -lm
 *   OMP_WAIT_POLICY=passive /tmp/strassen M K N f32|f64 THREADS RUNS
 *   -> "M=.. K=.. N=.. f32 threads=..: gemm X ms, winograd Y ms (Y/X),
 *       7 half products Z ms (Z/X), max |winograd - gemm| / max |gemm| E"
 * medians of RUNS after one warm-up run. The additions run on OpenMP's
 * threads, which must sleep while OpenBLAS's run (OMP_WAIT_POLICY=passive:
 * spinning, they take the cores from the products). */
#define _GNU_SOURCE
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timing.h"

void openblas_set_num_threads(int);

static int f64;

/* Element i of a buffer of either precision. */
static double at(const void *p, long i) {
  return f64 ? ((const double *)p)[i] : (double)((const float *)p)[i];
}
static void *offset(const void *p, long i) {
  return (char *)p + (size_t)i * (f64 ? sizeof(double) : sizeof(float));
}

/* c = alpha a·b + beta c on r x s blocks, inner size k. */
static void mm(long r, long s, long k, double alpha, const void *a, long lda,
               const void *b, long ldb, double beta, void *c, long ldc) {
  if (f64)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)s,
                (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)s,
                (int)k, (float)alpha, a, (int)lda, b, (int)ldb, (float)beta, c,
                (int)ldc);
}

/* z = x + sign·y on r x s blocks (z may be x or y; sign 0 copies x). */
static void add(long r, long s, const void *x, long ldx, int sign,
                const void *y, long ldy, void *z, long ldz) {
  if (f64) {
    const double *a = x, *b = y;
    double *c = z;
#pragma omp parallel for
    for (long i = 0; i < r; ++i)
      for (long j = 0; j < s; ++j)
        c[i * ldz + j] = a[i * ldx + j] + sign * b[i * ldy + j];
  } else {
    const float *a = x, *b = y;
    float *c = z;
#pragma omp parallel for
    for (long i = 0; i < r; ++i)
      for (long j = 0; j < s; ++j)
        c[i * ldz + j] = a[i * ldx + j] + (float)sign * b[i * ldy + j];
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: strassen M K N f32|f64 THREADS RUNS\n");
    return 2;
  }
  long M = atol(argv[1]), K = atol(argv[2]), N = atol(argv[3]);
  f64 = strcmp(argv[4], "f64") == 0;
  if (!f64 && strcmp(argv[4], "f32") != 0) {
    fprintf(stderr, "strassen: precision is f32 or f64, not %s\n", argv[4]);
    return 2;
  }
  int threads = atoi(argv[5]), runs = atoi(argv[6]);
  if (M <= 0 || K <= 0 || N <= 0 || M % 2 || K % 2 || N % 2 || threads <= 0 ||
      runs <= 0) {
    fprintf(stderr, "strassen: M, K, N even and positive; threads and runs "
                    "positive\n");
    return 2;
  }
  const char *wait = getenv("OMP_WAIT_POLICY");
  if (!wait || strcasecmp(wait, "passive") != 0) {
    fprintf(stderr, "strassen: run with OMP_WAIT_POLICY=passive (OpenMP's "
                    "threads spinning between additions take the cores from "
                    "OpenBLAS's)\n");
    return 2;
  }
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  size_t elem = f64 ? sizeof(double) : sizeof(float);
  long m = M / 2, k = K / 2, n = N / 2;
  void *A = big((size_t)(M * K) * elem), *B = big((size_t)(K * N) * elem),
       *C = big((size_t)(M * N) * elem), *W = big((size_t)(M * N) * elem),
       *S = big((size_t)(m * k) * elem), *T = big((size_t)(k * n) * elem),
       *U = big((size_t)(m * n) * elem), *V = big((size_t)(m * n) * elem);
  double *times = calloc((size_t)(3 * runs), sizeof(double));
  if (!A || !B || !C || !W || !S || !T || !U || !V || !times) {
    fprintf(stderr, "strassen: out of memory\n");
    return 1;
  }
  /* Values in [0, 1), as pixels scaled to unit range. */
  srand(1);
  for (long i = 0; i < M * K + K * N; ++i) {
    double v = rand() / (RAND_MAX + 1.0);
    void *p = i < M * K ? A : B;
    long j = i < M * K ? i : i - M * K;
    if (f64)
      ((double *)p)[j] = v;
    else
      ((float *)p)[j] = (float)v;
  }
  const void *A11 = A, *A12 = offset(A, k), *A21 = offset(A, m * K),
             *A22 = offset(A, m * K + k);
  const void *B11 = B, *B12 = offset(B, n), *B21 = offset(B, k * N),
             *B22 = offset(B, k * N + n);
  void *C11 = W, *C12 = offset(W, n), *C21 = offset(W, m * N),
       *C22 = offset(W, m * N + n);

  for (int r = -1; r < runs; ++r) {
    double t0 = seconds();
    mm(M, N, K, 1, A, K, B, N, 0, C, N);
    double t1 = seconds();
    /* Winograd's form: with S1 = A21 + A22, S2 = S1 − A11, S3 = A11 − A21,
     * S4 = A12 − S2, T1 = B12 − B11, T2 = B22 − T1, T3 = B22 − B12,
     * T4 = T2 − B21 and P1 = A11 B11, P2 = A12 B21, P3 = S4 B22,
     * P4 = A22 T4, P5 = S1 T1, P6 = S2 T2, P7 = S3 T3:
     * C11 = P1 + P2, C12 = P1 + P6 + P5 + P3, C21 = P1 + P6 + P7 − P4,
     * C22 = P1 + P6 + P7 + P5. U holds P1 + P6, then P7; V holds P5. */
    mm(m, n, k, 1, A11, K, B11, N, 0, U, n);   /* U = P1 */
    add(m, n, U, n, 0, U, n, C11, N);          /* C11 = P1 */
    mm(m, n, k, 1, A12, K, B21, N, 1, C11, N); /* C11 += P2 */
    add(m, k, A21, K, 1, A22, K, S, k);        /* S = S1 */
    add(k, n, B12, N, -1, B11, N, T, n);       /* T = T1 */
    mm(m, n, k, 1, S, k, T, n, 0, V, n);       /* V = P5 */
    add(m, k, S, k, -1, A11, K, S, k);         /* S = S2 */
    add(k, n, B22, N, -1, T, n, T, n);         /* T = T2 */
    mm(m, n, k, 1, S, k, T, n, 1, U, n);       /* U = P1 + P6 */
    add(k, n, T, n, -1, B21, N, T, n);         /* T = T4 */
    add(m, n, U, n, 0, U, n, C21, N);          /* C21 = P1 + P6 */
    mm(m, n, k, -1, A22, K, T, n, 1, C21, N);  /* C21 −= P4 */
    add(m, n, U, n, 1, V, n, C22, N);          /* C22 = P1 + P6 + P5 */
    add(m, n, U, n, 1, V, n, C12, N);          /* C12 = P1 + P6 + P5 */
    add(m, k, A12, K, -1, S, k, S, k);         /* S = S4 */
    mm(m, n, k, 1, S, k, B22, N, 1, C12, N);   /* C12 += P3 */
    add(m, k, A11, K, -1, A21, K, S, k);       /* S = S3 */
    add(k, n, B22, N, -1, B12, N, T, n);       /* T = T3 */
    mm(m, n, k, 1, S, k, T, n, 0, U, n);       /* U = P7 */
    add(m, n, C21, N, 1, U, n, C21, N);        /* C21 += P7 */
    add(m, n, C22, N, 1, U, n, C22, N);        /* C22 += P7 */
    double t2 = seconds();
    for (int p = 0; p < 7; ++p)
      mm(m, n, k, 1, A11, K, B11, N, 0, U, n);
    double t3 = seconds();
    if (r >= 0) {
      times[r] = t1 - t0;
      times[runs + r] = t2 - t1;
      times[2 * runs + r] = t3 - t2;
    }
  }
  double diff = 0, size = 0;
  for (long i = 0; i < M * N; ++i) {
    diff = fmax(diff, fabs(at(W, i) - at(C, i)));
    size = fmax(size, fabs(at(C, i)));
  }
  double gemm = median(times, runs), winograd = median(times + runs, runs),
         seven = median(times + 2 * runs, runs);
  printf("M=%ld K=%ld N=%ld %s threads=%d: gemm %.2f ms, winograd %.2f ms "
         "(%.3f), 7 half products %.2f ms (%.3f), max |winograd - gemm| / "
         "max |gemm| %.1e\n",
         M, K, N, f64 ? "f64" : "f32", threads, 1e3 * gemm, 1e3 * winograd,
         winograd / gemm, 1e3 * seven, seven / gemm, diff / size);
  return 0;
}
