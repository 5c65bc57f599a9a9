//===- DataShape.h - The sizes a spec's data implies ------------*- C++ -*-===//

#ifndef GANTK_DRIVER_DATASHAPE_H
#define GANTK_DRIVER_DATASHAPE_H

#include "gantk/Frontend/AST.h"
#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>

namespace gantk::driver {

/// Rows available, columns and image layout of a spec's real data.
struct DataInfo {
  int64_t rows = 0; ///< rows available (INT64_MAX for synthetic mixtures)
  int64_t dim = 0;
  int64_t imageH = 0, imageW = 0, imageC = 0; ///< 0 for flat rows
  std::string rowsWhich; ///< what the rows are, e.g. "label-7 " (messages)
};

/// Reads the data source's shape (the file's header for npy, the file for
/// idx, the PNG headers of an images folder). Fails with a message that
/// names the path and how to get the data.
Result<DataInfo> probeData(const ast::DataSource &source);

} // namespace gantk::driver

#endif // GANTK_DRIVER_DATASHAPE_H
