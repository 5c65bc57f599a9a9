//===- DeviceSession.h - A session's steps on an accelerator ----*- C++ -*-===//
//
// What a Session hands to an accelerator: the arena, the commands of a step
// and the copies in and out. The CPU path stays in Session.cpp; a Session
// created for another device owns one DeviceSession and routes step(),
// writeView() and readView() to it.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_DEVICESESSION_H
#define GANTK_RUNTIME_DEVICESESSION_H

#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Result.h"
#include "gantk/runtime/Session.h"

#include <memory>
#include <vector>

namespace gantk {

class DeviceSession {
public:
  virtual ~DeviceSession() = default;
  /// Runs every command once, in order, and waits for the step to finish;
  /// with `skipOnce`, not the `once` commands (whose results, computed from
  /// X at an earlier step, are still in the arena). With `seconds` (one
  /// entry per command), adds each command's wall time, waiting after each
  /// command.
  virtual Status step(std::vector<double> *seconds, bool skipOnce) = 0;
  /// Copies `view.elements()` values into the arena view, converted.
  virtual Status writeView(const schema::View &view, const double *values) = 0;
  /// Copies the arena view out into `out` (view.elements() doubles).
  virtual Status readView(const schema::View &view, double *out) const = 0;
  /// The device memory the session holds.
  virtual DeviceMemory memory() const = 0;
};

/// The CUDA device for `artifact` (which must outlive it), or the reason
/// there is none: no driver, no device, no PTX the device can run, or a
/// runtime built without CUDA.
Result<std::unique_ptr<DeviceSession>>
createCudaSession(const Artifact &artifact);

} // namespace gantk

#endif // GANTK_RUNTIME_DEVICESESSION_H
