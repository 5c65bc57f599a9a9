//===- FuzzRegressionTest.cpp - Inputs that once broke a reader -----------===//
//
// Every input in test/fuzz-regressions/ that the libFuzzer targets (fuzz/)
// found crashing a runtime reader, or that was crafted for the same class
// of bug, read through the library: each must be refused with its message,
// never crash (the suite runs them under ASan/UBSan in the fuzz
// configuration too: build-fuzz/bin/fuzz_NAME FILE). The spec parser's and
// the driver's cases are lit tests (test/Driver/fuzz-regressions.test).
// test/fuzz-regressions/README.md says where each input came from.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Png.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

using namespace gantk;
using ::testing::HasSubstr;

namespace {

std::string input(const std::string &name) {
  return std::string(GANTK_FUZZ_REGRESSIONS_DIR) + "/" + name;
}

std::vector<uint8_t> bytesOf(const std::string &name) {
  Result<std::vector<uint8_t>> bytes = readFile(input(name));
  EXPECT_TRUE(bytes.ok()) << bytes.message();
  return bytes.ok() ? bytes.take() : std::vector<uint8_t>();
}

} // namespace

// libFuzzer (fuzz_npy): shape (0, 22, 23, 22, ..., 322, 2, 3): the 0 made
// the element count 0 and let every other dimension through unbounded, and
// NpyArray::cols() overflowed int64 multiplying them.
TEST(FuzzRegression, NpyEmptyDimensionDoesNotUnboundTheOthers) {
  const std::string path = input("npy/zero-dim-cols-overflow.npy");
  const char *why = "implausible size in the .npy shape (more than 2^40 "
                    "elements, not counting empty dimensions)";
  Result<NpyArray> array = readNpy(path);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.message(), path + ": " + why);
  Result<NpyArray> shape = readNpyShape(path);
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.message(), path + ": " + why);
}

// The same class in the IDX reader (crafted): four dimensions of 2^16 made
// a byte count of 2^64, which wrapped to 0 and was accepted with no data.
TEST(FuzzRegression, IdxDimensionsCannotWrapTheSize) {
  for (const char *name : {"idx/dims-overflow.idx", "idx/zero-dim-overflow.idx"}) {
    Result<IdxArray> array = readIdx(input(name));
    ASSERT_FALSE(array.ok()) << name;
    EXPECT_THAT(array.message(), HasSubstr("implausible IDX dimensions ("));
    EXPECT_THAT(array.message(), HasSubstr("more than 2^40 values)"));
  }
  Result<IdxArray> array = readIdx(input("idx/dims-overflow.idx"));
  EXPECT_EQ(array.message(),
            input("idx/dims-overflow.idx") +
                ": implausible IDX dimensions (65536 x 65536 x 65536 x ...: "
                "more than 2^40 values)");
}

// Compressed input is bounded by the size its header implies: 1 KiB of gzip
// that inflates to 1 MiB behind a header of 4 values is an error, found
// after at most one 64 KiB chunk, not an allocation of what it inflates to.
TEST(FuzzRegression, IdxGzipIsBoundedByItsHeader) {
  const std::string bomb = input("idx/gzip-bomb.idx.gz");
  Result<IdxArray> array = readIdx(bomb);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.message(), bomb + ": the compressed data inflates past the "
                                    "16 bytes its IDX header implies");

  const std::string trailing = input("idx/gzip-trailing.idx.gz");
  array = readIdx(trailing);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.message(),
            trailing + ": corrupt compressed data (4 bytes after the end of "
                       "the gzip stream)");

  const std::string cut = input("idx/gzip-truncated.idx.gz");
  array = readIdx(cut);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.message(), cut + ": corrupt compressed data (the "
                                   "compressed stream is truncated)");
}

// libFuzzer (fuzz_png, CRCs made right): 43 bytes whose IHDR says 1789 x
// 457984 pixels made decodePng allocate 819 MB before libpng found the data
// missing. Deflate expands at most 1032:1, so the file's size bounds what
// its header may claim.
// (That file's IDAT chunk also claims more bytes than it has, which the
// chunk walk below now refuses first; huge-header-whole-chunks.png is the
// same header with whole chunks.)
TEST(FuzzRegression, PngHeaderCannotClaimMoreThanTheFileHolds) {
  const std::string path = input("png/huge-header-tiny-file.png");
  Result<PngPixels> png = readPng(path);
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.message(),
            path + ": corrupt PNG (the file is truncated: the chunk at "
                   "byte 33 claims 33554440 bytes, and 2 are left)");
  const std::string whole = input("png/huge-header-whole-chunks.png");
  Result<PngPixels> wholePng = readPng(whole);
  ASSERT_FALSE(wholePng.ok());
  EXPECT_EQ(wholePng.message(),
            whole + ": corrupt PNG (its header says 1789 x 457984 pixels, "
                    "more than 68 bytes of compressed data can hold)");
  // The header scan (images() folders) reads only the IHDR, which is valid.
  Result<PngShape> shape = readPngShape(path);
  ASSERT_TRUE(shape.ok()) << shape.message();
  EXPECT_EQ(shape->width, 1789);
  EXPECT_EQ(shape->height, 457984);
}

// libFuzzer (fuzz_png, CRCs made right, in a fresh clone's CI run): 96
// bytes whose sPLT chunk claims 1.5 GB; libpng allocated what the length
// field said before reading the chunk (libFuzzer: out-of-memory). Every
// chunk up to IEND must now lie whole in the file before libpng reads it.
TEST(FuzzRegression, PngChunkCannotClaimMoreThanTheFileHolds) {
  const std::string path = input("png/huge-chunk-length.png");
  Result<PngPixels> png = readPng(path);
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.message(),
            path + ": corrupt PNG (the file is truncated: the chunk at "
                   "byte 33 claims 1577058304 bytes, and 55 are left)");
}

// libFuzzer (fuzz_png's oracle: what decodes, the folder scan accepts): an
// ancillary 'iHDR' chunk before the IHDR. libpng skips it and decodes the
// image; the scan refused the file ("the first chunk is not IHDR"). The
// decoder now reads the scan's header first and must agree with it.
TEST(FuzzRegression, PngDecoderAndHeaderScanAgree) {
  const std::string path = input("png/chunk-before-ihdr.png");
  const std::string why = path + ": corrupt PNG (the first chunk is not IHDR)";
  Result<PngShape> shape = readPngShape(path);
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.message(), why);
  Result<PngPixels> png = readPng(path);
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.message(), why);
}

// Crafted, the same class in the images() folder scan: an IHDR of
// 2147483647 x 2147483647 RGB passed the scan, and H * W * C (the data's
// dim, in gantk compile and the loader) overflowed int64. The scan now
// refuses what decodePng would (more than 2^30 values).
TEST(FuzzRegression, PngHeaderScanBoundsTheImage) {
  const std::string path = input("png/huge-ihdr.png");
  Result<PngShape> shape = readPngShape(path);
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.message(), path + ": image too large (2147483647x"
                                    "2147483647x3 values, more than 2^30)");
}

// train() refused an image grid by h * w * c != dim in int64: 2 x 3 x
// 3074457345618258603 wraps to 2, so an artifact with dim 2 passed, and
// imageGrid would index far past its buffers.
TEST(FuzzRegression, ImageGridShapeCannotWrap) {
  Status s = checkImageGrid("x", 2, 2, 3, 3074457345618258603);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("has images of 2x3x3074457345618258603"));
}

// Artifacts: each is refused by the verifier before anything is mapped.
TEST(FuzzRegression, ArtifactsThatOncePassedOrCrashedTheVerifier) {
  struct Case {
    const char *file, *message;
  } cases[] = {
      // libFuzzer: n * n and the basis size wrapped around in uint64.
      {"artifact/krylov-size-wraps.gantk-bin",
       "invalid artifact: command 5 (gantk.krylov_expm_grad): Krylov sizes "
       "exceed the BLAS integer range"},
      // Crafted, same class inside the BLAS range: n = columns = 2^20,
      // max_blocks = 2^31 - 1: the basis needs 2^72 elements.
      {"artifact/krylov-basis-overflows.gantk-bin",
       "invalid artifact: command 4 (gantk.krylov_expm): Krylov basis size "
       "overflows 64 bits (n = 1048576, columns = 1048576, max_blocks = "
       "2147483647, rank = 0)"},
      // libFuzzer: a [ulong] vector 4 bytes off its alignment, which the
      // FlatBuffers verifier does not check (UBSan: misaligned load).
      {"artifact/misaligned-dispatch-args.gantk-bin",
       "invalid artifact: command 3 (labels_kernel): dispatch argument "
       "offsets are not 8-byte aligned in the file"},
      // Crafted: the data's image shape wraps to dim (see above).
      {"artifact/image-shape-wraps.gantk-bin",
       "invalid artifact: the data's image shape 2x3x3074457345618258603 (H "
       "x W x C) overflows 64 bits"},
  };
  for (const Case &c : cases) {
    Result<Artifact> a = Artifact::loadBytes(bytesOf(c.file), c.file);
    ASSERT_FALSE(a.ok()) << c.file;
    EXPECT_EQ(a.message(), std::string(c.file) + ": " + c.message);
  }
}
