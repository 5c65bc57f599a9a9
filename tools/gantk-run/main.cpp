//===- main.cpp - gantk-run: run a compiled artifact ---------------------===//
//
//   gantk-run ARTIFACT --out DIR [--steps K] [--threads T] [--device=cpu|cuda]
//
// The runtime-only tool: loads an artifact, runs its optimiser loop and
// writes the samples, with no compiler in the process. Every option takes
// `--name value` or `--name=value`; the exit statuses are gantk's
// (gantk/runtime/ExitCode.h).
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/ExitCode.h"
#include "gantk/runtime/Options.h"
#include "gantk/runtime/Progress.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Train.h"

#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>

#ifndef GANTK_VERSION
#error "GANTK_VERSION is defined by tools/gantk-run/CMakeLists.txt"
#endif

using namespace gantk;

namespace {

void printUsage(std::ostream &os) {
  os << "usage: gantk-run ARTIFACT --out DIR [--steps K] [--threads T]\n"
        "                 [--device=cpu|cuda] [--checkpoint-every K]\n"
        "                 [--resume CHECKPOINT] [--expect-digest HEX]\n"
        "       gantk-run --help | --version\n"
        "\n"
        "Runs the optimiser loop of a compiled gantk artifact and writes\n"
        "DIR/samples.npy and, when the spec asks for a plot, "
        "DIR/samples.png.\n"
        "\n"
        "  --out DIR      output directory (created if missing)\n"
        "  --steps K      override the spec's step count (K >= 0)\n"
        "  --checkpoint-every K\n"
        "                 write DIR/checkpoint.gantk every K steps and at "
        "the end\n"
        "  --resume CHECKPOINT\n"
        "                 continue the run saved in CHECKPOINT (a "
        "checkpoint.gantk\n"
        "                 or its directory; --out defaults to that "
        "directory)\n"
        "  --expect-digest HEX\n"
        "                 refuse the artifact unless its SHA-256 is HEX "
        "(gantk\n"
        "                 describe prints it)\n"
        "  --threads T    kernel and BLAS threads, 1 to 1024 (default: "
        "GANTK_NUM_THREADS\n"
        "                 or all cores)\n"
        "  --device D     cpu (default) or cuda (the artifact needs PTX: "
        "compile\n"
        "                 it with --target=cuda)\n"
        "  --help, -h     show this message\n"
        "  --version      show the version and whether CUDA is compiled in\n"
        "Options take `--name value` or `--name=value`.\n"
        "\n"
        "Exit status: 0 done, 1 bad input (artifact, data, no GPU), 2 bad\n"
        "command line, 3 the run failed.\n";
}

int fail(ExitCode code, const std::string &message) {
  std::cerr << "gantk-run: error: " << message << "\n";
  return exitStatus(code);
}

int usageError(const std::string &message) {
  fail(ExitCode::UsageError, message);
  printUsage(std::cerr);
  return exitStatus(ExitCode::UsageError);
}

/// What the command line asks for.
struct Options {
  std::string artifact, outDir, expectDigest;
  TrainOptions train;
  SessionOptions session;
};

/// Checks and stores the value of option `name` (without dashes); an empty
/// string on success, else the usage error.
std::string setOption(Options &options, const std::string &name,
                      const std::string &value) {
  if (name == "out") {
    if (value.empty())
      return "--out needs a value";
    options.outDir = value;
    return {};
  }
  if (name == "steps") {
    int64_t steps = 0;
    std::string error = parseSteps(value, steps);
    if (error.empty())
      options.train.steps = steps;
    return error;
  }
  if (name == "checkpoint-every") {
    int64_t every = 0;
    std::string error = parseCheckpointEvery(value, every);
    if (error.empty())
      options.train.checkpointEvery = every;
    return error;
  }
  if (name == "expect-digest") {
    options.expectDigest = value;
    return parseDigest(value);
  }
  if (name == "resume") {
    if (value.empty())
      return "--resume needs a checkpoint or its directory";
    options.train.resumeFrom = value;
    return {};
  }
  if (name == "threads")
    return parseThreads(value, options.session.threads);
  return parseDevice(value, options.session.device);
}

} // namespace

int main(int argc, char **argv) {
  restartOnBetterBlasCore(argv);
  Options options;
  std::set<std::string> seen;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(std::cout);
      return exitStatus(ExitCode::Success);
    }
    if (arg == "--version") {
      std::cout << "gantk-run " << GANTK_VERSION << "\n"
                << "runtime: CPU, CUDA device "
                << (runtimeHasCuda() ? "compiled in" : "not compiled in")
                << "\nBLAS: " << blasDescription() << "\n";
      return exitStatus(ExitCode::Success);
    }
    if (arg.empty() || arg[0] != '-') {
      if (!options.artifact.empty())
        return usageError("more than one artifact given");
      options.artifact = arg;
      continue;
    }
    // --name value or --name=value.
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    if (name != "--out" && name != "--steps" && name != "--threads" &&
        name != "--device" && name != "--checkpoint-every" &&
        name != "--resume" && name != "--expect-digest")
      return usageError("unknown option '" + arg + "'");
    // A repeated option is a mistake to point out, not "the last one wins".
    if (!seen.insert(name).second)
      return usageError(name + " given more than once");
    std::string value;
    if (eq != std::string::npos)
      value = arg.substr(eq + 1);
    else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
      value = argv[++i];
    else
      return usageError(arg + " needs a value");
    if (std::string error = setOption(options, name.substr(2), value);
        !error.empty())
      return usageError(error);
  }
  if (options.artifact.empty())
    return usageError("no artifact given");
  if (options.outDir.empty() && options.train.resumeFrom.empty())
    return usageError("--out DIR is required");

  Result<Artifact> artifact =
      Artifact::loadFile(options.artifact, options.expectDigest);
  if (!artifact.ok())
    return fail(ExitCode::InputError, artifact.message());
  Result<std::unique_ptr<Session>> session =
      Session::create(artifact.take(), options.session);
  if (!session.ok())
    return fail(ExitCode::InputError, session.message());
  options.train.outDir = options.outDir;
  options.train.log = &std::cout;
  // A terminal gets one live progress line; pipes and CI logs plain lines.
  options.train.liveProgress = isTerminal(STDOUT_FILENO);
  options.train.reportBase.facts = {{"artifact", options.artifact},
                                    {"runner", "gantk-run"}};
  Result<TrainResult> result = train(**session, options.train);
  if (!result.ok())
    return fail(exitCodeFor(result.error()), result.message());
  std::cout << "wrote " << result->samplesNpy;
  if (!result->samplesPng.empty())
    std::cout << " and " << result->samplesPng;
  std::cout << "\n";
  return exitStatus(ExitCode::Success);
}
