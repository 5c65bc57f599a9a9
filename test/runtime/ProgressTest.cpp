//===- ProgressTest.cpp - Live and plain progress output ------------------===//
//
// The meter runs on a scripted clock, so every line is checked exactly:
// plain lines with the mean since the previous line and the time left, a
// live line redrawn at most ten times a second and ended with '\n', the
// recent mean against its closed form, and resumed runs timed from their
// own first step.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Progress.h"

#include "TestText.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <vector>

using namespace gantk;
using gantk::test::count;

namespace {

/// A clock that reads `now`, set by the test before each call.
struct FakeClock {
  double now = 0;
  ProgressClock clock() {
    return [this] { return now; };
  }
};

/// The text of the last live redraw: after the last '\r', without the
/// clear code and newline.
std::string lastDrawn(const std::string &out) {
  std::string line = out.substr(out.rfind('\r') + 1);
  size_t clear = line.find("\x1b[K");
  return clear == std::string::npos ? line : line.substr(0, clear);
}

/// The s/step figure of a progress line.
double secondsPerStep(const std::string &line) {
  size_t loss = line.find("loss ");
  double value = -1;
  char unit[16] = {};
  std::sscanf(line.c_str() + loss, "loss %*s %lf %15s", &value, unit);
  EXPECT_STREQ(unit, "s/step") << line;
  return value;
}

/// Sets TERM for one scope (unsets it for nullptr) and restores it.
struct ScopedTerm {
  std::optional<std::string> saved;
  explicit ScopedTerm(const char *value) {
    if (const char *old = getenv("TERM"))
      saved = old;
    if (value)
      setenv("TERM", value, 1);
    else
      unsetenv("TERM");
  }
  ~ScopedTerm() {
    if (saved)
      setenv("TERM", saved->c_str(), 1);
    else
      unsetenv("TERM");
  }
};

} // namespace

TEST(ProgressDuration, Formats) {
  EXPECT_EQ(formatDuration(0), "0.0 s");
  EXPECT_EQ(formatDuration(4.24), "4.2 s");
  // 9.96 would print as "10.0 s" with one decimal: whole seconds instead.
  EXPECT_EQ(formatDuration(9.96), "10 s");
  EXPECT_EQ(formatDuration(42.4), "42 s");
  EXPECT_EQ(formatDuration(59.6), "1 min 00 s");
  EXPECT_EQ(formatDuration(185), "3 min 05 s");
  EXPECT_EQ(formatDuration(3599.4), "59 min 59 s");
  EXPECT_EQ(formatDuration(3599.6), "1 h 00 min");
  EXPECT_EQ(formatDuration(3725), "1 h 02 min");
  EXPECT_EQ(formatDuration(90000), "25 h 00 min");
  EXPECT_EQ(formatDuration(-1), "—");
  EXPECT_EQ(formatDuration(std::nan("")), "—");
  EXPECT_EQ(formatDuration(INFINITY), "—");
  EXPECT_EQ(formatDuration(1e300), "—");
}

// Lines at every multiple of `every` and at the last step; s/step is the
// mean since the previous line (the speed changes between them), the time
// left that mean times the steps left.
TEST(ProgressPlain, LinesWithMeanSinceThePreviousLine) {
  FakeClock fake;
  fake.now = 100;
  std::ostringstream os;
  ProgressMeter meter(os, /*live=*/false, 10, 1, 4, fake.clock());
  for (int64_t t = 1; t <= 10; ++t) {
    // Steps 1-4 take 0.25 s, 5-8 0.5 s, 9-10 1 s.
    fake.now += t <= 4 ? 0.25 : t <= 8 ? 0.5 : 1.0;
    meter.step(t, 1.0 / double(t));
  }
  EXPECT_EQ(os.str(),
            "step 4/10  loss 2.500000e-01  0.2500 s/step  1.5 s left\n"
            "step 8/10  loss 1.250000e-01  0.5000 s/step  1.0 s left\n"
            "step 10/10  loss 1.000000e-01  1.0000 s/step  done in 5.0 s\n");
}

TEST(ProgressPlain, EveryZeroPrintsOnlyTheLastStep) {
  FakeClock fake;
  std::ostringstream os;
  ProgressMeter meter(os, false, 5, 1, 0, fake.clock());
  for (int64_t t = 1; t <= 5; ++t) {
    fake.now += 2;
    meter.step(t, -0.5);
  }
  EXPECT_EQ(os.str(),
            "step 5/5  loss -5.000000e-01  2.0000 s/step  done in 10 s\n");
}

// A run resumed at step 501 times its own steps: 100 steps of 0.25 s, not
// 600 steps in 25 s.
TEST(ProgressPlain, ResumedRunTimesItsOwnSteps) {
  FakeClock fake;
  fake.now = 50;
  std::ostringstream os;
  ProgressMeter meter(os, false, 1000, 501, 100, fake.clock());
  for (int64_t t = 501; t <= 600; ++t) {
    fake.now += 0.25;
    meter.step(t, 2.0);
  }
  EXPECT_EQ(os.str(),
            "step 600/1000  loss 2.000000e+00  0.2500 s/step  1 min 40 s "
            "left\n");
}

TEST(ProgressPlain, MessagesAreLines) {
  FakeClock fake;
  std::ostringstream os;
  {
    ProgressMeter meter(os, false, 10, 1, 5, fake.clock());
    meter.message("wrote samples");
    meter.step(1, 1.0);
  }
  // No step line yet, and nothing to end at destruction.
  EXPECT_EQ(os.str(), "wrote samples\n");
}

// The whole output of a short live run: the first step's time and "— left"
// (the warm-up step is not an estimate), then the recent mean, then the
// last line with "done in" and the final newline.
TEST(ProgressLive, RedrawsOneLine) {
  FakeClock fake;
  std::ostringstream os;
  ProgressMeter meter(os, /*live=*/true, 3, 1, 1, fake.clock());
  fake.now = 2.0;
  meter.step(1, 3.0);
  fake.now = 2.5;
  meter.step(2, 2.0);
  fake.now = 3.0;
  meter.step(3, 1.0);
  EXPECT_EQ(os.str(),
            "\rstep 1/3  loss 3.000000e+00  2.0000 s/step  — left\x1b[K"
            "\rstep 2/3  loss 2.000000e+00  0.5000 s/step  0.5 s left\x1b[K"
            "\rstep 3/3  loss 1.000000e+00  0.5000 s/step  done in 3.0 s"
            "\x1b[K\n");
}

// Many steps within 0.1 s of each other give one redraw; the next after
// 0.1 s redraws; the last step always does, and ends the line.
TEST(ProgressLive, RateLimited) {
  FakeClock fake;
  std::ostringstream os;
  ProgressMeter meter(os, true, 1000, 1, 10, fake.clock());
  fake.now = 1.0;
  meter.step(1, 1.0);
  for (int64_t t = 2; t <= 50; ++t) {
    fake.now = 1.0 + 0.001 * double(t - 1);
    meter.step(t, 1.0);
  }
  EXPECT_EQ(count(os.str(), "\r"), 1u);
  fake.now = 1.2;
  meter.step(51, 1.0);
  EXPECT_EQ(count(os.str(), "\r"), 2u);
  EXPECT_EQ(lastDrawn(os.str()).rfind("step 51/1000  ", 0), 0u);
  fake.now = 1.21;
  meter.step(1000, 1.0);
  EXPECT_EQ(count(os.str(), "\r"), 3u);
  EXPECT_EQ(count(os.str(), "\x1b[K"), 3u);
  EXPECT_EQ(lastDrawn(os.str()).rfind("step 1000/1000  ", 0), 0u);
  EXPECT_NE(lastDrawn(os.str()).find("done in 1.2 s"), std::string::npos);
  EXPECT_EQ(os.str().back(), '\n');
  EXPECT_EQ(count(os.str(), "\n"), 1u);
}

// A resumed run's first step (slow: warm-up) is left out; the estimate is
// from steps 502 on only.
TEST(ProgressLive, ResumedRunEstimatesFromItsOwnSteps) {
  FakeClock fake;
  fake.now = 500;
  std::ostringstream os;
  ProgressMeter meter(os, true, 1001, 501, 100, fake.clock());
  fake.now += 3;
  meter.step(501, 1.0);
  EXPECT_EQ(lastDrawn(os.str()),
            "step 501/1001  loss 1.000000e+00  3.0000 s/step  — left");
  fake.now += 0.25;
  meter.step(502, 1.0);
  // 499 steps left at 0.25 s: 124.75 s.
  EXPECT_EQ(lastDrawn(os.str()),
            "step 502/1001  loss 1.000000e+00  0.2500 s/step  2 min 05 s left");
}

// After a change from 0.1 to 1 s a step, the recent mean is the steps'
// times over their count with weights exp(-age / 3 s), computed here in
// closed form.
TEST(ProgressLive, RecentMeanFollowsSpeed) {
  FakeClock fake;
  std::ostringstream os;
  ProgressMeter meter(os, true, 100000, 1, 1, fake.clock());
  std::vector<std::pair<double, double>> ends; // (end time, duration)
  fake.now = 5;                                // step 1, left out as warm-up
  meter.step(1, 1.0);
  int64_t t = 2;
  for (; t <= 101; ++t) {
    fake.now += 0.1;
    ends.push_back({fake.now, 0.1});
    meter.step(t, 1.0);
  }
  for (; t <= 115; ++t) {
    fake.now += 1.0;
    ends.push_back({fake.now, 1.0});
    meter.step(t, 1.0);
  }
  double seconds = 0, steps = 0;
  for (auto [end, duration] : ends) {
    double weight = std::exp(-(fake.now - end) / 3.0);
    seconds += weight * duration;
    steps += weight;
  }
  double expected = seconds / steps;
  EXPECT_GT(expected, 0.9);
  EXPECT_NEAR(secondsPerStep(lastDrawn(os.str())), expected, 5e-5);
}

// A message clears the live line, prints, and draws the line again.
TEST(ProgressLive, MessageKeepsTheLine) {
  FakeClock fake;
  std::ostringstream os;
  ProgressMeter meter(os, true, 10, 1, 5, fake.clock());
  fake.now = 1;
  meter.step(1, 4.0);
  std::string line = os.str();
  meter.message("wrote samples");
  EXPECT_EQ(os.str(), line + "\r\x1b[Kwrote samples\n" + line);
}

// A run that stops early (an error) ends the live line on destruction, so
// the error starts on a line of its own.
TEST(ProgressLive, DestructionEndsTheLine) {
  FakeClock fake;
  std::ostringstream os;
  {
    ProgressMeter meter(os, true, 10, 1, 5, fake.clock());
    fake.now = 1;
    meter.step(1, 4.0);
    EXPECT_NE(os.str().back(), '\n');
  }
  EXPECT_EQ(os.str().back(), '\n');
  EXPECT_EQ(count(os.str(), "\n"), 1u);
}

TEST(ProgressTerminal, PipesAndDumbTerminalsAreNotLive) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    ScopedTerm term("xterm");
    EXPECT_FALSE(isTerminal(fds[1]));
  }
  close(fds[0]);
  close(fds[1]);

  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0)
    GTEST_SKIP() << "no pseudo-terminal here";
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  {
    ScopedTerm term("xterm-256color");
    EXPECT_TRUE(isTerminal(slave));
  }
  {
    ScopedTerm term("dumb");
    EXPECT_FALSE(isTerminal(slave));
  }
  {
    ScopedTerm term(nullptr);
    EXPECT_FALSE(isTerminal(slave));
  }
  close(slave);
  close(master);
}
