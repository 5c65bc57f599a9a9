//===- ArtifactTest.cpp - Artifact verification --------------------------===//
//
// Every rejection the loader can make, triggered on purpose, with the message
// the user sees.
//
//===----------------------------------------------------------------------===//

#include "TestArtifact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace gantk;
using gantk::test::TestArtifact;
using ::testing::HasSubstr;

namespace {

/// A 2x2 F64 artifact with one gemm, one syevd and one dispatch, all valid.
TestArtifact fullArtifact() {
  TestArtifact t;
  t.nReal = t.nFake = 1;
  t.dim = 2;
  t.real = {0, 2};
  t.fake = {16, 2};
  t.loss = {32, 1};
  t.grad = {40, 2};
  t.gemms.push_back(
      {false, false, 2, 2, 2, 1, 0, {64, 4}, {96, 4}, {128, 4}, 2, 2, 2});
  t.syevds.push_back({2, {128, 4}, {160, 2}, {192, 21}, {512, 13}, 21, 13});
  t.kernels = {{"gantk_test_axpy", true}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {0, 16}, 2});
  t.arenaBytes = 1024;
  return t;
}

std::string loadError(const TestArtifact &t) {
  Result<Artifact> a = t.load();
  EXPECT_FALSE(a.ok());
  return a.ok() ? std::string() : a.message();
}

TEST(Artifact, AcceptsAValidArtifact) {
  Result<Artifact> a = fullArtifact().load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->elementSize(), 8u);
  EXPECT_EQ(a->root().commands()->size(), 3u);
  ASSERT_NE(a->cpuCode(), nullptr);
}

TEST(Artifact, SyevdWorkspaceMinimaMatchLapack) {
  // dsyevd documents LWORK >= 1 + 6N + 2N**2 and LIWORK >= 3 + 5N (JOBZ='V').
  EXPECT_EQ(syevdMinWork(2), 21);
  EXPECT_EQ(syevdMinIWork(2), 13);
  EXPECT_EQ(syevdMinWork(4096), 1 + 6 * 4096 + 2 * 4096LL * 4096);
}

TEST(Artifact, RejectsTruncatedBuffer) {
  std::vector<uint8_t> bytes = fullArtifact().build();
  bytes.resize(bytes.size() / 2);
  Result<Artifact> a = Artifact::loadBytes(bytes, "cut.gantk-bin");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(),
            "cut.gantk-bin: corrupt or truncated artifact (FlatBuffers "
            "verification failed)");
  EXPECT_EQ(a.error().code, ErrorCode::DataLoss);
}

TEST(Artifact, RejectsTinyFile) {
  Result<Artifact> a = Artifact::loadBytes({1, 2, 3}, "tiny");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(), "tiny: not a gantk artifact (only 3 bytes)");
}

TEST(Artifact, RejectsForeignIdentifier) {
  std::vector<uint8_t> bytes = fullArtifact().build();
  std::copy_n("PNG!", 4, bytes.begin() + 4);
  Result<Artifact> a = Artifact::loadBytes(bytes, "x.bin");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(), "x.bin: not a gantk artifact (file identifier "
                         "'PNG!', expected 'GNTK')");
}

TEST(Artifact, RejectsOtherFormatVersion) {
  TestArtifact t = fullArtifact();
  t.formatVersion = 2;
  EXPECT_EQ(loadError(t), "test: unsupported artifact format_version 2 (this "
                          "runtime reads 1); recompile the spec");
}

TEST(Artifact, RejectsViewOutsideArena) {
  TestArtifact t = fullArtifact();
  t.grad = {1020, 2};
  EXPECT_EQ(loadError(t),
            "test: invalid artifact: grad view [offset 1020, 2 elements of 8 "
            "bytes] lies outside the arena (1024 bytes)");
}

TEST(Artifact, RejectsHugeElementCountWithoutOverflow) {
  TestArtifact t = fullArtifact();
  t.gemms[0].c = {8, uint64_t(1) << 62};
  EXPECT_THAT(loadError(t), HasSubstr("gemm operand C view [offset 8"));
  EXPECT_THAT(loadError(t), HasSubstr("lies outside the arena"));
}

TEST(Artifact, RejectsMisalignedView) {
  TestArtifact t = fullArtifact();
  t.fake = {20, 2};
  EXPECT_THAT(loadError(t),
              HasSubstr("fake view offset 20 is not a multiple of the 8-byte"));
}

TEST(Artifact, RejectsWrongFixedViewSize) {
  TestArtifact t = fullArtifact();
  t.grad = {40, 1};
  EXPECT_EQ(loadError(t), "test: invalid artifact: grad view holds 1 "
                          "elements, expected 2");
}

TEST(Artifact, RejectsGemmOperandTooSmall) {
  TestArtifact t = fullArtifact();
  t.gemms[0].b = {96, 3};
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 0 (gemm): gemm "
                          "operand B view holds 3 elements, needs 4");
}

TEST(Artifact, RejectsGemmLeadingDimension) {
  TestArtifact t = fullArtifact();
  t.gemms[0].transA = true;
  t.gemms[0].m = 1; // A is k x m = 2 x 1 row-major, so lda >= 1; C is 1 x 2
  t.gemms[0].ldc = 1;
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 0 (gemm): gemm "
                          "operand C leading dimension 1 is smaller than its "
                          "2 columns");
}

TEST(Artifact, RejectsSmallSyevdWorkspace) {
  TestArtifact t = fullArtifact();
  t.syevds[0].lwork = 20;
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 1 (eigh): syevd "
                          "lwork 20 is below the LAPACK minimum 1+6n+2n^2 = "
                          "21");
  t = fullArtifact();
  t.syevds[0].liwork = 12;
  EXPECT_THAT(loadError(t), HasSubstr("liwork 12 is below the LAPACK minimum "
                                      "3+5n = 13"));
  t = fullArtifact();
  t.syevds[0].iwork = {512, 12};
  EXPECT_THAT(loadError(t),
              HasSubstr("syevd iwork view holds 12 integers, needs 13"));
}

TEST(Artifact, RejectsBadKernelIndex) {
  TestArtifact t = fullArtifact();
  t.dispatches[0].kernel = 3;
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 2 (kernel): "
                          "dispatch of kernel 3 but the artifact declares 1 "
                          "kernels");
}

TEST(Artifact, RejectsDispatchArgumentOutsideArena) {
  TestArtifact t = fullArtifact();
  t.dispatches[0].args = {0, 4096};
  EXPECT_THAT(loadError(t), HasSubstr("dispatch argument 1 offset 4096 lies "
                                      "outside the arena (1024 bytes)"));
}

TEST(Artifact, RequiresCpuCodeForKernels) {
  TestArtifact t = fullArtifact();
  t.codeTarget = "nvptx64-cuda";
  EXPECT_EQ(loadError(t), "test: invalid artifact: no non-empty code object "
                          "for target 'x86_64-linux-cpu'");
}

TEST(Artifact, RejectsFileDataWithoutPath) {
  TestArtifact t = fullArtifact();
  t.dataKind = schema::DataKind::Npy;
  EXPECT_EQ(loadError(t), "test: invalid artifact: file data needs a path");
}

TEST(Artifact, MissingFileNamesThePath) {
  Result<Artifact> a = Artifact::loadFile("/nonexistent/a.gantk-bin");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::NotFound);
  EXPECT_EQ(a.message(), "/nonexistent/a.gantk-bin: cannot open: No such "
                         "file or directory (the artifact to run)");
}

} // namespace
