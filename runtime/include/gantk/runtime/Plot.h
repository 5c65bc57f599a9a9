//===- Plot.h - Charts with axes, legends and titles ------------*- C++ -*-===//
//
// Scatter charts, line charts, loss curves and titled image grids drawn on an
// Image (Png.h) with a built-in bitmap font: the runtime plots with nothing
// beyond the C++ standard library, and writes the result with writePng.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_PLOT_H
#define GANTK_RUNTIME_PLOT_H

#include "gantk/runtime/Png.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// An 8-bit colour. On a grey (1-channel) image it draws as its luminance,
/// (299 r + 587 g + 114 b) / 1000 rounded.
struct RGB {
  uint8_t r = 0, g = 0, b = 0;
};

inline bool operator==(RGB a, RGB b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}
inline bool operator!=(RGB a, RGB b) { return !(a == b); }

/// The default colour of the i-th series (a colour-blind-safe set of 8,
/// repeating); the loss curve draws the loss in colour 0 and s/step in 1.
RGB paletteColour(size_t index);

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

// The built-in font has a 5 x 9 glyph for every printable ASCII character
// (32..126): 7 rows stand on the baseline, 2 below it hold descenders.
// Glyphs advance by 6 columns; each pixel is a `scale` x `scale` block
// (scale < 1 counts as 1). Any other character (a control character, or a
// whole UTF-8 sequence) draws as the outline of a capital's cell, so it is
// visibly missing rather than silently dropped.

/// The width in pixels of `text`: 6 scale per character less the trailing
/// gap, 0 for no characters.
int64_t textWidth(const std::string &text, int scale);
/// The height in pixels of a line of text: 9 scale.
int64_t textHeight(int scale);
/// Draws `text` with its top-left corner at (x, y), clipped to the image.
/// Drawn pixels lie in [x, x + textWidth) x [y, y + textHeight).
void drawText(Image &image, int64_t x, int64_t y, const std::string &text,
              RGB colour, int scale);

//===----------------------------------------------------------------------===//
// Ticks
//===----------------------------------------------------------------------===//

/// Ticks at the multiples of a 1, 2 or 5 x 10^k step inside [lo, hi] (to a
/// millionth of a step), with the smallest such step that gives at most
/// `maxTicks` of them (at least 2 are asked for). lo > hi are swapped;
/// lo == hi, or a span too narrow for distinct doubles (below 1e-13 of the
/// magnitude), gives the midpoint alone; a non-finite bound gives none.
std::vector<double> niceTicks(double lo, double hi, int maxTicks);

/// A compact label for a tick `value`: "0.2", "-2", "0" (never "-0"), with
/// the decimals that `step` (the spacing of the ticks, 0 when unknown: then
/// 6 significant digits) needs, trailing zeros dropped, and e-notation when
/// |value| >= 1e6 or < 1e-4: "1e-05", "2.5e+06".
std::string formatTick(double value, double step = 0);

//===----------------------------------------------------------------------===//
// Charts
//===----------------------------------------------------------------------===//

/// A pixel rectangle, inclusive: columns left..right, rows top..bottom.
struct PixelRect {
  int64_t left = 0, top = 0, right = -1, bottom = -1;
  bool empty() const { return right < left || bottom < top; }
  bool contains(int64_t x, int64_t y) const {
    return x >= left && x <= right && y >= top && y <= bottom;
  }
};

/// Where a chart panel puts its data. The plot area `area` holds the data
/// (the frame is drawn one pixel outside it and never covers data); data x
/// maps linearly from [xMin, xMax] onto columns [area.left, area.right],
/// and y from [yMin, yMax] onto rows [area.bottom, area.top] (upwards),
/// linearly in log10(y) when logY. px and py round to the nearest pixel.
struct PlotFrame {
  PixelRect area;
  double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
  bool logY = false;

  /// The column of data x, unrounded (clamped to +-1e9 so that far-off or
  /// non-finite values stay far off the image).
  double fx(double x) const;
  /// The row of data y, unrounded (clamped likewise; y <= 0 on a log axis
  /// is far below the area).
  double fy(double y) const;
  int64_t px(double x) const { return std::llround(fx(x)); }
  int64_t py(double y) const { return std::llround(fy(y)); }
};

/// A drawn chart: the image, and for each panel (top to bottom) its frame
/// and its legend's box (empty when no series of the panel has a label).
struct Chart {
  Image image;
  std::vector<PlotFrame> frames;
  std::vector<PixelRect> legends;
};

/// One set of points of a scatter chart.
struct ScatterSeries {
  /// The legend's text, e.g. "real (n = 256)"; a series with no label is
  /// not in the legend. When some points are not finite (and so are not
  /// drawn) the legend adds how many: "real (n = 256), 3 non-finite".
  std::string label;
  /// The points, interleaved: x0, y0, x1, y1, ...
  std::vector<double> xy;
  RGB colour;
  /// Each point is a disc of this radius in pixels (0: one pixel).
  int radius = 2;
};

/// A scatter chart: white background, frame, ticks with labels on both
/// axes, axis labels, the title centred on top, and a legend inside the
/// plot area in the corner that covers the fewest points.
struct ScatterChart {
  std::string title, xLabel, yLabel;
  /// Drawn in order: later series on top.
  std::vector<ScatterSeries> series;
  int64_t width = 640, height = 560;
  /// The view; NaN bounds come from the finite points, padded by 5% of
  /// their span on each side (a zero span is widened: one value v shows
  /// v +- max(|v| / 10, 0.5); no finite point shows [0, 1]). Points outside
  /// the view are not drawn, and a marker is clipped to the plot area.
  double xMin = NAN, xMax = NAN, yMin = NAN, yMax = NAN;
  /// When all four bounds come from the data, widen one axis's view so
  /// that a data unit spans as many pixels on both axes (circles stay
  /// round).
  bool equalAspect = true;
};

/// One curve of a line chart: points (x[i], y[i]) joined in order. A point
/// that cannot be drawn (not finite; y <= 0 on a log axis) breaks the
/// line; a point with no drawn neighbour is drawn as a small disc.
struct LineSeries {
  std::string label;
  std::vector<double> x, y;
  RGB colour;
};

/// A line chart. The view comes from the data as in ScatterChart (x padded
/// by 2%, y by 5%; a log y axis pads in decades, widens one value to +-0.5
/// decade, and shows [0.1, 10] without positive data).
struct LineChart {
  std::string title, xLabel, yLabel;
  std::vector<LineSeries> series;
  int64_t width = 640, height = 400;
  double xMin = NAN, xMax = NAN, yMin = NAN, yMax = NAN;
  /// A log10 y axis with ticks at decades (1e-3, 1e-2, ...; every 2nd or
  /// more when there are many, else with unlabelled ticks at 2..9 x 10^k),
  /// or linear ticks when the view holds no power of ten; values y <= 0 are
  /// skipped.
  bool logY = false;
  /// With non-negative data and an automatic yMin, the view starts at 0.
  bool yFromZero = false;
  /// Only integer x ticks (steps, epochs).
  bool integerX = false;
};

/// Draws a scatter chart; frames holds its one panel.
Chart renderScatterChart(const ScatterChart &chart);
Image scatterChart(const ScatterChart &chart);

/// Draws a line chart; frames holds its one panel.
Chart renderLineChart(const LineChart &chart);
Image lineChart(const LineChart &chart);

/// The loss curve of a run: `losses[i]` is the loss of step i + 1,
/// `secondsPerStep[i]` the wall time of that step. A top panel draws loss
/// against step, on a log axis when the finite losses are all positive and
/// span more than two decades (max / min > 100), else on a linear one, with
/// the last loss in its legend; a bottom panel (only when secondsPerStep is
/// not empty) draws s/step against step from 0, with the mean in its
/// legend. 640 x 640 pixels with both panels, 640 x 400 with one.
/// Non-finite values are skipped.
Chart renderLossCurve(const std::vector<double> &losses,
                      const std::vector<double> &secondsPerStep,
                      const std::string &title);
Image lossCurve(const std::vector<double> &losses,
                const std::vector<double> &secondsPerStep,
                const std::string &title);

//===----------------------------------------------------------------------===//
// Image grids
//===----------------------------------------------------------------------===//

/// Where titledImageGrid puts its cells. Image k (row-major) of h x w is
/// drawn `scale` times larger at column left + (k % columns) (w scale + 1),
/// row top + (k / columns) (h scale + 1): 1-pixel white gaps between cells.
struct GridLayout {
  int64_t columns = 0, rows = 0, scale = 1;
  /// The top-left pixel of the first cell.
  int64_t left = 0, top = 0;
  /// The whole image.
  int64_t width = 0, height = 0;
};

/// The layout of titledImageGrid: ceil(sqrt(count)) columns (at least 1),
/// the smallest integer scale that makes the grid at least 256 pixels wide,
/// and above it a band with the title at twice the font's size (none
/// without a title). The image is as wide as the grid, or as the title
/// when that is wider (the grid is then centred).
GridLayout titledImageGridLayout(int64_t count, int64_t h, int64_t w,
                                 const std::string &title);

/// A grid of `count` images of h x w x c values in [0, 1] (c is 1 or 3,
/// channels interleaved), as an image of c channels: each value v is drawn
/// as round(clamp(v, 0, 1) 255), a non-finite one as 0, on white, where
/// titledImageGridLayout says. An empty image when h, w or c is invalid
/// (checkImageGrid says why).
Image titledImageGrid(const double *images, int64_t count, int64_t h, int64_t w,
                      int64_t c, const std::string &title);

} // namespace gantk

#endif // GANTK_RUNTIME_PLOT_H
