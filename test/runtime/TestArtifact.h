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

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace gantk::test {

/// The shared object of TestKernels.c.
inline std::vector<uint8_t> testKernelBlob() {
  std::ifstream in(GANTK_TEST_KERNELS_PATH, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

struct GemmDesc {
  bool transA = false, transB = false;
  int64_t m = 1, n = 1, k = 1;
  double alpha = 1, beta = 0;
  schema::View a, b, c;
  int64_t lda = 1, ldb = 1, ldc = 1;
};

struct SyevdDesc {
  int64_t n = 1;
  schema::View a, w, work, iwork;
  int64_t lwork = 0, liwork = 0;
};

struct DispatchDesc {
  uint32_t kernel = 0;
  std::vector<uint64_t> args;
  int64_t range = 0;
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
  std::vector<std::pair<std::string, bool>> kernels;
  std::string codeTarget = kCpuTarget;
  std::vector<uint8_t> code;
  /// More code objects after `code` (target, blob): PTX for the CUDA device.
  std::vector<std::pair<std::string, std::vector<uint8_t>>> extraCode;

  schema::DataKind dataKind = schema::DataKind::GaussianGrid;
  std::string dataPath;
  int64_t dataSize = 2;
  double dataSpacing = 1, dataStd = 0.1;
  int64_t imageH = 0, imageW = 0, imageC = 0;

  schema::OptimizerKind optimizer = schema::OptimizerKind::GD;
  double lr = 0.1;
  bool clip = false;
  double clipLo = 0, clipHi = 1;
  int64_t steps = 10;
  uint64_t seed = 1;
  schema::InitKind init = schema::InitKind::Uniform;
  schema::PlotKind plot = schema::PlotKind::None;
  int64_t every = 0;
  std::string outDir;

  /// Commands run gemms, then syevds, then dispatches.
  std::vector<uint8_t> build() const {
    namespace fbs = schema;
    flatbuffers::FlatBufferBuilder b;
    std::vector<flatbuffers::Offset<fbs::CommandEntry>> commands;
    for (const GemmDesc &g : gemms) {
      auto cmd = fbs::CreateGemm(b, g.transA, g.transB, g.m, g.n, g.k, g.alpha,
                                 g.beta, &g.a, g.lda, &g.b, g.ldb, &g.c, g.ldc);
      commands.push_back(fbs::CreateCommandEntry(
          b, fbs::Command::Gemm, cmd.Union(), b.CreateString("gemm")));
    }
    for (const SyevdDesc &e : syevds) {
      auto cmd = fbs::CreateSyevd(b, e.n, &e.a, &e.w, &e.work, e.lwork,
                                  &e.iwork, e.liwork);
      commands.push_back(fbs::CreateCommandEntry(
          b, fbs::Command::Syevd, cmd.Union(), b.CreateString("eigh")));
    }
    for (const DispatchDesc &d : dispatches) {
      auto cmd = fbs::CreateDispatchDirect(b, d.kernel, &d.args, d.range);
      commands.push_back(fbs::CreateCommandEntry(
          b, fbs::Command::Dispatch, cmd.Union(), b.CreateString("kernel")));
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
        dataSize, dataSpacing, dataStd, fbs::Scale::None, imageH, imageW,
        imageC);
    auto train = fbs::CreateTrainSpec(b, optimizer, lr, clip, clipLo, clipHi,
                                      0.9, 0.999, 1e-8, steps, seed, init);
    auto output = fbs::CreateOutputSpecDirect(
        b, outDir.empty() ? nullptr : outDir.c_str(), plot, every);
    auto root = fbs::CreateArtifactDirect(
        b, formatVersion, precision, nReal, nFake, dim, arenaBytes, &real,
        &fake, &loss, &grad, &commands, &kernelOffsets, &codeOffsets, data,
        train, output, "test");
    fbs::FinishArtifactBuffer(b, root);
    return std::vector<uint8_t>(b.GetBufferPointer(),
                                b.GetBufferPointer() + b.GetSize());
  }

  /// The artifact, verified.
  Result<Artifact> load() const { return Artifact::loadBytes(build(), "test"); }
};

} // namespace gantk::test

#endif // GANTK_TEST_RUNTIME_TESTARTIFACT_H
