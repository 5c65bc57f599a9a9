//===- gantk.cpp - the gantk driver ---------------------------------------===//
//
// One tool, one subcommand per task (llvm::cl subcommands: `gantk CMD
// --help` lists each one's options):
//
//   gantk compile SPEC|MODULE.mlir   to an artifact, or an intermediate form
//   gantk run SPEC|MODULE.mlir|ARTIFACT   the optimiser loop
//   gantk grad SPEC --real X --fake Z     loss and dL/dZ once
//   gantk kernel SPEC --input S           the discriminator's NTK and NNGP
//   gantk bench SPEC --n N                time per step
//   gantk describe ARTIFACT               what an artifact holds
//
// Exit statuses are gantk-run's (gantk/runtime/ExitCode.h).
//
//===----------------------------------------------------------------------===//

#include "DataShape.h"

#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/CUDACodeGen.h"
#include "gantk/Compiler/Compilation.h"
#include "gantk/Frontend/ASTDump.h"
#include "gantk/Frontend/MLIRGen.h"
#include "gantk/Frontend/Parser.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Checkpoint.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/Describe.h"
#include "gantk/runtime/ExitCode.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Finite.h"
#include "gantk/runtime/LambdaSearch.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Options.h"
#include "gantk/runtime/Png.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Sha256.h"
#include "gantk/runtime/Stats.h"
#include "gantk/runtime/Train.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <cstring>
#include <filesystem>
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

namespace {

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

cl::OptionCategory category("gantk options");

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
                               "Krylov command's projected dimension)"),
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
      &compileCmd, &runCmd,      &gradCmd,       &kernelCmd,
      &benchCmd,   &describeCmd, &tuneLambdaCmd, &sampleCmd};
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
     << (runtimeHasCuda() ? "compiled in" : "not compiled in") << "\n";
}

//===----------------------------------------------------------------------===//
// Errors and exit statuses
//===----------------------------------------------------------------------===//

int fail(ExitCode code, const std::string &message) {
  std::cerr << "gantk: error: " << message << "\n";
  return exitStatus(code);
}

/// A command's arguments are missing: what it needs, and where to look.
int usage(const std::string &command, const std::string &message) {
  return fail(ExitCode::UsageError,
              message + " (gantk " + command + " --help lists its options)");
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

//===----------------------------------------------------------------------===//
// The shared prelude: spec → graph → artifact → session
//===----------------------------------------------------------------------===//

/// A parsed spec with the sizes of its data.
struct LoadedSpec {
  ast::Module spec;
  DataInfo data;
};

/// Parses a spec and, with `probe`, reads its data's shape.
std::optional<LoadedSpec> loadSpec(const std::string &path, bool probe) {
  std::optional<ast::Module> spec = parseSpecFile(path, std::cerr);
  if (!spec)
    return std::nullopt;
  LoadedSpec loaded{std::move(*spec), {}};
  if (probe) {
    std::string error;
    if (!probeData(loaded.spec.data.real, loaded.data, error)) {
      fail(ExitCode::InputError, error);
      return std::nullopt;
    }
  }
  return loaded;
}


/// n and m of a step: the spec's (n = 0: every row of the file), or `n`
/// from the command line, checked against the rows the data has. A
/// batch-wise spec's step has batch / 2 of each, drawn from n and m.
std::optional<GraphShape> stepShape(const LoadedSpec &loaded,
                                    std::optional<int64_t> nOverride) {
  const ast::Data &d = loaded.spec.data;
  int64_t n = nOverride ? *nOverride : (d.n ? d.n : loaded.data.rows);
  int64_t m = nOverride ? n : (d.m ? d.m : n);
  if (n > loaded.data.rows) {
    bool folder = d.real.kind == ast::DataSource::Kind::Images;
    fail(ExitCode::InputError,
         d.real.path + " has " + std::to_string(loaded.data.rows) + " " +
             loaded.data.rowsWhich + (folder ? "PNG images" : "rows") +
             ", the spec asks for n = " + std::to_string(n));
    return std::nullopt;
  }
  GraphShape shape{n, m, loaded.data.dim, {}};
  if (int64_t half = loaded.spec.objective.batch / 2) {
    const ast::Location &at = loaded.spec.objective.batchLoc;
    // A generator makes each step's generated rows afresh: there is no
    // whole Z to draw them from.
    bool generator = loaded.spec.generator.has_value();
    if (generator)
      m = half;
    if (half > n || half > m) {
      // Where the spec sets it, as the parser reports spec errors.
      std::cerr << at.file << ":" << at.line << ":" << at.col << ": error: "
                << "batch = " +
               std::to_string(2 * half) + " takes " + std::to_string(half) +
               " real and " + std::to_string(half) +
               " generated rows a step, but there are n = " +
               std::to_string(n) + " real and m = " + std::to_string(m) +
               " generated rows (lower batch to at most " +
               std::to_string(2 * std::min(n, m)) + ")\n";
      return std::nullopt;
    }
    shape = GraphShape{half, half, loaded.data.dim, {}, n, m};
  }
  if (loaded.data.imageH)
    shape.image = {loaded.data.imageH, loaded.data.imageW, loaded.data.imageC};
  return shape;
}

/// `plot = grid` needs image data: checked when a spec is compiled, so that
/// no artifact is written (and no step run) that cannot draw its plot.
bool checkPlot(const LoadedSpec &loaded) {
  if (loaded.spec.output.plot != ast::Output::Plot::Grid)
    return true;
  const ast::DataSource &src = loaded.spec.data.real;
  std::string source =
      src.kind == ast::DataSource::Kind::GaussianGrid   ? "gaussian_grid"
      : src.kind == ast::DataSource::Kind::GaussianRing ? "gaussian_ring"
                                                        : src.path;
  const DataInfo &data = loaded.data;
  Status s =
      checkImageGrid(source, data.dim, data.imageH, data.imageW, data.imageC);
  if (!s.ok())
    fail(ExitCode::InputError, loaded.spec.file + ": " + s.message());
  return s.ok();
}

/// What a spec is compiled for when it runs on `dev`: CPU code always, PTX
/// as well for cuda.
std::vector<Target> targetsFor(DeviceKind dev) {
  if (dev == DeviceKind::Cuda)
    return {Target::CPU, Target::CUDA};
  return {Target::CPU};
}

void printPlan(const PlanSummary &plan, int64_t points, int64_t dim) {
  std::printf("memory plan (%s): peak %lld bytes (%.2f MiB) at %s; N = %lld, "
              "d = %lld\n",
              plan.name.c_str(), (long long)plan.peakBytes,
              plan.peakBytes / 1048576.0, plan.peakOp.c_str(),
              (long long)points, (long long)dim);
  if (!plan.recursion.empty())
    std::printf("recursion: %s\n", plan.recursion.c_str());
  // Maps over positions: one vector of pairs' maps on each thread's stack,
  // beside the arena.
  if (plan.threadScratchBytes >= 64 << 10)
    std::printf("pair scratch: %.1f KiB per thread (the maps of one vector "
                "of pairs, on the thread's stack)\n",
                plan.threadScratchBytes / 1024.0);
}

/// The points and columns of a graph's entry function (N = rows of X and
/// Z together, or of S).
std::pair<int64_t, int64_t> graphSize(mlir::ModuleOp graph) {
  // N and d: a step's stack of X and Z, or a kernel entry's one argument S.
  int64_t points = 0, dim = 0;
  graph.walk([&](mlir::func::FuncOp fn) {
    auto shaped = mlir::cast<mlir::RankedTensorType>(fn.getArgumentTypes()[0]);
    points = shaped.getDimSize(0);
    dim = shaped.getDimSize(1);
  });
  graph.walk([&](mlir::Operation *op) {
    if (op->getName().getStringRef() == "gantk.stack")
      points = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType())
                   .getDimSize(0);
  });
  return {points, dim};
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

/// Verifies artifact bytes and opens a session on `dev`; null after an
/// error.
std::unique_ptr<Session> openSession(Result<Artifact> artifact,
                                     int threadCount, DeviceKind dev) {
  if (!artifact.ok()) {
    fail(ExitCode::InputError, artifact.message());
    return nullptr;
  }
  SessionOptions options;
  options.threads = threadCount;
  options.device = dev;
  Result<std::unique_ptr<Session>> session =
      Session::create(artifact.take(), options);
  if (!session.ok()) {
    fail(ExitCode::InputError, session.message());
    return nullptr;
  }
  return session.take();
}

/// The session options every running command takes.
struct RunOptions {
  int threads = 0;
  DeviceKind device = DeviceKind::Cpu;
  double budget = 0;
};

bool runOptions(RunOptions &options) {
  return optionValue(threads, options.threads, parseThreads) &&
         optionValue(device, options.device, parseDevice) &&
         optionValue(memoryBudget, options.budget, parseBytes);
}

/// The prelude of run, grad, kernel and bench: a graph compiled for the
/// device and opened there. `report` prints the memory plan.
std::unique_ptr<Session> compileAndOpen(mlir::ModuleOp graph,
                                        const std::string &name,
                                        const RunOptions &options,
                                        bool report,
                                        PlanSummary *plan = nullptr) {
  CompileOptions compile;
  compile.memoryBudget = options.budget;
  compile.targets = targetsFor(options.device);
  PlanSummary summary;
  auto bytes = compileModule(graph, compile, &summary);
  if (!bytes)
    return nullptr;
  if (report) {
    auto [points, dim] = graphSize(graph);
    printPlan(summary, points, dim);
  }
  if (plan)
    *plan = summary;
  return openSession(Artifact::loadBytes(std::move(*bytes), name),
                     options.threads, options.device);
}

/// A spec's graph at `shape`, compiled and opened on the device: the
/// prelude of grad, kernel and bench.
std::unique_ptr<Session> openSpec(const LoadedSpec &loaded,
                                  const GraphShape &shape, EntryKind entry,
                                  const RunOptions &options,
                                  PlanSummary *plan = nullptr) {
  CompilerContext context;
  auto graph = buildModule(context.get(), loaded.spec, shape, entry);
  if (!graph)
    return nullptr;
  return compileAndOpen(*graph, specInput, options, /*report=*/false, plan);
}

int nonFiniteOutput(Session &s, const std::string &what);

/// The spec's generator as the runtime describes it (GA-NTKg), or none.
std::optional<GeneratorShape> generatorOf(const ast::Module &spec) {
  if (!spec.generator)
    return std::nullopt;
  GeneratorShape shape;
  shape.widths.push_back(spec.generator->latent);
  for (const ast::GeneratorLayer &layer : spec.generator->layers) {
    shape.widths.push_back(layer.width);
    shape.activations.push_back(ast::activationName(layer.activation));
  }
  return shape;
}

/// The paper's Algorithm 1 for a spec (its objective's search eps and
/// start): the kernel of the step's rows — the real rows as a run loads
/// them and its initial Z, or `given` (X then Z, the step's shape) — from
/// the spec's discriminator, λ doubled from `start` until the
/// discriminator trained on those rows separates real from noise within
/// eps. Prints the trace to `log`; sets the objective's λ (raw) and
/// returns 0, or reports the failure and returns the exit status.
int resolveLambda(LoadedSpec &loaded, const GraphShape &step,
                   const RunOptions &options, std::ostream &log,
                   const std::vector<double> *given = nullptr) {
  if (loaded.spec.discriminators.size() > 1)
    return fail(ExitCode::InputError,
                loaded.spec.file + ": the lambda search (Algorithm 1) trains "
                                   "one discriminator, and this spec has " +
                    std::to_string(loaded.spec.discriminators.size()) +
                    ": search on a spec with one of them and set lambda here");
  int64_t rows = step.numReal + step.numFake;
  std::unique_ptr<Session> s =
      openSpec(loaded, GraphShape{rows, 0, step.dim, step.image},
               EntryKind::Kernel, options);
  if (!s)
    return exitStatus(ExitCode::InputError);
  const schema::Artifact &root = s->root();
  const schema::TrainSpec &train = *root.train();
  std::vector<double> points;
  if (given) {
    points = *given;
  } else {
    // What the run's first step sees: X loaded with the run's seed, Z its
    // first draw; batch-wise, the rows that step 1 takes.
    int64_t wholeReal = step.totalReal ? step.totalReal : step.numReal;
    int64_t wholeFake = step.totalFake ? step.totalFake : step.numFake;
    Result<Dataset> real = loadRealData(DataConfig::fromSpec(*root.data()),
                                        wholeReal, step.dim, train.seed());
    if (!real.ok())
      return fail(ExitCode::InputError, real.message());
    // With a generator, Z is what its initial θ makes of step 1's latent
    // rows.
    std::optional<GeneratorShape> gen = generatorOf(loaded.spec);
    std::vector<double> z =
        gen ? generate(*gen, initialParams(*gen, initSeed(train.seed())),
                       latentRows(train.seed(), 1, step.numFake, gen->latent()),
                       step.numFake)
            : initialPoints(train.init(), size_t(wholeFake * step.dim),
                            initSeed(train.seed()));
    points = std::move(real->values);
    if (step.totalReal) {
      bool epoch = loaded.spec.objective.epoch;
      points = gatherRows(points,
                          batchRows(train.seed(), 0, 1, wholeReal,
                                    step.numReal, epoch),
                          step.dim);
      if (!gen)
        z = gatherRows(
            z, batchRows(train.seed(), 1, 1, wholeFake, step.numFake, epoch),
            step.dim);
    }
    points.insert(points.end(), z.begin(), z.end());
  }
  if (Status st = s->setReal(points.data(), points.size()); !st.ok())
    return fail(ExitCode::InputError, st.message());
  if (Status st = s->step(); !st.ok())
    return fail(exitCodeFor(st.error()), st.message());
  std::vector<double> k = s->readView(*root.ntk());
  if (!allFinite(k))
    return nonFiniteOutput(*s, "the kernel");
  const ast::Objective &obj = loaded.spec.objective;
  Result<LambdaSearch> found = searchLambda(
      k, rows, step.numReal, obj.eigReg, obj.searchEps, obj.searchStart);
  log << "lambda search (Algorithm 1): eps " << obj.searchEps << ", N = "
      << rows << " (" << step.numReal << " real rows, " << step.numFake
      << " of noise)\n";
  if (!found.ok())
    return fail(exitCodeFor(found.error()),
                loaded.spec.file + ": " + found.message());
  for (const LambdaTrial &t : found->trace) {
    char line[96];
    std::snprintf(line, sizeof(line), "  lambda %-12g  loss %.6e\n", t.lambda,
                  t.loss);
    log << line;
  }
  log << "lambda = " << found->lambda << '\n';
  loaded.spec.objective.lambda = found->lambda;
  loaded.spec.objective.normalized = false;
  loaded.spec.objective.lambdaSearch = false;
  return 0;
}

/// Rows read from an .npy file for grad or kernel: (N, d), or images
/// (N, H, W[, C]) whose shape the graph gets.
struct Rows {
  NpyArray array;
  DataShape shape;
};

std::optional<Rows> readRows(const std::string &path) {
  Result<NpyArray> array = readNpy(path);
  if (!array.ok()) {
    fail(ExitCode::InputError, array.message());
    return std::nullopt;
  }
  if (Status s = checkFinite(*array, path); !s.ok()) {
    fail(ExitCode::InputError, s.message());
    return std::nullopt;
  }
  Result<DataShape> shape = npyDataShape(array->shape, path);
  if (!shape.ok()) {
    fail(ExitCode::InputError, shape.message());
    return std::nullopt;
  }
  return Rows{array.take(), *shape};
}

/// [H, W, C] of image rows, empty for flat ones.
std::vector<int64_t> imageOf(const DataShape &shape) {
  if (!shape.imageH)
    return {};
  return {shape.imageH, shape.imageW, shape.imageC};
}

/// The image shape (H, W, C) of rows given on the command line: the
/// array's own (N, H, W[, C]); for flat rows, the spec's data's images when
/// they have as many values per row; none otherwise.
std::vector<int64_t> rowsImage(const LoadedSpec &loaded, const DataShape &rows) {
  if (rows.imageH)
    return imageOf(rows);
  DataInfo info;
  std::string error;
  if (probeData(loaded.spec.data.real, info, error) && info.imageH &&
      info.imageH * info.imageW * info.imageC == rows.dim)
    return {info.imageH, info.imageW, info.imageC};
  return {};
}

/// "images of HxWxC (H x W x C)" or "flat rows of d values".
std::string describeRows(const DataShape &shape) {
  if (!shape.imageH)
    return "flat rows of " + std::to_string(shape.dim) + " values";
  return "images of " + std::to_string(shape.imageH) + "x" +
         std::to_string(shape.imageW) + "x" + std::to_string(shape.imageC) +
         " (H x W x C)";
}

NpyDType precisionDType(const ast::Module &spec) {
  return spec.train.precision == ast::Train::Precision::F64 ? NpyDType::F64
                                                            : NpyDType::F32;
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
  if (!optionValue(memoryBudget, budget, parseBytes))
    return exitStatus(ExitCode::UsageError);

  CompilerContext context;
  mlir::OwningOpRef<mlir::ModuleOp> graph;
  if (endsWith(compileInput, ".mlir")) {
    if (emit == EmitKind::Ast)
      return fail(ExitCode::UsageError, "--emit=ast needs a spec, not a "
                                        ".mlir module");
    if (nRows)
      return fail(ExitCode::UsageError, "--n sets the size of a spec; a "
                                        ".mlir module has its sizes");
    graph = context.parseFile(compileInput);
  } else {
    std::optional<LoadedSpec> loaded =
        loadSpec(compileInput, emit != EmitKind::Ast);
    if (!loaded)
      return exitStatus(ExitCode::InputError);
    if (emit == EmitKind::Ast) {
      dumpAST(loaded->spec, std::cout);
      return exitStatus(ExitCode::Success);
    }
    std::optional<GraphShape> shape = stepShape(*loaded, nRows);
    if (!shape || !checkPlot(*loaded))
      return exitStatus(ExitCode::InputError);
    // The search's trace goes where it cannot mix with emitted IR.
    if (loaded->spec.objective.lambdaSearch)
      if (int status = resolveLambda(*loaded, *shape, RunOptions(),
                                     emit == EmitKind::Artifact ? std::cout
                                                                : std::cerr))
        return status;
    graph = buildModule(context.get(), loaded->spec, *shape, EntryKind::Step);
  }
  if (!graph)
    return exitStatus(ExitCode::InputError);
  if (emit == EmitKind::Mlir) {
    graph->print(llvm::outs());
    return exitStatus(ExitCode::Success);
  }
  CompileOptions options;
  options.memoryBudget = budget;
  options.targets = targets;
  options.targetCpu = targetCpu;
  options.emit = emit == EmitKind::Lowered ? Emit::Lowered
                 : emit == EmitKind::Llvm  ? Emit::Llvm
                 : emit == EmitKind::Ptx   ? Emit::Ptx
                                           : Emit::Artifact;
  PlanSummary plan;
  auto bytes = compileModule(*graph, options, &plan);
  if (!bytes)
    return exitStatus(ExitCode::InputError);
  if (options.emit != Emit::Artifact)
    return exitStatus(ExitCode::Success);
  std::vector<uint8_t> file = sealArtifact(std::move(*bytes));
  if (Status s = writeFileAtomic(outputFile, file.data(), file.size());
      !s.ok())
    return fail(exitCodeFor(s.error()), s.message());
  auto [points, dim] = graphSize(*graph);
  printPlan(plan, points, dim);
  std::fputs(plan.layout.c_str(), stdout);
  Digest digest;
  std::copy(file.end() - digest.size(), file.end(), digest.begin());
  std::printf("wrote %s (%zu bytes, sha256 %s)\n", outputFile.c_str(),
              file.size(), toHex(digest).c_str());
  return exitStatus(ExitCode::Success);
}

int commandRun() {
  if (runInput.empty())
    return usage("run", "run takes one SPEC, MODULE.mlir or ARTIFACT");
  RunOptions options;
  TrainOptions train;
  train.log = &std::cout;
  train.outDir = outDir;
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

  std::unique_ptr<Session> session;
  if (endsWith(runInput, ".gantk") || endsWith(runInput, ".mlir")) {
    CompilerContext context;
    mlir::OwningOpRef<mlir::ModuleOp> graph;
    if (endsWith(runInput, ".mlir")) {
      graph = context.parseFile(runInput);
    } else {
      std::optional<LoadedSpec> loaded = loadSpec(runInput, true);
      if (!loaded)
        return exitStatus(ExitCode::InputError);
      std::optional<GraphShape> shape = stepShape(*loaded, std::nullopt);
      if (!shape || !checkPlot(*loaded))
        return exitStatus(ExitCode::InputError);
      if (loaded->spec.objective.lambdaSearch)
        if (int status = resolveLambda(*loaded, *shape, options, std::cout))
          return status;
      graph = buildModule(context.get(), loaded->spec, *shape, EntryKind::Step);
    }
    if (!graph)
      return exitStatus(ExitCode::InputError);
    session = compileAndOpen(*graph, runInput, options, /*report=*/true);
  } else {
    session = openSession(Artifact::loadFile(runInput, expectDigest),
                          options.threads, options.device);
  }
  if (!session)
    return exitStatus(ExitCode::InputError);
  Result<TrainResult> result = gantk::train(*session, train);
  if (!result.ok())
    return fail(exitCodeFor(result.error()), result.message());
  std::printf("wrote %s", result->samplesNpy.c_str());
  if (!result->samplesPng.empty())
    std::printf(" and %s", result->samplesPng.c_str());
  std::printf("\n");
  return exitStatus(ExitCode::Success);
}

/// A step whose outputs are not finite: exit 3 naming the command that made
/// them so, never a file of NaNs with exit 0.
int nonFiniteOutput(Session &s, const std::string &what) {
  std::string culprit = s.firstNonFiniteCommand();
  return fail(ExitCode::RunFailure,
              s.artifact().name() + ": " + what +
                  " holds NaN or infinite values" +
                  (culprit.empty() ? std::string()
                                   : "; the first came from " + culprit) +
                  (s.root().precision() == schema::Precision::F32
                       ? " (the inputs overflow float32: scale them, or use "
                         "float64)"
                       : " (the inputs overflow float64: scale them)"));
}

int commandGrad() {
  if (specInput.empty() || realFile.empty() || fakeFile.empty())
    return usage("grad", "grad needs SPEC --real X.npy --fake Z.npy");
  RunOptions options;
  if (!runOptions(options))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, false);
  if (loaded && loaded->spec.generator) {
    const ast::Location &at = loaded->spec.generator->loc;
    return fail(ExitCode::InputError,
                at.file + ":" + std::to_string(at.line) + ":" +
                    std::to_string(at.col) +
                    ": gantk grad computes dL/dZ at a given Z, and this spec's "
                    "Z comes from its generator (whose gradient is dL/dθ, "
                    "which `gantk run` follows); remove the generator block "
                    "for dL/dZ at given points");
  }
  auto x = loaded ? readRows(realFile) : std::nullopt;
  auto z = x ? readRows(fakeFile) : std::nullopt;
  if (!z)
    return exitStatus(ExitCode::InputError);
  if (!x->shape.imageH && !z->shape.imageH) {
    if (x->shape.dim != z->shape.dim)
      return fail(ExitCode::InputError,
                  "X has " + std::to_string(x->shape.dim) + " columns, Z has " +
                      std::to_string(z->shape.dim));
  } else if (imageOf(x->shape) != imageOf(z->shape)) {
    return fail(ExitCode::InputError,
                std::string(realFile) + " has " + describeRows(x->shape) +
                    ", " + std::string(fakeFile) + " has " +
                    describeRows(z->shape) +
                    "; real and fake rows must be images of the same H, W "
                    "and C");
  }
  GraphShape shape{x->shape.rows, z->shape.rows, x->shape.dim,
                   rowsImage(*loaded, x->shape)};
  // λ from the given rows; the trace goes to stderr, beside the loss line.
  if (loaded->spec.objective.lambdaSearch) {
    std::vector<double> rows = x->array.values;
    rows.insert(rows.end(), z->array.values.begin(), z->array.values.end());
    if (int status = resolveLambda(*loaded, shape, options, std::cerr, &rows))
      return status;
  }
  std::unique_ptr<Session> s =
      openSpec(*loaded, shape, EntryKind::Step, options);
  if (!s)
    return exitStatus(ExitCode::InputError);
  if (Status st = s->setReal(x->array.values.data(), x->array.values.size());
      !st.ok())
    return fail(ExitCode::InputError, st.message());
  if (Status st = s->setFake(z->array.values.data(), z->array.values.size());
      !st.ok())
    return fail(ExitCode::InputError, st.message());
  if (Status st = s->step(); !st.ok())
    return fail(exitCodeFor(st.error()), st.message());
  std::vector<double> g = s->grad();
  if (!std::isfinite(s->loss()) || !allFinite(g))
    return nonFiniteOutput(*s, "the loss or dL/dZ");
  std::printf("loss %.17g\n", s->loss());
  if (!gradOut.empty()) {
    if (Status st = writeNpy(gradOut, z->array.shape, g.data(),
                             precisionDType(loaded->spec));
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
  auto rows = loaded ? readRows(kernelInput) : std::nullopt;
  if (!rows)
    return exitStatus(ExitCode::InputError);
  // One discriminator's kernel: the spec's only one, or the one named.
  std::vector<ast::Discriminator> &nets = loaded->spec.discriminators;
  if (nets.size() > 1 || discriminatorName.getNumOccurrences()) {
    std::string names;
    for (const ast::Discriminator &d : nets)
      names += (names.empty() ? "" : ", ") +
               (d.name.empty() ? std::string("(unnamed)") : d.name);
    auto named = llvm::find_if(nets, [](const ast::Discriminator &d) {
      return d.name == discriminatorName.getValue();
    });
    if (named == nets.end())
      return usage("kernel",
                   discriminatorName.getNumOccurrences()
                       ? "no discriminator '" + discriminatorName +
                             "' in " + specInput + " (it has " + names + ")"
                       : specInput + " has " + std::to_string(nets.size()) +
                             " discriminators: give --discriminator NAME (" +
                             names + ")");
    nets = {*named};
  }
  int64_t count = rows->shape.rows;
  std::unique_ptr<Session> s = openSpec(
      *loaded,
      GraphShape{count, 0, rows->shape.dim, rowsImage(*loaded, rows->shape)},
      EntryKind::Kernel, options);
  if (!s)
    return exitStatus(ExitCode::InputError);
  if (Status st =
          s->setReal(rows->array.values.data(), rows->array.values.size());
      !st.ok())
    return fail(ExitCode::InputError, st.message());
  if (Status st = s->step(); !st.ok())
    return fail(exitCodeFor(st.error()), st.message());
  // Both kernels are checked before anything is written; the NTK is read
  // once, the NNGP again only when it is written.
  std::vector<double> ntk = s->readView(*s->root().ntk());
  if (!allFinite(ntk) || !allFinite(s->readView(*s->root().nngp())))
    return nonFiniteOutput(*s, "the kernel");
  auto write = [&](const std::string &path, const std::vector<double> &k) {
    return writeNpy(path, {count, count}, k.data(),
                    precisionDType(loaded->spec));
  };
  Status st = write(kernelOut, ntk);
  if (st.ok() && !nngpOut.empty())
    st = write(nngpOut, s->readView(*s->root().nngp()));
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
      !optionValue(warmup, warmupCount,
                   [](const std::string &text, int64_t &out) {
                     return parseIntegerOption("--warmup", text, 0, INT64_MAX,
                                               out);
                   }))
    return exitStatus(ExitCode::UsageError);
  std::optional<LoadedSpec> loaded = loadSpec(specInput, true);
  if (!loaded)
    return exitStatus(ExitCode::InputError);
  std::optional<GraphShape> shape = stepShape(*loaded, rows);
  if (!shape)
    return exitStatus(ExitCode::InputError);
  if (loaded->spec.objective.lambdaSearch)
    if (int status = resolveLambda(*loaded, *shape, options, std::cout))
      return status;
  auto compileStart = std::chrono::steady_clock::now();
  PlanSummary plan;
  std::unique_ptr<Session> session =
      openSpec(*loaded, *shape, EntryKind::Step, options, &plan);
  if (!session)
    return exitStatus(ExitCode::InputError);
  double compileSeconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - compileStart)
                              .count();
  Session &s = *session;
  const schema::Artifact &root = s.root();
  Result<Dataset> real =
      loadRealData(DataConfig::fromSpec(*root.data()), shape->numReal,
                   shape->dim, root.train()->seed());
  if (!real.ok())
    return fail(ExitCode::InputError, real.message());
  if (Status st = s.setReal(real->values.data(), real->values.size()); !st.ok())
    return fail(ExitCode::InputError, st.message());
  // The first step's variable: Z, or θ and the latent rows.
  Status set;
  if (root.generator()) {
    Result<GeneratorShape> g = generatorShape(root);
    if (!g.ok())
      return fail(ExitCode::InputError, g.message());
    set = setGeneratorInputs(
        s, initialParams(*g, initSeed(root.train()->seed())), 1);
  } else {
    std::vector<double> z =
        initialPoints(root.train()->init(), size_t(shape->numFake * shape->dim),
                      initSeed(root.train()->seed()));
    set = s.setFake(z.data(), z.size());
  }
  if (!set.ok())
    return fail(ExitCode::InputError, set.message());
  std::vector<double> seconds;
  // Warm-up steps fill caches and start threads; they are not timed.
  for (int64_t i = 0; i < warmupCount + stepCount; ++i) {
    s.setProfiling(profile && i >= warmupCount);
    auto start = std::chrono::steady_clock::now();
    if (Status st = s.step(); !st.ok())
      return fail(exitCodeFor(st.error()), st.message());
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
                   .count();
    if (i >= warmupCount)
      seconds.push_back(t);
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
      // A Krylov command costs about one product with K per block.
      if (i < s.krylovStats().size() && s.krylovStats()[i].dimension > 0)
        std::printf("  (projected dimension %lld, estimate %.1e)",
                    (long long)s.krylovStats()[i].dimension,
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
  std::optional<GraphShape> shape = stepShape(*loaded, std::nullopt);
  if (!shape)
    return exitStatus(ExitCode::InputError);
  ast::Objective &obj = loaded->spec.objective;
  if (searchEps.getNumOccurrences())
    obj.searchEps = eps;
  if (searchStart.getNumOccurrences())
    obj.searchStart = start;
  return resolveLambda(*loaded, *shape, options, std::cout);
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

/// gantk sample: Z = G(E; θ) for N fresh latent rows E ~ N(0, 1), with θ of
/// a generator run's checkpoint (or, from an artifact, θ's initial draw);
/// the discriminator and the real data are not needed.
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

  // An artifact file starts with its identifier at byte 4; anything else
  // (a directory, a checkpoint) is read as a checkpoint.
  std::error_code ec;
  bool artifact = false;
  if (!std::filesystem::is_directory(sampleInput.getValue(), ec)) {
    auto head = readFilePrefix(sampleInput.getValue(), 8);
    if (!head.ok())
      return fail(ExitCode::InputError, head.message());
    artifact = head->first.size() == 8 &&
               schema::ArtifactBufferHasIdentifier(head->first.data());
  }
  GeneratorShape shape;
  std::vector<double> theta;
  std::string from;
  if (artifact) {
    Result<Artifact> art = Artifact::loadFile(sampleInput.getValue());
    if (!art.ok())
      return fail(ExitCode::InputError, art.message());
    Result<GeneratorShape> g = generatorShape(art->root());
    if (!g.ok())
      return fail(ExitCode::InputError, art->name() + ": " + g.message());
    shape = std::move(*g);
    theta = initialParams(shape, initSeed(art->root().train()->seed()));
    from = "the untrained generator of " + art->name();
  } else {
    Result<GeneratorState> state =
        readGeneratorCheckpoint(sampleInput.getValue());
    if (!state.ok())
      return fail(exitCodeFor(state.error()), state.message());
    shape = std::move(state->shape);
    theta = std::move(state->params);
    from = "the generator after step " + std::to_string(state->step) + " of " +
           sampleInput.getValue();
  }
  // The forward holds the latent rows and two layers' activations of every
  // row: refuse what cannot fit rather than fail to allocate.
  int64_t widest = *std::max_element(shape.widths.begin(), shape.widths.end());
  double bytes = 8.0 * double(rows) * double(shape.latent() + 2 * widest);
  if (bytes > double(int64_t(8) << 30))
    return fail(ExitCode::UsageError,
                "--n " + std::to_string(rows) + " would need " +
                    std::to_string(int64_t(bytes / double(1 << 30))) +
                    " GiB for the generator's layers (at most 8 GiB); draw "
                    "fewer rows per call (with --seed for more)");
  // Step 0 is no training step: these latent rows are none a run drew.
  std::vector<double> z = generate(
      shape, theta, latentRows(uint64_t(seed), 0, rows, shape.latent()), rows);
  if (!allFinite(z))
    return fail(ExitCode::RunFailure, from + " made non-finite points");
  std::filesystem::create_directories(outDir.getValue(), ec);
  if (ec)
    return fail(ExitCode::InputError,
                outDir + ": cannot create the directory: " + ec.message());
  std::vector<uint8_t> npy =
      encodeNpy({rows, shape.outputs()}, z.data(), NpyDType::F64);
  std::string path =
      (std::filesystem::path(outDir.getValue()) / "samples.npy").string();
  if (Status st = writeFileAtomic(path, npy.data(), npy.size()); !st.ok())
    return fail(exitCodeFor(st.error()), st.message());
  std::cout << "wrote " << path << ": " << rows << " points of "
            << shape.outputs() << " values from " << from << "\n";
  return exitStatus(ExitCode::Success);
}

} // namespace

int main(int argc, char **argv) {
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
  return fail(ExitCode::UsageError,
              "no command given (" + commandNames(" or ") +
                  "; see gantk --help)");
}
