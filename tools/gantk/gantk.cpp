//===- gantk.cpp - the gantk driver ---------------------------------------===//
//
// One tool, one subcommand per task (llvm::cl subcommands: `gantk CMD
// --help` lists each one's options):
//
//   gantk compile SPEC|MODULE.mlir   to an artifact, or an intermediate form
//   gantk run SPEC|MODULE.mlir|ARTIFACT   the optimiser loop (under
//       `mpirun -n P`: P independent problems, or with --ranks P one problem
//       split over the ranks)
//   gantk grad SPEC --real X --fake Z     loss and dL/dZ once
//   gantk kernel SPEC --input S           the discriminator's NTK and NNGP
//   gantk bench SPEC --n N                time per step
//   gantk describe ARTIFACT               what an artifact holds
//
// This file is the command line, the printing and the exit statuses; what
// each command does is the driver library's (gantk/Driver/), which the
// Python package shares. Exit statuses are gantk-run's
// (gantk/runtime/ExitCode.h).
//
//===----------------------------------------------------------------------===//

#include "Command.h"

#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/CUDACodeGen.h"
#include "gantk/Compiler/Compilation.h"
#include "gantk/Driver/Driver.h"
#include "gantk/Driver/Errors.h"
#include "gantk/Driver/Graph.h"
#include "gantk/Driver/Rows.h"
#include "gantk/Driver/Sample.h"
#include "gantk/Driver/Spec.h"
#include "gantk/Frontend/ASTDump.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/Comm.h"
#include "gantk/runtime/Describe.h"
#include "gantk/runtime/ExitCode.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Options.h"
#include "gantk/runtime/Progress.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Stats.h"
#include "gantk/runtime/Train.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#ifndef GANTK_VERSION
#error "GANTK_VERSION is defined by tools/gantk/CMakeLists.txt"
#endif

using namespace gantk;
namespace cl = llvm::cl;
using driver::LoadedSpec;
using driver::RunOptions;

llvm::cl::OptionCategory gantk::toolCategory("gantk options");

namespace {

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

cl::OptionCategory &category = toolCategory;

cl::SubCommand compileCmd("compile",
                          "Compile a spec or a .mlir module to an artifact");
cl::SubCommand runCmd("run", "Run the optimiser loop of a spec, a .mlir "
                             "module or an artifact; write the samples");
cl::SubCommand gradCmd("grad", "Print the loss and write dL/dZ of a spec at "
                               "given X and Z");
cl::SubCommand kernelCmd("kernel",
                         "Write the discriminator's NTK (and NNGP) of a spec "
                         "on the rows of S");
cl::SubCommand benchCmd("bench", "Time steps of a spec at n real points");
cl::SubCommand describeCmd("describe", "Print what an artifact holds");
cl::SubCommand sampleCmd("sample",
                         "Draw new points from a generator (GA-NTKg): a run's "
                         "checkpoint, or an artifact's untrained generator");
cl::SubCommand tuneLambdaCmd(
    "tune-lambda", "Choose lambda by the paper's Algorithm 1 (double it until "
                   "the discriminator separates the real rows from noise)");

/// The input of each subcommand.
cl::opt<std::string> compileInput(cl::Positional, cl::sub(compileCmd),
                                  cl::desc("<SPEC.gantk | MODULE.mlir>"),
                                  cl::cat(category));
cl::opt<std::string> runInput(cl::Positional, cl::sub(runCmd),
                              cl::desc("<SPEC.gantk | MODULE.mlir | ARTIFACT>"),
                              cl::cat(category));
cl::opt<std::string> specInput(cl::Positional, cl::sub(gradCmd),
                               cl::sub(kernelCmd), cl::sub(benchCmd),
                               cl::sub(tuneLambdaCmd),
                               cl::desc("<SPEC.gantk>"), cl::cat(category));
cl::opt<std::string> artifactInput(cl::Positional, cl::sub(describeCmd),
                                   cl::desc("<ARTIFACT>"), cl::cat(category));
cl::opt<std::string> sampleInput(cl::Positional, cl::sub(sampleCmd),
                                 cl::desc("<CHECKPOINT | RUN_DIR | ARTIFACT>"),
                                 cl::cat(category));
cl::opt<std::string> sampleSeed("seed", cl::sub(sampleCmd),
                                cl::desc("Seed of the latent rows (default 0)"),
                                cl::value_desc("S"), cl::cat(category));

enum class EmitKind { Ast, Mlir, Lowered, Llvm, Ptx, Artifact };
cl::opt<EmitKind> emit(
    "emit", cl::sub(compileCmd), cl::desc("What to produce"),
    cl::init(EmitKind::Artifact),
    cl::values(clEnumValN(EmitKind::Ast, "ast", "the spec's checked AST"),
               clEnumValN(EmitKind::Mlir, "mlir",
                          "the graph-level gantk IR (compiles back with "
                          "`gantk compile x.mlir`)"),
               clEnumValN(EmitKind::Lowered, "lowered",
                          "the IR after the pass pipeline and memory plan"),
               clEnumValN(EmitKind::Llvm, "llvm",
                          "the kernels' optimised LLVM IR"),
               clEnumValN(EmitKind::Ptx, "ptx", "the kernels' PTX for sm_90"),
               clEnumValN(EmitKind::Artifact, "artifact",
                          "the artifact, to -o FILE")),
    cl::cat(category));
cl::opt<std::string> target("target", cl::sub(compileCmd),
                            cl::desc("Code in the artifact: cpu, cuda (PTX as "
                                     "well as CPU code) or cpu,cuda"),
                            cl::value_desc("cpu|cuda|cpu,cuda"),
                            cl::init("cpu"), cl::cat(category));
cl::opt<std::string> targetCpu(
    "target-cpu", cl::sub(compileCmd),
    cl::desc("CPU the kernels are compiled for: native (this machine, the "
             "default) or an LLVM CPU name; x86-64-v2 runs on any x86-64 CPU "
             "of the last decade, x86-64-v3 needs AVX2"),
    cl::value_desc("CPU"), cl::init("native"), cl::cat(category));
cl::opt<std::string> outputFile("o", cl::sub(compileCmd), cl::sub(describeCmd),
                                cl::desc("Output file (the artifact; a code "
                                         "object for describe --code)"),
                                cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> n("n", cl::sub(compileCmd), cl::sub(benchCmd),
                       cl::sub(sampleCmd),
                       cl::desc("Real rows n (generated rows m = n); the "
                                "spec's n otherwise. sample: the rows to "
                                "draw"),
                       cl::value_desc("N"), cl::cat(category));
cl::opt<std::string> memoryBudget(
    "memory-budget", cl::sub(compileCmd), cl::sub(runCmd), cl::sub(gradCmd),
    cl::sub(benchCmd),
    cl::desc("Bytes one step may use (overrides the spec's memory_budget)"),
    cl::value_desc("BYTES"), cl::cat(category));
cl::opt<std::string> outDir("out", cl::sub(runCmd), cl::sub(sampleCmd),
                            cl::desc("Output directory (the spec's otherwise)"),
                            cl::value_desc("DIR"), cl::cat(category));
cl::opt<std::string> steps("steps", cl::sub(runCmd), cl::sub(benchCmd),
                           cl::desc("Steps (run: overrides the spec's; bench: "
                                    "timed steps, default 5)"),
                           cl::value_desc("K"), cl::cat(category));
cl::opt<std::string> checkpointEvery(
    "checkpoint-every", cl::sub(runCmd),
    cl::desc("Write DIR/checkpoint.gantk every K steps and at the end "
             "(overrides the spec's checkpoint_every)"),
    cl::value_desc("K"), cl::cat(category));
cl::opt<bool> unitSamples(
    "unit-samples", cl::sub(runCmd), cl::sub(sampleCmd),
    cl::desc("Write the samples in the [0, 1] scaling the steps train in "
             "(scale = unit), not in the data's own coordinates"),
    cl::cat(category));
cl::opt<bool> samplePngs(
    "sample-pngs", cl::sub(runCmd),
    cl::desc("Image data: also write each final sample as DIR/samples/N.png"),
    cl::cat(category));
cl::opt<bool> quiet("quiet", cl::sub(runCmd),
                    cl::desc("Print errors only: no memory plan, progress or "
                             "summary lines"),
                    cl::cat(category));
cl::opt<std::string> resume(
    "resume", cl::sub(runCmd),
    cl::desc("Continue the run saved in CHECKPOINT (a checkpoint.gantk, or "
             "the directory holding it; --out defaults to that directory)"),
    cl::value_desc("CHECKPOINT"), cl::cat(category));
cl::opt<std::string> expectDigest(
    "expect-digest", cl::sub(runCmd), cl::sub(describeCmd),
    cl::desc("Refuse an artifact whose SHA-256 (gantk describe prints it) is "
             "not this one"),
    cl::value_desc("HEX"), cl::cat(category));
cl::opt<std::string> threads("threads", cl::sub(runCmd), cl::sub(gradCmd),
                             cl::sub(kernelCmd), cl::sub(benchCmd),
                             cl::desc("Kernel and BLAS threads, 1 to 1024 "
                                      "(default: GANTK_NUM_THREADS or all "
                                      "cores)"),
                             cl::value_desc("T"), cl::cat(category));
cl::opt<std::string> ranks(
    "ranks", cl::sub(compileCmd), cl::sub(runCmd), cl::sub(gradCmd),
    cl::sub(benchCmd),
    cl::desc("Split one problem's step over P MPI ranks (run it under "
             "mpirun -n P): each makes and keeps its row tiles of K, and the "
             "memory plan is per rank; without it `mpirun -n P gantk run "
             "SPEC` runs P independent problems, the spec's m generated rows "
             "split over them (docs/distributed.md)"),
    cl::value_desc("P"), cl::cat(category));
cl::opt<std::string> device("device", cl::sub(runCmd), cl::sub(gradCmd),
                            cl::sub(kernelCmd), cl::sub(benchCmd),
                            cl::desc("cpu, or cuda: the first CUDA GPU (the "
                                     "spec is compiled for cpu,cuda)"),
                            cl::init("cpu"), cl::cat(category));
cl::opt<std::string> realFile("real", cl::sub(gradCmd),
                              cl::desc("X, the real rows (.npy: (N, d), or "
                                       "images (N, H, W[, C]))"),
                              cl::value_desc("X.npy"), cl::cat(category));
cl::opt<std::string> fakeFile("fake", cl::sub(gradCmd),
                              cl::desc("Z, the generated rows (.npy: as X)"),
                              cl::value_desc("Z.npy"), cl::cat(category));
cl::opt<std::string> gradOut("out", cl::sub(gradCmd),
                             cl::desc("Write dL/dZ here (float64 for f64 "
                                      "specs)"),
                             cl::value_desc("G.npy"), cl::cat(category));
cl::opt<std::string> kernelInput("input", cl::sub(kernelCmd),
                                 cl::desc("S, the rows (.npy: (N, d), or "
                                          "images (N, H, W[, C]))"),
                                 cl::value_desc("S.npy"), cl::cat(category));
cl::opt<std::string> kernelOut("out", cl::sub(kernelCmd),
                               cl::desc("Write the NTK here"),
                               cl::value_desc("K.npy"), cl::cat(category));
cl::opt<std::string> discriminatorName(
    "discriminator", cl::sub(kernelCmd),
    cl::desc("The discriminator whose kernel is written (a spec with several "
             "names them)"),
    cl::value_desc("NAME"), cl::cat(category));
cl::opt<std::string> nngpOut("nngp", cl::sub(kernelCmd),
                             cl::desc("Write the NNGP here too"),
                             cl::value_desc("P.npy"), cl::cat(category));
cl::opt<std::string> warmup("warmup", cl::sub(benchCmd),
                            cl::desc("Untimed steps first (default 1)"),
                            cl::value_desc("W"), cl::cat(category));
cl::opt<bool> profile("profile", cl::sub(benchCmd), cl::ValueRequired,
                      cl::desc("1: split a step by command (and give each "
                               "Krylov command's projected dimension and "
                               "products with K)"),
                      cl::value_desc("0|1"), cl::cat(category));
cl::opt<std::string> searchEps(
    "eps", cl::sub(tuneLambdaCmd),
    cl::desc("Stop at the first lambda whose separation loss is at most EPS "
             "(the spec's search(eps: ...) otherwise, else 1e-3)"),
    cl::value_desc("EPS"), cl::cat(category));
cl::opt<std::string> searchStart(
    "start", cl::sub(tuneLambdaCmd),
    cl::desc("The first lambda tried (the spec's search(start: ...) "
             "otherwise, else 1)"),
    cl::value_desc("LAMBDA"), cl::cat(category));
cl::opt<std::string> codeTarget("code", cl::sub(describeCmd),
                                cl::desc("Write this code object (e.g. "
                                         "x86_64-linux-cpu, nvptx64-sm_90) "
                                         "to -o FILE"),
                                cl::value_desc("TARGET"), cl::cat(category));

/// The subcommands, for dispatch and the usage line.
const std::vector<cl::SubCommand *> &subcommands() {
  static const std::vector<cl::SubCommand *> all = {
      &compileCmd,  &runCmd,        &gradCmd,   &kernelCmd, &benchCmd,
      &describeCmd, &tuneLambdaCmd, &sampleCmd, &evalCmd};
  return all;
}

/// The subcommands' names, "compile, run, …, LAST" with `last` before the
/// last one (", " or " or ").
std::string commandNames(const char *last) {
  std::string names;
  const std::vector<cl::SubCommand *> &all = subcommands();
  for (size_t i = 0; i < all.size(); ++i)
    names += (i == 0 ? "" : i + 1 == all.size() ? last : ", ") +
             all[i]->getName().str();
  return names;
}

void printVersion(llvm::raw_ostream &os) {
  os << "gantk " << GANTK_VERSION << "\n"
     << "  LLVM/MLIR " << LLVM_VERSION_STRING << "\n"
     << "  targets: " << kCPUTarget;
  for (const CUDATarget &t : kCUDATargets)
    os << ", " << t.codeObject;
  os << "\n  runtime: CPU, CUDA device "
     << (runtimeHasCuda() ? "compiled in" : "not compiled in") << "\n"
     << "  BLAS: " << blasDescription() << "\n";
}

/// Runs `check` (one of Options.h) on an option that was given; false after
/// printing its usage error.
template <typename T, typename Check>
bool optionValue(const cl::opt<std::string> &option, T &out, Check check) {
  if (option.getNumOccurrences() == 0)
    return true;
  std::string error = check(option.getValue(), out);
  if (!error.empty())
    fail(ExitCode::UsageError, error);
  return error.empty();
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// --expect-digest is 64 lowercase hex digits; false after its usage error.
bool checkDigestOption() {
  if (expectDigest.getNumOccurrences() == 0)
    return true;
  std::string error = parseDigest(expectDigest);
  if (!error.empty())
    fail(ExitCode::UsageError, error);
  return error.empty();
}

/// The session options every running command takes; false after a usage
/// error.
/// The MPI job `gantk run` (and `grad` and `bench` with --ranks) is a rank
/// of (set once it asked for the world; null before and in other
/// commands). In a job of more than one rank an error ends the whole job
/// (Communicator::abort) after its message, said once.
Communicator *jobWorld = nullptr;

bool runOptions(RunOptions &options) {
  if (!optionValue(threads, options.threads, parseThreads) ||
      !optionValue(ranks, options.ranks, parseRanks) ||
      !optionValue(device, options.device, parseDevice) ||
      !optionValue(memoryBudget, options.budget, parseBytes))
    return false;
  // One problem over ranks: this process is one rank of the job.
  if (options.ranks > 1)
    if (Result<Communicator *> world = Communicator::world(); world.ok())
      jobWorld = *world;
  return true;
}

bool inJob() { return jobWorld && jobWorld->distributed(); }

/// Prints a driver error as gantk prints it (diagnostics as they are, else
/// one "gantk: error:" line) and returns its exit status.
int report(const Error &error) {
  if (inJob() && !driver::isDiagnostic(error))
    return fail(exitCodeFor(error), error.message);
  if (inJob()) {
    // One write: mpirun's own lines must not land inside it.
    std::cerr << jobWorld->who() + driver::errorText(error);
    jobWorld->abort(exitStatus(exitCodeFor(error)));
  }
  std::cerr << driver::errorText(error);
  return exitStatus(exitCodeFor(error));
}

/// The spec at `path`, its data probed when asked; prints the error.
std::optional<LoadedSpec> loadSpec(const std::string &path, bool probe) {
  Result<LoadedSpec> loaded = driver::loadSpecFile(path, probe);
  if (!loaded.ok()) {
    report(loaded.error());
    return std::nullopt;
  }
  return loaded.take();
}

//===----------------------------------------------------------------------===//
// Subcommands
//===----------------------------------------------------------------------===//

int commandCompile() {
  if (compileInput.empty())
    return usage("compile", "compile takes one SPEC or MODULE.mlir");
  std::vector<Target> targets;
  if (target == "cpu")
    targets = {Target::CPU};
  else if (target == "cuda" || target == "cpu,cuda")
    targets = {Target::CPU, Target::CUDA}; // CPU code is always in
  else
    return fail(ExitCode::UsageError, "unknown --target '" + target +
                                          "' (expected cpu, cuda or cpu,cuda)");
  if (emit == EmitKind::Artifact && outputFile.empty())
    return fail(ExitCode::UsageError, "compile needs -o FILE for the artifact");
  if (std::string error = checkTargetCpu(targetCpu); !error.empty())
    return fail(ExitCode::UsageError, "--target-cpu: " + error);
  std::optional<int64_t> nRows;
  int64_t value = 0;
  if (n.getNumOccurrences()) {
    if (std::string error = parseIntegerOption("--n", n, 1, INT64_MAX, value);
        !error.empty())
      return fail(ExitCode::UsageError, error);
    nRows = value;
  }
  double budget = 0;
  int rankCount = 1;
  if (!optionValue(memoryBudget, budget, parseBytes) ||
      !optionValue(ranks, rankCount, parseRanks))
    return exitStatus(ExitCode::UsageError);

  std::optional<Result<driver::Graph>> graph;
  if (endsWith(compileInput, ".mlir")) {
    if (emit == EmitKind::Ast)
      return fail(ExitCode::UsageError, "--emit=ast needs a spec, not a "
                                        ".mlir module");
    if (nRows)
      return fail(ExitCode::UsageError, "--n sets the size of a spec; a "
                                        ".mlir module has its sizes");
    graph = driver::Graph::parseFile(compileInput);
  } else {
    std::optional<LoadedSpec> loaded =
        loadSpec(compileInput, emit != EmitKind::Ast);
    if (!loaded)
      return exitStatus(ExitCode::InputError);
    if (emit == EmitKind::Ast) {
      dumpAST(loaded->spec, std::cout);
      return exitStatus(ExitCode::Success);
    }
    // The search's trace goes where it cannot mix with emitted IR.
    graph = driver::specStepGraph(*loaded, nRows, RunOptions(),
                                  emit == EmitKind::Artifact ? std::cout
                                                             : std::cerr);
  }
  if (!graph->ok())
    return report(graph->error());
  if (emit == EmitKind::Mlir) {
    (*graph)->module().print(llvm::outs());
    return exitStatus(ExitCode::Success);
  }
  CompileOptions options;
  options.memoryBudget = budget;
  options.ranks = rankCount;
  options.targets = targets;
  options.targetCpu = targetCpu;
  options.emit = emit == EmitKind::Lowered ? Emit::Lowered
                 : emit == EmitKind::Llvm  ? Emit::Llvm
                 : emit == EmitKind::Ptx   ? Emit::Ptx
                                           : Emit::Artifact;
  Result<driver::Compiled> compiled = (*graph)->compile(options);
  if (!compiled.ok())
    return report(compiled.error());
  if (options.emit != Emit::Artifact)
    return exitStatus(ExitCode::Success);
  Result<driver::SavedArtifact> saved =
      driver::saveArtifact(compiled->buffer, outputFile);
  if (!saved.ok())
    return report(saved.error());
  std::fputs(driver::planReport(*compiled).c_str(), stdout);
  std::fputs(compiled->plan.layout.c_str(), stdout);
  std::printf("wrote %s (%zu bytes, sha256 %s)\n", outputFile.c_str(),
              saved->bytes, saved->digest.c_str());
  return exitStatus(ExitCode::Success);
}

int commandRun() {
  // Under mpirun the job's ranks (MPI is initialised only there): P
  // independent problems, or with --ranks (or an artifact compiled with it)
  // one problem split over them.
  Result<Communicator *> worldOr = Communicator::world();
  if (!worldOr.ok())
    return report(worldOr.error());
  Communicator &world = **worldOr;
  jobWorld = &world;
  if (runInput.empty())
    return usage("run", "run takes one SPEC, MODULE.mlir or ARTIFACT");
  bool oneProblem = ranks.getNumOccurrences() > 0;
  bool isSpec = endsWith(runInput, ".gantk");
  bool independent = world.distributed() && !oneProblem;
  if (independent && !isSpec && endsWith(runInput, ".mlir"))
    return usage("run", "under mpirun -n " + std::to_string(world.size()) +
                            " gantk runs independent problems, each with its "
                            "share of a spec's m generated rows, and a .mlir "
                            "module has fixed sizes: run the spec, or give "
                            "--ranks " +
                            std::to_string(world.size()) +
                            " to split one problem over the ranks");
  // Only rank 0 prints; the other ranks' plan lines and search traces go
  // nowhere.
  std::ostream nowhere(nullptr);
  std::ostream &out = world.root() ? std::cout : nowhere;
  bool printing = !quiet && world.root();
  RunOptions options;
  TrainOptions train;
  train.log = printing ? &std::cout : nullptr;
  // A terminal gets one live progress line; pipes and CI logs plain lines.
  // Under mpirun a rank's stdout is Open MPI's pty whatever mpirun's own
  // stdout is: plain lines.
  train.liveProgress = isTerminal(STDOUT_FILENO) && !world.distributed();
  train.outDir = outDir;
  train.unitSamples = unitSamples;
  train.samplePngs = samplePngs;
  int64_t stepCount = 0, checkpointSteps = 0;
  if (!runOptions(options) || !optionValue(steps, stepCount, parseSteps) ||
      !optionValue(checkpointEvery, checkpointSteps, parseCheckpointEvery))
    return exitStatus(ExitCode::UsageError);
  if (steps.getNumOccurrences())
    train.steps = stepCount;
  if (checkpointEvery.getNumOccurrences())
    train.checkpointEvery = checkpointSteps;
  if (resume.getNumOccurrences() && resume.getValue().empty())
    return usage("run", "--resume needs a checkpoint or its directory");
  if (!checkDigestOption())
    return exitStatus(ExitCode::UsageError);
  if (expectDigest.getNumOccurrences() &&
      (endsWith(runInput, ".gantk") || endsWith(runInput, ".mlir")))
    return usage("run", "--expect-digest checks an artifact, not a spec or "
                        "module");
  train.resumeFrom = resume;

  std::optional<Result<std::unique_ptr<Session>>> session;
  // What the report knows beyond the artifact: the spec and the plan.
  std::string specText;
  std::optional<driver::Compiled> plan;
  if (endsWith(runInput, ".gantk") || endsWith(runInput, ".mlir")) {
    std::optional<Result<driver::Graph>> graph;
    if (endsWith(runInput, ".mlir")) {
      graph = driver::Graph::parseFile(runInput);
    } else {
      std::optional<LoadedSpec> loaded = loadSpec(runInput, true);
      if (!loaded)
        return exitStatus(ExitCode::InputError);
      if (independent) {
        // The command line's m < P is every rank's error; a batch larger
        // than this rank's rows is its own.
        int64_t m = driver::generatedRows(*loaded);
        if (m < world.size())
          return usage("run",
                       "mpirun -n " + std::to_string(world.size()) + " runs " +
                           std::to_string(world.size()) +
                           " independent problems, and the spec has m = " +
                           std::to_string(m) +
                           " generated rows: each problem needs at least "
                           "one (raise m or start fewer ranks)");
        if (Status s =
                driver::splitForRank(*loaded, world.rank(), world.size());
            !s.ok())
          return report(s.error());
        train.comm = &world;
        train.independentProblems = true;
        train.problemSeed = problemSeed(loaded->spec.train.seed, world.rank());
      }
      graph = driver::specStepGraph(*loaded, std::nullopt, options, out);
      specText = loaded->text;
    }
    if (!graph->ok())
      return report(graph->error());
    CompileOptions compile;
    compile.memoryBudget = options.budget;
    compile.ranks = options.ranks;
    compile.targets = driver::targetsFor(options.device);
    Result<driver::Compiled> compiled = (*graph)->compile(compile);
    if (!compiled.ok())
      return report(compiled.error());
    if (printing)
      std::fputs(driver::planReport(*compiled).c_str(), stdout);
    session =
        driver::openBuffer(std::move(compiled->buffer), runInput, options);
    plan = compiled.take(); // the plan stays; the buffer went to the session
  } else {
    session = driver::openArtifact(Artifact::loadFile(runInput, expectDigest),
                                   options);
  }
  if (!session->ok())
    return report(session->error());
  if (oneProblem || (***session).ranks() > 1) {
    // One problem split over the ranks (opening a step compiled for them
    // split it): every rank runs the same step in lockstep; rank 0 prints
    // and writes, nothing is gathered. A step compiled for one process
    // under mpirun is refused, with the --ranks to give.
    if ((***session).ranks() == 1 && world.distributed())
      if (Status s = (***session).distribute(world); !s.ok())
        return report(s.error());
    train.comm = &world;
    train.independentProblems = false;
  } else if (independent) {
    if (!isSpec)
      return usage("run",
                   "under mpirun -n " + std::to_string(world.size()) +
                       " gantk runs independent problems, each with its "
                       "share of a spec's m generated rows, and an artifact "
                       "has fixed sizes: run the spec itself under mpirun "
                       "(each rank compiles its share), or compile it with "
                       "--ranks " +
                       std::to_string(world.size()) +
                       " to split one problem over the ranks");
  }
  train.reportBase = driver::runReport(runInput, specText,
                                       plan ? &*plan : nullptr, ***session);
  Result<TrainResult> result = gantk::train(***session, train);
  if (!result.ok())
    return fail(exitCodeFor(result.error()), result.message());
  if (!printing)
    return exitStatus(ExitCode::Success);
  std::printf("wrote %s", result->samplesNpy.c_str());
  if (!result->samplesPng.empty())
    std::printf(" and %s", result->samplesPng.c_str());
  std::printf("\n");
  return exitStatus(ExitCode::Success);
}

int commandGrad() {
  if (specInput.empty() || realFile.empty() || fakeFile.empty())
    return usage("grad", "grad needs SPEC --real X.npy --fake Z.npy");
  RunOptions options;
  if (!runOptions(options))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, false);
  if (!loaded)
    return exitStatus(ExitCode::InputError);
  if (Status s = driver::checkGradSpec(*loaded); !s.ok())
    return report(s.error());
  Result<driver::NpyRows> x = driver::readRows(realFile);
  if (!x.ok())
    return report(x.error());
  Result<driver::NpyRows> z = driver::readRows(fakeFile);
  if (!z.ok())
    return report(z.error());
  // A lambda search's trace goes to stderr, beside the loss line.
  Result<driver::Gradient> g =
      driver::grad(*loaded, x->rows, z->rows, options, std::cerr);
  if (!g.ok())
    return report(g.error());
  // Over ranks every rank holds the same loss and dL/dZ: rank 0 answers.
  if (options.ranks > 1 && !(*Communicator::world())->root())
    return exitStatus(ExitCode::Success);
  std::printf("loss %.17g\n", g->loss);
  if (!gradOut.empty()) {
    if (Status st = writeNpy(gradOut, z->array.shape, g->grad.data(),
                             driver::precisionDType(loaded->spec));
        !st.ok())
      return fail(exitCodeFor(st.error()), st.message());
  }
  return exitStatus(ExitCode::Success);
}

int commandKernel() {
  if (specInput.empty() || kernelInput.empty() || kernelOut.empty())
    return usage("kernel", "kernel needs SPEC --input S.npy --out K.npy");
  RunOptions options;
  if (!runOptions(options))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, false);
  if (!loaded)
    return exitStatus(ExitCode::InputError);
  Result<driver::NpyRows> rows = driver::readRows(kernelInput);
  if (!rows.ok())
    return report(rows.error());
  // One discriminator's kernel: the spec's only one, or the one named.
  std::optional<std::string> named;
  if (discriminatorName.getNumOccurrences())
    named = discriminatorName.getValue();
  if (Status s = driver::selectDiscriminator(*loaded, named); !s.ok())
    return usage("kernel", s.message());
  Result<driver::Kernels> k = driver::kernel(*loaded, rows->rows, options);
  if (!k.ok())
    return report(k.error());
  auto write = [&](const std::string &path, const std::vector<double> &values) {
    return writeNpy(path, {k->points, k->points}, values.data(),
                    driver::precisionDType(loaded->spec));
  };
  Status st = write(kernelOut, k->ntk);
  if (st.ok() && !nngpOut.empty())
    st = write(nngpOut, k->nngp);
  if (!st.ok())
    return fail(exitCodeFor(st.error()), st.message());
  return exitStatus(ExitCode::Success);
}

int commandBench() {
  if (specInput.empty() || n.empty())
    return usage("bench", "bench needs SPEC --n N");
  RunOptions options;
  int64_t rows = 0, stepCount = 5, warmupCount = 1;
  if (!runOptions(options) ||
      !optionValue(n, rows,
                   [](const std::string &text, int64_t &out) {
                     return parseIntegerOption("--n", text, 1, INT64_MAX, out);
                   }) ||
      !optionValue(steps, stepCount,
                   [](const std::string &text, int64_t &out) {
                     return parseIntegerOption("--steps", text, 1, INT64_MAX,
                                               out);
                   }) ||
      !optionValue(
          warmup, warmupCount, [](const std::string &text, int64_t &out) {
            return parseIntegerOption("--warmup", text, 0, INT64_MAX, out);
          }))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, true);
  if (!loaded)
    return exitStatus(ExitCode::InputError);
  Result<GraphShape> shape = driver::stepShape(*loaded, rows);
  if (!shape.ok())
    return report(shape.error());
  if (loaded->spec.objective.lambdaSearch)
    if (Status s = driver::resolveLambda(*loaded, *shape, options, std::cout);
        !s.ok())
      return report(s.error());
  auto compileStart = std::chrono::steady_clock::now();
  PlanSummary plan;
  Result<std::unique_ptr<Session>> session =
      driver::openSpec(*loaded, *shape, EntryKind::Step, options, &plan);
  if (!session.ok())
    return report(session.error());
  double compileSeconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - compileStart)
                              .count();
  Session &s = **session;
  const schema::Artifact &root = s.root();
  if (Status st = driver::prepareBench(s, *shape); !st.ok())
    return report(st.error());
  std::vector<double> seconds;
  // Over ranks (opening the step split it over the job's ranks): the bytes
  // this rank hands to collectives in the timed steps.
  Communicator *world = s.ranks() > 1 ? *Communicator::world() : nullptr;
  uint64_t sentBefore = 0;
  // Warm-up steps fill caches and start threads; they are not timed.
  for (int64_t i = 0; i < warmupCount + stepCount; ++i) {
    s.setProfiling(profile && i >= warmupCount);
    if (world && i == warmupCount)
      sentBefore = world->bytesSent();
    auto start = std::chrono::steady_clock::now();
    if (Status st = s.step(); !st.ok())
      return fail(exitCodeFor(st.error()), st.message());
    double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (i >= warmupCount)
      seconds.push_back(t);
  }
  if (world) {
    // Each rank's bytes a step beside docs/distributed.md's model of them.
    uint64_t sent = (world->bytesSent() - sentBefore) / uint64_t(stepCount);
    std::vector<uint8_t> all;
    if (Status st = world->gather(&sent, sizeof(sent), &all); !st.ok())
      return report(st.error());
    if (!world->root())
      return exitStatus(ExitCode::Success);
    std::printf("ranks %d: bytes sent a step by each rank:", s.ranks());
    for (size_t r = 0; r < all.size() / sizeof(uint64_t); ++r) {
      uint64_t v;
      std::memcpy(&v, all.data() + r * sizeof(v), sizeof(v));
      std::printf(" %llu", (unsigned long long)v);
    }
    std::printf(" (model");
    for (uint64_t v : driver::collectiveBytesModel(s, s.ranks()))
      std::printf(" %llu", (unsigned long long)v);
    std::printf(")\n");
  }
  const char *precision =
      loaded->spec.train.precision == ast::Train::Precision::F32 ? "f32"
                                                                 : "f64";
  long long numReal = shape->numReal,
            points = shape->numReal + shape->numFake, dim = shape->dim;
  if (options.device == DeviceKind::Cuda) {
    // Device memory: the arena and the libraries' workspaces the session
    // allocated, and the largest drop of the GPU's free memory it saw.
    DeviceMemory memory = s.deviceMemory();
    std::printf(
        "bench n=%lld N=%lld d=%lld %s cuda %s: median %.4f s/step over %lld "
        "steps, plan %.1f MiB (%s), device memory %.1f MiB (arena %.1f MiB + "
        "workspace %.1f MiB), peak in use %.1f MiB (cuMemGetInfo), compile "
        "%.2f s, loss %.6e\n",
        numReal, points, dim, precision, memory.deviceName.c_str(),
        median(seconds), (long long)stepCount, plan.peakBytes / 1048576.0,
        plan.name.c_str(),
        (memory.arenaBytes + memory.workspaceBytes) / 1048576.0,
        memory.arenaBytes / 1048576.0, memory.workspaceBytes / 1048576.0,
        memory.peakUsedBytes / 1048576.0, compileSeconds, s.loss());
  } else {
    std::printf("bench n=%lld N=%lld d=%lld %s threads=%d: median %.4f s/step "
                "over %lld steps, plan %.1f MiB (%s), peak RSS %.1f MiB, "
                "compile %.2f s, loss %.6e\n",
                numReal, points, dim, precision, s.threads(), median(seconds),
                (long long)stepCount, plan.peakBytes / 1048576.0,
                plan.name.c_str(), peakRssBytes() / 1048576.0, compileSeconds,
                s.loss());
  }
  if (profile) {
    // Where a step's time goes, command by command (mean over the steps).
    const auto *commands = root.commands();
    for (uint32_t i = 0; i < commands->size(); ++i) {
      const auto *c = commands->Get(i);
      // Commands on X only ran once, in the untimed first step.
      if (c->once()) {
        std::printf("      once     %s  (X only: at the first step, kept)\n",
                    c->label() ? c->label()->c_str() : "?");
        continue;
      }
      std::printf("  %8.2f ms  %s", 1e3 * s.commandTimes()[i] / stepCount,
                  c->label() ? c->label()->c_str() : "?");
      // A Krylov command costs about one product with K per block: each
      // reads all of K (bench/floor counts them).
      if (i < s.krylovStats().size() && s.krylovStats()[i].dimension > 0)
        std::printf("  (projected dimension %lld, %lld products with K, "
                    "estimate %.1e)",
                    (long long)s.krylovStats()[i].dimension,
                    (long long)s.krylovStats()[i].products,
                    s.krylovStats()[i].estimate);
      std::printf("\n");
    }
  }
  return exitStatus(ExitCode::Success);
}

int commandTuneLambda() {
  if (specInput.empty())
    return usage("tune-lambda", "tune-lambda needs SPEC");
  RunOptions options;
  double eps = 0, start = 0;
  if (!runOptions(options) ||
      !optionValue(searchEps, eps,
                   [](const std::string &text, double &out) {
                     return parsePositiveNumber("--eps", text, out);
                   }) ||
      !optionValue(searchStart, start,
                   [](const std::string &text, double &out) {
                     return parsePositiveNumber("--start", text, out);
                   }))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, true);
  if (!loaded)
    return exitStatus(ExitCode::InputError);
  Result<GraphShape> shape = driver::stepShape(*loaded, std::nullopt);
  if (!shape.ok())
    return report(shape.error());
  ast::Objective &obj = loaded->spec.objective;
  if (searchEps.getNumOccurrences())
    obj.searchEps = eps;
  if (searchStart.getNumOccurrences())
    obj.searchStart = start;
  if (Status s = driver::resolveLambda(*loaded, *shape, options, std::cout);
      !s.ok())
    return report(s.error());
  return exitStatus(ExitCode::Success);
}

/// Prints what an artifact holds, or writes one code object's bytes.
int commandDescribe() {
  if (artifactInput.empty() ||
      codeTarget.getNumOccurrences() != outputFile.getNumOccurrences())
    return usage("describe",
                 "describe needs ARTIFACT [--code TARGET -o FILE]");
  if (!checkDigestOption())
    return exitStatus(ExitCode::UsageError);
  Result<Artifact> art = Artifact::loadFile(artifactInput, expectDigest);
  if (!art.ok())
    return fail(ExitCode::InputError, art.message());
  const schema::Artifact &root = art->root();
  if (codeTarget.empty()) {
    describeArtifact(*art, std::cout);
    return exitStatus(ExitCode::Success);
  }
  std::string names;
  for (const schema::CodeObject *code : *root.code()) {
    if (code->target()->str() == codeTarget) {
      Status st = writeFileAtomic(outputFile, code->blob()->data(),
                                  code->blob()->size());
      return st.ok() ? exitStatus(ExitCode::Success)
                     : fail(exitCodeFor(st.error()), st.message());
    }
    names += (names.empty() ? "" : ", ") + code->target()->str();
  }
  return fail(ExitCode::InputError, art->name() + " has no code object '" +
                                        codeTarget + "' (it has " + names +
                                        ")");
}

/// gantk sample: new points from a generator run's checkpoint, or from an
/// artifact's untrained generator (gantk/Driver/Sample.h).
int commandSample() {
  if (sampleInput.empty() || outDir.empty() || n.empty())
    return usage("sample", "sample needs CHECKPOINT|RUN_DIR|ARTIFACT --n N "
                           "--out DIR");
  int64_t rows = 0, seed = 0;
  if (std::string error =
          parseIntegerOption("--n", n, 1, int64_t(1) << 32, rows);
      !error.empty())
    return fail(ExitCode::UsageError, error);
  if (sampleSeed.getNumOccurrences())
    if (std::string error =
            parseIntegerOption("--seed", sampleSeed, 0, INT64_MAX, seed);
        !error.empty())
      return fail(ExitCode::UsageError, error);
  Result<driver::GeneratorSource> source =
      driver::loadGenerator(sampleInput.getValue());
  if (!source.ok())
    return report(source.error());
  if (Status s = driver::checkSampleRows(source->shape, rows); !s.ok())
    return fail(ExitCode::UsageError, s.message());
  Result<std::vector<double>> z =
      driver::drawSamples(*source, rows, uint64_t(seed), unitSamples);
  if (!z.ok())
    return report(z.error());
  Result<std::string> path = driver::writeSamples(outDir.getValue(), rows,
                                                  source->shape.outputs(), *z);
  if (!path.ok())
    return report(path.error());
  std::cout << "wrote " << *path << ": " << rows << " points of "
            << source->shape.outputs() << " values from " << source->from
            << "\n";
  return exitStatus(ExitCode::Success);
}

} // namespace

//===----------------------------------------------------------------------===//
// Errors and exit statuses
//===----------------------------------------------------------------------===//

int gantk::fail(ExitCode code, const std::string &message) {
  if (inJob()) {
    if (code == ExitCode::UsageError) {
      // The command line is every rank's: rank 0 alone says what is wrong
      // with it; the others wait until its abort ends the job.
      if (!jobWorld->root()) {
        (void)jobWorld->barrier();
        jobWorld->abort(exitStatus(code));
      }
      // One write: mpirun's abort banner must not land inside the line.
      std::cerr << "gantk: error: " + message + "\n";
    } else {
      // One rank's error, said once by that rank.
      std::string who = jobWorld->who();
      std::cerr << "gantk: error: " +
                       (message.compare(0, who.size(), who) == 0 ? "" : who) +
                       message + "\n";
    }
    jobWorld->abort(exitStatus(code));
  }
  std::cerr << "gantk: error: " << message << "\n";
  return exitStatus(code);
}

/// A command's arguments are missing: what it needs, and where to look.
int gantk::usage(const std::string &command, const std::string &message) {
  return fail(ExitCode::UsageError,
              message + " (gantk " + command + " --help lists its options)");
}

int main(int argc, char **argv) {
  restartOnBetterBlasCore(argv);
  // MLIR's errors keep their colours where stderr is a terminal.
  driver::colorDiagnostics(llvm::errs().has_colors());
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(category);
  for (cl::SubCommand *sub : subcommands())
    cl::HideUnrelatedOptions(category, *sub);
  const char *overview =
      "gantk: compile GA-NTK specs and run them.\n\n"
      "  gantk COMMAND --help   lists a command's options\n\n"
      "Exit status: 0 done, 1 bad input (spec, data, artifact, compile "
      "error, no GPU),\n2 bad command line, 3 the run failed.\n";
  // A first word that names no command is an error of its own.
  if (argc < 2)
    return fail(ExitCode::UsageError,
                "no command given; usage: gantk COMMAND [OPTIONS], commands: " +
                    commandNames(", ") + " (gantk --help)");
  if (argv[1][0] != '-' &&
      llvm::none_of(subcommands(), [&](cl::SubCommand *sub) {
        return sub->getName() == argv[1];
      }))
    return fail(ExitCode::UsageError,
                std::string("unknown command '") + argv[1] +
                    "' (expected " + commandNames(" or ") +
                    "; see gantk --help)");
  // Messages name the tool, not the path it was started by.
  argv[0] = const_cast<char *>("gantk");
  // llvm::cl's own messages ("gantk: Unknown command line argument …")
  // become this tool's one error line, its hints the lines after it.
  // Some of them (an option's bad value) go to stderr whatever stream is
  // given, so stderr is a temporary file while the options are parsed.
  std::string clErrors;
  llvm::raw_string_ostream clStream(clErrors);
  bool parsed;
  {
    FILE *captured = std::tmpfile();
    int saved = captured ? ::dup(2) : -1;
    if (saved >= 0)
      ::dup2(::fileno(captured), 2);
    parsed = cl::ParseCommandLineOptions(argc, argv, overview, &clStream);
    llvm::errs().flush();
    if (saved >= 0) {
      ::dup2(saved, 2);
      ::close(saved);
      std::rewind(captured);
      char chunk[4096];
      for (size_t n; (n = std::fread(chunk, 1, sizeof(chunk), captured)) > 0;)
        clErrors.append(chunk, n);
    }
    if (captured)
      std::fclose(captured);
  }
  if (!parsed) {
    llvm::StringRef text = llvm::StringRef(clErrors).trim();
    auto [first, rest] = text.split('\n');
    first.consume_front("gantk: ");
    int status = fail(ExitCode::UsageError, first.trim().str());
    if (!rest.empty())
      std::cerr << rest.str() << '\n';
    return status;
  }
  if (compileCmd)
    return commandCompile();
  if (runCmd)
    return commandRun();
  if (gradCmd)
    return commandGrad();
  if (kernelCmd)
    return commandKernel();
  if (benchCmd)
    return commandBench();
  if (describeCmd)
    return commandDescribe();
  if (tuneLambdaCmd)
    return commandTuneLambda();
  if (sampleCmd)
    return commandSample();
  if (evalCmd)
    return commandEval();
  return fail(ExitCode::UsageError,
              "no command given (" + commandNames(" or ") +
                  "; see gantk --help)");
}
