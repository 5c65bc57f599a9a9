//===- Options.cpp - option values the gantk tools share ------------------===//

#include "gantk/runtime/Options.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace gantk;

std::string gantk::parseIntegerOption(const std::string &name,
                                      const std::string &text, int64_t min,
                                      int64_t max, int64_t &out) {
  std::string rule = max == INT64_MAX
                         ? ">= " + std::to_string(min)
                         : "in [" + std::to_string(min) + ", " +
                               std::to_string(max) + "]";
  std::string error =
      name + " must be an integer " + rule + ", got '" + text + "'";
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return error;
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE || value < min || value > max)
    return error;
  out = value;
  return {};
}

std::string gantk::parseSteps(const std::string &text, int64_t &steps) {
  return parseIntegerOption("--steps", text, 0, INT64_MAX, steps);
}

std::string gantk::parseCheckpointEvery(const std::string &text,
                                        int64_t &every) {
  return parseIntegerOption("--checkpoint-every", text, 1, INT64_MAX, every);
}

std::string gantk::parseDigest(const std::string &text) {
  bool ok = text.size() == 64 &&
            std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
  return ok ? std::string()
            : "--expect-digest must be a SHA-256 as 64 lowercase hex digits "
              "(gantk describe prints it), got '" +
                  text + "'";
}

std::string gantk::parseThreads(const std::string &text, int &threads) {
  int64_t value = 0;
  std::string error =
      parseIntegerOption("--threads", text, 1, kMaxThreads, value);
  if (error.empty())
    threads = int(value);
  return error;
}

std::string gantk::parseRanks(const std::string &text, int &ranks) {
  int64_t value = 0;
  std::string error = parseIntegerOption("--ranks", text, 1, 65536, value);
  if (error.empty())
    ranks = int(value);
  return error;
}

std::string gantk::parseDevice(const std::string &text, DeviceKind &device) {
  std::optional<DeviceKind> kind = parseDeviceKind(text);
  if (!kind)
    return "--device must be cpu or cuda, got '" + text + "'";
  device = *kind;
  return {};
}

std::string gantk::parsePositiveNumber(const std::string &name,
                                       const std::string &text, double &out) {
  std::string error = name + " must be a positive number, got '" + text + "'";
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return error;
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || !std::isfinite(value) || !(value > 0))
    return error;
  out = value;
  return {};
}

std::string gantk::parseBytes(const std::string &text, double &bytes) {
  if (!parsePositiveNumber("--memory-budget", text, bytes).empty())
    return "--memory-budget must be a positive number of bytes, got '" +
           text + "'";
  return {};
}
