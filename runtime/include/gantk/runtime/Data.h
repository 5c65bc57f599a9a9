//===- Data.h - Real data sources --------------------------------*- C++
//-*-===//
//
// The real data X of a run: synthetic 2-D Gaussian mixtures (the paper's toy
// sets), a .npy array, or an IDX file (MNIST / Fashion-MNIST format).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_DATA_H
#define GANTK_RUNTIME_DATA_H

#include "gantk/runtime/Result.h"

#include "artifact_generated.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// A plain copy of schema::DataSpec, so data can be loaded without an
/// artifact.
struct DataConfig {
  schema::DataKind kind = schema::DataKind::GaussianGrid;
  std::string path;
  int label = -1;
  int64_t size = 0;
  double spacing = 0;
  double std = 0;
  schema::Scale scale = schema::Scale::None;
  int64_t imageH = 0, imageW = 0, imageC = 0;

  static DataConfig fromSpec(const schema::DataSpec &spec);
};

/// Rows of real data, row-major.
struct Dataset {
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<double> values;
};

/// An IDX array of unsigned bytes.
struct IdxArray {
  std::vector<int64_t> shape;
  std::vector<uint8_t> values;
};

/// Reads an IDX file of unsigned bytes (type 0x08); gzip is detected and
/// decompressed transparently.
Result<IdxArray> readIdx(const std::string &path);

/// The error for a data file that is not there: names the path and how to
/// get it (Debian's dataset-fashion-mnist, or the spec's data block).
Error missingFile(const std::string &path);

/// Success when `path` is a regular file, else missingFile(path).
Status checkDataFile(const std::string &path);

/// The labels file beside an IDX images file: "images-idx3" in the path
/// replaced by "labels-idx1"; empty when the path does not contain it.
std::string idxLabelsPath(const std::string &imagesPath);

/// Loads `n` rows of `dim` columns. Synthetic sources draw their rows from
/// std::mt19937_64(seed); file sources keep the first n rows of a shuffle
/// seeded the same way (after the optional label filter).
Result<Dataset> loadRealData(const DataConfig &config, int64_t n, int64_t dim,
                             uint64_t seed);

} // namespace gantk

#endif // GANTK_RUNTIME_DATA_H
