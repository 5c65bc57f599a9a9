// The Krylov runtime's two-column symmetric product
// (gantk::symmetricProductPair: K's upper triangle read once for both columns
// of the Lanczos block [y, g]) against two OpenBLAS ?symv calls, f32 then f64,
// on GANTK_NUM_THREADS threads (default: all cores) for ours and OpenBLAS's own
// threads for ?symv. Built against the runtime library of a build
// (scripts/build):
//
//   c++ -O2 -Iruntime/include bench/fused-symv.cpp build/lib/libGantkRuntime.a
//   \
//       -lopenblas -lpthread -o /tmp/fused-symv
//   /tmp/fused-symv 2048 4096 8192 16384 32768
//
// Prints, for each N and precision, the best of 7 runs of each, the
// speed-up, and the largest difference relative to ?symv (per element,
// relative to the largest |y|).
#include "gantk/runtime/SymmetricProduct.h"
#include "gantk/runtime/ThreadPool.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

void symv(int n, const float *k, const float *x, float *y) {
  cblas_ssymv(CblasRowMajor, CblasUpper, n, 1.f, k, n, x, 1, 0.f, y, 1);
}
void symv(int n, const double *k, const double *x, double *y) {
  cblas_dsymv(CblasRowMajor, CblasUpper, n, 1., k, n, x, 1, 0., y, 1);
}

template <typename F> double best(F f) {
  double t = 1e30;
  for (int run = 0; run < 7; ++run) {
    auto start = std::chrono::steady_clock::now();
    f();
    t = std::min(t, std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  return t;
}

template <typename T>
void compare(int64_t n, gantk::ThreadPool &pool, const char *name) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<T> uniform(0, 1);
  std::vector<T> k(static_cast<size_t>(n * n)), x1(static_cast<size_t>(n)),
      x2(static_cast<size_t>(n)), y1(static_cast<size_t>(n)),
      y2(static_cast<size_t>(n)), z1(static_cast<size_t>(n)),
      z2(static_cast<size_t>(n)), scratch;
  for (T &v : k)
    v = uniform(rng);
  for (int64_t i = 0; i < n; ++i) {
    x1[size_t(i)] = uniform(rng);
    x2[size_t(i)] = uniform(rng);
  }
  double fused = best([&] {
    gantk::symmetricProductPair(n, k.data(), x1.data(), x2.data(), y1.data(),
                                y2.data(), &pool, scratch);
  });
  double blas = best([&] {
    symv(int(n), k.data(), x1.data(), z1.data());
    symv(int(n), k.data(), x2.data(), z2.data());
  });
  double diff = 0, scale = 0;
  for (size_t i = 0; i < size_t(n); ++i) {
    diff = std::max({diff, double(std::fabs(y1[i] - z1[i])),
                     double(std::fabs(y2[i] - z2[i]))});
    scale =
        std::max({scale, double(std::fabs(z1[i])), double(std::fabs(z2[i]))});
  }
  std::printf("N=%-6lld %s  fused %8.3f ms  2 x ?symv %8.3f ms  speed-up "
              "%.2fx  relative difference %.1e\n",
              (long long)n, name, fused * 1e3, blas * 1e3, blas / fused,
              diff / scale);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fused-symv N...\n");
    return 2;
  }
  gantk::ThreadPool pool(gantk::defaultThreadCount());
  std::printf("%d threads; fused (AVX2+FMA) on this CPU: %s\n", pool.size(),
              gantk::symmetricProductPairIsFused() ? "yes" : "no (2 x ?symv)");
  for (int a = 1; a < argc; ++a)
    compare<float>(std::atoll(argv[a]), pool, "f32");
  for (int a = 1; a < argc; ++a)
    compare<double>(std::atoll(argv[a]), pool, "f64");
  return 0;
}
