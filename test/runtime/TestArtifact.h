//===- TestArtifact.h - Building small artifacts in tests -------*- C++ -*-===//
//
// Tests describe an artifact with plain fields and commands and get its
// FlatBuffers bytes, written with the generated builder exactly as the
// compiler would.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_TEST_RUNTIME_TESTARTIFACT_H
#define GANTK_TEST_RUNTIME_TESTARTIFACT_H

#include "gantk/runtime/Artifact.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gantk::test {

/// The shared object of TestKernels.c.
inline std::vector<uint8_t> testKernelBlob() {
  std::ifstream in(GANTK_TEST_KERNELS_PATH, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

/// Views allocated one after another, 64-byte aligned, after the fixed
/// views of a default TestArtifact (which end before byte 256).
struct Layout {
  uint64_t bytes = 256;
  uint64_t elementBytes = 8;
  schema::View add(uint64_t elements) {
    schema::View v(bytes, elements);
    bytes += (elements * elementBytes + 63) / 64 * 64;
    return v;
  }
};

struct GemmDesc {
  bool transA = false, transB = false;
  int64_t m = 1, n = 1, k = 1;
  double alpha = 1, beta = 0;
  schema::View a, b, c;
  int64_t lda = 1, ldb = 1, ldc = 1;
  int64_t liveKFrom = -1;
  int64_t aSymmetricFrom = -1;
  bool cUpperOnly = false;
};

/// An m-row row-major A (leading dimension lda) whose columns
/// [o, o + m) are a symmetric block, as a GEMM with `a_symmetric_from = o`
/// reads it: `full` holds entry(i, p) outside the block and
/// entry(min(i, l), max(i, l)) at its row i, column l; `stored` is the same
/// with NaN below the block's diagonal, which such a GEMM must not read.
struct SymmetricBlockA {
  std::vector<double> stored, full;
};
inline SymmetricBlockA
symmetricBlockA(int64_t m, int64_t lda, int64_t o,
                const std::function<double(int64_t, int64_t)> &entry) {
  SymmetricBlockA a;
  a.full.resize(size_t(m * lda));
  a.stored.resize(a.full.size());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < lda; ++p) {
      int64_t l = p - o; // the block's column, for o <= p < o + m
      bool block = p >= o && l < m;
      double v = block ? entry(std::min(i, l), std::max(i, l)) : entry(i, p);
      a.full[size_t(i * lda + p)] = v;
      a.stored[size_t(i * lda + p)] = block && l < i ? std::nan("") : v;
    }
  return a;
}

struct SyevdDesc {
  int64_t n = 1;
  schema::View a, w, work, iwork;
  int64_t lwork = 0, liwork = 0;
};

struct DispatchDesc {
  uint32_t kernel = 0;
  std::vector<uint64_t> args;
  int64_t range = 0;
  bool once = false; ///< CommandEntry.once: run at the first step after X
};

/// The matrix-free K of a Krylov command (schema::KernelOperator).
struct KernelOperatorDesc {
  schema::View points;
  int64_t dim = 1;
  double gramAlpha = 1;
  uint32_t recursion = 0;
  std::vector<uint64_t> args;
  int64_t tileRows = 1;
  schema::View tile;
  double traceScale = 0;
};

struct KrylovDesc {
  schema::KrylovMode mode = schema::KrylovMode::Action;
  int64_t n = 1, columns = 1;
  double lambda = 1, tol = 1e-6;
  int64_t maxBlocks = 1;
  std::optional<schema::View> kernel; ///< absent when matrix-free
  schema::View rhs, cotangent, basis, block, out, factorA, factorB;
  int64_t rank = 0;
  schema::View stats;
  std::optional<KernelOperatorDesc> op;
};

/// A command of a RowTiles body: `type` picks which desc is written. A
/// RowTiles type writes a nested RowTiles (same sizes and tiles, empty
/// body), which the verifier must refuse.
struct BodyCommand {
  schema::Command type = schema::Command::Gemm;
  GemmDesc gemm;
  DispatchDesc dispatch;
  SyevdDesc syevd;
};

struct RowTilesDesc {
  int64_t rows = 1, tileRows = 1;
  std::vector<schema::View> tiles; ///< empty: the field is left out
  std::vector<BodyCommand> body;
};

/// A whole artifact; defaults give a valid 1x1 F64 artifact without commands.
struct TestArtifact {
  uint32_t formatVersion = kArtifactFormatVersion;
  schema::Precision precision = schema::Precision::F64;
  int64_t nReal = 1, nFake = 1, dim = 1;
  uint64_t arenaBytes = 4096;
  schema::View real{0, 1}, fake{64, 1}, loss{128, 1}, grad{192, 1};
  std::vector<GemmDesc> gemms;
  std::vector<SyevdDesc> syevds;
  std::vector<DispatchDesc> dispatches;
  std::vector<KrylovDesc> krylovs;
  std::vector<RowTilesDesc> rowTiles;
  /// When set, the commands in this order instead: (type, index into the
  /// list of that type). Any other type (NONE, an unknown value) writes an
  /// entry of that type without a table, labelled "odd".
  std::vector<std::pair<schema::Command, size_t>> order;
  std::vector<std::pair<std::string, bool>> kernels;
  std::string codeTarget = kCpuTarget;
  std::vector<uint8_t> code;
  /// More code objects after `code` (target, blob): PTX for the CUDA device.
  std::vector<std::pair<std::string, std::vector<uint8_t>>> extraCode;

  schema::DataKind dataKind = schema::DataKind::GaussianGrid;
  std::string dataPath;
  int64_t dataSize = 2;
  double dataSpacing = 1, dataStd = 0.1;
  schema::Scale scale = schema::Scale::None;
  int64_t imageH = 0, imageW = 0, imageC = 0;

  schema::OptimizerKind optimizer = schema::OptimizerKind::GD;
  double lr = 0.1;
  bool clip = false;
  double clipLo = 0, clipHi = 1;
  int64_t steps = 10;
  uint64_t seed = 1;
  /// Batch-wise: the rows of the whole X and Z (0: none), and epochs.
  int64_t realRows = 0, fakeRows = 0;
  bool epoch = false;
  schema::InitKind init = schema::InitKind::Uniform;
  /// GA-NTKg: a Generator table when `generator` is set.
  bool generator = false;
  std::vector<int64_t> genWidths;
  std::vector<schema::Activation> genActivations;
  schema::View genLatent{0, 0}, genParams{0, 0};
  schema::PlotKind plot = schema::PlotKind::None;
  int64_t every = 0;
  std::string outDir;

  /// Commands run gemms, then syevds, dispatches, krylovs and rowTiles,
  /// unless `order` says otherwise.
  std::vector<uint8_t> build() const {
    namespace fbs = schema;
    flatbuffers::FlatBufferBuilder b;
    std::vector<std::pair<fbs::Command, size_t>> sequence = order;
    if (sequence.empty()) {
      auto all = [&](fbs::Command type, size_t count) {
        for (size_t i = 0; i < count; ++i)
          sequence.push_back({type, i});
      };
      all(fbs::Command::Gemm, gemms.size());
      all(fbs::Command::Syevd, syevds.size());
      all(fbs::Command::Dispatch, dispatches.size());
      all(fbs::Command::Krylov, krylovs.size());
      all(fbs::Command::RowTiles, rowTiles.size());
    }
    std::vector<flatbuffers::Offset<fbs::CommandEntry>> commands;
    for (const auto &[type, i] : sequence) {
      BodyCommand c;
      c.type = type;
      if (type == fbs::Command::Gemm)
        c.gemm = gemms[i];
      if (type == fbs::Command::Syevd)
        c.syevd = syevds[i];
      if (type == fbs::Command::Dispatch)
        c.dispatch = dispatches[i];
      if (type == fbs::Command::Krylov)
        commands.push_back(krylovEntry(b, krylovs[i]));
      else if (type == fbs::Command::RowTiles)
        commands.push_back(rowTilesEntry(b, rowTiles[i], false));
      else if (type == fbs::Command::Gemm || type == fbs::Command::Syevd ||
               type == fbs::Command::Dispatch)
        commands.push_back(entry(b, c, nullptr));
      else // NONE or a type this runtime does not know: no table
        commands.push_back(
            fbs::CreateCommandEntry(b, type, 0, b.CreateString("odd")));
    }
    std::vector<flatbuffers::Offset<fbs::Kernel>> kernelOffsets;
    for (const auto &[name, parallel] : kernels)
      kernelOffsets.push_back(
          fbs::CreateKernelDirect(b, name.c_str(), parallel));
    std::vector<flatbuffers::Offset<fbs::CodeObject>> codeOffsets;
    if (!code.empty())
      codeOffsets.push_back(
          fbs::CreateCodeObjectDirect(b, codeTarget.c_str(), &code));
    for (const auto &[target, blob] : extraCode)
      codeOffsets.push_back(
          fbs::CreateCodeObjectDirect(b, target.c_str(), &blob));
    auto data = fbs::CreateDataSpecDirect(
        b, dataKind, dataPath.empty() ? nullptr : dataPath.c_str(), -1,
        dataSize, dataSpacing, dataStd, scale, imageH, imageW, imageC);
    auto train = fbs::CreateTrainSpec(b, optimizer, lr, clip, clipLo, clipHi,
                                      0.9, 0.999, 1e-8, steps, seed, init,
                                      realRows, fakeRows, epoch);
    auto output = fbs::CreateOutputSpecDirect(
        b, outDir.empty() ? nullptr : outDir.c_str(), plot, every);
    flatbuffers::Offset<fbs::Generator> gen;
    if (generator)
      gen = fbs::CreateGeneratorDirect(b, &genWidths, &genActivations,
                                       &genLatent, &genParams);
    auto root = fbs::CreateArtifactDirect(
        b, formatVersion, precision, nReal, nFake, dim, arenaBytes, &real,
        &fake, &loss, &grad, &commands, &kernelOffsets, &codeOffsets, data,
        train, output, "test", fbs::EntryKind::Step, nullptr, nullptr, nullptr,
        0.0, gen);
    fbs::FinishArtifactBuffer(b, root);
    return std::vector<uint8_t>(b.GetBufferPointer(),
                                b.GetBufferPointer() + b.GetSize());
  }

  /// A Gemm, Syevd or Dispatch entry; a RowTiles one is nested in `outer`.
  static flatbuffers::Offset<schema::CommandEntry>
  entry(flatbuffers::FlatBufferBuilder &b, const BodyCommand &c,
        const RowTilesDesc *outer) {
    namespace fbs = schema;
    switch (c.type) {
    case fbs::Command::Gemm: {
      const GemmDesc &g = c.gemm;
      auto cmd = fbs::CreateGemm(b, g.transA, g.transB, g.m, g.n, g.k, g.alpha,
                                 g.beta, &g.a, g.lda, &g.b, g.ldb, &g.c, g.ldc,
                                 g.liveKFrom, g.aSymmetricFrom, g.cUpperOnly);
      return fbs::CreateCommandEntry(b, fbs::Command::Gemm, cmd.Union(),
                                     b.CreateString("gemm"));
    }
    case fbs::Command::Syevd: {
      const SyevdDesc &e = c.syevd;
      auto cmd = fbs::CreateSyevd(b, e.n, &e.a, &e.w, &e.work, e.lwork,
                                  &e.iwork, e.liwork);
      return fbs::CreateCommandEntry(b, fbs::Command::Syevd, cmd.Union(),
                                     b.CreateString("eigh"));
    }
    case fbs::Command::Dispatch: {
      const DispatchDesc &d = c.dispatch;
      auto cmd = fbs::CreateDispatchDirect(b, d.kernel, &d.args, d.range);
      return fbs::CreateCommandEntry(b, fbs::Command::Dispatch, cmd.Union(),
                                     b.CreateString("kernel"), 0, d.once);
    }
    default: {
      RowTilesDesc nested = *outer;
      nested.body.clear();
      return rowTilesEntry(b, nested, true);
    }
    }
  }

  static flatbuffers::Offset<schema::CommandEntry>
  rowTilesEntry(flatbuffers::FlatBufferBuilder &b, const RowTilesDesc &r,
                bool nested) {
    namespace fbs = schema;
    std::vector<flatbuffers::Offset<fbs::CommandEntry>> body;
    if (!nested)
      for (const BodyCommand &c : r.body)
        body.push_back(entry(b, c, &r));
    auto cmd = fbs::CreateRowTilesDirect(
        b, r.rows, r.tileRows, r.tiles.empty() ? nullptr : &r.tiles, &body);
    return fbs::CreateCommandEntry(b, fbs::Command::RowTiles, cmd.Union(),
                                   b.CreateString("tiles"));
  }

  static flatbuffers::Offset<schema::CommandEntry>
  krylovEntry(flatbuffers::FlatBufferBuilder &b, const KrylovDesc &k) {
    namespace fbs = schema;
    flatbuffers::Offset<fbs::KernelOperator> op = 0;
    if (k.op)
      op = fbs::CreateKernelOperatorDirect(
          b, &k.op->points, k.op->dim, k.op->gramAlpha, k.op->recursion,
          &k.op->args, k.op->tileRows, &k.op->tile, k.op->traceScale);
    auto cmd = fbs::CreateKrylov(
        b, k.mode, k.n, k.columns, k.lambda, k.tol, k.maxBlocks,
        k.kernel ? &*k.kernel : nullptr, &k.rhs, &k.cotangent, &k.basis,
        &k.block, &k.out, &k.factorA, &k.factorB, k.rank, &k.stats, op);
    return fbs::CreateCommandEntry(b, fbs::Command::Krylov, cmd.Union(),
                                   b.CreateString("krylov"));
  }

  /// The artifact, verified.
  Result<Artifact> load() const { return Artifact::loadBytes(build(), "test"); }
};

} // namespace gantk::test

#endif // GANTK_TEST_RUNTIME_TESTARTIFACT_H
