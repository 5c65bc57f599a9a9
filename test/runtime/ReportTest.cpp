//===- ReportTest.cpp - The HTML run report -------------------------------===//
//
// The report escapes user text, names its images relatively (percent-
// encoded), shows the facts, timings and loss summary, and is written
// atomically. Where Debian's chromium is installed, scripts/check-report
// renders a report with real PNGs and counts the loaded images, also after
// one is deleted.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Report.h"
#include "gantk/runtime/Png.h"

#include "TempDir.h"
#include "TestText.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace gantk;
using gantk::test::contents;
using gantk::test::count;
using gantk::test::TempDir;

namespace {

RunReport sampleReport() {
  RunReport r;
  r.title = "toy25";
  r.specName = "examples/toy25.gantk";
  r.specText = "data gaussians25 n=512\nlambda = 1e-3\n";
  r.planText = "arena 1.5 MiB\n  X  0 .. 4 KiB\n";
  r.facts = {{"n", "512"}, {"precision", "f64"}, {"λ", "0.001"}};
  r.lossCurvePng = "loss.png";
  r.snapshots = {{100, "snapshot-100.png"}, {200, "snapshot-200.png"}};
  r.samplesPng = "samples.png";
  r.timings = {4.5, 1.25, 1.5, 3};
  r.losses = {3.0, 1.0, 2.0};
  return r;
}

/// Runs a shell command, returning its exit status and its output.
std::pair<int, std::string> run(const std::string &command) {
  std::string out;
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return {-1, out};
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe))
    out.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// A small RGB image with a colour gradient.
Image gradient(int64_t width, int64_t height, uint8_t blue) {
  Image image{width, height, 3, {}};
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      image.pixels.insert(
          image.pixels.end(),
          {uint8_t(255 * x / width), uint8_t(255 * y / height), blue});
  return image;
}

} // namespace

TEST(ReportHtml, EscapesTheFiveCharacters) {
  EXPECT_EQ(escapeHtml("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;"
            "&lt;/script&gt;");
  EXPECT_EQ(escapeHtml("λ = 1e-3"), "λ = 1e-3");
}

// Spec text, title, plan and facts are user text: none of it becomes markup,
// and the page's only script is its own.
TEST(ReportHtml, EscapesUserText) {
  RunReport r = sampleReport();
  r.title = "run <b>1</b>";
  r.specText = "# <script>alert(\"x\")</script> & 'quoted'\n";
  r.planText = "a < b && c > d";
  r.facts.push_back({"note", "<img src=x onerror=alert(1)>"});
  std::string html = renderReportHtml(r);
  EXPECT_EQ(count(html, "<script>"), 1u);
  EXPECT_EQ(html.find("alert(\""), std::string::npos);
  EXPECT_NE(html.find("<pre># &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
                      " &amp; &#39;quoted&#39;\n</pre>"),
            std::string::npos);
  EXPECT_NE(html.find("<pre>a &lt; b &amp;&amp; c &gt; d</pre>"),
            std::string::npos);
  EXPECT_NE(html.find("<title>run &lt;b&gt;1&lt;/b&gt;</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<h1>run &lt;b&gt;1&lt;/b&gt;</h1>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;img src=x onerror=alert(1)&gt;</td>"),
            std::string::npos);
  EXPECT_EQ(count(html, "<img "), 4u);
}

// The loss curve, every snapshot (in order, with its step) and the final
// samples are <img> elements with the given relative names.
TEST(ReportHtml, ImagesByRelativeName) {
  std::string html = renderReportHtml(sampleReport());
  EXPECT_EQ(count(html, "<img "), 4u);
  size_t loss = html.find("<img src=\"loss.png\" alt=\"loss per step\">");
  size_t first =
      html.find("<figure><img src=\"snapshot-100.png\" alt=\"samples "
                "at step 100\"><figcaption>step 100</figcaption>"
                "</figure>");
  size_t second = html.find("<figure><img src=\"snapshot-200.png\" alt=\""
                            "samples at step 200\"><figcaption>step 200"
                            "</figcaption></figure>");
  size_t samples = html.find("<img src=\"samples.png\" alt=\"final samples\">");
  ASSERT_NE(loss, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(samples, std::string::npos);
  EXPECT_LT(loss, first);
  EXPECT_LT(first, second);
  EXPECT_LT(second, samples);
  // Nothing is fetched from elsewhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("data-images"), std::string::npos);
}

// A name with a space, '#' or a "scheme:" stays one relative file name.
TEST(ReportHtml, PercentEncodesImageNames) {
  RunReport r;
  r.lossCurvePng = "plots/loss curve#1.png";
  r.samplesPng = "javascript:alert(1)";
  r.snapshots = {{7, "snäp&'.png"}};
  std::string html = renderReportHtml(r);
  EXPECT_NE(html.find("<img src=\"plots/loss%20curve%231.png\""),
            std::string::npos);
  EXPECT_NE(html.find("<img src=\"javascript%3Aalert%281%29\""),
            std::string::npos);
  EXPECT_NE(html.find("<img src=\"sn%C3%A4p%26%27.png\""), std::string::npos);
}

TEST(ReportHtml, FactsTimingsAndLosses) {
  std::string html = renderReportHtml(sampleReport());
  EXPECT_NE(html.find("<tr><th>n</th><td>512</td></tr>\n"
                      "<tr><th>precision</th><td>f64</td></tr>\n"
                      "<tr><th>λ</th><td>0.001</td></tr>\n"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><th>steps run</th><td>3</td></tr>\n"
                      "<tr><th>total time</th><td>4.5 s</td></tr>\n"
                      "<tr><th>mean s/step</th><td>1.5 s</td></tr>\n"
                      "<tr><th>median s/step</th><td>1.25 s</td></tr>\n"),
            std::string::npos);
  EXPECT_NE(
      html.find("<tr><th>first loss</th><td>3.000000e+00 (step 1)</td></tr>\n"
                "<tr><th>lowest loss</th><td>1.000000e+00 (step 2)</td></tr>\n"
                "<tr><th>last loss</th><td>2.000000e+00 (step 3)</td></tr>\n"),
      std::string::npos);
  EXPECT_NE(html.find("<p class=\"sub\">examples/toy25.gantk</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<pre>arena 1.5 MiB\n  X  0 .. 4 KiB\n</pre>"),
            std::string::npos);
}

// Sections without content are left out; the page still counts its (zero)
// images.
TEST(ReportHtml, EmptySectionsLeftOut) {
  RunReport r;
  r.title = "empty";
  std::string html = renderReportHtml(r);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<section>"), std::string::npos);
  EXPECT_EQ(html.find("<pre>"), std::string::npos);
  EXPECT_NE(html.find("<h1>empty</h1>"), std::string::npos);
  EXPECT_NE(html.find("if (total === 0) count();"), std::string::npos);
}

TEST(ReportWrite, WritesAtomically) {
  TempDir dir;
  RunReport r = sampleReport();
  ASSERT_TRUE(writeReport(dir.path.string(), r).ok());
  EXPECT_EQ(contents(dir.file("report.html")), renderReportHtml(r));
  // A second write replaces the first whole and leaves no temporary.
  r.title = "second";
  ASSERT_TRUE(writeReport(dir.path.string(), r).ok());
  EXPECT_EQ(contents(dir.file("report.html")), renderReportHtml(r));
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path))
    files += entry.path().filename() == "report.html" ? 1 : 100;
  EXPECT_EQ(files, 1u);
}

TEST(ReportWrite, RefusesNamesOutsideTheDirectory) {
  TempDir dir;
  std::string path = dir.file("report.html");
  RunReport r = sampleReport();
  r.snapshots[1].png = "/tmp/snapshot-200.png";
  Status s = writeReport(dir.path.string(), r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            path + ": the image of step 200 '/tmp/snapshot-200.png' is "
                   "absolute; images are named relative to the report's "
                   "directory so that a copy of it opens anywhere");
  r = sampleReport();
  r.lossCurvePng = "plots/../../loss.png";
  s = writeReport(dir.path.string(), r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the image of the loss curve "
                             "'plots/../../loss.png' leaves the report's "
                             "directory"),
            std::string::npos);
  r = sampleReport();
  r.snapshots[0].png.clear();
  s = writeReport(dir.path.string(), r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ": the image of step 100 has no file name");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ReportWrite, MissingDirectoryIsAnError) {
  TempDir dir;
  Status s = writeReport(dir.file("missing"), sampleReport());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing/report.html"), std::string::npos)
      << s.message();
}

// The whole path: real PNGs beside report.html, rendered by headless
// Chromium through scripts/check-report; then one image deleted.
TEST(ReportChromium, ImagesLoadOffline) {
  std::filesystem::path script = std::filesystem::path(__FILE__)
                                     .parent_path()
                                     .parent_path()
                                     .parent_path() /
                                 "scripts" / "check-report";
  if (!std::filesystem::exists(script))
    GTEST_SKIP() << script << " not found";
  if (run("command -v chromium").first != 0)
    GTEST_SKIP() << "no chromium (apt-get install chromium)";

  TempDir dir;
  RunReport r = sampleReport();
  r.snapshots.pop_back();
  ASSERT_TRUE(writePng(dir.file("loss.png"), gradient(64, 32, 40)).ok());
  ASSERT_TRUE(
      writePng(dir.file("snapshot-100.png"), gradient(32, 32, 200)).ok());
  ASSERT_TRUE(writePng(dir.file("samples.png"), gradient(48, 48, 120)).ok());
  ASSERT_TRUE(writeReport(dir.path.string(), r).ok());

  auto [status, out] = run("bash " + script.string() + " " + dir.path.string());
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("report.html: 3/3 images loaded\n"), std::string::npos)
      << out;

  std::filesystem::remove(dir.file("snapshot-100.png"));
  std::tie(status, out) =
      run("bash " + script.string() + " " + dir.path.string());
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("report.html: 2/3 images loaded\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("not loaded: snapshot-100.png"), std::string::npos) << out;
}
