/*===- runtime.h - The gantk runtime C API ---------------------------------===
 *
 * A stable C surface over the C++ runtime: opaque handles, and every fallible
 * call returns a gantk_status_t that is NULL on success. A non-NULL status
 * owns a code and a message and must be released with gantk_status_free.
 *
 *   gantk_session_t *session = NULL;
 *   gantk_status_t status =
 *       gantk_session_create_from_file("a.gantk-bin", NULL, &session);
 *   if (!status) status = gantk_session_set_fake(session, z, count);
 *   if (!status) status = gantk_session_step(session);
 *   if (!status) status = gantk_session_get_loss(session, &loss);
 *   if (status) {
 *     fprintf(stderr, "%s\n", gantk_status_message(status));
 *     gantk_status_free(status);
 *   }
 *   gantk_session_destroy(session);
 *
 *===----------------------------------------------------------------------===*/

#ifndef GANTK_RUNTIME_RUNTIME_H
#define GANTK_RUNTIME_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes; GANTK_STATUS_OK is never carried by a non-NULL status. */
typedef enum gantk_status_code_e {
  GANTK_STATUS_OK = 0,
  GANTK_STATUS_INVALID_ARGUMENT = 1,
  GANTK_STATUS_NOT_FOUND = 2,
  GANTK_STATUS_DATA_LOSS = 3,
  GANTK_STATUS_FAILED_PRECONDITION = 4,
  GANTK_STATUS_RESOURCE_EXHAUSTED = 5,
  GANTK_STATUS_INTERNAL = 6,
} gantk_status_code_t;

/** NULL on success, else an owned error. */
typedef struct gantk_status_s *gantk_status_t;

/** The code of a status (GANTK_STATUS_OK for NULL). */
gantk_status_code_t gantk_status_code(gantk_status_t status);
/** The message of a status ("OK" for NULL); valid until it is freed. */
const char *gantk_status_message(gantk_status_t status);
/** Releases a status; NULL is allowed. */
void gantk_status_free(gantk_status_t status);

/** Session creation options; zero-initialise for defaults. */
typedef struct gantk_session_options_s {
  /** Threads for kernels and BLAS; 0: GANTK_NUM_THREADS or all cores. */
  int32_t threads;
} gantk_session_options_t;

/** A loaded artifact with its arena and kernels. */
typedef struct gantk_session_s gantk_session_t;

/** Loads and verifies an artifact and prepares it to run. `options` may be
 *  NULL. On failure *out_session is NULL. */
gantk_status_t
gantk_session_create_from_file(const char *path,
                               const gantk_session_options_t *options,
                               gantk_session_t **out_session);
/** Releases a session; NULL is allowed. */
void gantk_session_destroy(gantk_session_t *session);

/** Shape of the artifact: rows of X, rows of Z, columns of both. */
gantk_status_t gantk_session_shape(const gantk_session_t *session,
                                   int64_t *n_real, int64_t *n_fake,
                                   int64_t *dim);
/** Writes X (n_real*dim values, row-major). */
gantk_status_t gantk_session_set_real(gantk_session_t *session,
                                      const double *values, size_t count);
/** Writes Z (n_fake*dim values, row-major). */
gantk_status_t gantk_session_set_fake(gantk_session_t *session,
                                      const double *values, size_t count);
/** Runs one step: every command of the artifact in order. */
gantk_status_t gantk_session_step(gantk_session_t *session);
/** The loss of the last step. */
gantk_status_t gantk_session_get_loss(const gantk_session_t *session,
                                      double *out_loss);
/** dL/dZ of the last step into `out` (n_fake*dim values). */
gantk_status_t gantk_session_get_grad(const gantk_session_t *session,
                                      double *out, size_t count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GANTK_RUNTIME_RUNTIME_H */
