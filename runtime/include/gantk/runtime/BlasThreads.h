//===- BlasThreads.h - Who runs OpenBLAS's threads --------------*- C++ -*-===//
//
// After each threaded call an OpenBLAS worker keeps spinning (a sched_yield
// loop) for about a tenth of a second. Beside a session's kernel threads on
// the same cores that made the per-pair kernels up to twice as slow, and
// how much slower changed from run to run. So a session's commands run BLAS
// single-threaded, in whichever of its threads makes the call, and split
// their large products over the session's pool (runtime/src/Blas.h); a
// LAPACK eigensolver, which they cannot split, gets the threads for its
// call. Outside the commands the process's own count holds.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_BLASTHREADS_H
#define GANTK_RUNTIME_BLASTHREADS_H

namespace gantk {

/// OpenBLAS runs on `threads` threads (at least 1) until the guard goes out
/// of scope, then on as many as before.
class ScopedBlasThreads {
public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads &) = delete;
  ScopedBlasThreads &operator=(const ScopedBlasThreads &) = delete;

private:
  int previous;
};

} // namespace gantk

#endif // GANTK_RUNTIME_BLASTHREADS_H
