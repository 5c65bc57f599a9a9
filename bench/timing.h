/* What bench/'s C programs share: the clock, the buffers and the median.
 * A program compiled with -std=c11 defines _GNU_SOURCE before including
 * this (MAP_ANONYMOUS, madvise and clock_gettime are POSIX/GNU). */
#ifndef GANTK_BENCH_TIMING_H
#define GANTK_BENCH_TIMING_H

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Anonymous memory on 2 MiB pages where the kernel has them, as gantk's
 * arena (runtime/src/Session.cpp), so that a benchmark sees the TLB a step
 * sees. NULL when there is not enough; munmap frees it. */
static void *big(size_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of `runs` times (sorted in place). */
static double median(double *times, int runs) {
  qsort(times, (size_t)runs, sizeof(double), ascending);
  return times[runs / 2];
}

#endif
