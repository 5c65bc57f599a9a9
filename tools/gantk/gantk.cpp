//===- gantk.cpp - the gantk driver ---------------------------------------===//
//
//   gantk compile SPEC -o FILE [--emit=ast|mlir|lowered|llvm|ptx|artifact]
//                 [--target=cpu|cuda|cpu,cuda]
//   gantk run SPEC|ARTIFACT [--out DIR] [--steps K]
//   gantk grad SPEC --real X.npy --fake Z.npy [--out G.npy]
//   gantk kernel SPEC --input S.npy --out K.npy [--nngp P.npy]
//   gantk bench SPEC --n N [--steps K]
//
//===----------------------------------------------------------------------===//

#include "DataShape.h"

#include "gantk/Compiler/Compilation.h"
#include "gantk/Frontend/ASTDump.h"
#include "gantk/Frontend/Parser.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Stats.h"
#include "gantk/runtime/Train.h"


#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

using namespace gantk;

namespace {

const char *kUsage = R"(usage:
  gantk compile SPEC [-o FILE] [--emit=ast|mlir|lowered|llvm|ptx|artifact]
                [--target=cpu|cuda|cpu,cuda] [--n N] [--memory-budget BYTES]
  gantk run SPEC|ARTIFACT [--out DIR] [--steps K] [--threads T]
                [--memory-budget BYTES] [--device=cpu|cuda]
  gantk grad SPEC --real X.npy --fake Z.npy [--out G.npy]
                [--memory-budget BYTES] [--device=cpu|cuda]
  gantk kernel SPEC --input S.npy --out K.npy [--nngp P.npy]
                [--device=cpu|cuda]
  gantk bench SPEC --n N [--steps K] [--warmup W] [--threads T]
                [--profile 1] [--memory-budget BYTES] [--device=cpu|cuda]
  gantk describe ARTIFACT [--code TARGET -o FILE]
)";

int fail(const std::string &message) {
  std::cerr << "gantk: error: " << message << "\n";
  return 1;
}

/// `--name value`, `--name=value` and positional arguments.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::string error;

  static Args parse(int argc, char **argv, int first,
                    const std::vector<std::string> &known) {
    Args args;
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      if (a.size() < 2 || a[0] != '-') {
        args.positional.push_back(a);
        continue;
      }
      std::string name = a.substr(a.find_first_not_of('-'));
      std::string value;
      bool hasValue = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        hasValue = true;
      }
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        args.error = "unknown option '" + a + "'";
        return args;
      }
      if (!hasValue) {
        if (i + 1 >= argc) {
          args.error = "option '" + a + "' needs a value";
          return args;
        }
        value = argv[++i];
      }
      args.options[name] = value;
    }
    return args;
  }
  std::optional<std::string> get(const std::string &name) const {
    auto it = options.find(name);
    if (it == options.end())
      return std::nullopt;
    return it->second;
  }
};

bool parseCount(const std::string &text, const char *what, int64_t &out,
                int64_t min = 1) {
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || v < min) {
    fail(std::string(what) + " must be an integer >= " + std::to_string(min) +
         ", got '" + text + "'");
    return false;
  }
  out = v;
  return true;
}

/// --memory-budget BYTES (a plain or scientific number, e.g. 8e9).
bool parseBudget(const Args &args, double &budget) {
  budget = 0;
  auto text = args.get("memory-budget");
  if (!text)
    return true;
  char *end = nullptr;
  budget = std::strtod(text->c_str(), &end);
  if (text->empty() || *end || !(budget > 0)) {
    fail("--memory-budget must be a positive number of bytes, got '" + *text +
         "'");
    return false;
  }
  return true;
}

/// A parsed spec with the sizes of its data.
struct LoadedSpec {
  ast::Module spec;
  DataInfo data;
};

std::optional<LoadedSpec> loadSpec(const std::string &path, bool probe) {
  std::optional<ast::Module> spec = parseSpecFile(path, std::cerr);
  if (!spec)
    return std::nullopt;
  LoadedSpec loaded{std::move(*spec), {}};
  if (probe) {
    std::string error;
    if (!probeData(loaded.spec.data.real, loaded.data, error)) {
      fail(error);
      return std::nullopt;
    }
  }
  return loaded;
}

/// n and m of a step: the spec's (n = 0: every row of the file), checked
/// against the rows the data has.
bool stepShape(const LoadedSpec &loaded, std::optional<int64_t> nOverride,
               GraphShape &shape) {
  const ast::Data &d = loaded.spec.data;
  int64_t n = nOverride ? *nOverride : (d.n ? d.n : loaded.data.rows);
  int64_t m = nOverride ? n : (d.m ? d.m : n);
  if (n > loaded.data.rows) {
    fail(loaded.spec.data.real.path + " has " +
         std::to_string(loaded.data.rows) + " rows, the spec asks for n = " +
         std::to_string(n));
    return false;
  }
  shape = GraphShape{n, m, loaded.data.dim};
  return true;
}

DataShape imageShape(const DataInfo &info) {
  return DataShape{info.imageH, info.imageW, info.imageC};
}

void printPlan(const Compilation &compiler, const GraphShape &shape) {
  std::printf("memory plan (%s): peak %lld bytes (%.2f MiB) at %s; N = %lld, "
              "d = %lld\n",
              compiler.planName.c_str(), (long long)compiler.peakBytes,
              compiler.peakBytes / 1048576.0, compiler.peakOp.c_str(),
              (long long)(shape.numReal + shape.numFake),
              (long long)shape.dim);
}

/// --device cpu|cuda (default cpu).
bool parseDevice(const Args &args, DeviceKind &device) {
  device = DeviceKind::Cpu;
  auto text = args.get("device");
  if (!text)
    return true;
  std::optional<DeviceKind> kind = parseDeviceKind(*text);
  if (!kind) {
    fail("--device must be cpu or cuda, got '" + *text + "'");
    return false;
  }
  device = *kind;
  return true;
}

/// What a spec is compiled for when it runs on `device`: CPU code always,
/// PTX as well for cuda.
std::vector<Target> targetsFor(DeviceKind device) {
  if (device == DeviceKind::Cuda)
    return {Target::CPU, Target::CUDA};
  return {Target::CPU};
}

std::optional<std::unique_ptr<Session>>
openSession(std::vector<uint8_t> bytes, const std::string &name, int threads,
            DeviceKind device) {
  Result<Artifact> artifact = Artifact::loadBytes(std::move(bytes), name);
  if (!artifact.ok()) {
    fail(artifact.message());
    return std::nullopt;
  }
  SessionOptions options;
  options.threads = threads;
  options.device = device;
  Result<std::unique_ptr<Session>> session =
      Session::create(artifact.take(), options);
  if (!session.ok()) {
    fail(session.message());
    return std::nullopt;
  }
  return session.take();
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int commandCompile(int argc, char **argv) {
  Args args = Args::parse(argc, argv, 2,
                          {"o", "emit", "target", "n", "memory-budget"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1)
    return fail("compile takes one SPEC\n" + std::string(kUsage));
  std::string emitName = args.get("emit").value_or("artifact");
  std::map<std::string, Emit> emits{{"ast", Emit::Ast},
                                    {"mlir", Emit::Mlir},
                                    {"lowered", Emit::Lowered},
                                    {"llvm", Emit::Llvm},
                                    {"ptx", Emit::Ptx},
                                    {"artifact", Emit::Artifact}};
  auto emit = emits.find(emitName);
  if (emit == emits.end())
    return fail("unknown --emit '" + emitName +
                "' (expected ast, mlir, lowered, llvm, ptx or artifact)");
  // CPU code is always in the artifact: cuda means cpu,cuda.
  std::string targetName = args.get("target").value_or("cpu");
  std::map<std::string, std::vector<Target>> targetChoices{
      {"cpu", {Target::CPU}},
      {"cuda", {Target::CPU, Target::CUDA}},
      {"cpu,cuda", {Target::CPU, Target::CUDA}}};
  auto targets = targetChoices.find(targetName);
  if (targets == targetChoices.end())
    return fail("unknown --target '" + targetName +
                "' (expected cpu, cuda or cpu,cuda)");
  std::optional<LoadedSpec> loaded =
      loadSpec(args.positional[0], emit->second != Emit::Ast);
  if (!loaded)
    return 1;
  if (emit->second == Emit::Ast) {
    dumpAST(loaded->spec, std::cout);
    return 0;
  }
  std::optional<int64_t> n;
  if (auto text = args.get("n")) {
    int64_t v;
    if (!parseCount(*text, "--n", v))
      return 1;
    n = v;
  }
  GraphShape shape;
  if (!stepShape(*loaded, n, shape))
    return 1;
  std::string out = args.get("o").value_or("");
  if (emit->second == Emit::Artifact && out.empty())
    return fail("compile needs -o FILE for the artifact");
  double budget;
  if (!parseBudget(args, budget))
    return 1;
  Compilation compiler;
  auto bytes = compiler.compile(loaded->spec, shape, EntryKind::Step,
                                imageShape(loaded->data), emit->second, budget,
                                targets->second);
  if (!bytes)
    return 1;
  if (emit->second != Emit::Artifact)
    return 0;
  if (Status s = writeFileAtomic(out, bytes->data(), bytes->size()); !s.ok())
    return fail(s.message());
  printPlan(compiler, shape);
  std::fputs(compiler.layout.c_str(), stdout);
  std::printf("wrote %s (%zu bytes)\n", out.c_str(), bytes->size());
  return 0;
}

int parseThreads(const Args &args, int &threads) {
  threads = 0;
  if (auto text = args.get("threads")) {
    int64_t v;
    if (!parseCount(*text, "--threads", v))
      return 1;
    threads = int(v);
  }
  return 0;
}

int commandRun(int argc, char **argv) {
  Args args = Args::parse(argc, argv, 2,
                          {"out", "steps", "threads", "memory-budget", "device"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1)
    return fail("run takes one SPEC or ARTIFACT\n" + std::string(kUsage));
  int threads;
  DeviceKind device;
  if (parseThreads(args, threads) || !parseDevice(args, device))
    return 1;
  TrainOptions options;
  options.log = &std::cout;
  options.outDir = args.get("out").value_or("");
  if (auto text = args.get("steps")) {
    int64_t v;
    if (!parseCount(*text, "--steps", v, 0))
      return 1;
    options.steps = v;
  }
  const std::string &input = args.positional[0];
  std::vector<uint8_t> bytes;
  if (endsWith(input, ".gantk")) {
    std::optional<LoadedSpec> loaded = loadSpec(input, true);
    if (!loaded)
      return 1;
    GraphShape shape;
    double budget;
    if (!stepShape(*loaded, std::nullopt, shape) || !parseBudget(args, budget))
      return 1;
    Compilation compiler;
    auto compiled = compiler.compile(loaded->spec, shape, EntryKind::Step,
                                     imageShape(loaded->data), Emit::Artifact,
                                     budget, targetsFor(device));
    if (!compiled)
      return 1;
    printPlan(compiler, shape);
    bytes = std::move(*compiled);
  } else {
    Result<std::vector<uint8_t>> file = readFile(input);
    if (!file.ok())
      return fail(file.message());
    bytes = file.take();
  }
  auto session = openSession(std::move(bytes), input, threads, device);
  if (!session)
    return 1;
  Result<TrainResult> result = train(**session, options);
  if (!result.ok())
    return fail(result.message());
  std::printf("wrote %s", result->samplesNpy.c_str());
  if (!result->samplesPng.empty())
    std::printf(" and %s", result->samplesPng.c_str());
  std::printf("\n");
  return 0;
}

std::optional<NpyArray> readMatrix(const std::string &path) {
  Result<NpyArray> array = readNpy(path);
  if (!array.ok()) {
    fail(array.message());
    return std::nullopt;
  }
  if (array->shape.size() != 2) {
    fail(path + ": expected a 2-D array, got " +
         std::to_string(array->shape.size()) + " dimensions");
    return std::nullopt;
  }
  return array.take();
}

NpyDType precisionDType(const ast::Module &spec) {
  return spec.train.precision == ast::Train::Precision::F64 ? NpyDType::F64
                                                            : NpyDType::F32;
}

int commandGrad(int argc, char **argv) {
  Args args = Args::parse(
      argc, argv, 2,
      {"real", "fake", "out", "threads", "memory-budget", "device"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1 || !args.get("real") || !args.get("fake"))
    return fail("grad needs SPEC --real X.npy --fake Z.npy\n" +
                std::string(kUsage));
  int threads;
  DeviceKind device;
  if (parseThreads(args, threads) || !parseDevice(args, device))
    return 1;
  std::optional<LoadedSpec> loaded = loadSpec(args.positional[0], false);
  auto x = readMatrix(*args.get("real"));
  auto z = loaded && x ? readMatrix(*args.get("fake")) : std::nullopt;
  if (!loaded || !x || !z)
    return 1;
  if (x->shape[1] != z->shape[1])
    return fail("X has " + std::to_string(x->shape[1]) + " columns, Z has " +
                std::to_string(z->shape[1]));
  GraphShape shape{x->shape[0], z->shape[0], x->shape[1]};
  double budget;
  if (!parseBudget(args, budget))
    return 1;
  Compilation compiler;
  auto bytes = compiler.compile(loaded->spec, shape, EntryKind::Step, {},
                                Emit::Artifact, budget, targetsFor(device));
  if (!bytes)
    return 1;
  auto session =
      openSession(std::move(*bytes), args.positional[0], threads, device);
  if (!session)
    return 1;
  Session &s = **session;
  if (Status st = s.setReal(x->values.data(), x->values.size()); !st.ok())
    return fail(st.message());
  if (Status st = s.setFake(z->values.data(), z->values.size()); !st.ok())
    return fail(st.message());
  if (Status st = s.step(); !st.ok())
    return fail(st.message());
  std::printf("loss %.17g\n", s.loss());
  if (auto out = args.get("out")) {
    std::vector<double> g = s.grad();
    if (Status st = writeNpy(*out, z->shape, g.data(), precisionDType(loaded->spec));
        !st.ok())
      return fail(st.message());
  }
  return 0;
}

int commandKernel(int argc, char **argv) {
  Args args = Args::parse(argc, argv, 2,
                          {"input", "out", "nngp", "threads", "device"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1 || !args.get("input") || !args.get("out"))
    return fail("kernel needs SPEC --input S.npy --out K.npy\n" +
                std::string(kUsage));
  int threads;
  DeviceKind device;
  if (parseThreads(args, threads) || !parseDevice(args, device))
    return 1;
  std::optional<LoadedSpec> loaded = loadSpec(args.positional[0], false);
  auto s = loaded ? readMatrix(*args.get("input")) : std::nullopt;
  if (!loaded || !s)
    return 1;
  GraphShape shape{s->shape[0], 0, s->shape[1]};
  Compilation compiler;
  auto bytes = compiler.compile(loaded->spec, shape, EntryKind::Kernel, {},
                                Emit::Artifact, 0, targetsFor(device));
  if (!bytes)
    return 1;
  auto session =
      openSession(std::move(*bytes), args.positional[0], threads, device);
  if (!session)
    return 1;
  Session &sess = **session;
  if (Status st = sess.setReal(s->values.data(), s->values.size()); !st.ok())
    return fail(st.message());
  if (Status st = sess.step(); !st.ok())
    return fail(st.message());
  int64_t n = shape.numReal;
  auto write = [&](const std::string &path, const schema::View *view) {
    std::vector<double> k = sess.readView(*view);
    Status st = writeNpy(path, {n, n}, k.data(), precisionDType(loaded->spec));
    if (!st.ok())
      fail(st.message());
    return st.ok();
  };
  if (!write(*args.get("out"), sess.root().ntk()))
    return 1;
  if (auto nngp = args.get("nngp"))
    if (!write(*nngp, sess.root().nngp()))
      return 1;
  return 0;
}

/// One line per command: what it is, its sizes and its label; a RowTiles
/// command and a matrix-free Krylov add indented lines (body commands, the
/// operator), `indent` deep.
std::string describeCommand(const schema::Artifact &root,
                            const schema::CommandEntry &entry,
                            const std::string &indent = "    ") {
  std::ostringstream os, more;
  switch (entry.command_type()) {
  case schema::Command::Gemm: {
    const schema::Gemm &g = *entry.command_as_Gemm();
    os << "gemm " << g.m() << "x" << g.n() << "x" << g.k()
       << (g.trans_a() ? " A^T" : "") << (g.trans_b() ? " B^T" : "")
       << " alpha " << g.alpha();
    break;
  }
  case schema::Command::Syevd:
    os << "syevd n " << entry.command_as_Syevd()->n();
    break;
  case schema::Command::Dispatch: {
    const schema::Dispatch &d = *entry.command_as_Dispatch();
    const schema::Kernel &k = *root.kernels()->Get(d.kernel());
    os << "dispatch " << k.name()->str() << " range " << d.range()
       << (k.parallel() ? "" : " (serial)");
    break;
  }
  case schema::Command::Krylov: {
    const schema::Krylov &k = *entry.command_as_Krylov();
    os << "krylov "
       << (k.mode() == schema::KrylovMode::Gradient ? "gradient" : "action")
       << " n " << k.n() << " columns " << k.columns() << " lambda "
       << k.lambda() << " tol " << k.tol() << " max_blocks "
       << k.max_blocks();
    if (const schema::KernelOperator *op = k.operator_())
      more << "\n"
           << indent << "matrix-free: tiles of " << op->tile_rows()
           << " rows, recursion "
           << root.kernels()->Get(op->recursion())->name()->str()
           << ", gram alpha " << op->gram_alpha() << ", trace scale "
           << op->trace_scale();
    break;
  }
  case schema::Command::RowTiles: {
    const schema::RowTiles &r = *entry.command_as_RowTiles();
    os << "row tiles rows " << r.rows() << " tile_rows " << r.tile_rows()
       << " tiles " << r.tiles()->size();
    for (uint32_t j = 0; j < r.body()->size(); ++j)
      more << "\n"
           << indent << j << " "
           << describeCommand(root, *r.body()->Get(j), indent + "    ");
    break;
  }
  default:
    os << "?";
  }
  if (entry.label())
    os << "  [" << entry.label()->str() << "]";
  return os.str() + more.str();
}

/// Prints what an artifact holds (plan, code objects, kernels, commands),
/// or writes one code object's bytes to a file.
int commandDescribe(int argc, char **argv) {
  Args args = Args::parse(argc, argv, 2, {"code", "o"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1 || bool(args.get("code")) != bool(args.get("o")))
    return fail("describe needs ARTIFACT [--code TARGET -o FILE]\n" +
                std::string(kUsage));
  Result<Artifact> art = Artifact::loadFile(args.positional[0]);
  if (!art.ok())
    return fail(art.message());
  const schema::Artifact &root = art->root();
  if (auto target = args.get("code")) {
    std::string names;
    for (const schema::CodeObject *code : *root.code()) {
      if (code->target()->str() == *target) {
        Status st = writeFileAtomic(*args.get("o"), code->blob()->data(),
                                    code->blob()->size());
        return st.ok() ? 0 : fail(st.message());
      }
      names += (names.empty() ? "" : ", ") + code->target()->str();
    }
    return fail(art->name() + " has no code object '" + *target +
                "' (it has " + names + ")");
  }
  bool step = root.entry() == schema::EntryKind::Step;
  std::cout << "artifact " << art->name() << ": "
            << (root.spec_name() ? root.spec_name()->str() : "") << ", "
            << (step ? "step" : "kernel") << ", "
            << (root.precision() == schema::Precision::F64 ? "f64" : "f32")
            << ", n_real " << root.n_real() << ", n_fake " << root.n_fake()
            << ", dim " << root.dim() << "\n";
  std::cout << "memory plan: " << root.arena_bytes() << " bytes, peak at "
            << (root.peak_op() ? root.peak_op()->str() : "?") << "\n";
  std::cout << "code objects:\n";
  for (const schema::CodeObject *code : *root.code())
    std::cout << "  " << code->target()->str() << " " << code->blob()->size()
              << " bytes\n";
  std::cout << "kernels:\n";
  for (const schema::Kernel *k : *root.kernels())
    std::cout << "  " << k->name()->str()
              << (k->parallel() ? " parallel" : " serial") << " gpu_block "
              << k->gpu_block() << "\n";
  std::cout << "commands:\n";
  for (uint32_t i = 0; i < root.commands()->size(); ++i)
    std::cout << "  " << i << " "
              << describeCommand(root, *root.commands()->Get(i)) << "\n";
  return 0;
}

int commandBench(int argc, char **argv) {
  Args args = Args::parse(
      argc, argv, 2,
      {"n", "steps", "warmup", "threads", "profile", "memory-budget",
       "device"});
  if (!args.error.empty())
    return fail(args.error);
  if (args.positional.size() != 1 || !args.get("n"))
    return fail("bench needs SPEC --n N\n" + std::string(kUsage));
  int64_t n, steps = 5, warmup = 1;
  if (!parseCount(*args.get("n"), "--n", n))
    return 1;
  if (auto text = args.get("steps"))
    if (!parseCount(*text, "--steps", steps))
      return 1;
  if (auto text = args.get("warmup"))
    if (!parseCount(*text, "--warmup", warmup, 0))
      return 1;
  int threads;
  DeviceKind device;
  if (parseThreads(args, threads) || !parseDevice(args, device))
    return 1;
  std::optional<LoadedSpec> loaded = loadSpec(args.positional[0], true);
  if (!loaded)
    return 1;
  GraphShape shape;
  double budget;
  if (!stepShape(*loaded, n, shape) || !parseBudget(args, budget))
    return 1;
  Compilation compiler;
  auto compileStart = std::chrono::steady_clock::now();
  auto bytes = compiler.compile(loaded->spec, shape, EntryKind::Step,
                                imageShape(loaded->data), Emit::Artifact,
                                budget, targetsFor(device));
  if (!bytes)
    return 1;
  double compileSeconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - compileStart)
                              .count();
  auto session =
      openSession(std::move(*bytes), args.positional[0], threads, device);
  if (!session)
    return 1;
  Session &s = **session;
  const schema::Artifact &root = s.root();
  Result<Dataset> real =
      loadRealData(DataConfig::fromSpec(*root.data()), shape.numReal,
                   shape.dim, root.train()->seed());
  if (!real.ok())
    return fail(real.message());
  std::vector<double> z = initialPoints(root.train()->init(),
                                        size_t(shape.numFake * shape.dim),
                                        initSeed(root.train()->seed()));
  if (Status st = s.setReal(real->values.data(), real->values.size()); !st.ok())
    return fail(st.message());
  if (Status st = s.setFake(z.data(), z.size()); !st.ok())
    return fail(st.message());
  bool profile = args.get("profile").value_or("0") != "0";
  std::vector<double> seconds;
  // Warm-up steps fill caches and start threads; they are not timed.
  for (int64_t i = 0; i < warmup + steps; ++i) {
    s.setProfiling(profile && i >= warmup);
    auto start = std::chrono::steady_clock::now();
    if (Status st = s.step(); !st.ok())
      return fail(st.message());
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
                   .count();
    if (i >= warmup)
      seconds.push_back(t);
  }
  const char *precision =
      loaded->spec.train.precision == ast::Train::Precision::F32 ? "f32"
                                                                 : "f64";
  if (device == DeviceKind::Cuda) {
    // Device memory: the arena and the libraries' workspaces the session
    // allocated, and the largest drop of the GPU's free memory it saw.
    DeviceMemory memory = s.deviceMemory();
    std::printf(
        "bench n=%lld N=%lld d=%lld %s cuda %s: median %.4f s/step over %lld "
        "steps, plan %.1f MiB (%s), device memory %.1f MiB (arena %.1f MiB + "
        "workspace %.1f MiB), peak in use %.1f MiB (cuMemGetInfo), compile "
        "%.2f s, loss %.6e\n",
        (long long)shape.numReal, (long long)(shape.numReal + shape.numFake),
        (long long)shape.dim, precision, memory.deviceName.c_str(),
        median(seconds), (long long)steps, compiler.peakBytes / 1048576.0,
        compiler.planName.c_str(),
        (memory.arenaBytes + memory.workspaceBytes) / 1048576.0,
        memory.arenaBytes / 1048576.0, memory.workspaceBytes / 1048576.0,
        memory.peakUsedBytes / 1048576.0, compileSeconds, s.loss());
  } else {
    std::printf("bench n=%lld N=%lld d=%lld %s threads=%d: median %.4f s/step "
                "over %lld steps, plan %.1f MiB (%s), peak RSS %.1f MiB, "
                "compile %.2f s, loss %.6e\n",
                (long long)shape.numReal,
                (long long)(shape.numReal + shape.numFake),
                (long long)shape.dim, precision, s.threads(), median(seconds),
                (long long)steps, compiler.peakBytes / 1048576.0,
                compiler.planName.c_str(), peakRssBytes() / 1048576.0,
                compileSeconds, s.loss());
  }
  if (profile) {
    // Where a step's time goes, command by command (mean over the steps).
    const auto *commands = root.commands();
    for (uint32_t i = 0; i < commands->size(); ++i) {
      const auto *c = commands->Get(i);
      std::printf("  %8.2f ms  %s", 1e3 * s.commandTimes()[i] / steps,
                  c->label() ? c->label()->c_str() : "?");
      // A Krylov command costs about one product with K per block.
      if (i < s.krylovStats().size() && s.krylovStats()[i].dimension > 0)
        std::printf("  (projected dimension %lld, estimate %.1e)",
                    (long long)s.krylovStats()[i].dimension,
                    s.krylovStats()[i].estimate);
      std::printf("\n");
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  std::string command = argv[1];
  if (command == "compile")
    return commandCompile(argc, argv);
  if (command == "run")
    return commandRun(argc, argv);
  if (command == "grad")
    return commandGrad(argc, argv);
  if (command == "kernel")
    return commandKernel(argc, argv);
  if (command == "bench")
    return commandBench(argc, argv);
  if (command == "describe")
    return commandDescribe(argc, argv);
  return fail("unknown command '" + command + "'\n" + kUsage);
}
