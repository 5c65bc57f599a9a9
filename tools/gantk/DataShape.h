//===- DataShape.h - the sizes a spec's data implies ------------*- C++ -*-===//

#ifndef GANTK_TOOLS_DATASHAPE_H
#define GANTK_TOOLS_DATASHAPE_H

#include "gantk/Frontend/AST.h"

#include <cstdint>
#include <string>

namespace gantk {

/// Rows available, columns and image layout of a spec's real data.
struct DataInfo {
  int64_t rows = 0;   ///< rows available (INT64_MAX for synthetic mixtures)
  int64_t dim = 0;
  int64_t imageH = 0, imageW = 0, imageC = 0; ///< 0 for flat rows
  std::string rowsWhich; ///< what the rows are, e.g. "label-7 " (messages)
};

/// Reads the data source's shape (the file for npy/idx, the PNG headers of
/// an images folder). On failure returns
/// false with a message that names the path and how to get the data.
bool probeData(const ast::DataSource &source, DataInfo &info,
               std::string &error);

} // namespace gantk

#endif // GANTK_TOOLS_DATASHAPE_H
