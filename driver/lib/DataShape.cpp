//===- DataShape.cpp - The sizes a spec's data implies --------------------===//

#include "gantk/Driver/DataShape.h"
#include "gantk/Driver/Errors.h"

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"

#include <algorithm>
#include <climits>

namespace gantk::driver {

Result<DataInfo> probeData(const ast::DataSource &source) {
  DataInfo info;
  switch (source.kind) {
  case ast::DataSource::Kind::GaussianGrid:
  case ast::DataSource::Kind::GaussianRing:
    info.rows = INT64_MAX;
    info.dim = 2;
    return info;
  case ast::DataSource::Kind::Npy: {
    if (Status s = checkDataFile(source.path); !s.ok())
      return asInputError(s.error());
    // The header only: the data may be far larger than one step needs.
    Result<NpyArray> array = readNpyShape(source.path);
    if (!array.ok())
      return asInputError(array.error());
    Result<DataShape> shape = npyDataShape(array->shape, source.path);
    if (!shape.ok())
      return asInputError(shape.error());
    info.rows = shape->rows;
    info.dim = shape->dim;
    info.imageH = shape->imageH;
    info.imageW = shape->imageW;
    info.imageC = shape->imageC;
    return info;
  }
  case ast::DataSource::Kind::Images: {
    // The files' headers only; the runtime decodes the pixels.
    Result<ImageFolder> folder = scanImageFolder(source.path);
    if (!folder.ok())
      return asInputError(folder.error());
    info.rows = int64_t(folder->files.size());
    info.imageH = folder->height;
    info.imageW = folder->width;
    info.imageC = folder->channels;
    info.dim = info.imageH * info.imageW * info.imageC;
    return info;
  }
  case ast::DataSource::Kind::Idx: {
    Result<IdxArray> images = readIdx(source.path);
    if (!images.ok())
      return asInputError(images.error());
    const std::vector<int64_t> &shape = images->shape;
    info.rows = shape[0];
    info.dim = 1;
    for (size_t i = 1; i < shape.size(); ++i)
      info.dim *= shape[i];
    if (shape.size() == 3) {
      info.imageH = shape[1];
      info.imageW = shape[2];
      info.imageC = 1;
    }
    if (source.label >= 0) {
      std::string labelsPath = idxLabelsPath(source.path);
      if (labelsPath.empty())
        return inputError(source.path +
                          ": a label filter needs the images path to "
                          "contain 'images-idx3' so that the labels "
                          "file ('labels-idx1') can be found");
      Result<IdxArray> labels = readIdx(labelsPath);
      if (!labels.ok())
        return asInputError(labels.error());
      if (labels->shape.size() != 1 || labels->shape[0] != info.rows)
        return inputError(labelsPath + ": expected " +
                          std::to_string(info.rows) + " labels to match " +
                          source.path);
      info.rows = std::count(labels->values.begin(), labels->values.end(),
                             uint8_t(source.label));
      if (info.rows == 0)
        return inputError(source.path + ": none of its " +
                          std::to_string(labels->shape[0]) +
                          " images has label " + std::to_string(source.label) +
                          " (labels from " + labelsPath + ")");
      info.rowsWhich = "label-" + std::to_string(source.label) + " ";
    }
    return info;
  }
  }
  return inputError(source.path + ": not a data source");
}

} // namespace gantk::driver
