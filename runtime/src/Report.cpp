//===- Report.cpp - The HTML report of a training run ---------------------===//

#include "gantk/runtime/Report.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Progress.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

using namespace gantk;

namespace {

constexpr const char *kStyle = R"(<style>
body { font: 15px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif;
  max-width: 1100px; margin: 0 auto; padding: 24px; color: #1d232b;
  background: #fff; }
h1 { font-size: 1.6em; margin: 0; }
h2 { font-size: 1.15em; margin: 1.8em 0 .6em; padding-bottom: .2em;
  border-bottom: 1px solid #d8dde3; }
.sub { color: #5a6572; margin: .2em 0 0; }
.tables { display: flex; flex-wrap: wrap; gap: 16px 56px;
  align-items: flex-start; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 2px 16px 2px 0; }
th { font-weight: 500; color: #5a6572; white-space: nowrap; }
td { font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; border: 1px solid #d8dde3; }
.grid { display: grid; gap: 16px;
  grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
figure { margin: 0; }
figcaption { color: #5a6572; font-size: .9em; text-align: center; }
pre { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace;
  background: #f5f7f9; border: 1px solid #d8dde3; padding: 12px;
  overflow-x: auto; }
</style>
)";

// Marks each image loaded or failed and, once all are settled, counts them on
// <body>: what scripts/check-report reads from the rendered page.
constexpr const char *kScript = R"(<script>
(function () {
  var images = document.images, total = images.length, settled = 0;
  function count() {
    var loaded = 0;
    for (var i = 0; i < total; ++i)
      if (images[i].naturalWidth > 0) ++loaded;
    document.body.setAttribute('data-images', loaded + '/' + total);
  }
  function settle(image) {
    image.setAttribute('data-state',
                       image.naturalWidth > 0 ? 'loaded' : 'failed');
    if (++settled === total) count();
  }
  function onEvent(event) { settle(event.target); }
  if (total === 0) count();
  for (var i = 0; i < total; ++i) {
    if (images[i].complete) {
      settle(images[i]);
    } else {
      images[i].addEventListener('load', onEvent);
      images[i].addEventListener('error', onEvent);
    }
  }
})();
</script>
)";

/// A relative file name as a URL path: every byte but unreserved characters
/// and '/' percent-encoded, so that spaces, '#', '?' or a "name:" prefix
/// stay part of the file name.
std::string encodePath(const std::string &name) {
  static const char *hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        c == '/') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string image(const std::string &png, const std::string &alt) {
  return "<img src=\"" + escapeHtml(encodePath(png)) + "\" alt=\"" +
         escapeHtml(alt) + "\">";
}

std::string printed(const char *format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

std::string row(const std::string &name, const std::string &value) {
  return "<tr><th>" + escapeHtml(name) + "</th><td>" + escapeHtml(value) +
         "</td></tr>\n";
}

std::string lossRow(const std::string &name, double loss, size_t index) {
  return row(name, printed("%.6e", loss) + " (step " +
                       std::to_string(index + 1) + ")");
}

/// The timings and the first, lowest and last loss; empty without either.
std::string summaryTable(const RunReport &report) {
  std::string rows;
  const ReportTimings &t = report.timings;
  if (t.steps > 0) {
    rows += row("steps run", std::to_string(t.steps));
    rows += row("total time", formatDuration(t.totalSeconds));
    rows += row("mean s/step", printed("%.4g s", t.meanSecondsPerStep));
    rows += row("median s/step", printed("%.4g s", t.medianSecondsPerStep));
  }
  const std::vector<double> &losses = report.losses;
  if (!losses.empty()) {
    rows += lossRow("first loss", losses.front(), 0);
    // The lowest finite loss (a run stops at a non-finite one).
    size_t lowest = losses.size();
    for (size_t i = 0; i < losses.size(); ++i)
      if (std::isfinite(losses[i]) &&
          (lowest == losses.size() || losses[i] < losses[lowest]))
        lowest = i;
    if (lowest < losses.size())
      rows += lossRow("lowest loss", losses[lowest], lowest);
    rows += lossRow("last loss", losses.back(), losses.size() - 1);
  }
  if (rows.empty())
    return {};
  return "<table>\n<caption>Timings and loss</caption>\n" + rows + "</table>\n";
}

/// Why `name` cannot be an image of a report that opens from any copy of
/// its directory; empty when it can.
std::string badImageName(const std::string &name) {
  std::filesystem::path p(name);
  if (p.is_absolute())
    return "is absolute";
  for (const std::filesystem::path &part : p)
    if (part == "..")
      return "leaves the report's directory";
  return {};
}

} // namespace

std::string gantk::escapeHtml(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string gantk::renderReportHtml(const RunReport &report) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                     "<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, "
                     "initial-scale=1\">\n"
                     "<title>" +
                     escapeHtml(report.title) + "</title>\n" + kStyle +
                     "</head>\n<body>\n<header>\n<h1>" +
                     escapeHtml(report.title) + "</h1>\n";
  if (!report.specName.empty())
    html += "<p class=\"sub\">" + escapeHtml(report.specName) + "</p>\n";
  html += "</header>\n";

  std::string facts;
  for (const auto &[name, value] : report.facts)
    facts += row(name, value);
  std::string summary = summaryTable(report);
  if (!facts.empty() || !summary.empty()) {
    html += "<section>\n<h2>Run</h2>\n<div class=\"tables\">\n";
    if (!facts.empty())
      html +=
          "<table>\n<caption>Configuration</caption>\n" + facts + "</table>\n";
    html += summary + "</div>\n</section>\n";
  }

  if (!report.lossCurvePng.empty())
    html += "<section>\n<h2>Loss</h2>\n" +
            image(report.lossCurvePng, "loss per step") + "\n</section>\n";

  if (!report.snapshots.empty()) {
    html += "<section>\n<h2>Snapshots</h2>\n<div class=\"grid\">\n";
    for (const ReportSnapshot &s : report.snapshots) {
      std::string step = "step " + std::to_string(s.step);
      html += "<figure>" + image(s.png, "samples at " + step) + "<figcaption>" +
              step + "</figcaption></figure>\n";
    }
    html += "</div>\n</section>\n";
  }

  if (!report.samplesPng.empty())
    html += "<section>\n<h2>Final samples</h2>\n" +
            image(report.samplesPng, "final samples") + "\n</section>\n";

  if (!report.planText.empty())
    html += "<section>\n<h2>Memory plan</h2>\n<pre>" +
            escapeHtml(report.planText) + "</pre>\n</section>\n";

  if (!report.specText.empty())
    html += "<section>\n<h2>Spec</h2>\n<pre>" + escapeHtml(report.specText) +
            "</pre>\n</section>\n";

  html += kScript;
  html += "</body>\n</html>\n";
  return html;
}

Status gantk::writeReport(const std::string &dir, const RunReport &report) {
  std::string path = (std::filesystem::path(dir) / "report.html").string();
  auto check = [&](const std::string &name, const std::string &what) -> Status {
    if (name.empty())
      return makeError(ErrorCode::InvalidArgument,
                       path + ": the image of " + what + " has no file name");
    std::string why = badImageName(name);
    if (why.empty())
      return {};
    return makeError(ErrorCode::InvalidArgument,
                     path + ": the image of " + what + " '" + name + "' " +
                         why +
                         "; images are named relative to the report's "
                         "directory so that a copy of it opens anywhere");
  };
  if (!report.lossCurvePng.empty())
    if (Status s = check(report.lossCurvePng, "the loss curve"); !s.ok())
      return s;
  for (const ReportSnapshot &s : report.snapshots)
    if (Status st = check(s.png, "step " + std::to_string(s.step)); !st.ok())
      return st;
  if (!report.samplesPng.empty())
    if (Status s = check(report.samplesPng, "the final samples"); !s.ok())
      return s;
  std::string html = renderReportHtml(report);
  return writeFileAtomic(path, html.data(), html.size());
}
