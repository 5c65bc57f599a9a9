//===- TestNumerics.h - Comparing arrays in tests ---------------*- C++ -*-===//

#ifndef GANTK_TEST_RUNTIME_TESTNUMERICS_H
#define GANTK_TEST_RUNTIME_TESTNUMERICS_H

#include <cmath>
#include <vector>

namespace gantk::test {

/// ‖x − ref‖₂ / ‖ref‖₂.
inline double relativeError(const std::vector<double> &x,
                            const std::vector<double> &ref) {
  double d = 0, r = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    d += (x[i] - ref[i]) * (x[i] - ref[i]);
    r += ref[i] * ref[i];
  }
  return std::sqrt(d / r);
}

} // namespace gantk::test

#endif // GANTK_TEST_RUNTIME_TESTNUMERICS_H
