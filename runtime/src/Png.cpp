//===- Png.cpp - Plots of generated samples ------------------------------===//

#include "gantk/runtime/Png.h"
#include "gantk/runtime/FileIO.h"

#include <png.h>

#include <algorithm>
#include <cmath>

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

} // namespace

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

Image gantk::scatterPlot(const double *real, int64_t nReal, const double *fake,
                         int64_t nFake) {
  constexpr int64_t kSize = 512;
  Image img{kSize, kSize, 3, std::vector<uint8_t>(kSize * kSize * 3, 255)};
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  auto grow = [&](const double *pts, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      for (int a = 0; a < 2; ++a)
        if (std::isfinite(pts[2 * i + a])) {
          lo[a] = std::min(lo[a], pts[2 * i + a]);
          hi[a] = std::max(hi[a], pts[2 * i + a]);
        }
  };
  grow(real, nReal);
  grow(fake, nFake);
  // One scale for both axes keeps circles round; 5% margin on each side.
  double span = std::max(hi[0] - lo[0], hi[1] - lo[1]);
  if (!(span > 0) || !std::isfinite(span))
    span = 1;
  double center[2] = {std::isfinite(lo[0]) ? (lo[0] + hi[0]) / 2 : 0,
                      std::isfinite(lo[1]) ? (lo[1] + hi[1]) / 2 : 0};
  double scale = (kSize - 1) / (span * 1.1);
  auto plot = [&](const double *pts, int64_t n, const uint8_t rgb[3]) {
    for (int64_t i = 0; i < n; ++i) {
      double x = pts[2 * i], y = pts[2 * i + 1];
      if (!std::isfinite(x) || !std::isfinite(y))
        continue;
      int64_t px = std::llround((x - center[0]) * scale + (kSize - 1) / 2.0);
      int64_t py = std::llround((center[1] - y) * scale + (kSize - 1) / 2.0);
      dot(img, px, py, 1, rgb);
    }
  };
  static const uint8_t grey[3] = {160, 160, 160}, red[3] = {220, 30, 30};
  plot(real, nReal, grey);
  plot(fake, nFake, red);
  return img;
}

Image gantk::imageGrid(const double *images, int64_t count, int64_t h,
                       int64_t w, int64_t c) {
  int64_t cols =
      std::max<int64_t>(1, int64_t(std::ceil(std::sqrt(double(count)))));
  int64_t rows = std::max<int64_t>(1, (count + cols - 1) / cols);
  Image img{cols * w + (cols - 1), rows * h + (rows - 1), c, {}};
  img.pixels.assign(size_t(img.width * img.height * c), 255);
  for (int64_t k = 0; k < count; ++k) {
    int64_t x0 = (k % cols) * (w + 1), y0 = (k / cols) * (h + 1);
    const double *src = images + k * h * w * c;
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          double v = src[(y * w + x) * c + ch];
          v = std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0;
          img.pixels[size_t(((y0 + y) * img.width + x0 + x) * c + ch)] =
              uint8_t(std::lround(v * 255));
        }
  }
  return img;
}
