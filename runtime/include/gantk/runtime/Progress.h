//===- Progress.h - Progress of a training run ------------------*- C++ -*-===//
//
// What a run prints while it steps: on a terminal one live line, redrawn in
// place, with the step, the loss, the seconds per step and the time left;
// elsewhere (a CI log, a file) plain lines every `every` steps. A quiet run
// makes no meter at all.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_PROGRESS_H
#define GANTK_RUNTIME_PROGRESS_H

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace gantk {

/// Seconds on a monotonic clock; the meter only takes differences.
using ProgressClock = std::function<double()>;

/// std::chrono::steady_clock in seconds: the meter's default clock.
double steadySeconds();

/// True when `fd` is a terminal that can redraw a line: isatty(fd), and TERM
/// is set and is not "dumb" (dumb terminals and some CI consoles show the
/// escape codes as text).
bool isTerminal(int fd);

/// A duration for people: "4.2 s" below 10 s, "42 s", "3 min 05 s",
/// "1 h 02 min"; "—" when `seconds` is negative, not finite or absurdly
/// large (an estimate from a stalled clock).
std::string formatDuration(double seconds);

/// Prints the progress of steps `firstStep` ... `steps` to a stream. Call
/// step() after each step; messages go through message() so that they do
/// not break a live line.
///
/// Plain mode writes a line at every multiple of `every` and at the last
/// step:
///
///   step 100/1000  loss 1.234560e-02  0.0310 s/step  28 s left
///   step 1000/1000  loss 1.100000e-02  0.0300 s/step  done in 31 s
///
/// where s/step is the mean over the steps since the previous line (the
/// first line's includes the first step's warm-up) and the time left is
/// that mean times the steps left. "done in" counts from construction.
///
/// Live mode redraws one line ('\r', the text, then "\x1b[K" to clear what
/// a longer previous text left) at most every 0.1 s and at the last step,
/// then ends it with '\n'. Its s/step is a recent mean: the time of the
/// steps over their count, each step weighted by exp(-age / 3 s) (age: wall
/// time since it ended), so it follows a change of speed within about ten
/// seconds whatever the step time, without the flicker of one step's time.
/// The first step of the run is left out of it (thread start-up, the first
/// touch of the arena): until a second step is done the line shows that
/// first step's time and "— left".
class ProgressMeter {
public:
  /// `os` receives the output; `live` redraws one line (see isTerminal);
  /// `steps` is the run's last step and `firstStep` its first (after a
  /// resume, the step after the checkpoint's); `every` is the plain-line
  /// period (0: only the last step).
  ProgressMeter(std::ostream &os, bool live, int64_t steps, int64_t firstStep,
                int64_t every, ProgressClock clock = steadySeconds);
  /// Ends a live line left open by a run that stopped early, so that an
  /// error printed next starts on a line of its own.
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter &) = delete;
  ProgressMeter &operator=(const ProgressMeter &) = delete;

  /// Records that step `t` is done, with the loss it had.
  void step(int64_t t, double loss);
  /// Prints one line of text (e.g. "wrote samples"); in live mode the live
  /// line is cleared first and drawn again below it.
  void message(const std::string &text);
  /// Ends the live line with '\n' if one is drawn (step() does so at the
  /// last step); nothing in plain mode.
  void finish();

private:
  std::string text(int64_t t, double loss, double secondsPerStep,
                   const std::string &tail) const;
  void draw(const std::string &line);

  std::ostream &os;
  bool live;
  int64_t steps, every;
  ProgressClock clock;
  double start;
  /// Plain mode: where the previous line was.
  double lastLineTime;
  int64_t lastLineStep;
  /// Live mode: the previous step() call, the decayed sums of the recent
  /// mean, the first step's time (negative until it is known), the last
  /// redraw, whether a line is drawn and not yet ended, and its text.
  double lastStepTime;
  int64_t lastStep;
  double recentSeconds = 0, recentSteps = 0, firstStepSeconds = -1;
  double lastDraw = 0;
  bool open = false;
  std::string current;
};

} // namespace gantk

#endif // GANTK_RUNTIME_PROGRESS_H
