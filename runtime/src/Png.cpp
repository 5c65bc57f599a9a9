//===- Png.cpp - Plots of generated samples ------------------------------===//

#include "gantk/runtime/Png.h"
#include "gantk/runtime/FileIO.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

using namespace gantk;

namespace {

void appendBytes(png_structp png, png_bytep data, png_size_t size) {
  auto *out = static_cast<std::vector<uint8_t> *>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + size);
}

void flushNothing(png_structp) {}

/// Fills a (2r+1)-pixel square around (x, y), clipped to the image.
void dot(Image &img, int64_t x, int64_t y, int64_t r, const uint8_t rgb[3]) {
  for (int64_t yy = std::max<int64_t>(0, y - r);
       yy <= std::min(img.height - 1, y + r); ++yy)
    for (int64_t xx = std::max<int64_t>(0, x - r);
         xx <= std::min(img.width - 1, x + r); ++xx)
      std::copy_n(rgb, 3, &img.pixels[size_t((yy * img.width + xx) * 3)]);
}

constexpr uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// The channels the loader keeps for a PNG colour type (alpha dropped).
int64_t keptChannels(int colorType) {
  return (colorType & PNG_COLOR_MASK_COLOR) ? 3 : 1;
}

/// The state of one decode. Its address is handed to libpng (error and read
/// callbacks), so everything changed after setjmp lives in memory that
/// survives the longjmp of an error.
struct ReadState {
  const std::vector<uint8_t> *bytes = nullptr;
  size_t at = 0;
  std::string error;
  std::vector<uint8_t> raw;
  std::vector<png_bytep> rows;
};

[[noreturn]] void onReadError(png_structp png, png_const_charp message) {
  auto *state = static_cast<ReadState *>(png_get_error_ptr(png));
  state->error = message ? message : "unknown libpng error";
  png_longjmp(png, 1);
}

/// Warnings (an odd colour profile, say) do not stop a decode and would
/// clutter the output.
void ignoreWarning(png_structp, png_const_charp) {}

void readBytes(png_structp png, png_bytep out, png_size_t size) {
  auto *state = static_cast<ReadState *>(png_get_io_ptr(png));
  if (state->bytes->size() - state->at < size)
    png_error(png, "the file is truncated");
  std::memcpy(out, state->bytes->data() + state->at, size);
  state->at += size;
}

} // namespace

Result<PngShape> gantk::readPngShape(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(ErrorCode::NotFound,
                     path + ": cannot open: " + std::strerror(errno));
  uint8_t b[33] = {};
  in.read(reinterpret_cast<char *>(b), sizeof(b));
  return parsePngShape(b, size_t(in.gcount()), path);
}

Result<PngShape> gantk::parsePngShape(const uint8_t *b, size_t got,
                                      const std::string &path) {
  if (got < 8 || std::memcmp(b, kSignature, 8) != 0)
    return makeError(ErrorCode::DataLoss,
                     path + ": not a PNG file (bad signature)");
  if (got < 33)
    return makeError(ErrorCode::DataLoss,
                     path + ": truncated PNG (the file ends in its header)");
  if (bigEndian32(b + 8) != 13 || std::memcmp(b + 12, "IHDR", 4) != 0)
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (the first chunk is not IHDR)");
  if (uint32_t(crc32(crc32(0, nullptr, 0), b + 12, 17)) != bigEndian32(b + 29))
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (IHDR CRC mismatch)");
  PngShape shape;
  shape.width = bigEndian32(b + 16);
  shape.height = bigEndian32(b + 20);
  shape.bitDepth = b[24];
  int colorType = b[25];
  if (shape.width == 0 || shape.height == 0 || shape.width > 0x7fffffff ||
      shape.height > 0x7fffffff)
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (image size " +
                         std::to_string(shape.width) + "x" +
                         std::to_string(shape.height) + ")");
  bool depthOk = false;
  switch (colorType) {
  case PNG_COLOR_TYPE_GRAY:
    depthOk = shape.bitDepth == 1 || shape.bitDepth == 2 ||
              shape.bitDepth == 4 || shape.bitDepth == 8 ||
              shape.bitDepth == 16;
    break;
  case PNG_COLOR_TYPE_PALETTE:
    depthOk = shape.bitDepth == 1 || shape.bitDepth == 2 ||
              shape.bitDepth == 4 || shape.bitDepth == 8;
    break;
  case PNG_COLOR_TYPE_RGB:
  case PNG_COLOR_TYPE_GRAY_ALPHA:
  case PNG_COLOR_TYPE_RGB_ALPHA:
    depthOk = shape.bitDepth == 8 || shape.bitDepth == 16;
    break;
  default:
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (unknown colour type " +
                         std::to_string(colorType) + ")");
  }
  if (!depthOk)
    return makeError(ErrorCode::DataLoss, path + ": corrupt PNG (bit depth " +
                                              std::to_string(shape.bitDepth) +
                                              " with colour type " +
                                              std::to_string(colorType) + ")");
  shape.channels = keptChannels(colorType);
  // decodePng's bound, here so that a folder scan refuses what the loader
  // would, and so that H * W * C (the data's dim) cannot overflow.
  if (uint64_t(shape.width) * uint64_t(shape.height) *
          uint64_t(shape.channels) >
      (uint64_t(1) << 30))
    return makeError(ErrorCode::DataLoss,
                     path + ": image too large (" +
                         std::to_string(shape.width) + "x" +
                         std::to_string(shape.height) + "x" +
                         std::to_string(shape.channels) +
                         " values, more than 2^30)");
  return shape;
}

Result<PngPixels> gantk::readPng(const std::string &path) {
  Result<std::vector<uint8_t>> bytes = readFile(path);
  if (!bytes.ok())
    return bytes.error();
  return decodePng(*bytes, path);
}

/// Every chunk up to IEND lies whole in the file. libpng allocates the
/// length an ancillary chunk claims before it reads the chunk (a 96-byte
/// file's sPLT claimed 1.5 GB), so a claim beyond the file's end is
/// refused here first.
static Status checkChunkLengths(const std::vector<uint8_t> &b,
                                const std::string &path) {
  size_t at = 8;
  while (at + 8 <= b.size()) {
    uint32_t length = bigEndian32(&b[at]);
    if (uint64_t(length) + 12 > b.size() - at)
      return makeError(ErrorCode::DataLoss,
                       path +
                           ": corrupt PNG (the file is truncated: the "
                           "chunk at byte " +
                           std::to_string(at) + " claims " +
                           std::to_string(length) + " bytes, and " +
                           std::to_string(b.size() - at - 8) + " are left)");
    if (std::memcmp(&b[at + 4], "IEND", 4) == 0)
      break;
    at += 12 + size_t(length);
  }
  return {};
}

Result<PngPixels> gantk::decodePng(const std::vector<uint8_t> &bytes,
                                   const std::string &path) {
  // The header the images() scan reads must be valid and be the one libpng
  // decodes: libpng skips an unknown chunk before IHDR (say 'iHDR'), which
  // the scan rightly refuses, and the loader relies on the two agreeing.
  Result<PngShape> header = parsePngShape(bytes.data(), bytes.size(), path);
  if (!header.ok())
    return header.error();
  if (Status s = checkChunkLengths(bytes, path); !s.ok())
    return s.error();
  ReadState state;
  state.bytes = &bytes;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state,
                                           onReadError, ignoreWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return makeError(ErrorCode::ResourceExhausted, "libpng: out of memory");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (" + state.error + ")");
  }
  png_set_read_fn(png, &state, readBytes);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bitDepth = 0, colorType = 0;
  png_get_IHDR(png, info, &width, &height, &bitDepth, &colorType, nullptr,
               nullptr, nullptr);
  if (int64_t(width) != header->width || int64_t(height) != header->height ||
      keptChannels(colorType) != header->channels ||
      bitDepth != header->bitDepth) {
    png_destroy_read_struct(&png, &info, nullptr);
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (libpng decodes another header "
                            "than the first chunk's IHDR)");
  }
  // Deflate expands at most 1032:1, so the file's size bounds the rows its
  // compressed data can hold: a 43-byte file whose header claims 1789 x
  // 457984 pixels is corrupt, and is refused before they are allocated.
  // (libpng stops at 10^6 x 10^6; this is the tighter, honest bound.)
  constexpr uint64_t kMaxDeflateRatio = 1032;
  uint64_t fileRows = uint64_t(png_get_rowbytes(png, info)) * height;
  if (fileRows / kMaxDeflateRatio > bytes.size()) {
    png_destroy_read_struct(&png, &info, nullptr);
    return makeError(ErrorCode::DataLoss,
                     path + ": corrupt PNG (its header says " +
                         std::to_string(width) + " x " +
                         std::to_string(height) + " pixels, more than " +
                         std::to_string(bytes.size()) +
                         " bytes of compressed data can hold)");
  }
  // Palette to RGB, grey below 8 bits to 8 bits; alpha (and a tRNS chunk
  // a palette expansion turns into alpha) is dropped below.
  if (colorType == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t channels = png_get_channels(png, info);
  size_t depth = png_get_bit_depth(png, info);
  size_t rowBytes = png_get_rowbytes(png, info);
  size_t keep = size_t(keptChannels(colorType));
  size_t bytesPerValue = depth == 16 ? 2 : 1;
  if ((depth != 8 && depth != 16) || channels < keep || channels > 4 ||
      rowBytes != size_t(width) * channels * bytesPerValue)
    png_error(png, "unexpected pixel layout after expansion");
  if (uint64_t(width) * height * keep > (uint64_t(1) << 30))
    png_error(png, "image too large");
  state.raw.resize(rowBytes * height);
  state.rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y)
    state.rows[y] = state.raw.data() + size_t(y) * rowBytes;
  png_read_image(png, state.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);

  PngPixels out;
  out.shape.height = height;
  out.shape.width = width;
  out.shape.channels = int64_t(keep);
  out.shape.bitDepth = bitDepth;
  size_t pixels = size_t(width) * height;
  out.values.resize(pixels * keep);
  double maxValue = depth == 16 ? 65535 : 255;
  for (size_t p = 0; p < pixels; ++p)
    for (size_t ch = 0; ch < keep; ++ch) {
      const uint8_t *v = &state.raw[(p * channels + ch) * bytesPerValue];
      unsigned raw = depth == 16 ? unsigned(v[0]) << 8 | v[1] : v[0];
      out.values[p * keep + ch] = double(raw) / maxValue;
    }
  return out;
}

Status gantk::checkImageGrid(const std::string &source, int64_t dim, int64_t h,
                             int64_t w, int64_t c) {
  if (h <= 0 || w <= 0 || c <= 0)
    return makeError(ErrorCode::InvalidArgument,
                     "plot = grid needs image data (idx, images, or an npy "
                     "of shape (N, H, W[, C])); " +
                         source + " has flat rows of " + std::to_string(dim) +
                         " values");
  std::string shape = std::to_string(h) + "x" + std::to_string(w) + "x" +
                      std::to_string(c) + " (H x W x C)";
  if (c != 1 && c != 3)
    return makeError(ErrorCode::InvalidArgument,
                     "plot = grid draws grey (C = 1) or RGB (C = 3) images; " +
                         source + " has images of " + shape);
  int64_t values;
  if (__builtin_mul_overflow(h, w, &values) ||
      __builtin_mul_overflow(values, c, &values) || values != dim)
    return makeError(ErrorCode::InvalidArgument,
                     "plot = grid: " + source + " has images of " + shape +
                         " but rows of " + std::to_string(dim) + " values");
  return {};
}

Result<std::vector<uint8_t>> gantk::encodePng(const Image &image) {
  if (image.width <= 0 || image.height <= 0 ||
      (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() !=
          size_t(image.width * image.height * image.channels))
    return makeError(ErrorCode::InvalidArgument, "invalid image for PNG");
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return makeError(ErrorCode::ResourceExhausted, "libpng: out of memory");
  }
  std::vector<uint8_t> out;
  // libpng reports errors by longjmp; nothing here owns resources besides
  // `png`/`info` and `out`, which survive the jump.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return makeError(ErrorCode::Internal, "libpng failed to encode an image");
  }
  png_set_write_fn(png, &out, appendBytes, flushNothing);
  png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height),
               8,
               image.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = size_t(image.width * image.channels);
  for (int64_t y = 0; y < image.height; ++y)
    png_write_row(png,
                  const_cast<png_bytep>(&image.pixels[size_t(y) * stride]));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

Status gantk::writePng(const std::string &path, const Image &image) {
  Result<std::vector<uint8_t>> bytes = encodePng(image);
  if (!bytes.ok())
    return makeError(bytes.error().code, path + ": " + bytes.message());
  return writeFileAtomic(path, bytes->data(), bytes->size());
}
