// A fused two-column symmetric matvec (Y = K·[x1 x2], K's upper triangle,
// row-major) against two OpenBLAS ?ssymv, f32, two threads: the experiment
// behind bench/README.md's "a fused two-column ?symv" (not used by gantk:
// the Krylov runtime calls ?symv per column). Each thread takes rows
// holding half of the triangle, 4 rows at a time (y is loaded and stored
// once per 4 elements of K), with its own y for the column part.
//
//   c++ -O3 bench/fused-symv.cpp -o /tmp/fused-symv -lopenblas -lpthread
//   /tmp/fused-symv 2048 4096 6144 8192 12288 16384
//
// Needs a CPU with AVX2 and FMA. Prints, for each N, the best of 7 runs of
// each and the largest difference relative to ?ssymv.
#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

struct Columns {
  const float *x1, *x2;
  float *y1, *y2;
};

/// Row i's elements j in [first, n) of the upper triangle: the row part
/// into y[i], the column part into y[j].
__attribute__((target("avx2,fma"))) void
oneRow(int64_t n, const float *k, Columns c, int64_t i, int64_t first) {
  const float *row = k + i * n;
  float s1 = 0, s2 = 0;
  for (int64_t j = first; j < n; ++j) {
    s1 += row[j] * c.x1[j];
    s2 += row[j] * c.x2[j];
    c.y1[j] += row[j] * c.x1[i];
    c.y2[j] += row[j] * c.x2[i];
  }
  c.y1[i] += s1;
  c.y2[i] += s2;
}

__attribute__((target("avx2,fma"))) float sum8(__m256 v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  float s = 0;
  for (float x : t)
    s += x;
  return s;
}

/// Rows [r0, r1) of the triangle, 4 at a time.
__attribute__((target("avx2,fma"))) void
rows(int64_t n, const float *k, Columns c, int64_t r0, int64_t r1) {
  int64_t i = r0;
  for (; i + 4 <= r1; i += 4) {
    // The diagonal and the small triangle among the 4 rows.
    for (int r = 0; r < 4; ++r) {
      c.y1[i + r] += k[(i + r) * n + i + r] * c.x1[i + r];
      c.y2[i + r] += k[(i + r) * n + i + r] * c.x2[i + r];
      for (int64_t j = i + r + 1; j < i + 4; ++j) {
        float kv = k[(i + r) * n + j];
        c.y1[i + r] += kv * c.x1[j];
        c.y2[i + r] += kv * c.x2[j];
        c.y1[j] += kv * c.x1[i + r];
        c.y2[j] += kv * c.x2[i + r];
      }
    }
    const float *kr[4] = {k + i * n, k + (i + 1) * n, k + (i + 2) * n,
                          k + (i + 3) * n};
    __m256 a1[4], a2[4], acc1[4], acc2[4];
    for (int r = 0; r < 4; ++r) {
      a1[r] = _mm256_set1_ps(c.x1[i + r]);
      a2[r] = _mm256_set1_ps(c.x2[i + r]);
      acc1[r] = acc2[r] = _mm256_setzero_ps();
    }
    int64_t j = i + 4, vecEnd = i + 4 + (n - i - 4) / 8 * 8;
    for (; j < vecEnd; j += 8) {
      __m256 x1 = _mm256_loadu_ps(c.x1 + j), x2 = _mm256_loadu_ps(c.x2 + j);
      __m256 y1 = _mm256_loadu_ps(c.y1 + j), y2 = _mm256_loadu_ps(c.y2 + j);
      for (int r = 0; r < 4; ++r) {
        __m256 kv = _mm256_loadu_ps(kr[r] + j);
        acc1[r] = _mm256_fmadd_ps(kv, x1, acc1[r]);
        acc2[r] = _mm256_fmadd_ps(kv, x2, acc2[r]);
        y1 = _mm256_fmadd_ps(kv, a1[r], y1);
        y2 = _mm256_fmadd_ps(kv, a2[r], y2);
      }
      _mm256_storeu_ps(c.y1 + j, y1);
      _mm256_storeu_ps(c.y2 + j, y2);
    }
    for (int r = 0; r < 4; ++r) {
      c.y1[i + r] += sum8(acc1[r]);
      c.y2[i + r] += sum8(acc2[r]);
      oneRow(n, k, c, i + r, j); // the tail past the last whole vector
    }
  }
  for (; i < r1; ++i) {
    c.y1[i] += k[i * n + i] * c.x1[i];
    c.y2[i] += k[i * n + i] * c.x2[i];
    oneRow(n, k, c, i, i + 1);
  }
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

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fused-symv N...\n");
    return 2;
  }
  for (int a = 1; a < argc; ++a) {
    int64_t n = std::atoll(argv[a]);
    std::vector<float> k(static_cast<size_t>(n * n)),
        x1(static_cast<size_t>(n)), x2(static_cast<size_t>(n));
    std::srand(1);
    for (float &v : k)
      v = float(std::rand()) / RAND_MAX;
    for (int64_t i = 0; i < n; ++i) {
      x1[size_t(i)] = float(std::rand()) / RAND_MAX;
      x2[size_t(i)] = float(std::rand()) / RAND_MAX;
    }
    // Rows [0, split) hold half of the triangle (a multiple of 4 rows).
    int64_t split = int64_t(double(n) * (1 - std::sqrt(0.5))) / 4 * 4;
    std::vector<float> y1(static_cast<size_t>(n)), y2(static_cast<size_t>(n)),
        t1(static_cast<size_t>(n)), t2(static_cast<size_t>(n)),
        z1(static_cast<size_t>(n)), z2(static_cast<size_t>(n));
    double fused = best([&] {
      std::fill(y1.begin(), y1.end(), 0.f);
      std::fill(y2.begin(), y2.end(), 0.f);
      std::fill(t1.begin(), t1.end(), 0.f);
      std::fill(t2.begin(), t2.end(), 0.f);
      std::thread second([&] {
        rows(n, k.data(), {x1.data(), x2.data(), t1.data(), t2.data()}, split,
             n);
      });
      rows(n, k.data(), {x1.data(), x2.data(), y1.data(), y2.data()}, 0, split);
      second.join();
      for (size_t i = 0; i < size_t(n); ++i) {
        y1[i] += t1[i];
        y2[i] += t2[i];
      }
    });
    double blas = best([&] {
      cblas_ssymv(CblasRowMajor, CblasUpper, int(n), 1.f, k.data(), int(n),
                  x1.data(), 1, 0.f, z1.data(), 1);
      cblas_ssymv(CblasRowMajor, CblasUpper, int(n), 1.f, k.data(), int(n),
                  x2.data(), 1, 0.f, z2.data(), 1);
    });
    double diff = 0;
    for (size_t i = 0; i < size_t(n); ++i)
      diff = std::max({diff, double(std::fabs(y1[i] - z1[i]) / z1[i]),
                       double(std::fabs(y2[i] - z2[i]) / z2[i])});
    std::printf("N=%-6lld fused %.3f ms  2 x ?ssymv %.3f ms  speed-up %.2fx  "
                "relative difference %.1e\n",
                (long long)n, fused * 1e3, blas * 1e3, blas / fused, diff);
  }
  return 0;
}
