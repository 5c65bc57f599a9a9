//===- Finite.h - NaN and infinity checks for messages ----------*- C++ -*-===//
//
// Data, losses, gradients and kernels must be finite; where they are not,
// the messages name the value the same way everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_FINITE_H
#define GANTK_RUNTIME_FINITE_H

#include <algorithm>
#include <cmath>
#include <vector>

namespace gantk {

/// True when no value in [begin, end) is NaN or infinite.
inline bool allFinite(const double *begin, const double *end) {
  return std::all_of(begin, end, [](double v) { return std::isfinite(v); });
}
inline bool allFinite(const std::vector<double> &values) {
  return allFinite(values.data(), values.data() + values.size());
}

/// "NaN", "+infinity" or "-infinity": a non-finite value in a message.
inline const char *nonFiniteName(double v) {
  return std::isnan(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";
}

} // namespace gantk

#endif // GANTK_RUNTIME_FINITE_H
