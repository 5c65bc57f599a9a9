//===- CpuFeatures.cpp - Whether this CPU runs an artifact's code ---------===//

#include "gantk/runtime/CpuFeatures.h"

#include "Wide.h"

#include <cstdlib>
#include <sstream>

using namespace gantk;

namespace {

/// Answers of __builtin_cpu_supports, whose argument must be a literal.
std::optional<bool> hardwareHas(const std::string &name) {
#if defined(__x86_64__)
  __builtin_cpu_init();
#define GANTK_FEATURE(text)                                                    \
  if (name == text)                                                            \
    return __builtin_cpu_supports(text) != 0;
  GANTK_FEATURE("sse4.2")
  GANTK_FEATURE("popcnt")
  GANTK_FEATURE("avx")
  GANTK_FEATURE("avx2")
  GANTK_FEATURE("fma")
  GANTK_FEATURE("bmi")
  GANTK_FEATURE("bmi2")
  GANTK_FEATURE("avx512f")
  GANTK_FEATURE("avx512bw")
  GANTK_FEATURE("avx512dq")
  GANTK_FEATURE("avx512vl")
  GANTK_FEATURE("avx512cd")
  GANTK_FEATURE("avx512vnni")
#undef GANTK_FEATURE
#endif
  return std::nullopt;
}

} // namespace

std::optional<bool> gantk::cpuHasFeature(const std::string &name) {
  if (const char *lacks = std::getenv("GANTK_TEST_CPU_LACKS")) {
    std::stringstream list(lacks);
    for (std::string item; std::getline(list, item, ',');)
      if (item == name)
        return false;
  }
  return hardwareHas(name);
}

#if defined(__x86_64__)
bool gantk::hasWideFma() {
  // Not cached: tests take features away through GANTK_TEST_CPU_LACKS.
  return cpuHasFeature("avx2").value_or(false) &&
         cpuHasFeature("fma").value_or(false);
}
#endif

Status gantk::checkCpuFeatures(const schema::CodeObject &code,
                               const std::string &artifactName) {
  if (!code.features())
    return {};
  std::string missing;
  for (const flatbuffers::String *feature : *code.features()) {
    // A name this runtime cannot test is not a reason to refuse.
    std::optional<bool> has = cpuHasFeature(feature->str());
    if (has && !*has)
      missing += (missing.empty() ? "" : ", ") + feature->str();
  }
  if (missing.empty())
    return {};
  std::string cpu = code.cpu() ? code.cpu()->str() : "another CPU";
  return makeError(ErrorCode::FailedPrecondition,
                   artifactName + ": its CPU code was compiled for " + cpu +
                       " and uses " + missing +
                       ", which this CPU lacks; compile the spec on this "
                       "machine, or with --target-cpu=x86-64-v2 for code "
                       "that runs on any x86-64 CPU of the last decade");
}
