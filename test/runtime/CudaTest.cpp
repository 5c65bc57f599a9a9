//===- CudaTest.cpp - The CUDA device: loading, errors, commands ----------===//
//
// On every machine: --device parsing, the choice of the PTX code object by
// compute capability, and the messages of a CUDA session that cannot run
// (an artifact without PTX, no driver, a runtime built without CUDA).
// Where a GPU answers: Gemm (also over a symmetric block), Syevd and a
// hand-written PTX kernel on the device against the CPU session and closed
// forms; elsewhere those tests are skipped, naming the reason.
//
//===----------------------------------------------------------------------===//

#include "TestArtifact.h"

#include "gantk/runtime/Session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <string>

using namespace gantk;
using gantk::test::TestArtifact;
using ::testing::HasSubstr;

namespace {

constexpr const char *kNoDriver = "--device=cuda: no CUDA driver (libcuda.so.1 not "
                        "found): this machine has no NVIDIA GPU driver";
constexpr const char *kBuiltWithout =
    "--device=cuda: this runtime was built without CUDA support";

SessionOptions onCuda() {
  SessionOptions options;
  options.device = DeviceKind::Cuda;
  return options;
}

Result<std::unique_ptr<Session>> create(const TestArtifact &t,
                                        const SessionOptions &options) {
  Result<Artifact> a = t.load();
  if (!a.ok())
    return a.error();
  return Session::create(a.take(), options);
}

/// Empty when a CUDA session can be made here, else why not.
std::string whyNoCuda() {
  Result<std::unique_ptr<Session>> s = create(TestArtifact(), onCuda());
  return s.ok() ? std::string() : s.message();
}

#define REQUIRE_CUDA()                                                         \
  do {                                                                         \
    if (std::string why = whyNoCuda(); !why.empty()) {                         \
      GTEST_SKIP() << "needs a CUDA GPU: " << why;                             \
    }                                                                          \
  } while (false)

/// A PTX kernel with the artifact's GPU ABI (one .u64 per argument, then
/// begin and end): out[i] = i for i in [begin, end), one thread per index.
const char *kFillIndexPtx = R"(.version 7.0
.target sm_80
.address_size 64

.visible .entry fill_index(.param .u64 p_out, .param .u64 p_begin,
                           .param .u64 p_end)
{
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  .reg .b64 %rd<8>;
  .reg .f64 %fd<2>;
  ld.param.u64 %rd1, [p_out];
  ld.param.u64 %rd2, [p_begin];
  ld.param.u64 %rd3, [p_end];
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mul.wide.u32 %rd4, %r1, %r2;
  cvt.u64.u32 %rd5, %r3;
  add.u64 %rd4, %rd4, %rd5;
  add.u64 %rd4, %rd4, %rd2;
  setp.ge.u64 %p1, %rd4, %rd3;
  @%p1 bra DONE;
  cvt.rn.f64.u64 %fd1, %rd4;
  shl.b64 %rd6, %rd4, 3;
  add.u64 %rd7, %rd1, %rd6;
  st.f64 [%rd7], %fd1;
DONE:
  ret;
}
)";

std::vector<uint8_t> bytesOf(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

/// An artifact with one kernel, CPU code and the given PTX targets.
TestArtifact withPtx(const std::vector<std::string> &targets) {
  TestArtifact t;
  t.kernels = {{"fill_index", true}};
  t.code = test::testKernelBlob();
  for (const std::string &target : targets)
    t.extraCode.push_back({target, bytesOf(kFillIndexPtx)});
  return t;
}

/// One Gemm artifact run on the CPU and on the GPU from the same A (`a`),
/// B and C (smooth values): C must agree to the precision's tolerance.
void expectGpuGemmMatchesCpu(const TestArtifact &t, const test::GemmDesc &g,
                             const std::vector<double> &a) {
  Result<std::unique_ptr<Session>> cpu = create(t, {});
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_TRUE(cpu.ok()) << cpu.message();
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  std::vector<double> b(g.b.elements()), c(g.c.elements());
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::cos(0.07 * double(i));
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = 0.01 * double(i % 13);
  for (Session *s : {cpu->get(), gpu->get()}) {
    ASSERT_TRUE(s->writeView(g.a, a.data(), a.size()).ok());
    ASSERT_TRUE(s->writeView(g.b, b.data(), b.size()).ok());
    ASSERT_TRUE(s->writeView(g.c, c.data(), c.size()).ok());
    Status st = s->step();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  std::vector<double> want = (*cpu)->readView(g.c);
  std::vector<double> got = (*gpu)->readView(g.c);
  double tol = t.precision == schema::Precision::F64 ? 1e-12 : 1e-4;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << i;
}

} // namespace

TEST(DeviceKind, ParsesTheDriversNames) {
  EXPECT_EQ(parseDeviceKind("cpu"), DeviceKind::Cpu);
  EXPECT_EQ(parseDeviceKind("cuda"), DeviceKind::Cuda);
  EXPECT_FALSE(parseDeviceKind("gpu"));
  EXPECT_FALSE(parseDeviceKind(""));
}

TEST(PtxSelection, NewestTheDeviceCanRun) {
  Result<Artifact> a = withPtx({"nvptx64-sm_80", "nvptx64-sm_90"}).load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(a->hasPtx());
  auto target = [&](int sm) {
    Result<const schema::CodeObject *> code = a->ptxFor(sm);
    return code.ok() ? (*code)->target()->str() : code.message();
  };
  EXPECT_EQ(target(80), "nvptx64-sm_80");
  EXPECT_EQ(target(86), "nvptx64-sm_80"); // PTX is JIT-compiled forward
  EXPECT_EQ(target(89), "nvptx64-sm_80");
  EXPECT_EQ(target(90), "nvptx64-sm_90");
  EXPECT_EQ(target(120), "nvptx64-sm_90");
}

TEST(PtxSelection, NoneFitsNamesTargetsAndDevice) {
  Result<Artifact> a = withPtx({"nvptx64-sm_90"}).load();
  ASSERT_TRUE(a.ok()) << a.message();
  Result<const schema::CodeObject *> code = a->ptxFor(75);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.message(),
            "test: no PTX this GPU can run: the device is sm_75, the artifact "
            "has x86_64-linux-cpu, nvptx64-sm_90; compile for an older sm");
}

TEST(PtxSelection, NoPtxAsksForTargetCuda) {
  Result<Artifact> a = withPtx({}).load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_FALSE(a->hasPtx());
  Result<const schema::CodeObject *> code = a->ptxFor(90);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.message(), "test: the artifact has no GPU code (code "
                            "objects: x86_64-linux-cpu); compile it with "
                            "--target=cuda");
}

TEST(PtxSelection, EmptyOrMalformedTargetsAreNotPtx) {
  TestArtifact t = withPtx({"nvptx64-sm_", "nvptx64-sm_9x"});
  t.extraCode.push_back({"nvptx64-sm_90", {}});
  Result<Artifact> a = t.load();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_FALSE(a->hasPtx());
}

// The artifact is checked before the driver is asked for anything, so this
// message is the same on every machine.
TEST(CudaSession, ArtifactWithoutPtxIsRefused) {
  Result<std::unique_ptr<Session>> s = create(withPtx({}), onCuda());
  ASSERT_FALSE(s.ok());
#if GANTK_ENABLE_CUDA
  EXPECT_EQ(s.message(), "test: the artifact has no GPU code (code objects: "
                         "x86_64-linux-cpu); compile it with --target=cuda");
  EXPECT_EQ(s.error().code, ErrorCode::FailedPrecondition);
#else
  EXPECT_THAT(s.message(), HasSubstr(kBuiltWithout));
#endif
}

// The matrix-free commands (RowTiles, Krylov with an operator) run on the
// CPU only; the CUDA device refuses such an artifact before it asks the
// driver for anything, so the message is the same on every machine.
TEST(CudaSession, MatrixFreePlanIsRefused) {
  TestArtifact tiles = withPtx({"nvptx64-sm_80"});
  test::RowTilesDesc r;
  r.rows = 4;
  r.tileRows = 2;
  r.tiles = {{256, 2}};
  r.body.resize(1);
  r.body[0].type = schema::Command::Dispatch;
  r.body[0].dispatch = {0, {256}, 4};
  tiles.rowTiles.push_back(r);

  TestArtifact krylov = withPtx({"nvptx64-sm_80"});
  test::KrylovDesc k;
  k.n = 2;
  k.rhs = {256, 2};
  k.basis = {320, 4};
  k.block = {384, 2};
  k.out = {448, 2};
  k.stats = {512, 2};
  test::KernelOperatorDesc op;
  op.points = {576, 2};
  op.tileRows = 1;
  op.tile = {640, 2};
  op.args = {640};
  k.op = op;
  krylov.krylovs.push_back(k);

  for (const TestArtifact &t : {tiles, krylov}) {
    Result<std::unique_ptr<Session>> s = create(t, onCuda());
    ASSERT_FALSE(s.ok());
#if GANTK_ENABLE_CUDA
    EXPECT_EQ(s.message(),
              "test: this artifact's plan is matrix-free (K recomputed in row "
              "tiles), which runs on the CPU only; run it with --device=cpu "
              "or compile with a larger --memory-budget");
    EXPECT_EQ(s.error().code, ErrorCode::FailedPrecondition);
#else
    EXPECT_THAT(s.message(), HasSubstr(kBuiltWithout));
#endif
  }
}

TEST(CudaSession, NoDriverIsAClearError) {
#if GANTK_ENABLE_CUDA
  if (void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(driver);
    GTEST_SKIP() << "libcuda.so.1 is present: the no-driver message is "
                    "checked on machines without an NVIDIA driver";
  }
  // Twice: the failed load is cached and reported the same way.
  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<Session>> s = create(withPtx({"nvptx64-sm_80"}),
                                                onCuda());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message(), kNoDriver);
    EXPECT_EQ(s.error().code, ErrorCode::FailedPrecondition);
  }
#else
  Result<std::unique_ptr<Session>> s = create(TestArtifact(), onCuda());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(kBuiltWithout));
#endif
}

TEST(CudaSession, CpuSessionReportsNoDeviceMemory) {
  Result<std::unique_ptr<Session>> s = create(TestArtifact(), {});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ((*s)->device(), DeviceKind::Cpu);
  EXPECT_EQ((*s)->deviceMemory().arenaBytes, 0u);
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

class CudaGemm : public ::testing::TestWithParam<
                     std::tuple<schema::Precision, bool, bool>> {};

TEST_P(CudaGemm, MatchesTheCpu) {
  REQUIRE_CUDA();
  auto [precision, ta, tb] = GetParam();
  const int64_t m = 37, n = 29, k = 41;
  TestArtifact t;
  t.precision = precision;
  test::GemmDesc g;
  g.transA = ta;
  g.transB = tb;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = 0.75;
  g.beta = -0.5;
  g.lda = ta ? m : k;
  g.ldb = tb ? k : n;
  g.ldc = n + 3; // a leading dimension wider than the columns
  g.a = {256, uint64_t(m * k)};
  g.b = {g.a.offset() + 64 * 64 * 8, uint64_t(k * n)};
  g.c = {g.b.offset() + 64 * 64 * 8, uint64_t(m * g.ldc)};
  t.arenaBytes = g.c.offset() + 64 * 64 * 8;
  t.gemms.push_back(g);
  std::vector<double> a(g.a.elements());
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::sin(0.1 * double(i));
  expectGpuGemmMatchesCpu(t, g, a);
}

INSTANTIATE_TEST_SUITE_P(
    AllTransposes, CudaGemm,
    ::testing::Combine(::testing::Values(schema::Precision::F32,
                                         schema::Precision::F64),
                       ::testing::Bool(), ::testing::Bool()));

/// a_symmetric_from (the backward GEMM): cublas?gemm over A's first o
/// columns, then cublas?symm over its last m, whose lower triangle holds
/// NaN here and must not be read, as on the CPU.
class CudaSymmetricBlockGemm
    : public ::testing::TestWithParam<std::tuple<schema::Precision, int>> {};

TEST_P(CudaSymmetricBlockGemm, MatchesTheCpu) {
  REQUIRE_CUDA();
  auto [precision, o] = GetParam();
  const int64_t m = 37, n = 29, k = o + m;
  TestArtifact t;
  t.precision = precision;
  test::Layout layout;
  layout.elementBytes = precision == schema::Precision::F32 ? 4 : 8;
  test::GemmDesc g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = 0.75;
  g.beta = -0.5;
  g.lda = k + 2;
  g.ldb = n + 1;
  g.ldc = n + 3;
  g.a = layout.add(uint64_t(m * g.lda));
  g.b = layout.add(uint64_t(k * g.ldb));
  g.c = layout.add(uint64_t(m * g.ldc));
  g.aSymmetricFrom = o;
  t.arenaBytes = layout.bytes;
  t.gemms.push_back(g);
  expectGpuGemmMatchesCpu(
      t, g, test::symmetricBlockA(m, g.lda, o, [](int64_t r, int64_t c) {
              return std::sin(0.1 * double(r * 97 + c));
            }).stored);
}

INSTANTIATE_TEST_SUITE_P(
    PrecisionsAndOffsets, CudaSymmetricBlockGemm,
    ::testing::Combine(::testing::Values(schema::Precision::F32,
                                         schema::Precision::F64),
                       ::testing::Values(11, 0)));

class CudaSyevd : public ::testing::TestWithParam<schema::Precision> {};

TEST_P(CudaSyevd, MatchesTheCpuUpToSigns) {
  REQUIRE_CUDA();
  const int64_t n = 40;
  TestArtifact t;
  t.precision = GetParam();
  int64_t lwork = syevdMinWork(n), liwork = syevdMinIWork(n);
  size_t es = GetParam() == schema::Precision::F64 ? 8 : 4;
  uint64_t aOff = 256, wOff = aOff + uint64_t(n * n) * 8;
  uint64_t workOff = wOff + uint64_t(n) * 8;
  uint64_t iworkOff = (workOff + uint64_t(lwork) * es + 63) / 64 * 64;
  t.arenaBytes = iworkOff + uint64_t(liwork) * 4;
  t.syevds.push_back({n,
                      {aOff, uint64_t(n * n)},
                      {wOff, uint64_t(n)},
                      {workOff, uint64_t(lwork)},
                      {iworkOff, uint64_t(liwork)},
                      lwork,
                      liwork});
  // A symmetric matrix with well separated eigenvalues (diagonal i + 1,
  // small off-diagonal coupling).
  std::vector<double> a(size_t(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      a[size_t(i * n + j)] =
          i == j ? double(i + 1) : 0.01 * std::cos(double(i + j));
  Result<std::unique_ptr<Session>> cpu = create(t, {});
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_TRUE(cpu.ok()) << cpu.message();
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  const schema::Syevd &e =
      *(*cpu)->root().commands()->Get(0)->command_as_Syevd();
  for (Session *s : {cpu->get(), gpu->get()}) {
    ASSERT_TRUE(s->writeView(*e.a(), a.data(), a.size()).ok());
    Status st = s->step();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  double tol = GetParam() == schema::Precision::F64 ? 1e-10 : 1e-4;
  std::vector<double> w0 = (*cpu)->readView(*e.w()), w1 = (*gpu)->readView(*e.w());
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(w1[size_t(i)], w0[size_t(i)], tol * n) << "eigenvalue " << i;
  // Row i of the row-major view is eigenvector i on both devices.
  std::vector<double> q0 = (*cpu)->readView(*e.a()), q1 = (*gpu)->readView(*e.a());
  for (int64_t i = 0; i < n; ++i) {
    double dot = 0;
    for (int64_t j = 0; j < n; ++j)
      dot += q0[size_t(i * n + j)] * q1[size_t(i * n + j)];
    EXPECT_NEAR(std::fabs(dot), 1.0, tol * 10) << "eigenvector " << i;
  }
}

TEST_P(CudaSyevd, ReportsNonConvergenceAfterTheStep) {
  REQUIRE_CUDA();
  const int64_t n = 4;
  TestArtifact t;
  t.precision = GetParam();
  uint64_t aOff = 256, wOff = 512, workOff = 1024;
  int64_t lwork = syevdMinWork(n), liwork = syevdMinIWork(n);
  uint64_t iworkOff = workOff + 1024;
  t.arenaBytes = iworkOff + 1024;
  t.syevds.push_back({n,
                      {aOff, uint64_t(n * n)},
                      {wOff, uint64_t(n)},
                      {workOff, uint64_t(lwork)},
                      {iworkOff, uint64_t(liwork)},
                      lwork,
                      liwork});
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  std::vector<double> a(size_t(n * n), std::nan(""));
  const schema::Syevd &e =
      *(*gpu)->root().commands()->Get(0)->command_as_Syevd();
  ASSERT_TRUE((*gpu)->writeView(*e.a(), a.data(), a.size()).ok());
  Status st = (*gpu)->step();
  // cuSOLVER may also return NaN without a failure code; when it reports
  // one, the message names the command.
  if (!st.ok()) {
    EXPECT_THAT(st.message(),
                HasSubstr("test: command 0 (eigh): cusolverDnXsyevd failed"));
  }
}

INSTANTIATE_TEST_SUITE_P(BothPrecisions, CudaSyevd,
                         ::testing::Values(schema::Precision::F32,
                                           schema::Precision::F64));

TEST(CudaDispatch, PtxKernelCoversTheRangeOnce) {
  REQUIRE_CUDA();
  // 1000 indices on blocks of 128: 8 blocks, the last one partly idle.
  TestArtifact t = withPtx({"nvptx64-sm_80"});
  t.arenaBytes = 256 + 1024 * 8;
  t.dispatches.push_back({0, {256}, 1000});
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  Status st = (*gpu)->step();
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<double> out = (*gpu)->readView(schema::View(256, 1024));
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(out[size_t(i)], double(i)) << i;
  for (int i = 1000; i < 1024; ++i)
    EXPECT_EQ(out[size_t(i)], 0.0) << "past the range: " << i;
}

TEST(CudaDispatch, MissingEntryIsReported) {
  REQUIRE_CUDA();
  TestArtifact t = withPtx({"nvptx64-sm_80"});
  t.kernels = {{"not_in_the_ptx", true}};
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_FALSE(gpu.ok());
  EXPECT_THAT(gpu.message(),
              HasSubstr("test: kernel 'not_in_the_ptx' is not in the "
                        "nvptx64-sm_80 code object: cuModuleGetFunction"));
}

TEST(CudaSession, ReportsDeviceMemoryAndPrecisionConversion) {
  REQUIRE_CUDA();
  TestArtifact t;
  t.precision = schema::Precision::F32;
  Result<std::unique_ptr<Session>> gpu = create(t, onCuda());
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  Session &s = **gpu;
  EXPECT_EQ(s.device(), DeviceKind::Cuda);
  EXPECT_EQ(s.arena(), nullptr);
  DeviceMemory memory = s.deviceMemory();
  EXPECT_EQ(memory.arenaBytes, t.arenaBytes);
  EXPECT_GT(memory.workspaceBytes, 0u); // cuBLAS's workspace at least
  EXPECT_GE(memory.peakUsedBytes, memory.arenaBytes);
  EXPECT_THAT(memory.deviceName, HasSubstr("(sm_"));
  double z = 1.0 / 3.0;
  ASSERT_TRUE(s.setFake(&z, 1).ok());
  ASSERT_TRUE(s.step().ok());
  EXPECT_EQ(s.readView(*s.root().fake())[0], double(float(z)));
}
