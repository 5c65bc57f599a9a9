//===- Driver.cpp - What the gantk commands do, as functions --------------===//

#include "gantk/Driver/Driver.h"
#include "gantk/Driver/Errors.h"
#include "gantk/Driver/Graph.h"

#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/BlasThreads.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Finite.h"
#include "gantk/runtime/LambdaSearch.h"
#include "gantk/runtime/Sha256.h"
#include "gantk/runtime/Train.h"

#include "llvm/Config/llvm-config.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace gantk::driver {

std::vector<Target> targetsFor(DeviceKind device) {
  if (device == DeviceKind::Cuda)
    return {Target::CPU, Target::CUDA};
  return {Target::CPU};
}

std::string planReport(const Compiled &compiled) {
  const PlanSummary &plan = compiled.plan;
  char line[512];
  std::snprintf(line, sizeof(line),
                "memory plan (%s): peak %lld bytes (%.2f MiB) at %s; N = "
                "%lld, d = %lld\n",
                plan.name.c_str(), (long long)plan.peakBytes,
                plan.peakBytes / 1048576.0, plan.peakOp.c_str(),
                (long long)compiled.points, (long long)compiled.dim);
  std::string report = line;
  if (!plan.recursion.empty())
    report += "recursion: " + plan.recursion + "\n";
  // Maps over positions: one vector of pairs' maps on each thread's stack,
  // beside the arena.
  if (plan.threadScratchBytes >= 64 << 10) {
    std::snprintf(line, sizeof(line),
                  "pair scratch: %.1f KiB per thread (the maps of one vector "
                  "of pairs, on the thread's stack)\n",
                  plan.threadScratchBytes / 1024.0);
    report += line;
  }
  return report + plan.ranks;
}

Result<Compiled> compileSpec(LoadedSpec &loaded, std::optional<int64_t> n,
                             const CompileOptions &options,
                             const RunOptions &search,
                             std::ostream &searchLog) {
  Result<Graph> graph = specStepGraph(loaded, n, search, searchLog);
  if (!graph.ok())
    return graph.error();
  return graph->compile(options);
}

Result<SavedArtifact> saveArtifact(const std::vector<uint8_t> &buffer,
                                   const std::string &path) {
  std::vector<uint8_t> file = sealArtifact(buffer);
  if (Status s = writeFileAtomic(path, file.data(), file.size()); !s.ok())
    return s.error();
  Digest digest;
  std::copy(file.end() - digest.size(), file.end(), digest.begin());
  return SavedArtifact{file.size(), toHex(digest)};
}

Result<std::unique_ptr<Session>> openArtifact(Result<Artifact> artifact,
                                              const RunOptions &options) {
  if (!artifact.ok())
    return asInputError(artifact.error());
  SessionOptions session;
  session.threads = options.threads;
  session.device = options.device;
  Result<std::unique_ptr<Session>> opened =
      Session::create(artifact.take(), session);
  if (!opened.ok())
    return asInputError(opened.error());
  // A step compiled for ranks runs over the job's ranks, or not at all.
  if ((*opened)->ranks() > 1) {
    Result<Communicator *> world = Communicator::world();
    if (!world.ok())
      return world.error();
    if (Status s = (*opened)->distribute(**world); !s.ok())
      return s.error();
  }
  return opened;
}

Result<std::unique_ptr<Session>> openBuffer(std::vector<uint8_t> buffer,
                                            const std::string &name,
                                            const RunOptions &options) {
  return openArtifact(Artifact::loadBytes(std::move(buffer), name), options);
}

Result<std::unique_ptr<Session>>
openSpec(const LoadedSpec &loaded, const GraphShape &shape, EntryKind entry,
         const RunOptions &options, PlanSummary *plan) {
  Result<Graph> graph = Graph::build(loaded, shape, entry);
  if (!graph.ok())
    return graph.error();
  CompileOptions compile;
  compile.memoryBudget = options.budget;
  compile.targets = targetsFor(options.device);
  // Only a step splits over ranks (the λ search's kernel entries do not).
  compile.ranks = entry == EntryKind::Step ? options.ranks : 1;
  Result<Compiled> compiled = graph->compile(compile);
  if (!compiled.ok())
    return compiled.error();
  if (plan)
    *plan = compiled->plan;
  return openBuffer(std::move(compiled->buffer), loaded.spec.file, options);
}

Error nonFiniteOutput(Session &session, const std::string &what) {
  std::string culprit = session.firstNonFiniteCommand();
  return runFailure(
      session.artifact().name() + ": " + what +
      " holds NaN or infinite values" +
      (culprit.empty() ? std::string() : "; the first came from " + culprit) +
      (session.root().precision() == schema::Precision::F32
           ? " (the inputs overflow float32: scale them, or use float64)"
           : " (the inputs overflow float64: scale them)"));
}

Status resolveLambda(LoadedSpec &loaded, const GraphShape &step,
                     const RunOptions &options, std::ostream &log,
                     const std::vector<double> *given) {
  if (loaded.spec.discriminators.size() > 1)
    return inputError(
        loaded.spec.file +
        ": the lambda search (Algorithm 1) trains one discriminator, and "
        "this spec has " +
        std::to_string(loaded.spec.discriminators.size()) +
        ": search on a spec with one of them and set lambda here");
  int64_t rows = step.numReal + step.numFake;
  Result<std::unique_ptr<Session>> opened =
      openSpec(loaded, GraphShape{rows, 0, step.dim, step.image},
               EntryKind::Kernel, options);
  if (!opened.ok())
    return opened.error();
  Session &s = **opened;
  const schema::Artifact &root = s.root();
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
      return asInputError(real.error());
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
      points = gatherRows(
          points, batchRows(train.seed(), 0, 1, wholeReal, step.numReal, epoch),
          step.dim);
      if (!gen)
        z = gatherRows(
            z, batchRows(train.seed(), 1, 1, wholeFake, step.numFake, epoch),
            step.dim);
    }
    points.insert(points.end(), z.begin(), z.end());
  }
  if (Status st = s.setReal(points.data(), points.size()); !st.ok())
    return asInputError(st.error());
  if (Status st = s.step(); !st.ok())
    return st;
  std::vector<double> k = s.readView(*root.ntk());
  if (!allFinite(k))
    return nonFiniteOutput(s, "the kernel");
  const ast::Objective &obj = loaded.spec.objective;
  // A dense eigensolve, which the session does not split: it gets BLAS's
  // threads.
  ScopedBlasThreads blasThreads(s.threads());
  Result<LambdaSearch> found = searchLambda(k, rows, step.numReal, obj.eigReg,
                                            obj.searchEps, obj.searchStart);
  log << "lambda search (Algorithm 1): eps " << obj.searchEps
      << ", N = " << rows << " (" << step.numReal << " real rows, "
      << step.numFake << " of noise)\n";
  if (!found.ok())
    return makeError(found.error().code,
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
  return Status();
}

Result<Gradient> grad(LoadedSpec &loaded, const Rows &x, const Rows &z,
                      const RunOptions &options, std::ostream &searchLog) {
  if (Status s = checkGradSpec(loaded); !s.ok())
    return s.error();
  if (Status s = checkRealFake(x, z); !s.ok())
    return s.error();
  GraphShape shape{x.shape.rows, z.shape.rows, x.shape.dim,
                   rowsImage(loaded, x.shape)};
  // lambda from the given rows.
  if (loaded.spec.objective.lambdaSearch) {
    std::vector<double> rows(x.values, x.values + x.count);
    rows.insert(rows.end(), z.values, z.values + z.count);
    if (Status s = resolveLambda(loaded, shape, options, searchLog, &rows);
        !s.ok())
      return s.error();
  }
  Result<std::unique_ptr<Session>> opened =
      openSpec(loaded, shape, EntryKind::Step, options);
  if (!opened.ok())
    return opened.error();
  Session &s = **opened;
  if (Status st = s.setReal(x.values, x.count); !st.ok())
    return asInputError(st.error());
  if (Status st = s.setFake(z.values, z.count); !st.ok())
    return asInputError(st.error());
  if (Status st = s.step(); !st.ok())
    return st.error();
  std::vector<double> g = s.grad();
  if (!std::isfinite(s.loss()) || !allFinite(g))
    return nonFiniteOutput(s, "the loss or dL/dZ");
  return Gradient{s.loss(), std::move(g)};
}

Result<Kernels> kernel(const LoadedSpec &loaded, const Rows &rows,
                       const RunOptions &options) {
  int64_t count = rows.shape.rows;
  Result<std::unique_ptr<Session>> opened = openSpec(
      loaded,
      GraphShape{count, 0, rows.shape.dim, rowsImage(loaded, rows.shape)},
      EntryKind::Kernel, options);
  if (!opened.ok())
    return opened.error();
  Session &s = **opened;
  if (Status st = s.setReal(rows.values, rows.count); !st.ok())
    return asInputError(st.error());
  if (Status st = s.step(); !st.ok())
    return st.error();
  // Both kernels are checked before either is returned.
  Kernels kernels{count, s.readView(*s.root().ntk()),
                  s.readView(*s.root().nngp())};
  if (!allFinite(kernels.ntk) || !allFinite(kernels.nngp))
    return nonFiniteOutput(s, "the kernel");
  return kernels;
}

Status prepareBench(Session &s, const GraphShape &shape) {
  const schema::Artifact &root = s.root();
  Result<Dataset> real =
      loadRealData(DataConfig::fromSpec(*root.data()), shape.numReal, shape.dim,
                   root.train()->seed());
  if (!real.ok())
    return asInputError(real.error());
  if (Status st = s.setReal(real->values.data(), real->values.size()); !st.ok())
    return asInputError(st.error());
  // The first step's variable: Z, or θ and the latent rows.
  Status set;
  if (root.generator()) {
    Result<GeneratorShape> g = generatorShape(root);
    if (!g.ok())
      return asInputError(g.error());
    set = setGeneratorInputs(
        s, initialParams(*g, initSeed(root.train()->seed())), 1);
  } else {
    std::vector<double> z =
        initialPoints(root.train()->init(), size_t(shape.numFake * shape.dim),
                      initSeed(root.train()->seed()));
    set = s.setFake(z.data(), z.size());
  }
  if (!set.ok())
    return asInputError(set.error());
  return Status();
}

std::vector<uint64_t> collectiveBytesModel(const Session &s, int ranks) {
  const schema::Artifact &root = s.root();
  uint64_t element = root.precision() == schema::Precision::F64 ? 8 : 4;
  uint64_t each = uint64_t(root.n_fake()) * uint64_t(root.dim()) * element;
  uint64_t rootOnly = 0; // what rank 0 alone sends
  const auto *commands = root.commands();
  for (uint32_t i = 0; i < commands->size(); ++i) {
    const schema::CommandEntry &entry = *commands->Get(i);
    if (const auto *k = entry.command_as_Krylov();
        k && i < s.krylovStats().size()) {
      int64_t width = k->mode() == schema::KrylovMode::Action
                          ? k->columns()
                          : 2 * k->columns();
      each += uint64_t(s.krylovStats()[i].products) *
              (uint64_t(k->n()) * uint64_t(width) * element + 8);
    } else if (const auto *d = entry.command_as_DenseRanks()) {
      uint64_t block = uint64_t(d->n()) * uint64_t(d->columns()) * element;
      uint64_t trace = d->trace_scale() != 0 ? element : 0;
      switch (d->mode()) {
      case schema::DenseRanksMode::Factor:
        // tr(K), the workspace verdict; the eigenvalues from rank 0.
        each += trace + element;
        rootOnly += uint64_t(d->n()) * element;
        break;
      case schema::DenseRanksMode::Action:
        each += block;
        break;
      case schema::DenseRanksMode::GradientRows:
        each += 2 * block + trace; // Qᵀg, Qᵀy, tr(dL/dK)
        break;
      }
    }
  }
  std::vector<uint64_t> model(size_t(std::max(ranks, 1)), each);
  model[0] += rootOnly;
  return model;
}

} // namespace gantk::driver

//===----------------------------------------------------------------------===//
// The run report's facts
//===----------------------------------------------------------------------===//

#ifndef GANTK_VERSION
#error "GANTK_VERSION is defined by driver/CMakeLists.txt"
#endif

gantk::RunReport gantk::driver::runReport(const std::string &specName,
                                          const std::string &specText,
                                          const Compiled *compiled,
                                          const Session &session) {
  const schema::Artifact &root = session.root();
  RunReport report;
  report.specName = specName;
  report.specText = specText;
  if (compiled)
    report.planText = planReport(*compiled) + compiled->plan.layout;
  auto number = [](double v) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.6g", v);
    return std::string(text);
  };
  int64_t wholeReal = wholeRealRows(root), wholeFake = wholeFakeRows(root);
  std::string rows = "n = " + std::to_string(wholeReal) +
                     " real, m = " + std::to_string(wholeFake) +
                     " generated, d = " + std::to_string(root.dim());
  if (wholeReal != root.n_real() || wholeFake != root.n_fake())
    rows += " (batch-wise: " + std::to_string(root.n_real()) + " + " +
            std::to_string(root.n_fake()) + " a step)";
  const schema::TrainSpec &train = *root.train();
  std::string device =
      session.device() == DeviceKind::Cuda
          ? "cuda: " + session.deviceMemory().deviceName
          : "cpu, " + std::to_string(session.threads()) + " threads";
  report.facts = {
      {"spec", specName},
      {"data", dataSourceName(DataConfig::fromSpec(*root.data()))},
      {"rows", rows},
      {"precision", schema::EnumNamePrecision(root.precision())},
      {"lambda", number(root.lambda())},
      {"optimizer",
       std::string(schema::EnumNameOptimizerKind(train.optimizer())) + ", lr " +
           number(train.lr())},
      {"seed", std::to_string(train.seed())},
      {"device", device},
      {"gantk", GANTK_VERSION},
      {"LLVM/MLIR", LLVM_VERSION_STRING},
      {"BLAS", blasDescription()},
  };
  return report;
}
