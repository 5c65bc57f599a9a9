//===- ImageDataTest.cpp - Image data: PNG folders and npy images ---------===//
//
// images(dir): PNG headers and pixels read back against the samples the test
// wrote with libpng (every colour type, 1- to 16-bit, interlaced), the
// folder's rules and every error; npy arrays of images (N, H, W[, C]); the
// grid plot's checks.
//
//===----------------------------------------------------------------------===//

#include "TempDir.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Png.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <png.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

using namespace gantk;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using gantk::test::TempDir;

namespace {

/// Samples per pixel a PNG colour type stores.
int storedChannels(int colorType) {
  switch (colorType) {
  case PNG_COLOR_TYPE_GRAY_ALPHA:
    return 2;
  case PNG_COLOR_TYPE_RGB:
    return 3;
  case PNG_COLOR_TYPE_RGB_ALPHA:
    return 4;
  default: // grey, palette indices
    return 1;
  }
}

/// Writes a PNG with libpng. `samples` are the file's own samples, row-major
/// (grey, grey+alpha, RGB, RGBA, or palette indices), each < 2^bitDepth.
/// Returns false (after a test failure) when libpng refuses.
bool writeTestPng(const std::string &path, int width, int height, int colorType,
                  int bitDepth, const std::vector<unsigned> &samples,
                  bool interlace = false,
                  const std::vector<png_color> &palette = {}) {
  int stored = storedChannels(colorType);
  EXPECT_EQ(samples.size(), size_t(width * height * stored));
  // One byte per sample below 16 bits (png_set_packing packs them), two
  // big-endian bytes at 16.
  int bytes = bitDepth == 16 ? 2 : 1;
  size_t stride = size_t(width * stored * bytes);
  std::vector<uint8_t> raw(stride * height);
  for (size_t i = 0; i < samples.size(); ++i) {
    if (bytes == 2) {
      raw[2 * i] = uint8_t(samples[i] >> 8);
      raw[2 * i + 1] = uint8_t(samples[i]);
    } else {
      raw[i] = uint8_t(samples[i]);
    }
  }
  std::vector<png_bytep> rows(height);
  for (int y = 0; y < height; ++y)
    rows[y] = raw.data() + y * stride;

  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    ADD_FAILURE() << "cannot create " << path;
    return false;
  }
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    ADD_FAILURE() << "libpng failed to write " << path;
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, bitDepth, colorType,
               interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (colorType == PNG_COLOR_TYPE_PALETTE)
    png_set_PLTE(png, info, palette.data(), int(palette.size()));
  png_write_info(png, info);
  if (bitDepth < 8)
    png_set_packing(png);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
  return true;
}

/// An 8-bit grey image whose pixel (y, x) is base + y * width + x.
bool writeGrey(const std::string &path, int width, int height, unsigned base) {
  std::vector<unsigned> v(size_t(width * height));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = base + unsigned(i);
  return writeTestPng(path, width, height, PNG_COLOR_TYPE_GRAY, 8, v);
}

/// The message of a failed result; "(no error)" when it succeeded.
template <typename T> std::string errorOf(const Result<T> &r) {
  return r.ok() ? "(no error)" : r.message();
}

std::vector<uint8_t> readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

void writeAll(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()),
             std::streamsize(bytes.size()));
}

//===----------------------------------------------------------------------===//
// Decoding one PNG
//===----------------------------------------------------------------------===//

TEST(ReadPng, Grey8BitIsValueOver255) {
  TempDir dir;
  std::string path = dir.file("g.png");
  // 3 wide, 2 high: the values 0, 1, 2 / 128, 254, 255.
  ASSERT_TRUE(writeTestPng(path, 3, 2, PNG_COLOR_TYPE_GRAY, 8,
                           {0, 1, 2, 128, 254, 255}));
  Result<PngShape> header = readPngShape(path);
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->height, 2);
  EXPECT_EQ(header->width, 3);
  EXPECT_EQ(header->channels, 1);
  EXPECT_EQ(header->bitDepth, 8);
  Result<PngPixels> image = readPng(path);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.height, 2);
  EXPECT_EQ(image->shape.width, 3);
  EXPECT_EQ(image->shape.channels, 1);
  EXPECT_EQ(image->values, (std::vector<double>{0, 1 / 255.0, 2 / 255.0,
                                                128 / 255.0, 254 / 255.0, 1}));
}

TEST(ReadPng, RgbKeepsChannelsInterleaved) {
  TempDir dir;
  std::string path = dir.file("rgb.png");
  // 2x1: (255, 0, 51), (0, 102, 204).
  ASSERT_TRUE(writeTestPng(path, 2, 1, PNG_COLOR_TYPE_RGB, 8,
                           {255, 0, 51, 0, 102, 204}));
  Result<PngPixels> image = readPng(path);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.channels, 3);
  EXPECT_EQ(image->values, (std::vector<double>{1, 0, 0.2, 0, 0.4, 0.8}));
}

TEST(ReadPng, AlphaIsDropped) {
  TempDir dir;
  std::string rgba = dir.file("rgba.png"), ga = dir.file("ga.png");
  // RGBA (255, 51, 0, alpha 10), (0, 0, 255, alpha 255): alpha never leaks
  // into the colour.
  ASSERT_TRUE(writeTestPng(rgba, 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8,
                           {255, 51, 0, 10, 0, 0, 255, 255}));
  Result<PngShape> header = readPngShape(rgba);
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->channels, 3);
  Result<PngPixels> image = readPng(rgba);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.channels, 3);
  EXPECT_EQ(image->values, (std::vector<double>{1, 0.2, 0, 0, 0, 1}));

  // Grey + alpha: grey 102 under alpha 0, grey 255 under alpha 17.
  ASSERT_TRUE(
      writeTestPng(ga, 2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, {102, 0, 255, 17}));
  header = readPngShape(ga);
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->channels, 1);
  image = readPng(ga);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.channels, 1);
  EXPECT_EQ(image->values, (std::vector<double>{0.4, 1}));
}

TEST(ReadPng, SixteenBitIsValueOver65535) {
  TempDir dir;
  std::string grey = dir.file("g16.png"), rgb = dir.file("rgb16.png");
  ASSERT_TRUE(
      writeTestPng(grey, 2, 2, PNG_COLOR_TYPE_GRAY, 16, {0, 1, 256, 65535}));
  Result<PngPixels> image = readPng(grey);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.bitDepth, 16);
  // 1 and 256 differ in the low and the high byte: both bytes are read.
  EXPECT_EQ(image->values,
            (std::vector<double>{0, 1 / 65535.0, 256 / 65535.0, 1}));

  ASSERT_TRUE(writeTestPng(rgb, 1, 1, PNG_COLOR_TYPE_RGB_ALPHA, 16,
                           {13107, 65535, 0, 4}));
  image = readPng(rgb);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.channels, 3);
  EXPECT_EQ(image->values, (std::vector<double>{0.2, 1, 0}));
}

TEST(ReadPng, PaletteExpandsToRgb) {
  TempDir dir;
  std::string path = dir.file("p.png");
  std::vector<png_color> palette = {{255, 0, 0}, {0, 51, 255}, {10, 20, 30}};
  // 4-bit indices 2, 0, 1, 1.
  ASSERT_TRUE(writeTestPng(path, 2, 2, PNG_COLOR_TYPE_PALETTE, 4, {2, 0, 1, 1},
                           false, palette));
  Result<PngShape> header = readPngShape(path);
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->channels, 3);
  EXPECT_EQ(header->bitDepth, 4);
  Result<PngPixels> image = readPng(path);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->shape.channels, 3);
  std::vector<double> expected;
  for (int index : {2, 0, 1, 1})
    for (uint8_t v :
         {palette[index].red, palette[index].green, palette[index].blue})
      expected.push_back(v / 255.0);
  EXPECT_EQ(image->values, expected);
}

TEST(ReadPng, LowBitGreyAndInterlacedImages) {
  TempDir dir;
  // 1-bit grey expands to 0 and 255.
  std::string bits = dir.file("b.png");
  ASSERT_TRUE(writeTestPng(bits, 3, 1, PNG_COLOR_TYPE_GRAY, 1, {1, 0, 1}));
  Result<PngPixels> image = readPng(bits);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->values, (std::vector<double>{1, 0, 1}));

  // Adam7: a 9x9 image decodes to the same row-major values.
  std::string adam7 = dir.file("i.png");
  std::vector<unsigned> v(81);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = unsigned(3 * i);
  ASSERT_TRUE(writeTestPng(adam7, 9, 9, PNG_COLOR_TYPE_GRAY, 8, v, true));
  image = readPng(adam7);
  ASSERT_TRUE(image.ok()) << image.message();
  ASSERT_EQ(image->values.size(), 81u);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(image->values[i], v[i] / 255.0) << "pixel " << i;
}

TEST(ReadPng, CorruptFilesAreNamed) {
  TempDir dir;
  std::string good = dir.file("good.png");
  ASSERT_TRUE(writeGrey(good, 8, 8, 0));
  std::vector<uint8_t> bytes = readAll(good);

  std::string text = dir.file("text.png");
  writeAll(text, {'h', 'e', 'l', 'l', 'o', ' ', 'p', 'n', 'g', '!'});
  EXPECT_EQ(errorOf(readPngShape(text)),
            text + ": not a PNG file (bad signature)");
  EXPECT_EQ(errorOf(readPng(text)), text + ": not a PNG file (bad signature)");

  // The signature alone: the header is cut off.
  std::string stub = dir.file("stub.png");
  writeAll(stub, std::vector<uint8_t>(bytes.begin(), bytes.begin() + 12));
  EXPECT_EQ(errorOf(readPngShape(stub)),
            stub + ": truncated PNG (the file ends in its header)");

  // A flipped bit in the width: the IHDR CRC no longer matches.
  std::string crc = dir.file("crc.png");
  std::vector<uint8_t> flipped = bytes;
  flipped[19] ^= 1;
  writeAll(crc, flipped);
  EXPECT_EQ(errorOf(readPngShape(crc)),
            crc + ": corrupt PNG (IHDR CRC mismatch)");
  Result<PngPixels> decoded = readPng(crc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.message(), HasSubstr(crc + ": corrupt PNG ("));

  // The header is intact but the image data ends early.
  std::string cut = dir.file("cut.png");
  writeAll(cut, std::vector<uint8_t>(bytes.begin(), bytes.end() - 30));
  ASSERT_TRUE(readPngShape(cut).ok());
  decoded = readPng(cut);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::DataLoss);
  EXPECT_THAT(decoded.message(), HasSubstr(cut + ": corrupt PNG ("));
}

//===----------------------------------------------------------------------===//
// images(dir): the folder
//===----------------------------------------------------------------------===//

TEST(ImageFolder, ListsPngFilesSortedByName) {
  TempDir dir;
  ASSERT_TRUE(writeGrey(dir.file("b.png"), 3, 2, 10));
  ASSERT_TRUE(writeGrey(dir.file("a.png"), 3, 2, 20));
  ASSERT_TRUE(writeGrey(dir.file("C.PNG"), 3, 2, 30));
  // Not images: another extension, a folder named like one.
  std::ofstream(dir.file("notes.txt")) << "not an image";
  fs::create_directory(dir.path / "d.png");
  Result<ImageFolder> folder = scanImageFolder(dir.path.string());
  ASSERT_TRUE(folder.ok()) << folder.message();
  EXPECT_EQ(folder->files,
            (std::vector<std::string>{dir.file("C.PNG"), dir.file("a.png"),
                                      dir.file("b.png")}));
  EXPECT_EQ(folder->height, 2);
  EXPECT_EQ(folder->width, 3);
  EXPECT_EQ(folder->channels, 1);
}

TEST(ImageFolder, SizeAndChannelMismatchesNameTheFile) {
  TempDir dir;
  ASSERT_TRUE(writeGrey(dir.file("a.png"), 4, 4, 0));
  ASSERT_TRUE(writeGrey(dir.file("b.png"), 4, 5, 0)); // 5 high, 4 wide
  Result<ImageFolder> folder = scanImageFolder(dir.path.string());
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(folder.message(),
            dir.file("b.png") +
                ": image of 5x4x1 (H x W x C), but a.png is 4x4x1 (H x W x "
                "C); all images in the folder must have the same size and "
                "channel count");

  fs::remove(dir.path / "b.png");
  ASSERT_TRUE(writeTestPng(dir.file("c.png"), 4, 4, PNG_COLOR_TYPE_RGB, 8,
                           std::vector<unsigned>(48, 7)));
  folder = scanImageFolder(dir.path.string());
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.message(),
            dir.file("c.png") +
                ": image of 4x4x3 (H x W x C), but a.png is 4x4x1 (H x W x "
                "C); all images in the folder must have the same size and "
                "channel count");

  // 8- and 16-bit files of one shape mix: both are scaled to [0, 1].
  fs::remove(dir.path / "c.png");
  ASSERT_TRUE(writeTestPng(dir.file("d.png"), 4, 4, PNG_COLOR_TYPE_GRAY, 16,
                           std::vector<unsigned>(16, 65535)));
  folder = scanImageFolder(dir.path.string());
  ASSERT_TRUE(folder.ok()) << folder.message();
  EXPECT_EQ(folder->files.size(), 2u);
}

TEST(ImageFolder, MissingEmptyAndCorruptFolders) {
  TempDir dir;
  std::string missing = dir.file("nope");
  Result<ImageFolder> folder = scanImageFolder(missing);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::NotFound);
  EXPECT_EQ(folder.message(), missing + ": image folder not found; check the "
                                        "path in the spec's data block");

  std::string file = dir.file("file.png");
  ASSERT_TRUE(writeGrey(file, 2, 2, 0));
  folder = scanImageFolder(file);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.message(),
            file + ": not a folder (images() takes a folder of PNG files)");

  fs::create_directory(dir.path / "empty");
  std::ofstream(dir.file("empty/readme.txt")) << "no images here";
  folder = scanImageFolder(dir.file("empty"));
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.message(),
            dir.file("empty") + ": no PNG files (*.png) in the folder");

  fs::create_directory(dir.path / "bad");
  ASSERT_TRUE(writeGrey(dir.file("bad/a.png"), 2, 2, 0));
  std::ofstream(dir.file("bad/b.png")) << "GIF89a, not a PNG";
  folder = scanImageFolder(dir.file("bad"));
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::DataLoss);
  EXPECT_EQ(folder.message(),
            dir.file("bad/b.png") + ": not a PNG file (bad signature)");
}

/// A folder of `count` 2x3 RGB images; image k's sample i is 5k + i (so
/// every image and every row is distinct).
std::vector<std::vector<double>> rgbFolder(const TempDir &dir, int count) {
  std::vector<std::vector<double>> images;
  for (int k = 0; k < count; ++k) {
    std::vector<unsigned> v(18);
    std::vector<double> expected(18);
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = unsigned(5 * k + i);
      expected[i] = v[i] / 255.0;
    }
    char name[16];
    std::snprintf(name, sizeof(name), "img%02d.png", k);
    EXPECT_TRUE(writeTestPng(dir.file(name), 3, 2, PNG_COLOR_TYPE_RGB, 8, v));
    images.push_back(expected);
  }
  return images;
}

TEST(ImageFolder, LoadsImagesAsRowsOfASeededShuffle) {
  TempDir dir;
  std::vector<std::vector<double>> images = rgbFolder(dir, 5);
  DataConfig c;
  c.kind = schema::DataKind::Images;
  c.path = dir.path.string();
  c.scale = schema::Scale::Unit; // already in [0, 1]: left as decoded
  c.imageH = 2;
  c.imageW = 3;
  c.imageC = 3;
  EXPECT_EQ(dataSourceName(c), c.path);
  Result<Dataset> d = loadRealData(c, 5, 18, 7);
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->rows, 5);
  EXPECT_EQ(d->dim, 18);
  // Every image exactly once, whole, in H, W, C order.
  std::set<std::vector<double>> rows, all(images.begin(), images.end());
  for (int r = 0; r < 5; ++r)
    rows.insert(std::vector<double>(d->values.begin() + r * 18,
                                    d->values.begin() + (r + 1) * 18));
  EXPECT_EQ(rows, all);

  // The first n of the same shuffle: a prefix, the same for the same seed.
  Result<Dataset> three = loadRealData(c, 3, 18, 7);
  ASSERT_TRUE(three.ok()) << three.message();
  EXPECT_EQ(three->values,
            std::vector<double>(d->values.begin(), d->values.begin() + 54));

  d = loadRealData(c, 6, 18, 7);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), c.path + ": only 5 PNG images, the spec needs 6 "
                                  "(lower n_real)");
  d = loadRealData(c, 2, 6, 7);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), c.path + ": rows have 18 values, the spec's dim is 6");

  // The artifact was compiled for another image shape of the same size.
  c.imageH = 3;
  c.imageW = 2;
  d = loadRealData(c, 2, 18, 7);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), c.path + ": images of 2x3x3 (H x W x C), but the "
                                  "artifact was compiled for images of "
                                  "3x2x3 (H x W x C); recompile the spec");
}

TEST(ImageFolder, CorruptPixelDataFailsTheLoad) {
  TempDir dir;
  ASSERT_TRUE(writeGrey(dir.file("a.png"), 8, 8, 0));
  std::vector<uint8_t> bytes = readAll(dir.file("a.png"));
  // The header survives, the image data does not.
  writeAll(dir.file("b.png"),
           std::vector<uint8_t>(bytes.begin(), bytes.begin() + 45));
  DataConfig c;
  c.kind = schema::DataKind::Images;
  c.path = dir.path.string();
  Result<Dataset> d = loadRealData(c, 2, 64, 0);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::DataLoss);
  EXPECT_THAT(d.message(), HasSubstr(dir.file("b.png") + ": corrupt PNG ("));
}

//===----------------------------------------------------------------------===//
// npy arrays of images
//===----------------------------------------------------------------------===//

TEST(NpyImages, ShapeDecidesTheRows) {
  Result<DataShape> flat = npyDataShape({10, 7}, "x.npy");
  ASSERT_TRUE(flat.ok()) << flat.message();
  EXPECT_EQ(flat->rows, 10);
  EXPECT_EQ(flat->dim, 7);
  EXPECT_EQ(flat->imageH, 0);
  EXPECT_EQ(flat->imageC, 0);

  Result<DataShape> grey = npyDataShape({10, 28, 27}, "x.npy");
  ASSERT_TRUE(grey.ok()) << grey.message();
  EXPECT_EQ(grey->dim, 28 * 27);
  EXPECT_EQ(grey->imageH, 28);
  EXPECT_EQ(grey->imageW, 27);
  EXPECT_EQ(grey->imageC, 1);

  Result<DataShape> rgb = npyDataShape({4, 5, 6, 3}, "x.npy");
  ASSERT_TRUE(rgb.ok()) << rgb.message();
  EXPECT_EQ(rgb->rows, 4);
  EXPECT_EQ(rgb->dim, 90);
  EXPECT_EQ(rgb->imageH, 5);
  EXPECT_EQ(rgb->imageW, 6);
  EXPECT_EQ(rgb->imageC, 3);

  EXPECT_EQ(errorOf(npyDataShape({5}, "v.npy")),
            "v.npy: an npy data array must have shape (N, d), (N, H, W) or "
            "(N, H, W, C); this one has shape (5,)");
  EXPECT_EQ(errorOf(npyDataShape({2, 3, 4, 5, 6}, "v.npy")),
            "v.npy: an npy data array must have shape (N, d), (N, H, W) or "
            "(N, H, W, C); this one has shape (2, 3, 4, 5, 6)");
  EXPECT_EQ(errorOf(npyDataShape({}, "s.npy")),
            "s.npy: an npy data array must have shape (N, d), (N, H, W) or "
            "(N, H, W, C); this one has shape ()");
  EXPECT_EQ(errorOf(npyDataShape({3, 0, 2}, "e.npy")),
            "e.npy: the array of shape (3, 0, 2) is empty");
}

TEST(NpyImages, RowsAreImagesFlattenedInHwcOrder) {
  TempDir dir;
  // Two 2x2 RGB images; value = 100 n + 10 (2 y + x) + c.
  std::vector<double> v;
  for (int n = 0; n < 2; ++n)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 2; ++x)
        for (int ch = 0; ch < 3; ++ch)
          v.push_back(100 * n + 10 * (2 * y + x) + ch);
  std::string path = dir.file("rgb.npy");
  ASSERT_TRUE(writeNpy(path, {2, 2, 2, 3}, v.data(), NpyDType::F32).ok());
  DataConfig c;
  c.kind = schema::DataKind::Npy;
  c.path = path;
  c.scale = schema::Scale::None;
  c.imageH = c.imageW = 2;
  c.imageC = 3;
  Result<Dataset> d = loadRealData(c, 2, 12, 3);
  ASSERT_TRUE(d.ok()) << d.message();
  // Whichever order the shuffle chose, each row is one image in H, W, C
  // order: (y, x, c) at 10 (2 y + x) + c past the image's base.
  for (int r = 0; r < 2; ++r) {
    double base = d->values[size_t(r * 12)];
    EXPECT_TRUE(base == 0 || base == 100) << base;
    for (int i = 0; i < 12; ++i)
      EXPECT_EQ(d->values[size_t(r * 12 + i)], base + 10 * (i / 3) + i % 3);
  }
  EXPECT_NE(d->values[0], d->values[12]);

  // An artifact compiled for grey 2x6 images does not take it.
  c.imageW = 6;
  c.imageC = 1;
  d = loadRealData(c, 2, 12, 3);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), path + ": images of 2x2x3 (H x W x C), but the "
                                "artifact was compiled for images of 2x6x1 "
                                "(H x W x C); recompile the spec");

  // A 1-D array is no data source.
  std::string flat = dir.file("flat.npy");
  ASSERT_TRUE(writeNpy(flat, {24}, v.data(), NpyDType::F64).ok());
  c.path = flat;
  c.imageH = c.imageW = c.imageC = 0;
  d = loadRealData(c, 2, 1, 3);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), flat + ": an npy data array must have shape (N, d), "
                                "(N, H, W) or (N, H, W, C); this one has "
                                "shape (24,)");
}

//===----------------------------------------------------------------------===//
// The grid plot's checks
//===----------------------------------------------------------------------===//

TEST(ImageGrid, NeedsGreyOrRgbImagesOfTheRows) {
  EXPECT_TRUE(checkImageGrid("x.npy", 784, 28, 28, 1).ok());
  EXPECT_TRUE(checkImageGrid("faces", 12, 2, 2, 3).ok());
  Status s = checkImageGrid("gaussian_grid", 2, 0, 0, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "plot = grid needs image data (idx, images, or an "
                         "npy of shape (N, H, W[, C])); gaussian_grid has "
                         "flat rows of 2 values");
  s = checkImageGrid("x.npy", 32, 4, 4, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "plot = grid draws grey (C = 1) or RGB (C = 3) "
                         "images; x.npy has images of 4x4x2 (H x W x C)");
  s = checkImageGrid("x.npy", 17, 4, 4, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "plot = grid: x.npy has images of 4x4x1 (H x W x C) "
                         "but rows of 17 values");
}

} // namespace
