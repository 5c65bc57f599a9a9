//===- BlasCore.h - OpenBLAS's kernels for this CPU -------------*- C++ -*-===//
//
// A dynamic-arch OpenBLAS picks its kernels (its "core") once, when it is
// loaded, from the CPU's model number. A model newer than its table gets
// the oldest x86-64 kernels: Debian 12's 0.3.21 runs an Emerald Rapids
// Xeon (AVX-512) on Prescott's SSE3 kernels, and a step on 2 cores is about
// 3x slower. OpenBLAS reads OPENBLAS_CORETYPE at load time only, so a
// program fixes the choice by starting again with it set.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_BLASCORE_H
#define GANTK_RUNTIME_BLASCORE_H

#include <functional>
#include <string>

namespace gantk {

/// The core OpenBLAS should run on when it chose `chosen` on a CPU with the
/// features `cpuHas` answers for ("avx512f", "avx2", ...): the widest
/// vectors' core ("SkylakeX", "Haswell", "Sandybridge") when `chosen` uses
/// narrower ones, else empty.
std::string betterBlasCore(const std::string &chosen,
                           const std::function<bool(const char *)> &cpuHas);

/// The core the loaded OpenBLAS runs on (openblas_get_corename).
std::string blasCore();

/// betterBlasCore for the loaded OpenBLAS on this CPU; empty as well when
/// OPENBLAS_CORETYPE is set (the user's choice, or a restart's).
std::string blasCoreToForce();

/// For main(): when blasCoreToForce() names a core, starts the program
/// again (same pid, same arguments) with OPENBLAS_CORETYPE set to it and
/// GANTK_BLAS_CORE_CHOSEN to OpenBLAS's own choice; returns when nothing is
/// to be done or the restart failed (then BLAS is slow, not wrong).
void restartOnBetterBlasCore(char **argv);

/// OpenBLAS's build and core for reports ("OpenBLAS 0.3.21 DYNAMIC_ARCH
/// NO_AFFINITY SkylakeX MAX_THREADS=64"), and after a restart what it had
/// chosen on its own ("(core set by gantk: OpenBLAS chose Prescott ...)").
std::string blasDescription();

} // namespace gantk

#endif // GANTK_RUNTIME_BLASCORE_H
