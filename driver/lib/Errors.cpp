//===- Errors.cpp - The two kinds of error a driver call returns ----------===//

#include "gantk/Driver/Errors.h"

namespace gantk::driver {

Error inputError(std::string message) {
  return makeError(ErrorCode::InvalidArgument, std::move(message));
}

Error runFailure(std::string message) {
  return makeError(ErrorCode::FailedPrecondition, std::move(message));
}

Error asInputError(Error error) {
  if (exitCodeFor(error) != ExitCode::InputError)
    error.code = ErrorCode::InvalidArgument;
  return error;
}

Error diagnosticError(std::string text) {
  if (text.empty() || text.back() != '\n')
    text += '\n';
  return makeError(ErrorCode::InvalidArgument, std::move(text));
}

bool isDiagnostic(const Error &error) {
  return !error.message.empty() && error.message.back() == '\n';
}

std::string errorText(const Error &error) {
  if (isDiagnostic(error))
    return error.message;
  return "gantk: error: " + error.message + "\n";
}

} // namespace gantk::driver
