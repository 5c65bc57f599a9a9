/* The memory floor of a step's Krylov run (bench/floor): P passes over the
 * upper triangle of an N x N row-major matrix, as a Lanczos run reads the
 * stored K once per product with a block of vectors. T threads take rows
 * in parts of equal triangle area (as runtime/src/SymmetricProduct.cpp
 * splits a product) and meet after each pass, as the product's parts do
 * before the next block is made. Only reads: no arithmetic beyond an XOR
 * of 32-byte words, so that the time is the memory system's alone (the
 * fused product, runtime/src/SymmetricProduct.cpp, comes close where K
 * outgrows the caches: bench/fused-symv.cpp 4.8-5.0 ms a product at
 * N = 8192, f32, two threads, against 4.8-5.0 here with P = 1).
 * Median of R runs of P passes after one warm-up run.
 *   k-reads N f32|f64 T R P   ->  "k-reads N=.. f32 threads=.. passes=..: median X s"
 * T at most the cores: the threads spin while they wait.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, madvise and clock_gettime under -std=c11 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

typedef uint64_t words __attribute__((vector_size(32)));

/* Threads meet by spinning, as the session's pool does between dispatches
 * (runtime/include/gantk/runtime/ThreadPool.h): a sleeping barrier's
 * wake-up would cost more than a pass of a small K. */
struct barrier {
  atomic_int waiting, generation;
  int threads;
};

static void meet(struct barrier *b) {
  int generation = atomic_load(&b->generation);
  if (atomic_fetch_add(&b->waiting, 1) + 1 == b->threads) {
    atomic_store(&b->waiting, 0);
    atomic_fetch_add(&b->generation, 1);
    return;
  }
  while (atomic_load(&b->generation) == generation)
    ;
}

struct part {
  const unsigned char *k;
  long n, elem, r0, r1;
  int passes, runs;
  struct barrier *barrier;
  double *times; /* thread 0's: each run's time */
  words sink;
};

/* Rows [r0, r1) from their diagonal element to the end, from the 32-byte
 * word that holds the diagonal (a few bytes of the lower triangle: the
 * same cache lines a product reads). GROUP rows go side by side, word by
 * word: several streams keep more reads in flight than one row at a time.
 * Eight was the fastest of 1, 2, 4, 8, 12 and 16 here (N = 4096, f32,
 * 13 passes: 25, 17, 14-18, 10-12, 12, 15-17 ms), so that the floor is
 * the fastest read we found, not a slow one. */
#define GROUP 8
static words readRows(const struct part *p) {
  words acc[GROUP] = {{0}};
  long rowBytes = p->n * p->elem;
  long i = p->r0;
  for (; i + GROUP <= p->r1; i += GROUP) {
    const unsigned char *rows = p->k + i * rowBytes;
    /* The group's last row starts furthest right: the words before it are
     * read row by row, then all GROUP rows together. */
    long j1 = ((i + GROUP - 1) * p->elem) / 32 * 32;
    for (int g = 0; g < GROUP - 1; ++g)
      for (long j = ((i + g) * p->elem) / 32 * 32; j < j1; j += 32) {
        words w;
        memcpy(&w, rows + g * rowBytes + j, sizeof w);
        acc[g] ^= w;
      }
    for (long j = j1; j + 32 <= rowBytes; j += 32)
      for (int g = 0; g < GROUP; ++g) {
        words w;
        memcpy(&w, rows + g * rowBytes + j, sizeof w);
        acc[g] ^= w;
      }
  }
  for (; i < p->r1; ++i)
    for (long j = (i * p->elem) / 32 * 32; j + 32 <= rowBytes; j += 32) {
      words w;
      memcpy(&w, p->k + i * rowBytes + j, sizeof w);
      acc[0] ^= w;
    }
  words all = {0};
  for (int g = 0; g < GROUP; ++g)
    all ^= acc[g];
  return all;
}

/* The threads live through every run (no thread start is timed); thread
 * 0 times each run, from the barrier that starts it to the one that ends
 * its last pass. */
static void *run(void *arg) {
  struct part *p = arg;
  for (int r = -1; r < p->runs; ++r) {
    meet(p->barrier);
    double t0 = seconds();
    for (int pass = 0; pass < p->passes; ++pass) {
      p->sink += readRows(p); /* a sum: the passes read alike */
      meet(p->barrier);
    }
    if (p->times && r >= 0)
      p->times[r] = seconds() - t0;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: k-reads N f32|f64 THREADS RUNS PASSES\n");
    return 2;
  }
  long n = atol(argv[1]);
  int f64 = strcmp(argv[2], "f64") == 0, threads = atoi(argv[3]),
      runs = atoi(argv[4]), passes = atoi(argv[5]);
  if (n <= 0 || threads <= 0 || runs <= 0 || passes <= 0 ||
      (!f64 && strcmp(argv[2], "f32") != 0)) {
    fprintf(stderr, "k-reads: N, threads, runs and passes must be positive; "
                    "f32 or f64\n");
    return 2;
  }
  long elem = f64 ? 8 : 4;
  size_t bytes = (size_t)(n * n * elem);
  unsigned char *k = big(bytes);
  if (!k) {
    fprintf(stderr, "k-reads: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < bytes; ++i) /* touched, and not all alike */
    k[i] = (unsigned char)((uint32_t)(i * 2654435761u) >> 24);

  struct part *parts = calloc((size_t)threads, sizeof *parts);
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  double *times = calloc((size_t)runs, sizeof(double));
  struct barrier barrier = {0, 0, threads};
  for (int t = 0; t < threads; ++t) {
    /* Equal area: row r0 = n (1 - sqrt(1 - t / T)). */
    double f0 = 1 - sqrt(1 - (double)t / threads),
           f1 = 1 - sqrt(1 - (double)(t + 1) / threads);
    parts[t] = (struct part){k,      n,        elem,
                             (long)(n * f0),
                             t + 1 == threads ? n : (long)(n * f1),
                             passes, runs,     &barrier,
                             t == 0 ? times : NULL,
                             {0}};
  }
  for (int t = 1; t < threads; ++t)
    pthread_create(&ids[t], NULL, run, &parts[t]);
  run(&parts[0]);
  words sink = parts[0].sink;
  for (int t = 1; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    sink ^= parts[t].sink;
  }
  /* A checksum of everything read, printed so that no read can be dropped. */
  printf("k-reads N=%ld %s threads=%d passes=%d: median %.6f s (checksum %llx)\n",
         n, f64 ? "f64" : "f32", threads, passes, median(times, runs),
         (unsigned long long)(sink[0] ^ sink[1] ^ sink[2] ^ sink[3]));
  free(times);
  free(ids);
  free(parts);
  munmap(k, bytes);
  return 0;
}
