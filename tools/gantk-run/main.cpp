//===- main.cpp - gantk-run: run a compiled artifact ---------------------===//
//
// The runtime-only tool: loads an artifact, runs its optimiser loop and
// writes the samples, with no compiler in the process.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Session.h"
#include "gantk/runtime/Train.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

using namespace gantk;

namespace {

void printUsage(std::ostream &os) {
  os << "usage: gantk-run ARTIFACT --out DIR [--steps K] [--threads T]\n"
        "                 [--device=cpu|cuda]\n"
        "\n"
        "Runs the optimiser loop of a compiled gantk artifact and writes\n"
        "DIR/samples.npy and, when the spec asks for a plot, "
        "DIR/samples.png.\n"
        "\n"
        "  --out DIR      output directory (created if missing)\n"
        "  --steps K      override the spec's step count\n"
        "  --threads T    kernel and BLAS threads (default: "
        "GANTK_NUM_THREADS or all cores)\n"
        "  --device D     cpu (default) or cuda (the artifact needs PTX: "
        "compile\n"
        "                 it with --target=cuda)\n"
        "  --help         show this message\n";
}

int usageError(const std::string &message) {
  std::cerr << "gantk-run: error: " << message << "\n";
  printUsage(std::cerr);
  return 2;
}

/// Parses a non-negative integer option value.
bool parseCount(const char *text, long long &out) {
  char *end = nullptr;
  errno = 0;
  out = std::strtoll(text, &end, 10);
  return end != text && *end == '\0' && errno == 0 && out >= 0;
}

} // namespace

int main(int argc, char **argv) {
  std::string artifactPath, outDir;
  TrainOptions trainOptions;
  SessionOptions sessionOptions;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(std::cout);
      return 0;
    }
    if (arg == "--device" || arg.rfind("--device=", 0) == 0) {
      std::string value;
      if (arg != "--device")
        value = arg.substr(std::strlen("--device="));
      else if (i + 1 < argc)
        value = argv[++i];
      else
        return usageError(arg + " needs a value");
      std::optional<DeviceKind> device = parseDeviceKind(value);
      if (!device)
        return usageError("--device must be cpu or cuda, got '" + value + "'");
      sessionOptions.device = *device;
      continue;
    }
    if (arg == "--out" || arg == "--steps" || arg == "--threads") {
      if (i + 1 >= argc)
        return usageError(arg + " needs a value");
      const char *value = argv[++i];
      long long n;
      if (arg == "--out") {
        outDir = value;
      } else if (!parseCount(value, n)) {
        return usageError(arg + " needs a non-negative integer, got '" + value +
                          "'");
      } else if (arg == "--steps") {
        trainOptions.steps = n;
      } else {
        sessionOptions.threads = int(n);
      }
    } else if (!arg.empty() && arg[0] == '-') {
      return usageError("unknown option '" + arg + "'");
    } else if (artifactPath.empty()) {
      artifactPath = arg;
    } else {
      return usageError("more than one artifact given");
    }
  }
  if (artifactPath.empty())
    return usageError("no artifact given");
  if (outDir.empty())
    return usageError("--out DIR is required");

  Result<Artifact> artifact = Artifact::loadFile(artifactPath);
  if (!artifact.ok()) {
    std::cerr << "gantk-run: error: " << artifact.message() << "\n";
    return 1;
  }
  Result<std::unique_ptr<Session>> session =
      Session::create(artifact.take(), sessionOptions);
  if (!session.ok()) {
    std::cerr << "gantk-run: error: " << session.message() << "\n";
    return 1;
  }
  trainOptions.outDir = outDir;
  trainOptions.log = &std::cout;
  Result<TrainResult> result = train(**session, trainOptions);
  if (!result.ok()) {
    std::cerr << "gantk-run: error: " << result.message() << "\n";
    return 1;
  }
  std::cout << "wrote " << result->samplesNpy;
  if (!result->samplesPng.empty())
    std::cout << " and " << result->samplesPng;
  std::cout << "\n";
  return 0;
}
