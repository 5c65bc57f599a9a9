//===- ExitCode.h - The exit status of the gantk tools ----------*- C++ -*-===//
//
// gantk (the compiler driver) and gantk-run (the runtime alone) end with the
// same statuses, so that scripts can tell a mistake in the command line from
// bad input and from a run that failed (docs/runtime.md, "Exit codes").
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_EXITCODE_H
#define GANTK_RUNTIME_EXITCODE_H

#include "gantk/runtime/Result.h"

namespace gantk {

/// What a tool's exit status says.
enum class ExitCode : int {
  /// Done: every output was written.
  Success = 0,
  /// Input or setup error, found before the run starts: a bad spec,
  /// module, artifact or data file the user must fix; a compile error; a
  /// memory budget that cannot be met; no GPU, no PTX for it or not enough
  /// memory.
  InputError = 1,
  /// Usage error: an unknown command or option, a missing, malformed or
  /// out-of-range option value, a wrong number of positional arguments.
  UsageError = 2,
  /// Run failure: the run started, then a step or writing the outputs
  /// failed.
  RunFailure = 3,
};

/// `code` as main's return value.
constexpr int exitStatus(ExitCode code) { return static_cast<int>(code); }

/// The status of a run (train(), a step) that ended with `error`: a file,
/// path or value the user must fix is bad input wherever the run found it
/// (a data file read as the run starts, an output directory it cannot
/// make); anything else is the computation failing.
constexpr ExitCode exitCodeFor(const Error &error) {
  switch (error.code) {
  case ErrorCode::InvalidArgument:
  case ErrorCode::NotFound:
  case ErrorCode::DataLoss:
    return ExitCode::InputError;
  case ErrorCode::FailedPrecondition:
  case ErrorCode::ResourceExhausted:
  case ErrorCode::Internal:
    break;
  }
  return ExitCode::RunFailure;
}

} // namespace gantk

#endif // GANTK_RUNTIME_EXITCODE_H
