//===- SymmetricProduct.h - K·[x1 x2] reading K once ------------*- C++ -*-===//
//
// The gradient's Lanczos run multiplies the stored K by two columns at a
// time (the block [y, g]). At the n of the Krylov plan K is far larger than
// the caches, so a product costs what reading K from memory costs, and two
// ?symv calls read it twice. This product reads each element of K's upper
// triangle once for both columns.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SYMMETRICPRODUCT_H
#define GANTK_RUNTIME_SYMMETRICPRODUCT_H

#include <cstdint>
#include <vector>

namespace gantk {

class ThreadPool;

/// Whether symmetricProductPair reads K once on this CPU (x86-64 with AVX2
/// and FMA; GANTK_TEST_CPU_LACKS=avx2 says no). Otherwise it makes two
/// ?symv calls.
bool symmetricProductPairIsFused();

/// [y1 y2] = K [x1 x2] for K symmetric, n × n, row-major, of which only the
/// upper triangle is read. x1, x2, y1 and y2 hold n contiguous numbers each.
/// The rows are split over `pool`'s threads (null: the caller alone) in
/// parts of equal triangle area; each part sums its column contributions
/// into its own n numbers of `scratch` (resized as needed, reused between
/// calls), which are added up at the end.
template <typename T>
void symmetricProductPair(int64_t n, const T *k, const T *x1, const T *x2,
                          T *y1, T *y2, ThreadPool *pool,
                          std::vector<T> &scratch);

} // namespace gantk

#endif // GANTK_RUNTIME_SYMMETRICPRODUCT_H
