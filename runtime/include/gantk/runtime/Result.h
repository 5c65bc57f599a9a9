//===- Result.h - Error-or-value return type --------------------*- C++ -*-===//
//
// A small llvm::Expected-like type. The runtime never throws across its API:
// every fallible operation returns a Status or a Result<T> whose error carries
// a category (mapped onto the C API's status codes) and a human message.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_RESULT_H
#define GANTK_RUNTIME_RESULT_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace gantk {

/// What kind of failure an Error is; mirrors gantk_status_code_t.
enum class ErrorCode {
  InvalidArgument = 1,
  NotFound = 2,
  DataLoss = 3,
  FailedPrecondition = 4,
  ResourceExhausted = 5,
  Internal = 6,
};

/// A failure: a category and a message meant for the user.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

/// Builds an Error; the message should name the object (file, command) at
/// fault and what is wrong with it.
inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

/// Success, or an Error.
class [[nodiscard]] Status {
public:
  /// Success.
  Status() = default;
  Status(Error error) : err(std::move(error)) {}

  /// True on success.
  bool ok() const { return !err.has_value(); }
  /// The failure; only valid when !ok().
  const Error &error() const {
    assert(err && "error() on a successful Status");
    return *err;
  }
  /// The failure message; only valid when !ok().
  const std::string &message() const { return error().message; }

private:
  std::optional<Error> err;
};

/// A value of type T, or an Error.
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : val(std::move(value)) {}
  Result(Error error) : err(std::move(error)) {}
  /// Adopts the failure of a failed Status.
  Result(const Status &status) : err(status.error()) {}

  /// True when a value is held.
  bool ok() const { return val.has_value(); }
  /// The failure; only valid when !ok().
  const Error &error() const {
    assert(err && "error() on a successful Result");
    return *err;
  }
  /// The failure message; only valid when !ok().
  const std::string &message() const { return error().message; }
  /// The failure as a Status; only valid when !ok().
  Status status() const { return ok() ? Status() : Status(*err); }

  T &operator*() {
    assert(val && "dereferencing a failed Result");
    return *val;
  }
  const T &operator*() const {
    assert(val && "dereferencing a failed Result");
    return *val;
  }
  T *operator->() { return &**this; }
  const T *operator->() const { return &**this; }
  /// Moves the value out; only valid when ok().
  T take() { return std::move(**this); }

private:
  std::optional<T> val;
  std::optional<Error> err;
};

} // namespace gantk

#endif // GANTK_RUNTIME_RESULT_H
