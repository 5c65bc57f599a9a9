//===- Progress.cpp - Progress of a training run --------------------------===//

#include "gantk/runtime/Progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <utility>

using namespace gantk;

namespace {

/// The live line's redraw period (at most ten redraws a second: more only
/// costs terminal output).
constexpr double kRedrawSeconds = 0.1;
/// The time constant of the live line's recent mean.
constexpr double kRecentSeconds = 3.0;
/// Clears from the cursor to the end of the line (ANSI EL).
constexpr const char *kClearToEnd = "\x1b[K";

} // namespace

double gantk::steadySeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool gantk::isTerminal(int fd) {
  const char *term = std::getenv("TERM");
  return isatty(fd) && term && *term && std::strcmp(term, "dumb") != 0;
}

std::string gantk::formatDuration(double seconds) {
  // Past 1e12 s (30 000 years) the estimate is meaningless, and llround
  // must stay in range.
  if (!(seconds >= 0) || seconds > 1e12)
    return "—";
  char text[48];
  // Below 9.95 s one decimal, which "%.1f" does not round up to "10.0".
  if (seconds < 9.95) {
    std::snprintf(text, sizeof(text), "%.1f s", seconds);
    return text;
  }
  long long s = std::llround(seconds);
  if (s < 60)
    std::snprintf(text, sizeof(text), "%lld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof(text), "%lld min %02lld s", s / 60, s % 60);
  else {
    long long m = std::llround(seconds / 60);
    std::snprintf(text, sizeof(text), "%lld h %02lld min", m / 60, m % 60);
  }
  return text;
}

ProgressMeter::ProgressMeter(std::ostream &os, bool live, int64_t steps,
                             int64_t firstStep, int64_t every,
                             ProgressClock clock)
    : os(os), live(live), steps(steps), every(every), clock(std::move(clock)) {
  start = this->clock();
  lastLineTime = lastStepTime = start;
  lastLineStep = lastStep = firstStep - 1;
}

ProgressMeter::~ProgressMeter() { finish(); }

std::string ProgressMeter::text(int64_t t, double loss, double secondsPerStep,
                                const std::string &tail) const {
  char head[160];
  std::snprintf(head, sizeof(head), "step %lld/%lld  loss %.6e  %.4f s/step  ",
                static_cast<long long>(t), static_cast<long long>(steps), loss,
                secondsPerStep);
  return head + tail;
}

void ProgressMeter::draw(const std::string &line) {
  os << '\r' << line << kClearToEnd;
  os.flush();
  current = line;
  open = true;
}

void ProgressMeter::step(int64_t t, double loss) {
  double now = clock();
  bool last = t >= steps;
  if (!live) {
    if (!last && !(every > 0 && t % every == 0))
      return;
    double secondsPerStep =
        (now - lastLineTime) / double(std::max<int64_t>(1, t - lastLineStep));
    std::string tail =
        last ? "done in " + formatDuration(now - start)
             : formatDuration(secondsPerStep * double(steps - t)) + " left";
    os << text(t, loss, secondsPerStep, tail) << '\n';
    os.flush();
    lastLineTime = now;
    lastLineStep = t;
    return;
  }

  double elapsed = now - lastStepTime;
  int64_t count = std::max<int64_t>(1, t - lastStep);
  if (firstStepSeconds < 0) {
    firstStepSeconds = elapsed / double(count);
  } else {
    double decay = std::exp(-std::max(elapsed, 0.0) / kRecentSeconds);
    recentSeconds = recentSeconds * decay + elapsed;
    recentSteps = recentSteps * decay + double(count);
  }
  lastStepTime = now;
  lastStep = t;
  if (!last && open && now - lastDraw < kRedrawSeconds)
    return;

  bool estimated = recentSteps > 0;
  double secondsPerStep =
      estimated ? recentSeconds / recentSteps : firstStepSeconds;
  std::string tail =
      last        ? "done in " + formatDuration(now - start)
      : estimated ? formatDuration(secondsPerStep * double(steps - t)) + " left"
                  : "— left";
  draw(text(t, loss, secondsPerStep, tail));
  lastDraw = now;
  if (last)
    finish();
}

void ProgressMeter::message(const std::string &line) {
  if (live && open) {
    os << '\r' << kClearToEnd << line << '\n';
    draw(current);
    return;
  }
  os << line << '\n';
  os.flush();
}

void ProgressMeter::finish() {
  if (!open)
    return;
  os << '\n';
  os.flush();
  open = false;
}
