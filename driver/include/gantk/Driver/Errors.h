//===- Errors.h - The two kinds of error a driver call returns --*- C++ -*-===//
//
// Every driver function returns a gantk::Result or Status whose message is
// what `gantk` prints for that failure, so that the tool and the Python
// package say the same thing. A message is one of two kinds:
//
//   * a message line ("x.npy: row 3, column 1 is NaN; ..."), which the tool
//     prints as "gantk: error: MESSAGE" — it never ends with a newline;
//   * diagnostics, the spec parser's or MLIR's ("spec.gantk:4:3: error:
//     ..." with the source line and a caret), printed as they are — every
//     line of them ends with a newline.
//
// The exit status of either is exitCodeFor(error) (ExitCode.h): the driver
// picks the ErrorCode of each failure so that it maps to the status the
// tool has always exited with. (The two checks whose failures the tool
// reports as usage errors, selectDiscriminator and checkSampleRows, say so.)
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_ERRORS_H
#define GANTK_DRIVER_ERRORS_H

#include "gantk/runtime/ExitCode.h"
#include "gantk/runtime/Result.h"

#include <string>

namespace gantk::driver {

/// A message line about bad input (exit status 1).
Error inputError(std::string message);
/// A message line about a run that started and failed (exit status 3).
Error runFailure(std::string message);
/// `error` with an ErrorCode whose exit status is 1, its message kept.
Error asInputError(Error error);
/// Diagnostics `text` (complete lines) as an error of bad input.
Error diagnosticError(std::string text);

/// True when `error` carries diagnostics rather than one message line.
bool isDiagnostic(const Error &error);

/// What gantk prints on stderr for `error`: the diagnostics as they are, or
/// "gantk: error: MESSAGE\n".
std::string errorText(const Error &error);

} // namespace gantk::driver

#endif // GANTK_DRIVER_ERRORS_H
