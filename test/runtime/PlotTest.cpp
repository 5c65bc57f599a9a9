//===- PlotTest.cpp - Charts, ticks, the font and image grids -------------===//
//
// Pixel positions are checked against the mapping PlotFrame documents,
// worked out here from the frame's rectangle and data bounds; glyphs and
// grid cells against hand-drawn expectations.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Plot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

using namespace gantk;

namespace {

constexpr RGB kWhite{255, 255, 255}, kBlack{0, 0, 0}, kRed{220, 20, 20},
    kGreen{10, 190, 60}, kBlue{20, 40, 230};

Image blank(int64_t width, int64_t height, int64_t channels = 3) {
  return Image{width, height, channels,
               std::vector<uint8_t>(size_t(width * height * channels), 255)};
}

RGB pixel(const Image &img, int64_t x, int64_t y) {
  const uint8_t *p = &img.pixels[size_t((y * img.width + x) * img.channels)];
  return img.channels == 3 ? RGB{p[0], p[1], p[2]} : RGB{p[0], p[0], p[0]};
}

/// The bounding box and count of the pixels that are not white.
struct Inked {
  int64_t left = INT64_MAX, top = INT64_MAX, right = -1, bottom = -1;
  int64_t count = 0;
};

Inked inked(const Image &img, int64_t rowsFrom = 0,
            int64_t rowsTo = INT64_MAX) {
  Inked box;
  for (int64_t y = rowsFrom; y < std::min(rowsTo, img.height); ++y)
    for (int64_t x = 0; x < img.width; ++x)
      if (pixel(img, x, y) != kWhite) {
        box.left = std::min(box.left, x);
        box.right = std::max(box.right, x);
        box.top = std::min(box.top, y);
        box.bottom = std::max(box.bottom, y);
        ++box.count;
      }
  return box;
}

int64_t countColour(const Image &img, RGB colour) {
  int64_t n = 0;
  for (int64_t y = 0; y < img.height; ++y)
    for (int64_t x = 0; x < img.width; ++x)
      n += pixel(img, x, y) == colour;
  return n;
}

/// PlotFrame's documented mapping, worked out independently of px/py.
int64_t expectedColumn(const PlotFrame &f, double x) {
  return std::llround(double(f.area.left) +
                      (x - f.xMin) / (f.xMax - f.xMin) *
                          double(f.area.right - f.area.left));
}

int64_t expectedRow(const PlotFrame &f, double y) {
  double t = f.logY ? (std::log10(y) - std::log10(f.yMin)) /
                          (std::log10(f.yMax) - std::log10(f.yMin))
                    : (y - f.yMin) / (f.yMax - f.yMin);
  return std::llround(double(f.area.bottom) -
                      t * double(f.area.bottom - f.area.top));
}

/// A glyph as drawn at scale 1 on a white 5 x 9 image, '#' for ink.
std::vector<std::string> render(const std::string &text) {
  Image img = blank(5, 9);
  drawText(img, 0, 0, text, kBlack, 1);
  std::vector<std::string> rows;
  for (int64_t y = 0; y < 9; ++y) {
    std::string row;
    for (int64_t x = 0; x < 5; ++x)
      row += pixel(img, x, y) == kBlack ? '#' : '.';
    rows.push_back(row);
  }
  return rows;
}

std::string joined(const std::vector<double> &ticks, double step) {
  std::string out;
  for (double t : ticks)
    out += (out.empty() ? "" : " ") + formatTick(t, step);
  return out;
}

//===----------------------------------------------------------------------===//
// Ticks
//===----------------------------------------------------------------------===//

TEST(PlotTicks, UnitAndSymmetricRanges) {
  EXPECT_EQ(joined(niceTicks(0, 1, 6), 0.2), "0 0.2 0.4 0.6 0.8 1");
  std::vector<double> tenths = niceTicks(0, 1, 11);
  ASSERT_EQ(tenths.size(), 11u);
  for (size_t i = 0; i < tenths.size(); ++i)
    EXPECT_NEAR(tenths[i], double(i) / 10, 1e-15);
  // Step 0.2 would give 6 ticks.
  EXPECT_EQ(joined(niceTicks(0, 1, 5), 0.5), "0 0.5 1");
  EXPECT_EQ(joined(niceTicks(-2.05, 2.05, 5), 1), "-2 -1 0 1 2");
  // Swapped bounds are the same range.
  EXPECT_EQ(niceTicks(2.05, -2.05, 5), niceTicks(-2.05, 2.05, 5));
  // All negative: step 0.5 would give 10 ticks in [-7.3, -2.1].
  EXPECT_EQ(joined(niceTicks(-7.3, -2.1, 6), 1), "-7 -6 -5 -4 -3");
}

TEST(PlotTicks, TinyHugeAndZeroWidthRanges) {
  // A 1e-7 span: step 2e-8 would give 6 ticks.
  std::vector<double> tiny = niceTicks(1, 1 + 1e-7, 5);
  ASSERT_EQ(tiny.size(), 3u);
  EXPECT_NEAR(tiny[0], 1, 1e-15);
  EXPECT_NEAR(tiny[1], 1 + 5e-8, 1e-15);
  EXPECT_NEAR(tiny[2], 1 + 1e-7, 1e-15);
  EXPECT_EQ(joined(tiny, 5e-8), "1 1.00000005 1.0000001");
  EXPECT_EQ(joined(niceTicks(0, 3e-7, 4), 1e-7), "0 1e-07 2e-07 3e-07");

  EXPECT_EQ(joined(niceTicks(0, 3e6, 7), 5e5),
            "0 500000 1e+06 1.5e+06 2e+06 2.5e+06 3e+06");
  std::vector<double> huge = niceTicks(-1e300, 1e300, 3);
  ASSERT_EQ(huge.size(), 3u);
  EXPECT_DOUBLE_EQ(huge[0], -1e300);
  EXPECT_EQ(huge[1], 0);

  EXPECT_EQ(niceTicks(3, 3, 5), std::vector<double>{3});
  EXPECT_EQ(niceTicks(0, 0, 5), std::vector<double>{0});
  EXPECT_TRUE(niceTicks(NAN, 1, 5).empty());
  EXPECT_TRUE(niceTicks(0, INFINITY, 5).empty());
}

TEST(PlotTicks, SmallestNiceStepThatFits) {
  // The steps 1, 2, 5 x 10^k in order; the chosen one fits maxTicks and the
  // one before it does not.
  auto count = [](double lo, double hi, double step) {
    return std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1;
  };
  const double ranges[][2] = {{0, 1},      {-3.7, 12.2}, {0.013, 0.0171},
                              {-1e5, -10}, {7, 7.5},     {-0.6, 0.6},
                              {123, 4567}, {1e-3, 9e-3}};
  for (auto [lo, hi] : ranges)
    for (int maxTicks : {2, 3, 5, 8, 12}) {
      SCOPED_TRACE(std::to_string(lo) + ".." + std::to_string(hi) + " max " +
                   std::to_string(maxTicks));
      std::vector<double> ticks = niceTicks(lo, hi, maxTicks);
      ASSERT_GE(ticks.size(), 1u);
      ASSERT_LE(ticks.size(), size_t(maxTicks));
      double slack = (hi - lo) * 1e-9;
      EXPECT_GE(ticks.front(), lo - slack);
      EXPECT_LE(ticks.back(), hi + slack);
      if (ticks.size() < 2)
        continue;
      double step = ticks[1] - ticks[0];
      for (size_t i = 1; i < ticks.size(); ++i)
        EXPECT_NEAR(ticks[i] - ticks[i - 1], step, step * 1e-9);
      double decade = std::pow(10, std::floor(std::log10(step) + 1e-9));
      double mantissa = std::round(step / decade);
      ASSERT_TRUE(mantissa == 1 || mantissa == 2 || mantissa == 5) << step;
      double smaller = mantissa == 1   ? decade / 2
                       : mantissa == 2 ? decade
                                       : 2 * decade;
      EXPECT_GT(count(lo, hi, smaller), maxTicks);
    }
}

TEST(PlotTicks, FormatTick) {
  EXPECT_EQ(formatTick(0.2, 0.2), "0.2");
  EXPECT_EQ(formatTick(-2, 1), "-2");
  EXPECT_EQ(formatTick(0.25, 0.05), "0.25");
  EXPECT_EQ(formatTick(100, 20), "100");
  EXPECT_EQ(formatTick(-0.5, 0.5), "-0.5");
  // Never "-0": negative zero, and round-off left by k x step.
  EXPECT_EQ(formatTick(-0.0, 1), "0");
  EXPECT_EQ(formatTick(3 * 0.1 - 0.3, 0.1), "0");
  EXPECT_EQ(formatTick(-1e-20, 0), "-1e-20");
  EXPECT_EQ(formatTick(0.6000000000000001, 0.2), "0.6");
  // e-notation for large and small magnitudes.
  EXPECT_EQ(formatTick(1e-5, 1e-5), "1e-05");
  EXPECT_EQ(formatTick(2.5e6, 5e5), "2.5e+06");
  EXPECT_EQ(formatTick(-3e6, 1e6), "-3e+06");
  EXPECT_EQ(formatTick(500000, 1e5), "500000");
  EXPECT_EQ(formatTick(0.0001, 0.0001), "0.0001");
  // Without a step: 6 significant digits, trailing zeros dropped.
  EXPECT_EQ(formatTick(0.001), "0.001");
  EXPECT_EQ(formatTick(1234567), "1.23457e+06");
  EXPECT_EQ(formatTick(1.5), "1.5");
  EXPECT_EQ(formatTick(NAN), "nan");
  EXPECT_EQ(formatTick(-INFINITY), "-inf");
}

//===----------------------------------------------------------------------===//
// The font
//===----------------------------------------------------------------------===//

TEST(PlotFont, HandDrawnGlyphs) {
  EXPECT_EQ(render("H"), (std::vector<std::string>{"#...#", "#...#", "#...#",
                                                   "#####", "#...#", "#...#",
                                                   "#...#", ".....", "....."}));
  EXPECT_EQ(render("g"), (std::vector<std::string>{".....", ".....", ".####",
                                                   "#...#", "#...#", "#...#",
                                                   ".####", "....#", ".###."}));
  // Scale 2: each pixel of '.' (rows 5-6, columns 1-2) is a 2 x 2 block.
  Image img = blank(20, 20);
  drawText(img, 3, 1, ".", kBlack, 2);
  Inked box = inked(img);
  EXPECT_EQ(box.count, 16);
  EXPECT_EQ(box.left, 3 + 2);
  EXPECT_EQ(box.right, 3 + 5);
  EXPECT_EQ(box.top, 1 + 10);
  EXPECT_EQ(box.bottom, 1 + 13);
}

TEST(PlotFont, EveryPrintableGlyphDraws) {
  for (int c = 33; c <= 126; ++c) {
    Image img = blank(12, 20);
    drawText(img, 2, 3, std::string(1, char(c)), kBlack, 1);
    Inked box = inked(img);
    EXPECT_GT(box.count, 0) << "glyph " << char(c);
    EXPECT_GE(box.left, 2);
    EXPECT_LE(box.right, 2 + 4);
    EXPECT_GE(box.top, 3);
    EXPECT_LE(box.bottom, 3 + 8);
  }
  Image img = blank(12, 20);
  drawText(img, 2, 3, " ", kBlack, 1);
  EXPECT_EQ(inked(img).count, 0);
}

TEST(PlotFont, DigitsAreDistinct) {
  for (char a = '0'; a <= '9'; ++a)
    for (char b = char(a + 1); b <= '9'; ++b)
      EXPECT_NE(render(std::string(1, a)), render(std::string(1, b)))
          << a << " and " << b;
  // Nor like the letters they could be read as.
  EXPECT_NE(render("0"), render("O"));
  EXPECT_NE(render("1"), render("l"));
  EXPECT_NE(render("1"), render("I"));
  EXPECT_NE(render("5"), render("S"));
  EXPECT_NE(render("8"), render("B"));
}

TEST(PlotFont, TextWidthBoundsTheDrawnPixels) {
  EXPECT_EQ(textWidth("", 1), 0);
  EXPECT_EQ(textWidth("a", 1), 5);
  EXPECT_EQ(textWidth("ab", 2), 22);
  EXPECT_EQ(textHeight(1), 9);
  EXPECT_EQ(textHeight(3), 27);
  std::string printable;
  for (int c = 32; c <= 126; ++c)
    printable += char(c);
  for (int scale : {1, 2, 3})
    for (const std::string &text :
         {std::string("HgH"), std::string("loss (n = 256), 1e-05"), printable,
          std::string("x\x01y"), std::string("\xce\xbb = 1")}) {
      SCOPED_TRACE(text + " at scale " + std::to_string(scale));
      int64_t w = textWidth(text, scale), h = textHeight(scale);
      Image img = blank(w + 20, h + 20);
      drawText(img, 7, 5, text, kBlack, scale);
      Inked box = inked(img);
      EXPECT_GE(box.left, 7);
      EXPECT_LT(box.right, 7 + w);
      EXPECT_GE(box.top, 5);
      EXPECT_LT(box.bottom, 5 + h);
      if (text == "HgH") {
        // 'H' fills its first and last columns and its top row, 'g' its
        // bottom row: the box is tight.
        EXPECT_EQ(box.left, 7);
        EXPECT_EQ(box.right, 7 + w - 1);
        EXPECT_EQ(box.top, 5);
        EXPECT_EQ(box.bottom, 5 + h - 1);
      }
    }
}

TEST(PlotFont, OtherCharactersDrawAsBox) {
  const std::vector<std::string> box = {"#####", "#...#", "#...#",
                                        "#...#", "#...#", "#...#",
                                        "#####", ".....", "....."};
  EXPECT_EQ(render("\x01"), box);
  EXPECT_EQ(render("\x7f"), box);
  // One box per UTF-8 character (lambda is two bytes).
  EXPECT_EQ(render("\xce\xbb"), box);
  EXPECT_EQ(textWidth("\xce\xbb", 1), textWidth("a", 1));
  EXPECT_EQ(textWidth("\xe2\x89\xa4 2", 1), textWidth("a 2", 1));
}

TEST(PlotFont, GreyImagesGetTheLuminance) {
  Image img = blank(8, 10, 1);
  drawText(img, 0, 0, "|", RGB{255, 0, 0}, 1);
  // (299 * 255 + 500) / 1000 = 76.
  EXPECT_EQ(img.pixels[size_t(0 * 8 + 2)], 76);
  EXPECT_EQ(img.pixels[size_t(0 * 8 + 1)], 255);
}

//===----------------------------------------------------------------------===//
// Scatter charts
//===----------------------------------------------------------------------===//

TEST(PlotScatter, PointLandsOnThePredictedPixel) {
  ScatterChart chart;
  chart.xMin = 0;
  chart.xMax = 2;
  chart.yMin = -1;
  chart.yMax = 1;
  chart.series.push_back({"", {0.5, 0.25}, kRed, 0});
  Chart out = renderScatterChart(chart);
  ASSERT_EQ(out.frames.size(), 1u);
  const PlotFrame &f = out.frames[0];
  EXPECT_EQ(out.image.width, 640);
  EXPECT_EQ(out.image.height, 560);
  EXPECT_EQ(out.image.channels, 3);
  EXPECT_EQ(f.xMin, 0);
  EXPECT_EQ(f.xMax, 2);
  EXPECT_EQ(f.yMin, -1);
  EXPECT_EQ(f.yMax, 1);
  // x = 0.5 is a quarter of the way across, y = 0.25 five eighths up.
  const PixelRect &a = f.area;
  int64_t x = std::llround(double(a.left) + 0.25 * double(a.right - a.left));
  int64_t y = std::llround(double(a.bottom) - 0.625 * double(a.bottom - a.top));
  EXPECT_EQ(f.px(0.5), x);
  EXPECT_EQ(f.py(0.25), y);
  EXPECT_EQ(pixel(out.image, x, y), kRed);
  // Radius 0 is one pixel, and an unlabelled series has no legend.
  EXPECT_EQ(countColour(out.image, kRed), 1);
  EXPECT_TRUE(out.legends[0].empty());

  // Radius 2: the disc |d|^2 <= r^2 + r has 21 pixels.
  chart.series[0].radius = 2;
  out = renderScatterChart(chart);
  EXPECT_EQ(countColour(out.image, kRed), 21);
  EXPECT_EQ(pixel(out.image, x + 2, y + 1), kRed);
  EXPECT_NE(pixel(out.image, x + 2, y + 2), kRed);
}

TEST(PlotScatter, AutomaticViewHoldsTheData) {
  ScatterChart chart;
  chart.equalAspect = false;
  const std::vector<double> xy = {-3, 10, 5, 12, 1, 11};
  chart.series.push_back({"", xy, kBlue, 1});
  Chart out = renderScatterChart(chart);
  const PlotFrame &f = out.frames[0];
  // 5% of the span on each side.
  EXPECT_NEAR(f.xMin, -3.4, 1e-12);
  EXPECT_NEAR(f.xMax, 5.4, 1e-12);
  EXPECT_NEAR(f.yMin, 9.9, 1e-12);
  EXPECT_NEAR(f.yMax, 12.1, 1e-12);
  for (size_t i = 0; i < xy.size(); i += 2)
    EXPECT_EQ(
        pixel(out.image, expectedColumn(f, xy[i]), expectedRow(f, xy[i + 1])),
        kBlue);

  // One data unit spans as many pixels on both axes, and the data fits.
  chart.equalAspect = true;
  out = renderScatterChart(chart);
  const PlotFrame &g = out.frames[0];
  double unitX = (g.xMax - g.xMin) / double(g.area.right - g.area.left);
  double unitY = (g.yMax - g.yMin) / double(g.area.bottom - g.area.top);
  EXPECT_NEAR(unitX, unitY, unitX * 1e-12);
  EXPECT_LE(g.xMin, -3.4 + 1e-12);
  EXPECT_GE(g.xMax, 5.4 - 1e-12);
  EXPECT_LE(g.yMin, 9.9 + 1e-12);
  EXPECT_GE(g.yMax, 12.1 - 1e-12);
  for (size_t i = 0; i < xy.size(); i += 2)
    EXPECT_EQ(
        pixel(out.image, expectedColumn(g, xy[i]), expectedRow(g, xy[i + 1])),
        kBlue);
}

TEST(PlotScatter, OutsideTheViewIsNotDrawn) {
  ScatterChart chart;
  chart.xMin = 0;
  chart.xMax = 1;
  chart.yMin = 0;
  chart.yMax = 1;
  // Far outside, and just outside: the latter round onto the area's edge.
  chart.series.push_back(
      {"",
       {1.5, 0.5, -0.01, 0.5, 0.5, 1.2, 0.5, -3, 1 + 1e-9, 0.5, 0.5, -1e-9},
       kGreen,
       3});
  Chart out = renderScatterChart(chart);
  EXPECT_EQ(countColour(out.image, kGreen), 0);

  // A point on the right edge: its disc is cut at the plot area.
  chart.series[0].xy = {1, 0.5};
  out = renderScatterChart(chart);
  const PixelRect &a = out.frames[0].area;
  int64_t inside = 0;
  for (int64_t y = 0; y < out.image.height; ++y)
    for (int64_t x = 0; x < out.image.width; ++x)
      if (pixel(out.image, x, y) == kGreen) {
        EXPECT_TRUE(a.contains(x, y)) << x << ", " << y;
        ++inside;
      }
  // The middle column and left half of a radius-3 disc (|d|^2 <= 12):
  // columns of 7, 7, 5 and 3 pixels.
  EXPECT_EQ(inside, 22);
}

TEST(PlotScatter, LegendShowsEachSeriesWhereThePointsAreNot) {
  ScatterChart chart;
  chart.xMin = 0;
  chart.xMax = 1;
  chart.yMin = 0;
  chart.yMax = 1;
  std::vector<double> topRight;
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j) {
      topRight.push_back(0.55 + 0.05 * i);
      topRight.push_back(0.55 + 0.05 * j);
    }
  chart.series.push_back({"real (n = 81)", topRight, kRed, 1});
  chart.series.push_back({"generated (m = 0)", {}, kGreen, 1});
  Chart out = renderScatterChart(chart);
  const PixelRect &legend = out.legends[0];
  const PixelRect &a = out.frames[0].area;
  ASSERT_FALSE(legend.empty());
  EXPECT_TRUE(a.contains(legend.left, legend.top));
  EXPECT_TRUE(a.contains(legend.right, legend.bottom));
  // The top-right corner is full of points: the legend goes elsewhere, and
  // covers none of them.
  for (size_t i = 0; i < topRight.size(); i += 2)
    EXPECT_FALSE(legend.contains(out.frames[0].px(topRight[i]),
                                 out.frames[0].py(topRight[i + 1])));
  // Each series' swatch (the green one has no points: its colour comes from
  // the swatch alone) and dark label text are in the box.
  int64_t red = 0, green = 0, dark = 0;
  for (int64_t y = legend.top; y <= legend.bottom; ++y)
    for (int64_t x = legend.left; x <= legend.right; ++x) {
      RGB p = pixel(out.image, x, y);
      red += p == kRed;
      green += p == kGreen;
      dark += p.r < 100 && p.g < 100 && p.b < 100;
    }
  EXPECT_GE(red, 49);
  EXPECT_GE(green, 49);
  EXPECT_EQ(countColour(out.image, kGreen), green);
  EXPECT_GT(dark, 100);
}

TEST(PlotScatter, TitleIsCentredAboveTheFrame) {
  ScatterChart chart;
  chart.series.push_back({"", {0, 0, 1, 1}, kRed, 1});
  Chart bare = renderScatterChart(chart);
  // The highest y tick label starts 3 rows above the plot area.
  Inked band = inked(bare.image, 0, bare.frames[0].area.top - 4);
  EXPECT_EQ(band.count, 0);

  chart.title = "Title";
  Chart titled = renderScatterChart(chart);
  int64_t top = titled.frames[0].area.top;
  band = inked(titled.image, 0, top - 4);
  ASSERT_GT(band.count, 0);
  // "Title" at scale 2: 29 x 2 pixels wide, capitals 7 x 2 tall.
  EXPECT_EQ(band.right - band.left + 1, textWidth("Title", 2));
  EXPECT_EQ(band.bottom - band.top + 1, 14);
  EXPECT_LE(std::abs((band.left + band.right + 1) - titled.image.width), 1);
}

TEST(PlotScatter, DegenerateDataGivesAView) {
  auto check = [](const std::vector<double> &xy) {
    ScatterChart chart;
    chart.title = "degenerate";
    chart.series.push_back({"points", xy, kRed, 1});
    Chart out = renderScatterChart(chart);
    const Image &img = out.image;
    EXPECT_EQ(img.width, 640);
    EXPECT_EQ(img.height, 560);
    EXPECT_EQ(img.pixels.size(), size_t(640 * 560 * 3));
    const PlotFrame &f = out.frames[0];
    EXPECT_TRUE(std::isfinite(f.xMin) && std::isfinite(f.xMax) &&
                std::isfinite(f.yMin) && std::isfinite(f.yMax));
    EXPECT_LT(f.xMin, f.xMax);
    EXPECT_LT(f.yMin, f.yMax);
    EXPECT_FALSE(out.legends[0].empty());
    for (size_t i = 0; i + 1 < xy.size(); i += 2)
      if (std::isfinite(xy[i]) && std::isfinite(xy[i + 1]) &&
          std::fabs(xy[i]) < 1e300) {
        EXPECT_LT(f.xMin, xy[i]);
        EXPECT_GT(f.xMax, xy[i]);
        EXPECT_EQ(
            pixel(img, expectedColumn(f, xy[i]), expectedRow(f, xy[i + 1])),
            kRed);
      }
    return out;
  };
  check({3, 3, 3, 3, 3, 3});
  check({0, 0});
  check({-1e-9, 5, 1e-9, 5});
  // No finite point: [0, 1] on both axes, widened on one for equal aspect.
  Chart none = check({});
  const PlotFrame &f = none.frames[0];
  EXPECT_NEAR(f.xMin + f.xMax, 1, 1e-12);
  EXPECT_NEAR(f.yMin + f.yMax, 1, 1e-12);
  EXPECT_TRUE(std::fabs(f.xMax - f.xMin - 1) < 1e-12 ||
              std::fabs(f.yMax - f.yMin - 1) < 1e-12);
  check({-1.7e308, 1.7e308, 1.7e308, -1.7e308, 1, 2});

  // Non-finite points are skipped, and the legend says how many.
  Chart finite = check({1, 2, 3, 4});
  Chart withNan = check({1, 2, NAN, 0, 3, 4, INFINITY, INFINITY});
  EXPECT_EQ(finite.frames[0].xMin, withNan.frames[0].xMin);
  // Appending characters widens text by 6 pixels each.
  EXPECT_EQ(withNan.legends[0].right - withNan.legends[0].left,
            finite.legends[0].right - finite.legends[0].left +
                textWidth(", 2 non-finite", 1) + 1);
  check({NAN, NAN});

  // A tiny image still draws.
  ScatterChart tiny;
  tiny.width = 5;
  tiny.height = 5;
  tiny.series.push_back({"a", {0, 0}, kRed, 1});
  Image img = scatterChart(tiny);
  EXPECT_EQ(img.pixels.size(), size_t(img.width * img.height * 3));
}

//===----------------------------------------------------------------------===//
// Line charts and loss curves
//===----------------------------------------------------------------------===//

TEST(PlotLine, LinearMapping) {
  LineChart chart;
  chart.xMin = 0;
  chart.xMax = 4;
  chart.yMin = 0;
  chart.yMax = 40;
  chart.series.push_back({"", {0, 1, 2, 3, 4}, {0, 10, 20, 30, 40}, kBlue});
  Chart out = renderLineChart(chart);
  const PlotFrame &f = out.frames[0];
  const PixelRect &a = f.area;
  // (2, 20) is the middle of the area.
  int64_t x = std::llround(double(a.left + a.right) / 2);
  int64_t y = std::llround(double(a.top + a.bottom) / 2);
  EXPECT_EQ(pixel(out.image, x, y), kBlue);
  // The line runs from corner to corner: each column of the area holds it
  // within a pixel of the diagonal.
  for (int64_t col = a.left; col <= a.right; col += 7) {
    double t = double(col - a.left) / double(a.right - a.left);
    int64_t row = std::llround(double(a.bottom) - t * (a.bottom - a.top));
    bool hit = false;
    for (int64_t dy = -1; dy <= 1; ++dy)
      hit |= pixel(out.image, col, row + dy) == kBlue;
    EXPECT_TRUE(hit) << "column " << col;
  }
  // No pixel of the line leaves the area.
  for (int64_t r = 0; r < out.image.height; ++r)
    for (int64_t c = 0; c < out.image.width; ++c)
      if (pixel(out.image, c, r) == kBlue)
        ASSERT_TRUE(a.contains(c, r)) << c << ", " << r;
}

TEST(PlotLine, ClippedLinesKeepTheirVisiblePart) {
  LineChart chart;
  chart.xMin = 0;
  chart.xMax = 4;
  chart.yMin = 0;
  chart.yMax = 40;
  // Ends far outside the view on both sides; y = 20 is the middle row.
  chart.series.push_back({"", {-1e12, 5}, {20, 20}, kBlue});
  chart.series.push_back({"", {-1, 1e300}, {-1e300, 1e300}, kRed});
  Chart out = renderLineChart(chart);
  const PixelRect &a = out.frames[0].area;
  int64_t row = std::llround(double(a.top + a.bottom) / 2);
  for (int64_t col = a.left; col <= a.right; ++col)
    if (pixel(out.image, col, row) != kRed)
      ASSERT_EQ(pixel(out.image, col, row), kBlue) << "column " << col;
  for (int64_t r = 0; r < out.image.height; ++r)
    for (int64_t c = 0; c < out.image.width; ++c) {
      RGB p = pixel(out.image, c, r);
      if (p == kBlue || p == kRed)
        ASSERT_TRUE(a.contains(c, r)) << c << ", " << r;
    }
}

TEST(PlotLine, TickLabelsDoNotCrowd) {
  // Labels such as "-1.00000005e+10" are 89 pixels wide: at the first tick
  // density tried (a step of 100, 6 ticks 93 pixels apart) they would
  // nearly touch.
  LineChart chart;
  chart.series.push_back({"", {-1e10 - 560, -1e10 + 20}, {0, 1}, kBlue});
  Chart out = renderLineChart(chart);
  const PixelRect &a = out.frames[0].area;
  std::vector<int64_t> ticks;
  for (int64_t c = a.left; c <= a.right; ++c)
    if (pixel(out.image, c, a.bottom + 2) != kWhite)
      ticks.push_back(c);
  ASSERT_GE(ticks.size(), 2u);
  // Between neighbouring ticks, the label rows hold a blank run of at least
  // 12 columns.
  int64_t labelTop = a.bottom + 9;
  for (size_t i = 0; i + 1 < ticks.size(); ++i) {
    int64_t run = 0, longest = 0;
    for (int64_t c = ticks[i]; c <= ticks[i + 1]; ++c) {
      bool blank = true;
      for (int64_t r = labelTop; r < labelTop + 9; ++r)
        blank &= pixel(out.image, c, r) == kWhite;
      run = blank ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    EXPECT_GE(longest, 12) << "between ticks at " << ticks[i] << " and "
                           << ticks[i + 1];
  }
}

TEST(PlotLine, LogMappingAndDecadeTicks) {
  LineChart chart;
  chart.logY = true;
  chart.yMin = 1e-4;
  chart.yMax = 10;
  chart.series.push_back({"", {0, 1, 2, 3}, {1e-3, 1e-2, 1e-1, 1}, kBlue});
  Chart out = renderLineChart(chart);
  const PlotFrame &f = out.frames[0];
  const PixelRect &a = f.area;
  ASSERT_TRUE(f.logY);
  // 1e-2 is two of the view's five decades up.
  int64_t y = std::llround(double(a.bottom) - 0.4 * double(a.bottom - a.top));
  EXPECT_EQ(f.py(1e-2), y);
  EXPECT_EQ(pixel(out.image, expectedColumn(f, 1), y), kBlue);
  // Major ticks reach 4 pixels left of the frame, unlabelled 2..9 x 10^k
  // ones 2: the column 4 left of the frame holds exactly the decades.
  std::set<int64_t> rows, decades;
  for (int64_t r = a.top; r <= a.bottom; ++r)
    if (pixel(out.image, a.left - 5, r) != kWhite)
      rows.insert(r);
  for (int k = -4; k <= 1; ++k)
    decades.insert(std::llround(double(a.bottom) -
                                (k + 4) / 5.0 * double(a.bottom - a.top)));
  EXPECT_EQ(rows, decades);
  std::set<int64_t> minor;
  for (int64_t r = a.top; r <= a.bottom; ++r)
    if (pixel(out.image, a.left - 3, r) != kWhite)
      minor.insert(r);
  EXPECT_EQ(minor.size(), decades.size() + 8 * 5);
}

TEST(PlotLine, NonPositiveValuesAreSkippedOnLogAxes) {
  LineChart chart;
  chart.logY = true;
  chart.series.push_back({"", {0, 1, 2}, {-1, 0.01, 0}, kBlue});
  Chart out = renderLineChart(chart);
  const PlotFrame &f = out.frames[0];
  // One value to draw: the view is +-0.5 decade around it and the point, with
  // no neighbour, is a 3 x 3 disc.
  EXPECT_NEAR(f.yMin, std::pow(10, -2.5), 1e-15);
  EXPECT_NEAR(f.yMax, std::pow(10, -1.5), 1e-15);
  EXPECT_EQ(countColour(out.image, kBlue), 9);
  EXPECT_EQ(pixel(out.image, expectedColumn(f, 1), expectedRow(f, 0.01)),
            kBlue);
}

TEST(PlotLoss, OneStepDraws) {
  Chart out = renderLossCurve({0.5}, {0.2}, "one step");
  ASSERT_EQ(out.frames.size(), 2u);
  const PlotFrame &loss = out.frames[0], &time = out.frames[1];
  EXPECT_LT(loss.xMin, 1);
  EXPECT_GT(loss.xMax, 1);
  EXPECT_EQ(pixel(out.image, expectedColumn(loss, 1), expectedRow(loss, 0.5)),
            paletteColour(0));
  EXPECT_EQ(pixel(out.image, expectedColumn(time, 1), expectedRow(time, 0.2)),
            paletteColour(1));
  EXPECT_EQ(time.yMin, 0);

  // No step, or only non-finite losses: still an image.
  Chart empty = renderLossCurve({}, {}, "");
  EXPECT_EQ(empty.frames.size(), 1u);
  EXPECT_EQ(empty.image.pixels.size(),
            size_t(empty.image.width * empty.image.height * 3));
  Chart nan = renderLossCurve({NAN}, {NAN}, "diverged");
  EXPECT_EQ(nan.frames.size(), 2u);
  // The loss colour is only in the legend's swatch.
  int64_t swatch = 0;
  const PixelRect &legend = nan.legends[0];
  for (int64_t y = legend.top; y <= legend.bottom; ++y)
    for (int64_t x = legend.left; x <= legend.right; ++x)
      swatch += pixel(nan.image, x, y) == paletteColour(0);
  EXPECT_GT(swatch, 0);
  EXPECT_EQ(countColour(nan.image, paletteColour(0)), swatch);
}

TEST(PlotLoss, TwoPanelsStacked) {
  std::vector<double> losses, seconds;
  for (int i = 0; i < 50; ++i) {
    losses.push_back(1 + 0.5 * std::cos(i / 5.0));
    seconds.push_back(0.1 + 0.01 * (i % 3));
  }
  Chart out = renderLossCurve(losses, seconds, "run");
  ASSERT_EQ(out.frames.size(), 2u);
  const PlotFrame &loss = out.frames[0], &time = out.frames[1];
  EXPECT_LT(loss.area.bottom, time.area.top);
  EXPECT_GE(loss.area.top, 0);
  EXPECT_LT(time.area.bottom, out.image.height);
  for (const PlotFrame *f : {&loss, &time}) {
    int64_t mid = (f->area.top + f->area.bottom) / 2;
    EXPECT_NE(pixel(out.image, f->area.left - 1, mid), kWhite);
    EXPECT_NE(pixel(out.image, f->area.right + 1, mid), kWhite);
  }
  // A loss of 0.5 .. 1.5 spans no decades: linear.
  EXPECT_FALSE(loss.logY);
  ASSERT_EQ(out.legends.size(), 2u);
  int64_t checked = 0;
  for (int i = 0; i < 50; i += 3)
    for (int panel = 0; panel < 2; ++panel) {
      const PlotFrame &f = out.frames[size_t(panel)];
      double v = (panel == 0 ? losses : seconds)[size_t(i)];
      int64_t x = expectedColumn(f, i + 1), y = expectedRow(f, v);
      if (out.legends[size_t(panel)].contains(x, y))
        continue;
      EXPECT_EQ(pixel(out.image, x, y), paletteColour(size_t(panel)))
          << "step " << i + 1 << " panel " << panel;
      ++checked;
    }
  EXPECT_GT(checked, 25);

  // Without timings, one shorter panel.
  Chart alone = renderLossCurve(losses, {}, "run");
  EXPECT_EQ(alone.frames.size(), 1u);
  EXPECT_LT(alone.image.height, out.image.height);
}

TEST(PlotLoss, LogAxisWhenTheLossSpansDecades) {
  std::vector<double> losses;
  for (int i = 0; i < 100; ++i)
    losses.push_back(10 * std::pow(0.9, i));
  Chart out = renderLossCurve(losses, {}, "");
  const PlotFrame &f = out.frames[0];
  ASSERT_TRUE(f.logY);
  EXPECT_LE(f.yMin, losses.back());
  EXPECT_GE(f.yMax, losses.front());
  int64_t checked = 0;
  for (int i = 0; i < 100; i += 3) {
    double t = (std::log10(losses[size_t(i)]) - std::log10(f.yMin)) /
               (std::log10(f.yMax) - std::log10(f.yMin));
    int64_t x = expectedColumn(f, i + 1);
    int64_t y = std::llround(double(f.area.bottom) -
                             t * double(f.area.bottom - f.area.top));
    if (out.legends[0].contains(x, y))
      continue;
    EXPECT_EQ(pixel(out.image, x, y), paletteColour(0)) << "step " << i + 1;
    ++checked;
  }
  EXPECT_GT(checked, 25);
  // Exactly two decades, or a zero loss: linear.
  EXPECT_FALSE(renderLossCurve({100, 10, 1}, {}, "").frames[0].logY);
  EXPECT_FALSE(renderLossCurve({1000, 10, 0}, {}, "").frames[0].logY);
  EXPECT_TRUE(renderLossCurve({1000, 10, 1, NAN}, {}, "").frames[0].logY);
}

//===----------------------------------------------------------------------===//
// Titled image grids
//===----------------------------------------------------------------------===//

TEST(PlotGrid, GreyTwoByTwoImagesExact) {
  // Four 2 x 2 images: 2 columns, 2 x 2 + 1 = 5 pixels unscaled; 64 is the
  // smallest scale with 2 x 2 x s + 1 >= 256.
  std::vector<double> values;
  for (int k = 0; k < 4; ++k)
    for (double v : {0.0, 0.5, 1.0, 0.25})
      values.push_back(k == 3 ? 1 - v : v);
  Image img = titledImageGrid(values.data(), 4, 2, 2, 1, "");
  EXPECT_EQ(img.channels, 1);
  EXPECT_EQ(img.width, 257);
  EXPECT_EQ(img.height, 257);
  const uint8_t expected[2][4] = {{0, 128, 255, 64}, {255, 128, 0, 191}};
  for (int k = 0; k < 4; ++k)
    for (int p = 0; p < 4; ++p) {
      int64_t x0 = (k % 2) * 129 + (p % 2) * 64,
              y0 = (k / 2) * 129 + (p / 2) * 64;
      for (int64_t d : {0, 31, 63}) {
        EXPECT_EQ(img.pixels[size_t((y0 + d) * 257 + x0 + (63 - d))],
                  expected[k == 3][p])
            << "image " << k << " pixel " << p;
      }
    }
  // The gaps are white.
  for (int64_t y = 0; y < 257; y += 16) {
    EXPECT_EQ(img.pixels[size_t(y * 257 + 128)], 255);
    EXPECT_EQ(img.pixels[size_t(128 * 257 + y)], 255);
  }

  // With a title: a band above, the grid below it at the same scale.
  GridLayout g = titledImageGridLayout(4, 2, 2, "grey");
  EXPECT_EQ(g.columns, 2);
  EXPECT_EQ(g.rows, 2);
  EXPECT_EQ(g.scale, 64);
  EXPECT_EQ(g.left, 0);
  EXPECT_GE(g.top, textHeight(2));
  Image titled = titledImageGrid(values.data(), 4, 2, 2, 1, "grey");
  EXPECT_EQ(titled.height, g.top + 257);
  EXPECT_GT(inked(titled, 0, g.top).count, 0);
  // Image 1, pixel 1 (0.5).
  EXPECT_EQ(titled.pixels[size_t((g.top + 10) * titled.width + 129 + 64)], 128);
}

TEST(PlotGrid, RgbImagesExact) {
  // Three 1 x 2 RGB images: 2 columns, 2 rows; 2 x 2 x 64 + 1 >= 256.
  const double values[3][6] = {{1, 0, 0, 0.2, 0.4, 0.6},
                               {-0.5, 1.5, NAN, 0, 0, 1},
                               {0.5, 0.5, 0.5, 1, 1, 1}};
  Image img = titledImageGrid(&values[0][0], 3, 1, 2, 3, "");
  ASSERT_EQ(img.channels, 3);
  EXPECT_EQ(img.width, 2 * 2 * 64 + 1);
  EXPECT_EQ(img.height, 2 * 64 + 1);
  const RGB expected[3][2] = {{{255, 0, 0}, {51, 102, 153}},
                              {{0, 255, 0}, {0, 0, 255}},
                              {{128, 128, 128}, {255, 255, 255}}};
  for (int k = 0; k < 3; ++k)
    for (int p = 0; p < 2; ++p) {
      int64_t x0 = (k % 2) * 129 + p * 64, y0 = (k / 2) * 65;
      for (int64_t d : {0, 17, 63})
        EXPECT_EQ(pixel(img, x0 + d, y0 + d), expected[k][p])
            << "image " << k << " pixel " << p;
    }
  // The fourth cell is empty (white), as are the gaps.
  EXPECT_EQ(pixel(img, 129 + 10, 65 + 10), kWhite);
  EXPECT_EQ(pixel(img, 128, 10), kWhite);
  EXPECT_EQ(pixel(img, 10, 64), kWhite);

  // A title wider than the grid widens the image; the grid is centred.
  std::string title(60, 'W');
  GridLayout g = titledImageGridLayout(3, 1, 2, title);
  Image titled = titledImageGrid(&values[0][0], 3, 1, 2, 3, title);
  EXPECT_EQ(titled.width, textWidth(title, 2) + 20);
  EXPECT_EQ(g.left, (titled.width - img.width) / 2);
  EXPECT_EQ(pixel(titled, g.left + 64, g.top), (RGB{51, 102, 153}));
  EXPECT_EQ(pixel(titled, g.left - 1, g.top), kWhite);
  EXPECT_EQ(titledImageGrid(&values[0][0], 3, 1, 2, 2, "").width, 0);
}

} // namespace
