//===- Plot.cpp - Charts with axes, legends and titles -------------------===//

#include "gantk/runtime/Plot.h"

#include <algorithm>
#include <cstdio>
#include <utility>

using namespace gantk;

namespace {

//===----------------------------------------------------------------------===//
// Pixels
//===----------------------------------------------------------------------===//

constexpr RGB kWhite{255, 255, 255}, kInk{30, 30, 30}, kFrame{80, 80, 80},
    kGrid{232, 232, 232}, kLegendBorder{170, 170, 170};

Image blankImage(int64_t width, int64_t height, int64_t channels) {
  Image img{width, height, channels, {}};
  img.pixels.assign(size_t(width * height * channels), 255);
  return img;
}

void setPixel(Image &img, int64_t x, int64_t y, RGB c) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height)
    return;
  size_t at = size_t(y * img.width + x) * size_t(img.channels);
  if (img.channels == 3) {
    img.pixels[at] = c.r;
    img.pixels[at + 1] = c.g;
    img.pixels[at + 2] = c.b;
  } else {
    img.pixels[at] = uint8_t((299 * c.r + 587 * c.g + 114 * c.b + 500) / 1000);
  }
}

/// Fills columns x0..x1 of rows y0..y1, clipped to the image.
void fillRect(Image &img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
              RGB c) {
  for (int64_t y = std::max<int64_t>(y0, 0); y <= std::min(y1, img.height - 1);
       ++y)
    for (int64_t x = std::max<int64_t>(x0, 0); x <= std::min(x1, img.width - 1);
         ++x)
      setPixel(img, x, y, c);
}

void strokeRect(Image &img, const PixelRect &r, RGB c) {
  fillRect(img, r.left, r.top, r.right, r.top, c);
  fillRect(img, r.left, r.bottom, r.right, r.bottom, c);
  fillRect(img, r.left, r.top, r.left, r.bottom, c);
  fillRect(img, r.right, r.top, r.right, r.bottom, c);
}

/// A filled disc of radius r (r^2 + r rounds it: radius 1 is a 3 x 3
/// square), only where it lies inside `clip`.
void drawDisc(Image &img, int64_t cx, int64_t cy, int64_t r, RGB c,
              const PixelRect &clip) {
  for (int64_t dy = -r; dy <= r; ++dy)
    for (int64_t dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= r * r + r && clip.contains(cx + dx, cy + dy))
        setPixel(img, cx + dx, cy + dy, c);
}

/// A 1-pixel line from (x0, y0) to (x1, y1) in unrounded pixel coordinates,
/// cut to `clip` first (Liang-Barsky) so that a far-off end costs nothing;
/// an end inside `clip` is drawn at its rounded pixel.
void drawSegment(Image &img, double x0, double y0, double x1, double y1, RGB c,
                 const PixelRect &clip) {
  double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
  // Keeps the part of the segment where p t <= q.
  auto keep = [&](double p, double q) {
    if (p == 0)
      return q >= 0;
    double t = q / p;
    if (p < 0) {
      if (t > t1)
        return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0)
        return false;
      t1 = std::min(t1, t);
    }
    return true;
  };
  if (!keep(-dx, x0 - double(clip.left)) ||
      !keep(dx, double(clip.right) - x0) || !keep(-dy, y0 - double(clip.top)) ||
      !keep(dy, double(clip.bottom) - y0))
    return;
  int64_t ax = std::llround(x0 + t0 * dx), ay = std::llround(y0 + t0 * dy);
  int64_t bx = std::llround(x0 + t1 * dx), by = std::llround(y0 + t1 * dy);
  int64_t sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1;
  int64_t ex = std::abs(bx - ax), ey = -std::abs(by - ay), err = ex + ey;
  for (;;) {
    if (clip.contains(ax, ay))
      setPixel(img, ax, ay, c);
    if (ax == bx && ay == by)
      break;
    int64_t e2 = 2 * err;
    if (e2 >= ey) {
      err += ey;
      ax += sx;
    }
    if (e2 <= ex) {
      err += ex;
      ay += sy;
    }
  }
}

//===----------------------------------------------------------------------===//
// The font
//===----------------------------------------------------------------------===//

constexpr int kGlyphColumns = 5, kGlyphRows = 9, kAdvance = 6;

/// ASCII 32..126, one byte per row from the top, bit 4 the leftmost column.
/// Rows 0-6 stand on the baseline (a capital fills them), 7-8 are for
/// descenders.
constexpr uint8_t kFont[95][kGlyphRows] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // space
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00, 0x00}, // !
    {0x0A, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // "
    {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A, 0x00, 0x00}, // #
    {0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04, 0x00, 0x00}, // $
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00, 0x00}, // %
    {0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D, 0x00, 0x00}, // &
    {0x04, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // '
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00, 0x00}, // (
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00, 0x00}, // )
    {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00, 0x00, 0x00}, // *
    {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00, 0x00, 0x00}, // +
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, 0x04, 0x08}, // ,
    {0x00, 0x00, 0x00, 0x1E, 0x00, 0x00, 0x00, 0x00, 0x00}, // -
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, 0x00, 0x00}, // .
    {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10, 0x00, 0x00}, // /
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E, 0x00, 0x00}, // 0
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00}, // 1
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F, 0x00, 0x00}, // 2
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E, 0x00, 0x00}, // 3
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02, 0x00, 0x00}, // 4
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E, 0x00, 0x00}, // 5
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E, 0x00, 0x00}, // 6
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00, 0x00}, // 7
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E, 0x00, 0x00}, // 8
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C, 0x00, 0x00}, // 9
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00, 0x00, 0x00}, // :
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x04, 0x08, 0x00}, // ;
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00, 0x00}, // <
    {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00}, // =
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00, 0x00}, // >
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00}, // ?
    {0x0E, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0E, 0x00, 0x00}, // @
    {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0x00, 0x00}, // A
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E, 0x00, 0x00}, // B
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E, 0x00, 0x00}, // C
    {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C, 0x00, 0x00}, // D
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F, 0x00, 0x00}, // E
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10, 0x00, 0x00}, // F
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F, 0x00, 0x00}, // G
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0x00, 0x00}, // H
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00}, // I
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C, 0x00, 0x00}, // J
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00, 0x00}, // K
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F, 0x00, 0x00}, // L
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00, 0x00}, // M
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00, 0x00}, // N
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00}, // O
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10, 0x00, 0x00}, // P
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D, 0x00, 0x00}, // Q
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11, 0x00, 0x00}, // R
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E, 0x00, 0x00}, // S
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, // T
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00}, // U
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04, 0x00, 0x00}, // V
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A, 0x00, 0x00}, // W
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11, 0x00, 0x00}, // X
    {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, // Y
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F, 0x00, 0x00}, // Z
    {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E, 0x00, 0x00}, // [
    {0x10, 0x10, 0x08, 0x04, 0x02, 0x01, 0x01, 0x00, 0x00}, // backslash
    {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E, 0x00, 0x00}, // ]
    {0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // ^
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F, 0x00}, // _
    {0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // `
    {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F, 0x00, 0x00}, // a
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E, 0x00, 0x00}, // b
    {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E, 0x00, 0x00}, // c
    {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F, 0x00, 0x00}, // d
    {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E, 0x00, 0x00}, // e
    {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08, 0x00, 0x00}, // f
    {0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E}, // g
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, // h
    {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00}, // i
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, // j
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00, 0x00}, // k
    {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00}, // l
    {0x00, 0x00, 0x1A, 0x15, 0x15, 0x15, 0x15, 0x00, 0x00}, // m
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, // n
    {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00}, // o
    {0x00, 0x00, 0x1E, 0x11, 0x11, 0x11, 0x1E, 0x10, 0x10}, // p
    {0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x01}, // q
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00, 0x00}, // r
    {0x00, 0x00, 0x0F, 0x10, 0x0E, 0x01, 0x1E, 0x00, 0x00}, // s
    {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00}, // t
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D, 0x00, 0x00}, // u
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04, 0x00, 0x00}, // v
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A, 0x00, 0x00}, // w
    {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x00, 0x00}, // x
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E}, // y
    {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F, 0x00, 0x00}, // z
    {0x03, 0x04, 0x04, 0x08, 0x04, 0x04, 0x03, 0x00, 0x00}, // {
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, // |
    {0x18, 0x04, 0x04, 0x02, 0x04, 0x04, 0x18, 0x00, 0x00}, // }
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00, 0x00}, // ~
};

/// What a character outside the font draws: the outline of a capital.
constexpr uint8_t kMissingGlyph[kGlyphRows] = {0x1F, 0x11, 0x11, 0x11, 0x11,
                                               0x11, 0x1F, 0x00, 0x00};

const uint8_t *glyphOf(unsigned char c) {
  return c >= 32 && c <= 126 ? kFont[c - 32] : kMissingGlyph;
}

/// Calls `f` with the first byte of each character of UTF-8 text:
/// continuation bytes belong to the character before them, so a multi-byte
/// character (say a Greek letter) is one missing glyph, not two or three.
template <typename F> void forEachCharacter(const std::string &text, F f) {
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80)
      f(c);
}

/// Calls `f(row, column)` for each set pixel of `c`'s glyph.
template <typename F> void forEachGlyphPixel(unsigned char c, F f) {
  const uint8_t *rows = glyphOf(c);
  for (int r = 0; r < kGlyphRows; ++r)
    for (int col = 0; col < kGlyphColumns; ++col)
      if (rows[r] >> (kGlyphColumns - 1 - col) & 1)
        f(r, col);
}

/// Draws `text` turned a quarter turn counter-clockwise (it reads from the
/// bottom up, as a y-axis label) in the box whose top-left is (x, y):
/// textHeight wide, textWidth tall.
void drawTextUp(Image &img, int64_t x, int64_t y, const std::string &text,
                RGB colour, int scale) {
  scale = std::max(scale, 1);
  int64_t length = textWidth(text, scale), along = 0;
  forEachCharacter(text, [&](unsigned char c) {
    forEachGlyphPixel(c, [&](int r, int col) {
      int64_t u = along + int64_t(col) * scale, left = x + int64_t(r) * scale;
      fillRect(img, left, y + length - u - scale, left + scale - 1,
               y + length - u - 1, colour);
    });
    along += kAdvance * scale;
  });
}

//===----------------------------------------------------------------------===//
// Views and ticks
//===----------------------------------------------------------------------===//

constexpr int kMantissas[] = {1, 2, 5};

/// m x 10^e, as exactly as a double allows (a division for e < 0: 3 x 0.1
/// is not 0.3, 3 / 10 is).
double scaledPower(double m, int e) {
  return e >= 0 ? m * std::pow(10.0, e) : m / std::pow(10.0, -e);
}

/// floor(log10(|v|)) for v != 0, exact at powers of ten (log10 may round
/// 1e-5 to just below -5).
int decimalExponent(double v) {
  v = std::fabs(v);
  int e = int(std::floor(std::log10(v)));
  if (scaledPower(1, e) > v)
    --e;
  else if (scaledPower(1, e + 1) <= v)
    ++e;
  return e;
}

/// A value for a legend: 3 significant digits.
std::string formatValue(double v) {
  return formatTick(v, std::isfinite(v) && v != 0
                           ? scaledPower(1, decimalExponent(v) - 2)
                           : 0);
}

struct Range {
  double lo, hi;
};

/// The automatic view of data spanning [lo, hi] (lo > hi: no data): padded
/// by `pad` of the span on each side, a zero span widened.
Range autoRange(double lo, double hi, double pad) {
  if (!(lo <= hi))
    return {0, 1};
  // Halves first: hi - lo overflows for data near +-1.8e308.
  double mid = lo / 2 + hi / 2, half = hi / 2 - lo / 2;
  half = half > 0 ? half * (1 + 2 * pad) : std::max(std::fabs(mid) / 10, 0.5);
  // Narrower than this, neighbouring ticks and pixels are not distinct
  // doubles; wider, xMax - xMin overflows.
  half = std::clamp(half, std::fabs(mid) * 1e-9, 4e307);
  return {mid - half, mid + half};
}

/// The view of an axis: the finite bounds the chart sets, the automatic
/// view (from data lo..hi) for the others.
Range resolveRange(double dataLo, double dataHi, double setMin, double setMax,
                   double pad) {
  Range view = autoRange(dataLo, dataHi, pad);
  if (std::isfinite(setMin))
    view.lo = setMin;
  if (std::isfinite(setMax))
    view.hi = setMax;
  if (view.lo > view.hi)
    std::swap(view.lo, view.hi);
  if (view.lo == view.hi)
    view = autoRange(view.lo, view.hi, 0);
  return view;
}

/// The log view (in decades) of positive data spanning [lo, hi].
Range autoLogRange(double lo, double hi, double setMin, double setMax,
                   double pad) {
  Range view{-1, 1};
  if (lo <= hi) {
    double a = std::log10(lo), b = std::log10(hi);
    double half = b > a ? (b - a) / 2 * (1 + 2 * pad) : 0.5;
    view = {(a + b) / 2 - half, (a + b) / 2 + half};
  }
  if (setMin > 0 && std::isfinite(setMin))
    view.lo = std::log10(setMin);
  if (setMax > 0 && std::isfinite(setMax))
    view.hi = std::log10(setMax);
  if (view.lo > view.hi)
    std::swap(view.lo, view.hi);
  if (view.lo == view.hi)
    view = {view.lo - 0.5, view.hi + 0.5};
  return view;
}

/// The ticks of one axis and the step their labels are formatted with (0
/// where they are not evenly spaced: decades).
struct Ticks {
  std::vector<double> major, minor;
  double step = 0;
};

std::string tickLabel(const Ticks &ticks, double value) {
  return formatTick(value, ticks.step);
}

int64_t widestLabel(const Ticks &ticks) {
  int64_t widest = 0;
  for (double t : ticks.major)
    widest = std::max(widest, textWidth(tickLabel(ticks, t), 1));
  return widest;
}

/// The blank columns kept between neighbouring x tick labels.
constexpr int64_t kTickLabelSpace = 12;

/// Linear ticks on [lo, hi] drawn over `pixels` pixels: as many as leave
/// `labelRoom(ticks)` and kTickLabelSpace between neighbours, with a tick
/// every `minPixels` pixels at most.
template <typename F>
Ticks linearTicks(double lo, double hi, int64_t pixels, int64_t minPixels,
                  bool integersOnly, F labelRoom) {
  Ticks ticks;
  for (int n = int(std::max<int64_t>(2, pixels / minPixels)); n >= 2; --n) {
    ticks.major = niceTicks(lo, hi, n);
    ticks.step = ticks.major.size() >= 2 ? ticks.major[1] - ticks.major[0] : 0;
    if (integersOnly) {
      // The 1, 2, 5 steps below 1 all hit every integer.
      ticks.major.erase(
          std::remove_if(ticks.major.begin(), ticks.major.end(),
                         [](double t) { return t != std::round(t); }),
          ticks.major.end());
      ticks.step = std::max(ticks.step, 1.0);
    }
    double spacing = ticks.step / (hi - lo) * double(pixels);
    if (ticks.major.size() < 2 ||
        double(labelRoom(ticks) + kTickLabelSpace) <= spacing)
      break;
  }
  return ticks;
}

/// Ticks of a log axis whose view is [lo, hi] decades: labelled decades
/// (every k-th when more than `maxTicks`) and unlabelled 2..9 x 10^k
/// between them; within one decade, linear ticks.
Ticks logTicks(double lo, double hi, int maxTicks) {
  Ticks ticks;
  int first = int(std::ceil(lo - 1e-9)), last = int(std::floor(hi + 1e-9));
  if (last < first) {
    double a = std::pow(10.0, lo), b = std::pow(10.0, hi);
    ticks.major = niceTicks(a, b, maxTicks);
    ticks.step = ticks.major.size() >= 2 ? ticks.major[1] - ticks.major[0] : 0;
    return ticks;
  }
  int stride = std::max(1, (last - first + maxTicks) / maxTicks);
  for (int k = first; k <= last; ++k)
    if (k % stride == 0)
      ticks.major.push_back(scaledPower(1, k));
  if (stride == 1)
    for (int k = int(std::floor(lo)); k <= last; ++k)
      for (int m = 2; m <= 9; ++m) {
        double v = scaledPower(m, k), d = std::log10(v);
        if (d >= lo && d <= hi)
          ticks.minor.push_back(v);
      }
  return ticks;
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

// Layout, in pixels.
constexpr int64_t kPad = 10;       // image edge to anything
constexpr int64_t kTickLength = 4; // outside the frame
constexpr int64_t kTickGap = 3;    // tick to its label
constexpr int64_t kLabelGap = 6;   // tick labels to the axis label
constexpr int kTitleScale = 2;

/// Draws the title centred on the image's top band; returns the first row
/// below the band. A title too wide for the image is drawn at scale 1.
int64_t drawTitle(Image &img, const std::string &title) {
  if (title.empty())
    return 0;
  int scale =
      textWidth(title, kTitleScale) <= img.width - 2 * kPad ? kTitleScale : 1;
  drawText(img, (img.width - textWidth(title, scale)) / 2, kPad, title, kInk,
           scale);
  return kPad + textHeight(kTitleScale) + 4;
}

/// What a panel draws besides its data.
struct PanelSpec {
  std::string xLabel, yLabel;
  Range x, y; // y in decades when logY
  bool logY = false, integerX = false, equalAspect = false;
};

struct Panel {
  PlotFrame frame;
  Ticks x, y;
};

/// Widens the view of one axis so that a data unit spans as many pixels on
/// both.
void equaliseAspect(Range &x, Range &y, const PixelRect &area) {
  double w = double(area.right - area.left), h = double(area.bottom - area.top);
  double unit = std::max((x.hi - x.lo) / w, (y.hi - y.lo) / h);
  double cx = x.lo / 2 + x.hi / 2, cy = y.lo / 2 + y.hi / 2;
  x = {cx - unit * w / 2, cx + unit * w / 2};
  y = {cy - unit * h / 2, cy + unit * h / 2};
}

/// Places a panel's plot area in `region` (its share of the image, below
/// any title) with room for the tick labels, which depend on the view,
/// which (with equalAspect) depends on the area: a few rounds settle it.
Panel layoutPanel(const PixelRect &region, const PanelSpec &spec) {
  Panel panel;
  int64_t yLabelRoom = 0, rightRoom = kPad;
  for (int round = 0; round < 4; ++round) {
    PixelRect &a = panel.frame.area;
    a.left = region.left + kPad +
             (spec.yLabel.empty() ? 0 : textHeight(1) + kLabelGap) +
             yLabelRoom + kTickGap + kTickLength + 1;
    a.right = region.right - rightRoom - 1;
    // Room for the upper half of the top y tick's label.
    a.top = region.top + textHeight(1) / 2 + 1;
    a.bottom = region.bottom - kPad -
               (spec.xLabel.empty() ? 0 : textHeight(1) + kLabelGap) -
               textHeight(1) - kTickGap - kTickLength - 1;
    // An image too small for the margins still gets an area to draw in.
    a.right = std::max(a.right, a.left + 8);
    a.bottom = std::max(a.bottom, a.top + 8);

    Range x = spec.x, y = spec.y;
    if (spec.equalAspect && !spec.logY)
      equaliseAspect(x, y, a);
    panel.frame.xMin = x.lo;
    panel.frame.xMax = x.hi;
    panel.frame.logY = spec.logY;
    panel.frame.yMin = spec.logY ? std::pow(10.0, y.lo) : y.lo;
    panel.frame.yMax = spec.logY ? std::pow(10.0, y.hi) : y.hi;

    int64_t height = a.bottom - a.top;
    panel.x = linearTicks(x.lo, x.hi, a.right - a.left, 80, spec.integerX,
                          [](const Ticks &t) { return widestLabel(t); });
    int maxYTicks = int(std::max<int64_t>(2, height / 40));
    panel.y = spec.logY ? logTicks(y.lo, y.hi, maxYTicks)
                        : linearTicks(y.lo, y.hi, height, 40, false,
                                      [](const Ticks &) { return 9; });

    int64_t needLeft = widestLabel(panel.y);
    int64_t needRight = std::max(kPad, (widestLabel(panel.x) + 1) / 2 + 2);
    if (needLeft <= yLabelRoom && needRight <= rightRoom)
      break;
    yLabelRoom = std::max(yLabelRoom, needLeft);
    rightRoom = std::max(rightRoom, needRight);
  }
  return panel;
}

void drawGrid(Image &img, const Panel &panel) {
  const PlotFrame &f = panel.frame;
  const PixelRect &a = f.area;
  for (double t : panel.x.major) {
    int64_t x = f.px(t);
    if (x >= a.left && x <= a.right)
      fillRect(img, x, a.top, x, a.bottom, kGrid);
  }
  for (double t : panel.y.major) {
    int64_t y = f.py(t);
    if (y >= a.top && y <= a.bottom)
      fillRect(img, a.left, y, a.right, y, kGrid);
  }
}

/// The frame, ticks, tick labels and axis labels around a panel.
void drawAxes(Image &img, const Panel &panel, const PixelRect &region,
              const PanelSpec &spec) {
  const PlotFrame &f = panel.frame;
  const PixelRect &a = f.area;
  strokeRect(img, {a.left - 1, a.top - 1, a.right + 1, a.bottom + 1}, kFrame);

  int64_t labelTop = a.bottom + 1 + kTickLength + kTickGap + 1;
  for (double t : panel.x.major) {
    int64_t x = f.px(t);
    if (x < a.left || x > a.right)
      continue;
    fillRect(img, x, a.bottom + 2, x, a.bottom + 1 + kTickLength, kFrame);
    std::string label = tickLabel(panel.x, t);
    int64_t w = textWidth(label, 1);
    // Kept on the image, unless wider than it.
    drawText(img, std::max<int64_t>(0, std::min(x - w / 2, img.width - w)),
             labelTop, label, kInk, 1);
  }
  int64_t labelRight = a.left - 1 - kTickLength - kTickGap;
  for (double t : panel.y.major) {
    int64_t y = f.py(t);
    if (y < a.top || y > a.bottom)
      continue;
    fillRect(img, a.left - 1 - kTickLength, y, a.left - 2, y, kFrame);
    std::string label = tickLabel(panel.y, t);
    // Centred on the capitals' middle row.
    drawText(img, labelRight - textWidth(label, 1), y - 3, label, kInk, 1);
  }
  for (double t : panel.y.minor) {
    int64_t y = f.py(t);
    if (y >= a.top && y <= a.bottom)
      fillRect(img, a.left - 3, y, a.left - 2, y, kFrame);
  }

  if (!spec.xLabel.empty())
    drawText(img, (a.left + a.right + 1 - textWidth(spec.xLabel, 1)) / 2,
             labelTop + textHeight(1) + kLabelGap, spec.xLabel, kInk, 1);
  if (!spec.yLabel.empty())
    drawTextUp(img, region.left + kPad,
               (a.top + a.bottom + 1 - textWidth(spec.yLabel, 1)) / 2,
               spec.yLabel, kInk, 1);
}

//===----------------------------------------------------------------------===//
// Legends
//===----------------------------------------------------------------------===//

struct LegendEntry {
  std::string text;
  RGB colour;
};

constexpr int64_t kLegendPad = 6, kSwatch = 9, kLegendRow = 14,
                  kLegendInset = 6;

/// Draws the legend in the corner of the plot area that covers the fewest
/// of `marks` (pixels data was drawn at; ties go to top-right, top-left,
/// bottom-right, bottom-left), on a white box so that it stays legible
/// over data. Returns the box (empty without entries).
PixelRect drawLegend(Image &img, const PixelRect &area,
                     const std::vector<LegendEntry> &entries,
                     const std::vector<std::pair<int64_t, int64_t>> &marks) {
  if (entries.empty())
    return {};
  int64_t textRoom = 0;
  for (const LegendEntry &e : entries)
    textRoom = std::max(textRoom, textWidth(e.text, 1));
  int64_t w = kLegendPad + kSwatch + 5 + textRoom + kLegendPad;
  int64_t h = 2 * kLegendPad + int64_t(entries.size()) * kLegendRow -
              (kLegendRow - kSwatch);
  int64_t leftX = area.left + kLegendInset,
          rightX = area.right - kLegendInset - w + 1;
  int64_t topY = area.top + kLegendInset,
          bottomY = area.bottom - kLegendInset - h + 1;
  const std::pair<int64_t, int64_t> corners[] = {
      {rightX, topY}, {leftX, topY}, {rightX, bottomY}, {leftX, bottomY}};
  PixelRect best;
  size_t bestCovered = SIZE_MAX;
  for (auto [x, y] : corners) {
    PixelRect box{x, y, x + w - 1, y + h - 1};
    size_t covered = 0;
    for (auto [mx, my] : marks)
      covered += mx >= box.left - 2 && mx <= box.right + 2 &&
                 my >= box.top - 2 && my <= box.bottom + 2;
    if (covered < bestCovered) {
      bestCovered = covered;
      best = box;
    }
  }
  fillRect(img, best.left, best.top, best.right, best.bottom, kWhite);
  strokeRect(img, best, kLegendBorder);
  for (size_t i = 0; i < entries.size(); ++i) {
    int64_t x = best.left + kLegendPad,
            y = best.top + kLegendPad + int64_t(i) * kLegendRow;
    fillRect(img, x, y, x + kSwatch - 1, y + kSwatch - 1, entries[i].colour);
    drawText(img, x + kSwatch + 5, y + 1, entries[i].text, kInk, 1);
  }
  return best;
}

//===----------------------------------------------------------------------===//
// Line panels
//===----------------------------------------------------------------------===//

/// Draws a line chart without its title into `region`; returns its frame
/// and (in `legend`) its legend's box.
PlotFrame drawLinePanel(Image &img, const PixelRect &region,
                        const LineChart &chart, PixelRect &legend) {
  auto drawable = [&](const LineSeries &s, size_t i) {
    return std::isfinite(s.x[i]) && std::isfinite(s.y[i]) &&
           (!chart.logY || s.y[i] > 0);
  };
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (const LineSeries &s : chart.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (drawable(s, i)) {
        lo[0] = std::min(lo[0], s.x[i]);
        hi[0] = std::max(hi[0], s.x[i]);
        lo[1] = std::min(lo[1], s.y[i]);
        hi[1] = std::max(hi[1], s.y[i]);
      }

  PanelSpec spec;
  spec.xLabel = chart.xLabel;
  spec.yLabel = chart.yLabel;
  spec.logY = chart.logY;
  spec.integerX = chart.integerX;
  spec.x = resolveRange(lo[0], hi[0], chart.xMin, chart.xMax, 0.02);
  if (chart.logY) {
    spec.y = autoLogRange(lo[1], hi[1], chart.yMin, chart.yMax, 0.05);
  } else {
    bool fromZero = chart.yFromZero && !std::isfinite(chart.yMin) &&
                    lo[1] <= hi[1] && lo[1] >= 0;
    spec.y =
        resolveRange(fromZero ? 0 : lo[1], hi[1], chart.yMin, chart.yMax, 0.05);
    if (fromZero)
      spec.y.lo = 0;
  }
  Panel panel = layoutPanel(region, spec);
  const PlotFrame &f = panel.frame;
  drawGrid(img, panel);

  std::vector<std::pair<int64_t, int64_t>> marks;
  std::vector<LegendEntry> entries;
  for (const LineSeries &s : chart.series) {
    size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!drawable(s, i))
        continue;
      double x = f.fx(s.x[i]), y = f.fy(s.y[i]);
      bool before = i > 0 && drawable(s, i - 1);
      bool after = i + 1 < n && drawable(s, i + 1);
      if (before) {
        double x0 = f.fx(s.x[i - 1]), y0 = f.fy(s.y[i - 1]);
        drawSegment(img, x0, y0, x, y, s.colour, f.area);
        // Samples along the segment tell the legend where the line runs.
        double length = std::hypot(x - x0, y - y0);
        int64_t samples = std::min<int64_t>(int64_t(length / 8), 1000);
        for (int64_t k = 1; k < samples; ++k) {
          double t = double(k) / double(samples);
          marks.emplace_back(std::llround(x0 + t * (x - x0)),
                             std::llround(y0 + t * (y - y0)));
        }
      } else if (!after) {
        drawDisc(img, std::llround(x), std::llround(y), 1, s.colour, f.area);
      }
      marks.emplace_back(std::llround(x), std::llround(y));
    }
    if (!s.label.empty())
      entries.push_back({s.label, s.colour});
  }
  drawAxes(img, panel, region, spec);
  legend = drawLegend(img, f.area, entries, marks);
  return f;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

RGB gantk::paletteColour(size_t index) {
  // Okabe and Ito's colour-blind-safe set, darkest first.
  static const RGB kPalette[] = {{0, 114, 178},   {213, 94, 0},   {0, 158, 115},
                                 {204, 121, 167}, {86, 180, 233}, {230, 159, 0},
                                 {120, 120, 120}, {240, 228, 66}};
  return kPalette[index % 8];
}

int64_t gantk::textWidth(const std::string &text, int scale) {
  int64_t count = 0;
  forEachCharacter(text, [&](unsigned char) { ++count; });
  return count == 0 ? 0 : (count * kAdvance - 1) * std::max(scale, 1);
}

int64_t gantk::textHeight(int scale) {
  return int64_t(kGlyphRows) * std::max(scale, 1);
}

void gantk::drawText(Image &img, int64_t x, int64_t y, const std::string &text,
                     RGB colour, int scale) {
  scale = std::max(scale, 1);
  forEachCharacter(text, [&](unsigned char c) {
    forEachGlyphPixel(c, [&](int r, int col) {
      int64_t left = x + int64_t(col) * scale, top = y + int64_t(r) * scale;
      fillRect(img, left, top, left + scale - 1, top + scale - 1, colour);
    });
    x += kAdvance * scale;
  });
}

std::vector<double> gantk::niceTicks(double lo, double hi, int maxTicks) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return {};
  if (lo > hi)
    std::swap(lo, hi);
  double half = hi / 2 - lo / 2;
  // Steps this small relative to the values give no distinct doubles.
  if (!(half > std::max(std::fabs(lo), std::fabs(hi)) * 1e-13))
    return {lo / 2 + hi / 2};
  maxTicks = std::max(maxTicks, 2);
  // The step exceeds (hi - lo) / (maxTicks + 1): start a decade below that.
  int e = int(std::floor(std::log10(2 * half / (maxTicks + 1)))) - 1;
  for (;; ++e)
    for (int m : kMantissas) {
      double step = scaledPower(m, e);
      // A millionth of a step of slack: lo / step rounds.
      double first = std::ceil(lo / step - 1e-6),
             last = std::floor(hi / step + 1e-6);
      if (last - first + 1 > maxTicks)
        continue;
      std::vector<double> ticks;
      for (double k = first; k <= last; ++k)
        ticks.push_back(scaledPower(k * m, e));
      return ticks;
    }
}

std::string gantk::formatTick(double value, double step) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  bool stepKnown = step > 0 && std::isfinite(step);
  // k x step round-off near zero (5.55e-17 for 3 x 0.1 - 0.3) is zero.
  if (stepKnown && std::fabs(value) < step * 1e-6)
    value = 0;
  if (value == 0)
    return "0";
  int e = decimalExponent(value);
  // Significant digits after the first: as many as the step needs.
  int digits = stepKnown ? std::clamp(e - decimalExponent(step), 0, 16) : 5;
  char buffer[64];
  bool scientific = e >= 6 || e <= -5;
  if (scientific)
    std::snprintf(buffer, sizeof(buffer), "%.*e", digits, value);
  else
    std::snprintf(buffer, sizeof(buffer), "%.*f", std::max(0, digits - e),
                  value);
  std::string text = buffer;
  // Drop trailing zeros of the fraction (of the mantissa in e-notation).
  size_t exponentAt = scientific ? text.find('e') : text.size();
  std::string fraction = text.substr(0, exponentAt),
              exponent = text.substr(exponentAt);
  if (fraction.find('.') != std::string::npos) {
    fraction.erase(fraction.find_last_not_of('0') + 1);
    if (fraction.back() == '.')
      fraction.pop_back();
  }
  // A fraction keeps the leading digit (decimals >= -e), so no label
  // rounds to "-0".
  return fraction + exponent;
}

double PlotFrame::fx(double x) const {
  double v = double(area.left) +
             (x - xMin) / (xMax - xMin) * double(area.right - area.left);
  return std::isnan(v) ? -1e9 : std::clamp(v, -1e9, 1e9);
}

double PlotFrame::fy(double y) const {
  double t = logY ? (y > 0 ? (std::log10(y) - std::log10(yMin)) /
                                 (std::log10(yMax) - std::log10(yMin))
                           : -1e30)
                  : (y - yMin) / (yMax - yMin);
  double v = double(area.bottom) - t * double(area.bottom - area.top);
  return std::isnan(v) ? -1e9 : std::clamp(v, -1e9, 1e9);
}

Chart gantk::renderScatterChart(const ScatterChart &chart) {
  Chart out;
  out.image = blankImage(std::max<int64_t>(chart.width, 64),
                         std::max<int64_t>(chart.height, 64), 3);
  Image &img = out.image;
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (const ScatterSeries &s : chart.series)
    for (size_t i = 0; i + 1 < s.xy.size(); i += 2)
      if (std::isfinite(s.xy[i]) && std::isfinite(s.xy[i + 1]))
        for (int a = 0; a < 2; ++a) {
          lo[a] = std::min(lo[a], s.xy[i + a]);
          hi[a] = std::max(hi[a], s.xy[i + a]);
        }

  PanelSpec spec;
  spec.xLabel = chart.xLabel;
  spec.yLabel = chart.yLabel;
  spec.x = resolveRange(lo[0], hi[0], chart.xMin, chart.xMax, 0.05);
  spec.y = resolveRange(lo[1], hi[1], chart.yMin, chart.yMax, 0.05);
  spec.equalAspect = chart.equalAspect && std::isnan(chart.xMin) &&
                     std::isnan(chart.xMax) && std::isnan(chart.yMin) &&
                     std::isnan(chart.yMax);
  int64_t top = drawTitle(img, chart.title);
  PixelRect region{0, top, img.width - 1, img.height - 1};
  Panel panel = layoutPanel(region, spec);
  const PlotFrame &f = panel.frame;
  drawGrid(img, panel);

  std::vector<std::pair<int64_t, int64_t>> marks;
  std::vector<LegendEntry> entries;
  for (const ScatterSeries &s : chart.series) {
    int64_t radius = std::clamp(s.radius, 0, 64), skipped = 0;
    for (size_t i = 0; i + 1 < s.xy.size(); i += 2) {
      double x = s.xy[i], y = s.xy[i + 1];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        ++skipped;
        continue;
      }
      if (x < f.xMin || x > f.xMax || y < f.yMin || y > f.yMax)
        continue;
      drawDisc(img, f.px(x), f.py(y), radius, s.colour, f.area);
      marks.emplace_back(f.px(x), f.py(y));
    }
    if (s.label.empty())
      continue;
    entries.push_back({s.label, s.colour});
    if (skipped)
      entries.back().text += ", " + std::to_string(skipped) + " non-finite";
  }
  drawAxes(img, panel, region, spec);
  out.legends.push_back(drawLegend(img, f.area, entries, marks));
  out.frames.push_back(f);
  return out;
}

Image gantk::scatterChart(const ScatterChart &chart) {
  return renderScatterChart(chart).image;
}

Chart gantk::renderLineChart(const LineChart &chart) {
  Chart out;
  out.image = blankImage(std::max<int64_t>(chart.width, 64),
                         std::max<int64_t>(chart.height, 64), 3);
  int64_t top = drawTitle(out.image, chart.title);
  PixelRect region{0, top, out.image.width - 1, out.image.height - 1};
  out.legends.emplace_back();
  out.frames.push_back(
      drawLinePanel(out.image, region, chart, out.legends.back()));
  return out;
}

Image gantk::lineChart(const LineChart &chart) {
  return renderLineChart(chart).image;
}

Chart gantk::renderLossCurve(const std::vector<double> &losses,
                             const std::vector<double> &secondsPerStep,
                             const std::string &title) {
  constexpr int64_t kWidth = 640;
  bool timed = !secondsPerStep.empty();
  Chart out;
  out.image = blankImage(kWidth, timed ? 640 : 400, 3);
  int64_t top = drawTitle(out.image, title);

  auto series = [](const std::vector<double> &values, const char *name,
                   const char *unit, RGB colour) {
    LineSeries s;
    s.colour = colour;
    double last = NAN, sum = 0;
    size_t finite = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      s.x.push_back(double(i + 1));
      s.y.push_back(values[i]);
      if (std::isfinite(values[i])) {
        last = values[i];
        sum += values[i];
        ++finite;
      }
    }
    s.label = name;
    if (finite && unit)
      s.label += ", mean " + formatValue(sum / double(finite)) + " " + unit;
    else if (finite)
      s.label += ", last " + formatValue(last);
    return s;
  };

  LineChart loss;
  loss.xLabel = "step";
  loss.yLabel = "loss";
  loss.integerX = true;
  loss.series.push_back(series(losses, "loss", nullptr, paletteColour(0)));
  double lo = INFINITY, hi = -INFINITY;
  for (double v : losses)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  loss.logY = lo > 0 && hi / lo > 100;

  int64_t split =
      timed ? top + (out.image.height - top) * 3 / 5 : out.image.height;
  out.legends.emplace_back();
  out.frames.push_back(drawLinePanel(out.image, {0, top, kWidth - 1, split - 1},
                                     loss, out.legends.back()));
  if (timed) {
    LineChart time;
    time.xLabel = "step";
    time.yLabel = "s / step";
    time.integerX = true;
    time.yFromZero = true;
    time.series.push_back(
        series(secondsPerStep, "time", "s/step", paletteColour(1)));
    out.legends.emplace_back();
    out.frames.push_back(
        drawLinePanel(out.image, {0, split, kWidth - 1, out.image.height - 1},
                      time, out.legends.back()));
  }
  return out;
}

Image gantk::lossCurve(const std::vector<double> &losses,
                       const std::vector<double> &secondsPerStep,
                       const std::string &title) {
  return renderLossCurve(losses, secondsPerStep, title).image;
}

GridLayout gantk::titledImageGridLayout(int64_t count, int64_t h, int64_t w,
                                        const std::string &title) {
  constexpr int64_t kMinGridWidth = 256;
  GridLayout g;
  g.columns =
      std::max<int64_t>(1, int64_t(std::ceil(std::sqrt(double(count)))));
  g.rows = std::max<int64_t>(1, (count + g.columns - 1) / g.columns);
  int64_t cellsWide = g.columns * std::max<int64_t>(w, 1),
          need = kMinGridWidth - (g.columns - 1);
  g.scale = need > cellsWide ? (need + cellsWide - 1) / cellsWide : 1;
  int64_t gridWidth = g.columns * w * g.scale + g.columns - 1;
  int64_t gridHeight = g.rows * h * g.scale + g.rows - 1;
  int64_t titleWidth =
      title.empty() ? 0 : textWidth(title, kTitleScale) + 2 * kPad;
  g.width = std::max(gridWidth, titleWidth);
  g.left = (g.width - gridWidth) / 2;
  g.top = title.empty() ? 0 : kPad + textHeight(kTitleScale) + 4;
  g.height = g.top + gridHeight;
  return g;
}

Image gantk::titledImageGrid(const double *images, int64_t count, int64_t h,
                             int64_t w, int64_t c, const std::string &title) {
  if (h <= 0 || w <= 0 || (c != 1 && c != 3) || count < 0)
    return {};
  GridLayout g = titledImageGridLayout(count, h, w, title);
  Image img = blankImage(g.width, g.height, c);
  drawTitle(img, title);
  for (int64_t k = 0; k < count; ++k) {
    int64_t x0 = g.left + (k % g.columns) * (w * g.scale + 1),
            y0 = g.top + (k / g.columns) * (h * g.scale + 1);
    const double *src = images + k * h * w * c;
    for (int64_t y = 0; y < h * g.scale; ++y)
      for (int64_t x = 0; x < w * g.scale; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          double v = src[((y / g.scale) * w + x / g.scale) * c + ch];
          v = std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0;
          img.pixels[size_t(((y0 + y) * img.width + x0 + x) * c + ch)] =
              uint8_t(std::lround(v * 255));
        }
  }
  return img;
}
