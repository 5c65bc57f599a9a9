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

TEST(Artifact, ChecksBatchWiseRows) {
  // The whole X and Z of a batch-wise run hold at least a step's rows, and
  // their sizes may not overflow (the runtime allocates them).
  TestArtifact t = fullArtifact();
  t.realRows = t.nReal + 5;
  t.fakeRows = t.nFake + 7;
  Result<Artifact> ok = Artifact::loadBytes(t.build(), "test");
  EXPECT_TRUE(ok.ok()) << ok.message();
  t.realRows = t.nReal - 1;
  EXPECT_THAT(loadError(t), HasSubstr("batch-wise rows: real_rows"));
  EXPECT_THAT(loadError(t), HasSubstr("must hold the step's"));
  t.realRows = t.nReal;
  t.fakeRows = int64_t(1) << 61; // × dim × 8 bytes overflows
  EXPECT_THAT(loadError(t), HasSubstr("batch-wise rows"));
  t.fakeRows = 0; // one without the other
  EXPECT_THAT(loadError(t), HasSubstr("batch-wise rows"));
}

TEST(Artifact, ChecksTheGenerator) {
  // GA-NTKg: latent 3 -> 4 relu -> 2 (dim) identity: θ = 4·4 + 5·2 = 26
  // values, and grad is dL/dθ.
  TestArtifact t = fullArtifact();
  t.generator = true;
  t.genWidths = {3, 4, 2};
  t.genActivations = {schema::Activation::Relu, schema::Activation::Identity};
  t.genLatent = {600, 3};
  t.genParams = {640, 26};
  t.grad = {856, 26};
  t.arenaBytes = 2048;
  Result<Artifact> ok = Artifact::loadBytes(t.build(), "test");
  ASSERT_TRUE(ok.ok()) << ok.message();
  Result<GeneratorShape> shape = generatorShape(ok->root());
  ASSERT_TRUE(shape.ok()) << shape.message();
  EXPECT_EQ(shape->activations, (std::vector<std::string>{"relu", "identity"}));
  EXPECT_EQ(variableSize(ok->root()), 26);

  TestArtifact bad = t;
  bad.genParams = {640, 25};
  EXPECT_THAT(loadError(bad), HasSubstr("the latent and params views hold 3 "
                                        "and 25 elements, expected 3 and 26"));
  bad = t;
  bad.grad = {40, 2}; // dL/dZ's size, not θ's
  EXPECT_THAT(loadError(bad),
              HasSubstr("grad view holds 2 elements, expected 26"));
  bad = t;
  bad.genWidths = {3, 4, 5};
  EXPECT_THAT(loadError(bad), HasSubstr("its last width 5 is not dim 2"));
  bad = t;
  bad.genActivations = {schema::Activation::Relu, schema::Activation(9)};
  EXPECT_THAT(loadError(bad), HasSubstr("unknown generator activation '#9'"));
  bad = t;
  bad.genWidths = {3, 0, 2};
  EXPECT_THAT(loadError(bad), HasSubstr("a generator width is 0"));
  bad = t;
  bad.genLatent = {2040, 3};
  EXPECT_THAT(loadError(bad), HasSubstr("generator latent view"));
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

TEST(Artifact, RejectsGemmLiveColumnsOfNoKrylov) {
  TestArtifact t = fullArtifact();
  // Command 0 is the gemm itself, 1 a syevd, 2 a dispatch: none is an
  // earlier Krylov command with factors.
  for (int64_t from : {0, 1, 5, -2}) {
    t.gemms[0].liveKFrom = from;
    EXPECT_EQ(loadError(t),
              "test: invalid artifact: command 0 (gemm): gemm "
              "live_k_from " +
                  std::to_string(from) +
                  " is not an earlier Krylov command with factors");
  }
}

TEST(Artifact, RejectsGemmSymmetricBlockNotAtTheEnd) {
  TestArtifact t = fullArtifact(); // m = k = 2: the block starts at column 0
  t.gemms[0].aSymmetricFrom = 0;
  Result<Artifact> ok = t.load();
  EXPECT_TRUE(ok.ok()) << ok.message();
  auto expected = [](int64_t from) {
    return "test: invalid artifact: command 0 (gemm): gemm a_symmetric_from " +
           std::to_string(from) +
           " is not the start of A's last m = 2 of k = 2 columns (A and B not "
           "transposed, not in row tiles, no live_k_from)";
  };
  for (int64_t from : {1, 5, -2}) {
    t.gemms[0].aSymmetricFrom = from;
    EXPECT_EQ(loadError(t), expected(from));
  }
  t.gemms[0].aSymmetricFrom = 0;
  t.gemms[0].transB = true;
  EXPECT_EQ(loadError(t), expected(0));
}

TEST(Artifact, RejectsGemmUpperOnlyWithoutASquareBlock) {
  TestArtifact t = fullArtifact(); // C is 2 x 2: its last 2 columns
  t.gemms[0].cUpperOnly = true;
  Result<Artifact> ok = t.load();
  EXPECT_TRUE(ok.ok()) << ok.message();
  t.gemms[0].n = 1; // C 2 x 1: fewer columns than rows
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 0 (gemm): gemm "
                          "c_upper_only with C 2x1, which has no square block "
                          "in its last columns");
  t.gemms[0].cUpperOnly = false;
  ok = t.load();
  EXPECT_TRUE(ok.ok()) << ok.message();
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

TEST(Artifact, ImageFolderDataNeedsAPath) {
  // images(dir) is file data: a folder path, checked like npy's.
  TestArtifact t = fullArtifact();
  t.dataKind = schema::DataKind::Images;
  EXPECT_EQ(loadError(t), "test: invalid artifact: file data needs a path");
  t.dataPath = "/tmp/pngs";
  t.imageH = t.imageW = 2;
  t.imageC = 3;
  Result<Artifact> a = t.load();
  EXPECT_TRUE(a.ok()) << a.message();
}

TEST(Artifact, RejectsUnknownCommandTypes) {
  // NONE (no command), and a type from a newer schema: the FlatBuffers
  // verifier lets both through.
  for (schema::Command type : {schema::Command::NONE, schema::Command(42)}) {
    TestArtifact t = fullArtifact();
    t.order = {{schema::Command::Gemm, 0}, {type, 0}};
    EXPECT_EQ(loadError(t), "test: invalid artifact: command 1 (odd): "
                            "unknown or missing command type");
  }
}

/// A valid F64 artifact with one RowTiles command: 10 rows in tiles of 4;
/// C (a 4 × 3 tile) = A (rows of a whole 10 × 2 value) · B, then a
/// dispatch over the tile.
TestArtifact rowTilesArtifact() {
  TestArtifact t;
  t.kernels = {{"gantk_test_axpy", true}};
  t.code = test::testKernelBlob();
  test::RowTilesDesc r;
  r.rows = 10;
  r.tileRows = 4;
  r.tiles = {{512, 12}};
  r.body.resize(2);
  test::GemmDesc &g = r.body[0].gemm;
  g.m = 10;
  g.n = 3;
  g.k = 2;
  g.a = {256, 20};
  g.lda = 2;
  g.b = {448, 6};
  g.ldb = 3;
  g.c = {512, 12};
  g.ldc = 3;
  r.body[1].type = schema::Command::Dispatch;
  r.body[1].dispatch = {0, {512, 256}, 10};
  t.rowTiles.push_back(r);
  t.arenaBytes = 1024;
  return t;
}

TEST(Artifact, AcceptsRowTiles) {
  Result<Artifact> a = rowTilesArtifact().load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(a->matrixFree());
  EXPECT_FALSE(fullArtifact().load()->matrixFree());
}

TEST(Artifact, RejectsBadRowTiles) {
  const std::string at = "test: invalid artifact: command 0 (tiles): ";
  TestArtifact t = rowTilesArtifact();
  t.rowTiles[0].rows = 0;
  EXPECT_EQ(loadError(t), at + "row tiles need positive rows and tile_rows "
                               "(got 0, 4)");
  t = rowTilesArtifact();
  t.rowTiles[0].tileRows = -1;
  EXPECT_EQ(loadError(t), at + "row tiles need positive rows and tile_rows "
                               "(got 10, -1)");
  t = rowTilesArtifact();
  t.rowTiles[0].tiles = {};
  EXPECT_EQ(loadError(t), at + "row tiles without tile buffers");
  t = rowTilesArtifact();
  t.rowTiles[0].tiles = {{512, 10}};
  EXPECT_EQ(loadError(t), at + "row tile buffer 0 holds 10 elements, not a "
                               "positive multiple of tile_rows 4");
  t = rowTilesArtifact();
  t.rowTiles[0].tiles = {{1000, 12}};
  EXPECT_THAT(loadError(t), HasSubstr("row tile buffer 0 view [offset 1000, "
                                      "12 elements of 8 bytes] lies outside "
                                      "the arena"));
  t = rowTilesArtifact();
  t.rowTiles[0].body.clear();
  EXPECT_EQ(loadError(t), at + "row tiles with an empty body");
}

TEST(Artifact, RejectsRowTilesBodyCommands) {
  const std::string at = "test: invalid artifact: command 0 (tiles): body "
                         "command ";
  TestArtifact t = rowTilesArtifact();
  t.rowTiles[0].body.push_back({});
  t.rowTiles[0].body.back().type = schema::Command::Syevd;
  t.rowTiles[0].body.back().syevd = fullArtifact().syevds[0];
  EXPECT_EQ(loadError(t), at + "2 (eigh): a row tiles body holds only gemm "
                               "and dispatch commands");
  t = rowTilesArtifact();
  t.rowTiles[0].body.push_back({});
  t.rowTiles[0].body.back().type = schema::Command::RowTiles;
  EXPECT_EQ(loadError(t), at + "2 (tiles): row tiles cannot be nested");

  t = rowTilesArtifact();
  t.rowTiles[0].body[0].gemm.transA = true;
  EXPECT_EQ(loadError(t),
            at + "0 (gemm): a gemm in row tiles cannot transpose A");
  t = rowTilesArtifact();
  t.rowTiles[0].body[0].gemm.m = 4;
  EXPECT_EQ(loadError(t), at + "0 (gemm): gemm m=4 in row tiles of 10 rows");
  // C is the tile: 4 rows of leading dimension 4 do not fit its 12 elements.
  t = rowTilesArtifact();
  t.rowTiles[0].body[0].gemm.ldc = 4;
  EXPECT_EQ(loadError(t), at + "0 (gemm): gemm operand C is a tile of 12 "
                               "elements, too small for 4 rows of leading "
                               "dimension 4");
  // A is a whole value: all 10 rows must fit.
  t = rowTilesArtifact();
  t.rowTiles[0].body[0].gemm.a = {256, 19};
  EXPECT_EQ(loadError(t), at + "0 (gemm): gemm operand A view holds 19 "
                               "elements, needs 20");

  t = rowTilesArtifact();
  t.rowTiles[0].body[1].dispatch.range = 8;
  EXPECT_EQ(loadError(t),
            at + "1 (kernel): dispatch range 8 in row tiles of 10 rows");
  t = rowTilesArtifact();
  t.rowTiles[0].body[1].dispatch.kernel = 5;
  EXPECT_EQ(loadError(t), at + "1 (kernel): dispatch of kernel 5 but the "
                               "artifact declares 1 kernels");
}

/// A valid F64 artifact with one matrix-free Krylov action: n = 4 points of
/// dimension 2, tiles of 2 rows, no stored K.
TestArtifact operatorArtifact() {
  TestArtifact t;
  t.kernels = {{"gantk_test_axpy", true}};
  t.code = test::testKernelBlob();
  test::KrylovDesc k;
  k.n = 4;
  k.maxBlocks = 2;
  k.rhs = {256, 4};
  k.basis = {320, 12};
  k.block = {448, 4};
  k.out = {512, 4};
  k.stats = {576, 2};
  test::KernelOperatorDesc op;
  op.points = {640, 8};
  op.dim = 2;
  op.tileRows = 2;
  op.tile = {704, 8};
  op.args = {704, 768};
  k.op = op;
  t.krylovs.push_back(k);
  t.arenaBytes = 1024;
  return t;
}

TEST(Artifact, AcceptsKrylovOperatorWithoutStoredKernel) {
  Result<Artifact> a = operatorArtifact().load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(a->matrixFree());
  TestArtifact t = operatorArtifact();
  t.krylovs[0].op.reset();
  EXPECT_EQ(loadError(t), "test: invalid artifact: command 0 (krylov): "
                          "Krylov kernel view is missing");
}

TEST(Artifact, RejectsBadKrylovOperator) {
  const std::string at =
      "test: invalid artifact: command 0 (krylov): Krylov operator";
  TestArtifact t = operatorArtifact();
  t.krylovs[0].op->points = {640, 7};
  EXPECT_EQ(loadError(t), at + " points view holds 7 elements, needs 8");
  t = operatorArtifact();
  t.krylovs[0].op->dim = 0;
  EXPECT_EQ(loadError(t),
            at + " dim and tile_rows must be positive (got 0, 2)");
  t = operatorArtifact();
  t.krylovs[0].op->tileRows = 0;
  EXPECT_EQ(loadError(t),
            at + " dim and tile_rows must be positive (got 2, 0)");
  t = operatorArtifact();
  t.krylovs[0].op->tile = {704, 7};
  EXPECT_EQ(loadError(t), at + " tile view holds 7 elements, needs 8");
  t = operatorArtifact();
  t.krylovs[0].op->tile = {1000, 8};
  EXPECT_THAT(loadError(t), HasSubstr("Krylov operator tile view [offset "
                                      "1000, 8 elements of 8 bytes] lies "
                                      "outside the arena"));
  t = operatorArtifact();
  t.krylovs[0].op->recursion = 3;
  EXPECT_EQ(loadError(t), at + " recursion is kernel 3 but the artifact "
                               "declares 1 kernels");
  t = operatorArtifact();
  t.krylovs[0].op->args = {704, 4096};
  EXPECT_EQ(loadError(t), at + " argument 1 offset 4096 lies outside the "
                               "arena (1024 bytes)");
  t = operatorArtifact();
  t.krylovs[0].op->args = {768};
  EXPECT_EQ(loadError(t), at + ": 0 recursion arguments are the tile "
                               "(offset 704), expected exactly 1");
  t = operatorArtifact();
  t.krylovs[0].op->args = {704, 704};
  EXPECT_EQ(loadError(t), at + ": 2 recursion arguments are the tile "
                               "(offset 704), expected exactly 1");
}

TEST(Artifact, MissingFileNamesThePath) {
  Result<Artifact> a = Artifact::loadFile("/nonexistent/a.gantk-bin");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::NotFound);
  EXPECT_EQ(a.message(), "/nonexistent/a.gantk-bin: cannot open: No such "
                         "file or directory (the artifact to run)");
}

} // namespace
