//===- DescribeTest.cpp - The text of `gantk describe` --------------------===//
//
// describeArtifact on an artifact with one command of each kind (both
// Krylov flavours), compared line by line with the text `gantk describe`
// prints; describeCommand on a command this runtime does not know.
//
//===----------------------------------------------------------------------===//

#include "TestArtifact.h"

#include "gantk/runtime/Describe.h"
#include "gantk/runtime/Sha256.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <sstream>

using namespace gantk;
using gantk::test::TestArtifact;

namespace {

/// A valid F64 artifact (d = 2) with, in order: a gemm, a syevd, a dispatch,
/// a Krylov action on a stored K, a matrix-free Krylov gradient and a
/// RowTiles command with a gemm and a serial dispatch in its body.
TestArtifact everyCommand() {
  TestArtifact t;
  t.dim = 2;
  t.real = {0, 2};
  t.fake = {16, 2};
  t.loss = {32, 1};
  t.grad = {40, 2};
  t.arenaBytes = 4096;
  t.kernels = {{"gantk_test_axpy", true}, {"gantk_test_rows", false}};
  t.code = test::testKernelBlob();

  t.gemms.push_back(
      {true, false, 2, 2, 2, 0.5, 0, {64, 4}, {96, 4}, {128, 4}, 2, 2, 2});
  t.syevds.push_back({2, {128, 4}, {160, 2}, {192, 21}, {384, 13}, 21, 13});
  t.dispatches.push_back({0, {0, 16}, 2});

  test::KrylovDesc action;
  action.n = 2;
  action.lambda = 0.5;
  action.tol = 1e-10;
  action.maxBlocks = 2;
  action.kernel = schema::View(448, 4);
  action.rhs = {480, 2};
  action.basis = {512, 6};
  action.block = {576, 2};
  action.out = {608, 2};
  action.stats = {640, 2};
  t.krylovs.push_back(action);

  test::KrylovDesc gradient;
  gradient.mode = schema::KrylovMode::Gradient;
  gradient.n = 2;
  gradient.lambda = 0.25;
  gradient.tol = 1e-8;
  gradient.maxBlocks = 3;
  gradient.rank = 1;
  gradient.rhs = {704, 2};
  gradient.cotangent = {768, 2};
  gradient.basis = {832, 16};
  gradient.block = {960, 4};
  gradient.factorA = {1024, 2};
  gradient.factorB = {1088, 2};
  gradient.stats = {1152, 2};
  test::KernelOperatorDesc op;
  op.points = {1216, 4};
  op.dim = 2;
  op.gramAlpha = 0.125;
  op.recursion = 1;
  op.tileRows = 1;
  op.tile = {1280, 2};
  op.args = {1280};
  op.traceScale = 0.001;
  gradient.op = op;
  t.krylovs.push_back(gradient);

  test::RowTilesDesc r;
  r.rows = 2;
  r.tileRows = 1;
  r.tiles = {{1344, 3}};
  r.body.resize(2);
  test::GemmDesc &g = r.body[0].gemm;
  g.m = 2;
  g.n = 3;
  g.k = 2;
  g.alpha = 2;
  g.a = {1408, 4};
  g.lda = 2;
  g.b = {1472, 6};
  g.ldb = 3;
  g.c = {1344, 3};
  g.ldc = 3;
  r.body[1].type = schema::Command::Dispatch;
  r.body[1].dispatch = {1, {1344}, 2};
  t.rowTiles.push_back(r);
  return t;
}

TEST(Describe, EveryCommandKind) {
  TestArtifact t = everyCommand();
  Result<Artifact> a = Artifact::loadBytes(t.build(), "every.gantk-bin");
  ASSERT_TRUE(a.ok()) << a.message();
  std::ostringstream os;
  describeArtifact(*a, os);
  EXPECT_EQ(os.str(),
            "artifact every.gantk-bin: test, step, f64, n_real 1, n_fake 1, "
            "dim 2\n"
            "sha256: " +
                toHex(sha256(a->data().data(), a->data().size())) +
                "\n"
                "memory plan: 4096 bytes, peak at ?\n"
            "code objects:\n"
            "  x86_64-linux-cpu " +
                std::to_string(t.code.size()) +
                " bytes\n"
                "kernels:\n"
                "  gantk_test_axpy parallel gpu_block 128\n"
                "  gantk_test_rows serial gpu_block 128\n"
                "commands:\n"
                "  0 gemm 2x2x2 A^T alpha 0.5  [gemm]\n"
                "  1 syevd n 2  [eigh]\n"
                "  2 dispatch gantk_test_axpy range 2  [kernel]\n"
                "  3 krylov action n 2 columns 1 lambda 0.5 tol 1e-10 "
                "max_blocks 2  [krylov]\n"
                "  4 krylov gradient n 2 columns 1 lambda 0.25 tol 1e-08 "
                "max_blocks 3  [krylov]\n"
                "    matrix-free: tiles of 1 rows, recursion gantk_test_rows, "
                "gram alpha 0.125, trace scale 0.001\n"
                "  5 row tiles rows 2 tile_rows 1 tiles 1  [tiles]\n"
                "    0 gemm 2x3x2 alpha 2  [gemm]\n"
                "    1 dispatch gantk_test_rows range 2 (serial)  [kernel]\n");
}

TEST(Describe, EmptyF32Artifact) {
  // The f32 header line; no code objects, kernels or commands.
  TestArtifact t;
  t.precision = schema::Precision::F32;
  Result<Artifact> a = t.load();
  ASSERT_TRUE(a.ok()) << a.message();
  std::ostringstream os;
  describeArtifact(*a, os);
  EXPECT_EQ(os.str(), "artifact test: test, step, f32, n_real 1, n_fake 1, "
                      "dim 1\n"
                      "sha256: " +
                          toHex(sha256(a->data().data(), a->data().size())) +
                          "\n"
                          "memory plan: 4096 bytes, peak at ?\n"
                      "code objects:\n"
                      "kernels:\n"
                      "commands:\n");
}

TEST(Describe, CommandsIndentTheirLinesAsAsked) {
  Result<Artifact> a = everyCommand().load();
  ASSERT_TRUE(a.ok()) << a.message();
  const schema::Artifact &root = a->root();
  EXPECT_EQ(describeCommand(root, *root.commands()->Get(5), "  "),
            "row tiles rows 2 tile_rows 1 tiles 1  [tiles]\n"
            "  0 gemm 2x3x2 alpha 2  [gemm]\n"
            "  1 dispatch gantk_test_rows range 2 (serial)  [kernel]");
  EXPECT_EQ(describeCommand(root, *root.commands()->Get(4), ""),
            "krylov gradient n 2 columns 1 lambda 0.25 tol 1e-08 max_blocks "
            "3  [krylov]\n"
            "matrix-free: tiles of 1 rows, recursion gantk_test_rows, gram "
            "alpha 0.125, trace scale 0.001");
}

TEST(Describe, UnknownCommandIsAQuestionMark) {
  // Not in a verified artifact, but describeCommand alone still says so.
  Result<Artifact> a = everyCommand().load();
  ASSERT_TRUE(a.ok()) << a.message();
  flatbuffers::FlatBufferBuilder b;
  b.Finish(schema::CreateCommandEntry(b, schema::Command::NONE, 0,
                                      b.CreateString("odd")));
  const auto &entry =
      *flatbuffers::GetRoot<schema::CommandEntry>(b.GetBufferPointer());
  EXPECT_EQ(describeCommand(a->root(), entry), "?  [odd]");
}

} // namespace
