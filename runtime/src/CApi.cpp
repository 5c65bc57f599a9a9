//===- CApi.cpp - The gantk runtime C API --------------------------------===//
//
// Thin wrappers: C++ Results become heap-allocated statuses, and no
// exception (only std::bad_alloc is possible) crosses into C.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Session.h"
#include "gantk/runtime/runtime.h"

#include <new>
#include <string>

using namespace gantk;

struct gantk_status_s {
  gantk_status_code_t code;
  std::string message;
};

struct gantk_session_s {
  std::unique_ptr<Session> session;
};

namespace {

gantk_status_t makeStatus(gantk_status_code_t code, std::string message) {
  return new (std::nothrow) gantk_status_s{code, std::move(message)};
}

gantk_status_t toStatus(const Status &status) {
  if (status.ok())
    return nullptr;
  return makeStatus(gantk_status_code_t(status.error().code), status.message());
}

gantk_status_t nullArgument(const char *what) {
  return makeStatus(GANTK_STATUS_INVALID_ARGUMENT,
                    std::string(what) + " must not be NULL");
}

/// Runs `body`, turning an allocation failure into a status.
template <typename Fn> gantk_status_t guarded(Fn body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return makeStatus(GANTK_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
}

} // namespace

extern "C" {

gantk_status_code_t gantk_status_code(gantk_status_t status) {
  return status ? status->code : GANTK_STATUS_OK;
}

const char *gantk_status_message(gantk_status_t status) {
  return status ? status->message.c_str() : "OK";
}

void gantk_status_free(gantk_status_t status) { delete status; }

gantk_status_t
gantk_session_create_from_file(const char *path,
                               const gantk_session_options_t *options,
                               gantk_session_t **out_session) {
  if (!out_session)
    return nullArgument("out_session");
  *out_session = nullptr;
  if (!path)
    return nullArgument("path");
  return guarded([&]() -> gantk_status_t {
    Result<Artifact> artifact = Artifact::loadFile(path);
    if (!artifact.ok())
      return toStatus(artifact.status());
    SessionOptions sessionOptions;
    if (options)
      sessionOptions.threads = options->threads;
    Result<std::unique_ptr<Session>> session =
        Session::create(artifact.take(), sessionOptions);
    if (!session.ok())
      return toStatus(session.status());
    *out_session = new gantk_session_s{session.take()};
    return nullptr;
  });
}

void gantk_session_destroy(gantk_session_t *session) { delete session; }

gantk_status_t gantk_session_shape(const gantk_session_t *session,
                                   int64_t *n_real, int64_t *n_fake,
                                   int64_t *dim) {
  if (!session)
    return nullArgument("session");
  const schema::Artifact &root = session->session->root();
  if (n_real)
    *n_real = root.n_real();
  if (n_fake)
    *n_fake = root.n_fake();
  if (dim)
    *dim = root.dim();
  return nullptr;
}

gantk_status_t gantk_session_set_real(gantk_session_t *session,
                                      const double *values, size_t count) {
  if (!session)
    return nullArgument("session");
  if (!values)
    return nullArgument("values");
  return toStatus(session->session->setReal(values, count));
}

gantk_status_t gantk_session_set_fake(gantk_session_t *session,
                                      const double *values, size_t count) {
  if (!session)
    return nullArgument("session");
  if (!values)
    return nullArgument("values");
  return toStatus(session->session->setFake(values, count));
}

gantk_status_t gantk_session_step(gantk_session_t *session) {
  if (!session)
    return nullArgument("session");
  return guarded([&] { return toStatus(session->session->step()); });
}

gantk_status_t gantk_session_get_loss(const gantk_session_t *session,
                                      double *out_loss) {
  if (!session)
    return nullArgument("session");
  if (!out_loss)
    return nullArgument("out_loss");
  *out_loss = session->session->loss();
  return nullptr;
}

gantk_status_t gantk_session_get_grad(const gantk_session_t *session,
                                      double *out, size_t count) {
  if (!session)
    return nullArgument("session");
  if (!out)
    return nullArgument("out");
  return toStatus(session->session->getGrad(out, count));
}

} // extern "C"
