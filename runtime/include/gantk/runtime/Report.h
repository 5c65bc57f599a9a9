//===- Report.h - The HTML report of a training run -------------*- C++ -*-===//
//
// DIR/report.html: one self-contained page (inline CSS, one small inline
// script, no network) that shows a run's spec, memory plan, facts, loss
// curve, snapshots and timings. Its images are PNG files beside it, named
// relatively, so a copy of DIR opens offline anywhere. scripts/check-report
// renders it in headless Chromium and checks that every image loaded.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_REPORT_H
#define GANTK_RUNTIME_REPORT_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gantk {

/// The samples as a step left them.
struct ReportSnapshot {
  int64_t step = 0;
  /// A PNG file name relative to the report's directory.
  std::string png;
};

/// Where a run's time went.
struct ReportTimings {
  double totalSeconds = 0;
  double medianSecondsPerStep = 0;
  double meanSecondsPerStep = 0;
  /// The steps these timings cover (a resumed run's own steps).
  int64_t steps = 0;
};

/// Everything a report shows. Image names are relative to the report's
/// directory (no leading '/', no ".."); an empty name leaves its section out.
struct RunReport {
  std::string title;
  /// The spec's file name, and its text (shown verbatim).
  std::string specName, specText;
  /// The memory plan, as `gantk describe` prints it (several lines).
  std::string planText;
  /// Name/value rows in this order: shapes, precision, device, threads,
  /// steps, seed, λ, versions. The report itself holds no date, so that two
  /// identical runs give identical reports; a caller that wants one adds it
  /// here.
  std::vector<std::pair<std::string, std::string>> facts;
  std::string lossCurvePng;
  std::vector<ReportSnapshot> snapshots;
  /// The final samples' plot.
  std::string samplesPng;
  ReportTimings timings;
  /// The loss of each step, losses[i] that of step i + 1 (for the first,
  /// lowest and last loss).
  std::vector<double> losses;
};

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escapeHtml(const std::string &text);

/// The report as one HTML5 page. User text is escaped and image names are
/// percent-encoded (a name cannot become another URL or scheme). A script at
/// the end sets data-images="LOADED/TOTAL" on <body> once every <img> has
/// loaded or failed (loaded: naturalWidth > 0), and data-state="loaded" or
/// "failed" on each <img>, for headless checks.
std::string renderReportHtml(const RunReport &report);

/// Writes renderReportHtml(report) to DIR/report.html atomically. Fails on
/// a snapshot without an image name, and on an image name that is absolute
/// or has a ".." part (the page would not open from a copy of DIR).
Status writeReport(const std::string &dir, const RunReport &report);

} // namespace gantk

#endif // GANTK_RUNTIME_REPORT_H
