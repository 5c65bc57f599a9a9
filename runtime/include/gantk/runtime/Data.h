//===- Data.h - Real data sources --------------------------------*- C++
//-*-===//
//
// The real data X of a run: synthetic 2-D Gaussian mixtures (the paper's toy
// sets), a .npy array, an IDX file (MNIST / Fashion-MNIST format), or a
// folder of PNG images.
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

/// The name of a data source in messages: the file or folder, or the
/// synthetic source's name (gaussian_grid, gaussian_ring).
std::string dataSourceName(const DataConfig &config);

/// What a data file holds: `rows` rows of `dim` values, which are images of
/// imageH x imageW x imageC (row-major, channels last) or flat (all 0).
struct DataShape {
  int64_t rows = 0, dim = 0;
  int64_t imageH = 0, imageW = 0, imageC = 0;
};

/// The rows an .npy array's shape means: (N, d) flat rows, (N, H, W) grey
/// images (C = 1), (N, H, W, C) images. Any other rank, or an empty
/// dimension, is an error naming `path` and the shape.
Result<DataShape> npyDataShape(const std::vector<int64_t> &shape,
                               const std::string &path);

/// A folder of PNG images, as images(dir) reads it.
struct ImageFolder {
  std::vector<std::string> files; ///< every *.png, sorted by file name
  int64_t height = 0, width = 0, channels = 0;
};

/// Lists the *.png files of `dir` (the extension in any case), sorted by
/// name, and reads each one's header: all must have the first one's size
/// and channel count. Errors: the folder is missing or not a folder, holds
/// no PNG file, a file is not a PNG or its header is corrupt, or a file's
/// shape differs (naming it and both shapes).
Result<ImageFolder> scanImageFolder(const std::string &dir);

/// How the values a run trains on relate to the data's own coordinates:
/// data = offset + scale · value. `scale = unit` maps the data onto
/// [0, 1] (min-max for float data, /255 for bytes); otherwise, and for PNG
/// folders (always read into [0, 1]), it is the identity.
struct UnitMap {
  double offset = 0, scale = 1;

  bool identity() const { return offset == 0 && scale == 1; }
  /// `values` (in the training scaling) in the data's coordinates.
  std::vector<double> toData(std::vector<double> values) const {
    if (!identity())
      for (double &v : values)
        v = offset + scale * v;
    return values;
  }
};

/// Rows of real data, row-major.
struct Dataset {
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<double> values;
  /// What `scale = unit` did to them.
  UnitMap units;
};

/// An IDX array of unsigned bytes.
struct IdxArray {
  std::vector<int64_t> shape;
  std::vector<uint8_t> values;
};

/// Reads an IDX file of unsigned bytes (type 0x08); gzip is detected and
/// decompressed transparently.
Result<IdxArray> readIdx(const std::string &path);
/// readIdx on the bytes of a file (plain or gzip); `name` is used in error
/// messages. The size the header implies is bounded (at most 2^40 values,
/// whatever the dimensions, empty ones included), and data past it is an
/// error: a compressed file is inflated only as far as that size.
Result<IdxArray> parseIdx(const std::vector<uint8_t> &bytes,
                          const std::string &name);

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
