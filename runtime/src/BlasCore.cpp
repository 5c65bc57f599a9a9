//===- BlasCore.cpp - OpenBLAS's kernels for this CPU ---------------------===//

#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/CpuFeatures.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <unistd.h>

extern "C" char *openblas_get_corename(void);
extern "C" char *openblas_get_config(void);

using namespace gantk;

namespace {

/// Widest vectors a core's kernels use: 0 SSE, 1 AVX, 2 AVX2 + FMA,
/// 3 AVX-512. Names as OpenBLAS spells them, lower-cased.
int vectorLevel(std::string core) {
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char *name : {"skylakex", "cooperlake", "sapphirerapids"})
    if (core == name)
      return 3;
  for (const char *name : {"haswell", "zen", "excavator", "steamroller"})
    if (core == name)
      return 2;
  for (const char *name : {"sandybridge", "bulldozer", "piledriver"})
    if (core == name)
      return 1;
  return 0;
}

} // namespace

std::string
gantk::betterBlasCore(const std::string &chosen,
                      const std::function<bool(const char *)> &cpuHas) {
  int level = 0;
  const char *core = "";
  if (cpuHas("avx512f") && cpuHas("avx512bw") && cpuHas("avx512dq") &&
      cpuHas("avx512vl") && cpuHas("avx512cd"))
    level = 3, core = "SkylakeX";
  else if (cpuHas("avx2") && cpuHas("fma"))
    level = 2, core = "Haswell";
  else if (cpuHas("avx"))
    level = 1, core = "Sandybridge";
  return level > vectorLevel(chosen) ? core : "";
}

std::string gantk::blasCore() {
  const char *name = openblas_get_corename();
  return name ? name : "";
}

std::string gantk::blasCoreToForce() {
  if (std::getenv("OPENBLAS_CORETYPE"))
    return "";
  return betterBlasCore(blasCore(), [](const char *feature) {
    return cpuHasFeature(feature).value_or(false);
  });
}

void gantk::restartOnBetterBlasCore(char **argv) {
  std::string core = blasCoreToForce();
  if (core.empty())
    return;
  ::setenv("GANTK_BLAS_CORE_CHOSEN", blasCore().c_str(), 1);
  ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  ::execv("/proc/self/exe", argv);
  // Not restarted: this process goes on with OpenBLAS's own choice.
  ::unsetenv("OPENBLAS_CORETYPE");
  ::unsetenv("GANTK_BLAS_CORE_CHOSEN");
}

std::string gantk::blasDescription() {
  const char *config = openblas_get_config();
  std::string text = config ? config : "OpenBLAS";
  const char *chosen = std::getenv("GANTK_BLAS_CORE_CHOSEN");
  if (chosen && std::getenv("OPENBLAS_CORETYPE"))
    text += " (core set by gantk: OpenBLAS chose " + std::string(chosen) +
            " for this CPU)";
  return text;
}
