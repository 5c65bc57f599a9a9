//===- DataTest.cpp - Real data sources, .npy and IDX ---------------------===//

#include "TempDir.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace gantk;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using gantk::test::TempDir;

namespace {

constexpr const char *kFashionTrain =
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()),
             std::streamsize(bytes.size()));
}

/// A .npy with a hand-written header, for dtypes the writer never produces.
std::vector<uint8_t> rawNpy(const std::string &dict,
                            const std::vector<uint8_t> &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01", 7) + '\0' +
                      char(header.size()) + '\0' + header +
                      std::string(data.begin(), data.end());
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

/// An IDX file of unsigned bytes with the given dimensions.
std::vector<uint8_t> rawIdx(const std::vector<uint32_t> &dims,
                            const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out = {0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int shift : {24, 16, 8, 0})
      out.push_back(uint8_t(d >> shift));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

TEST(Npy, RoundTripsBothPrecisions) {
  TempDir dir;
  std::vector<double> values = {0.1, -2.5, 3e10, 1.0 / 3, 0, -0.0};
  for (NpyDType dtype : {NpyDType::F32, NpyDType::F64}) {
    std::string path = dir.file("a.npy");
    ASSERT_TRUE(writeNpy(path, {2, 3}, values.data(), dtype).ok());
    // 128 header bytes (NumPy pads to 64), then the data.
    EXPECT_EQ(fs::file_size(path), 128u + 6 * (dtype == NpyDType::F32 ? 4 : 8));
    Result<NpyArray> back = readNpy(path);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(back->dtype, dtype);
    EXPECT_EQ(back->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(back->rows(), 2);
    EXPECT_EQ(back->cols(), 3);
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(back->values[i],
                dtype == NpyDType::F32 ? double(float(values[i])) : values[i]);
  }
}

TEST(Npy, HeaderIsWhatNumpyWrites) {
  double v[3] = {1, 2, 3};
  std::vector<uint8_t> bytes = encodeNpy({3}, v, NpyDType::F64);
  std::string header(bytes.begin() + 10, bytes.begin() + 10 + bytes[8]);
  EXPECT_EQ(header.substr(0, header.find('}') + 1),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_EQ((10 + header.size()) % 64, 0u);
  EXPECT_EQ(header.back(), '\n');
}

TEST(Npy, ReadsUint8AndRejectsOtherDtypes) {
  Result<NpyArray> u8 = parseNpy(
      rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 1), }",
             {0, 1, 128, 255}),
      "u8.npy");
  ASSERT_TRUE(u8.ok()) << u8.message();
  EXPECT_EQ(u8->cols(), 2);
  EXPECT_EQ(u8->values, (std::vector<double>{0, 1, 128, 255}));

  Result<NpyArray> i4 = parseNpy(
      rawNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }",
             {0, 0, 0, 0}),
      "i4.npy");
  ASSERT_FALSE(i4.ok());
  EXPECT_EQ(i4.message(), "i4.npy: unsupported dtype '<i4' (supported: "
                          "float32 '<f4', float64 '<f8', uint8 '|u1')");

  Result<NpyArray> fortran = parseNpy(
      rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
             {0, 0, 0, 0}),
      "f.npy");
  ASSERT_FALSE(fortran.ok());
  EXPECT_THAT(fortran.message(), HasSubstr("Fortran-order arrays"));

  Result<NpyArray> truncated = parseNpy(
      rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
             {0, 0, 0, 0}),
      "t.npy");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.message(), "t.npy: truncated .npy data: 4 elements need "
                                 "32 bytes, the file has 4");

  Result<NpyArray> magic = parseNpy(std::vector<uint8_t>(32, 'x'), "m.npy");
  ASSERT_FALSE(magic.ok());
  EXPECT_EQ(magic.message(), "m.npy: not a .npy file (bad magic)");
}

TEST(Idx, ReadsFashionMnist) {
  if (!fs::exists(kFashionTrain))
    GTEST_SKIP() << kFashionTrain
                 << " is absent (install dataset-fashion-mnist)";
  Result<IdxArray> images = readIdx(kFashionTrain);
  ASSERT_TRUE(images.ok()) << images.message();
  EXPECT_EQ(images->shape, (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(images->values.size(), 60000u * 28 * 28);

  std::string labelsPath = idxLabelsPath(kFashionTrain);
  EXPECT_EQ(labelsPath,
            "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
  Result<IdxArray> labels = readIdx(labelsPath);
  ASSERT_TRUE(labels.ok()) << labels.message();
  ASSERT_EQ(labels->shape, (std::vector<int64_t>{60000}));
  // Fashion-MNIST's training set is balanced: 6000 images per class 0..9.
  std::vector<int> perClass(256, 0);
  for (uint8_t l : labels->values)
    perClass[l]++;
  for (int c = 0; c < 10; ++c)
    EXPECT_EQ(perClass[c], 6000) << "class " << c;
  EXPECT_EQ(perClass[10], 0);
}

TEST(Idx, LoadsOneClassScaledToUnit) {
  if (!fs::exists(kFashionTrain))
    GTEST_SKIP() << kFashionTrain
                 << " is absent (install dataset-fashion-mnist)";
  DataConfig c;
  c.kind = schema::DataKind::Idx;
  c.path = kFashionTrain;
  c.label = 7;
  c.scale = schema::Scale::Unit;
  Result<Dataset> d = loadRealData(c, 64, 784, 5);
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->rows, 64);
  EXPECT_EQ(d->values.size(), 64u * 784);
  double lo = 1, hi = 0;
  for (double v : d->values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, 0.0);
  EXPECT_GT(hi, 0.5);
  EXPECT_LE(hi, 1.0);
  Result<Dataset> again = loadRealData(c, 64, 784, 5);
  EXPECT_EQ(again->values, d->values);

  Result<Dataset> tooMany = loadRealData(c, 6001, 784, 5);
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.message(), std::string(kFashionTrain) +
                                   ": only 6000 label-7 rows, the spec needs "
                                   "6001 (lower n_real)");
}

TEST(Idx, ReadsPlainAndGzipFiles) {
  TempDir dir;
  std::vector<uint8_t> bytes = rawIdx({3, 2}, {0, 51, 102, 153, 204, 255});
  std::string plain = dir.file("x-images-idx3-ubyte");
  writeBytes(plain, bytes);
  std::string gz = plain + ".gz";
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  for (const std::string &path : {plain, gz}) {
    Result<IdxArray> a = readIdx(path);
    ASSERT_TRUE(a.ok()) << a.message();
    EXPECT_EQ(a->shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(a->values[5], 255);
  }
  // The label filter reads the matching labels file.
  writeBytes(dir.file("x-labels-idx1-ubyte"), rawIdx({3}, {1, 0, 1}));
  DataConfig c;
  c.kind = schema::DataKind::Idx;
  c.path = plain;
  c.label = 1;
  c.scale = schema::Scale::Unit;
  Result<Dataset> d = loadRealData(c, 2, 2, 9);
  ASSERT_TRUE(d.ok()) << d.message();
  std::vector<double> rows = d->values;
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<double>{0, 0.2, 0.8, 1.0}));
}

TEST(Idx, RejectsBadFiles) {
  TempDir dir;
  std::string magic = dir.file("bad");
  writeBytes(magic, {1, 2, 3, 4, 5});
  Result<IdxArray> a = readIdx(magic);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(), magic + ": not an IDX file (bad magic number)");

  std::string ints = dir.file("ints");
  writeBytes(ints, {0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 0, 0});
  a = readIdx(ints);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(), ints + ": unsupported IDX element type 0x0c (only "
                                "unsigned bytes, 0x08, are supported)");

  std::string cut = dir.file("cut");
  writeBytes(cut, rawIdx({4, 4}, {1, 2, 3}));
  a = readIdx(cut);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.message(),
            cut + ": truncated IDX data (16 bytes expected, 3 present)");
}

TEST(Data, MissingFilesSayHowToGetThem) {
  DataConfig c;
  c.kind = schema::DataKind::Idx;
  c.path = "/usr/share/datasets/fashion-mnist/nope-images-idx3-ubyte.gz";
  Result<Dataset> d = loadRealData(c, 1, 784, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::NotFound);
  EXPECT_EQ(d.message(), c.path + ": data file not found; install the Debian "
                                  "package dataset-fashion-mnist "
                                  "(scripts/setup does)");

  c.kind = schema::DataKind::Npy;
  c.path = "/nonexistent/x.npy";
  d = loadRealData(c, 1, 2, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), "/nonexistent/x.npy: data file not found; check the "
                         "path in the spec's data block");
}

TEST(Data, NpySourceChecksShapeAndScales) {
  TempDir dir;
  std::string path = dir.file("x.npy");
  std::vector<double> v = {2, 4, 6, 8, 10, 12}; // 3 rows x 2
  ASSERT_TRUE(writeNpy(path, {3, 2}, v.data(), NpyDType::F64).ok());
  DataConfig c;
  c.kind = schema::DataKind::Npy;
  c.path = path;
  c.scale = schema::Scale::Unit;
  Result<Dataset> d = loadRealData(c, 3, 2, 1);
  ASSERT_TRUE(d.ok()) << d.message();
  std::vector<double> sorted = d->values;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  // Rows stay whole under the shuffle: each row is (a, a + 0.2).
  for (int r = 0; r < 3; ++r)
    EXPECT_NEAR(d->values[2 * r + 1] - d->values[2 * r], 0.2, 1e-15);

  d = loadRealData(c, 4, 2, 1);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(),
            path + ": only 3 rows, the spec needs 4 (lower n_real)");
  d = loadRealData(c, 2, 3, 1);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), path + ": rows have 2 values, the spec's dim is 3");
}

TEST(Data, GaussianGridModesAndSpread) {
  // 3x3 modes at spacing 2: coordinates in {-2, 0, 2}. With std 0.05 every
  // point is nearest to its own mode, so per-mode statistics are exact.
  DataConfig c;
  c.kind = schema::DataKind::GaussianGrid;
  c.size = 3;
  c.spacing = 2;
  c.std = 0.05;
  const int64_t n = 18000;
  Result<Dataset> d = loadRealData(c, n, 2, 42);
  ASSERT_TRUE(d.ok()) << d.message();
  double sum[9][2] = {}, sq[9] = {};
  int count[9] = {};
  for (int64_t i = 0; i < n; ++i) {
    double x = d->values[2 * i], y = d->values[2 * i + 1];
    int mi = int(std::lround(x / 2)) + 1, mj = int(std::lround(y / 2)) + 1;
    ASSERT_TRUE(mi >= 0 && mi < 3 && mj >= 0 && mj < 3);
    int m = mi * 3 + mj;
    count[m]++;
    sum[m][0] += x;
    sum[m][1] += y;
    double dx = x - (mi - 1) * 2.0, dy = y - (mj - 1) * 2.0;
    sq[m] += dx * dx + dy * dy;
  }
  for (int m = 0; m < 9; ++m) {
    // 2000 expected per mode; binomial sd ~ 42.
    EXPECT_NEAR(count[m], 2000, 200) << "mode " << m;
    // The mean is within 5 standard errors (0.05 / sqrt 2000 ~ 0.0011).
    EXPECT_NEAR(sum[m][0] / count[m], (m / 3 - 1) * 2.0, 0.006);
    EXPECT_NEAR(sum[m][1] / count[m], (m % 3 - 1) * 2.0, 0.006);
    // E|noise|^2 = 2 std^2.
    EXPECT_NEAR(sq[m] / count[m], 2 * 0.05 * 0.05, 0.0005);
  }
  Result<Dataset> again = loadRealData(c, n, 2, 42);
  EXPECT_EQ(again->values, d->values);
  Result<Dataset> other = loadRealData(c, n, 2, 43);
  EXPECT_NE(other->values, d->values);
}

TEST(Data, GaussianRingRadius) {
  DataConfig c;
  c.kind = schema::DataKind::GaussianRing;
  c.size = 8;
  c.spacing = 3;
  c.std = 0;
  Result<Dataset> d = loadRealData(c, 500, 2, 7);
  ASSERT_TRUE(d.ok()) << d.message();
  for (int64_t i = 0; i < 500; ++i) {
    double x = d->values[2 * i], y = d->values[2 * i + 1];
    EXPECT_NEAR(std::hypot(x, y), 3.0, 1e-12);
    double k = std::atan2(y, x) / (2 * M_PI / 8);
    EXPECT_NEAR(k, std::round(k), 1e-9); // on one of the 8 angles
  }
}

TEST(Data, SyntheticErrors) {
  DataConfig c;
  c.kind = schema::DataKind::GaussianGrid;
  c.size = 2;
  Result<Dataset> d = loadRealData(c, 10, 3, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), "gaussian_grid data is 2-D, the spec's dim is 3");
  c.label = 2;
  d = loadRealData(c, 10, 2, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), "a label filter only applies to idx data");
}

} // namespace
