//===- Rows.cpp - Points given to grad and kernel -------------------------===//

#include "gantk/Driver/Rows.h"
#include "gantk/Driver/Errors.h"

#include "gantk/runtime/Finite.h"

namespace gantk::driver {

namespace {

/// [H, W, C] of image rows, empty for flat ones.
std::vector<int64_t> imageOf(const DataShape &shape) {
  if (!shape.imageH)
    return {};
  return {shape.imageH, shape.imageW, shape.imageC};
}

/// "images of HxWxC (H x W x C)" or "flat rows of d values".
std::string describeRows(const DataShape &shape) {
  if (!shape.imageH)
    return "flat rows of " + std::to_string(shape.dim) + " values";
  return "images of " + std::to_string(shape.imageH) + "x" +
         std::to_string(shape.imageW) + "x" + std::to_string(shape.imageC) +
         " (H x W x C)";
}

} // namespace

Result<Rows> rowsOf(const double *values, std::vector<int64_t> arrayShape,
                    const std::string &name) {
  Rows rows;
  rows.values = values;
  rows.count = 1;
  for (int64_t extent : arrayShape)
    rows.count *= size_t(extent);
  if (!allFinite(values, values + rows.count)) {
    // The runtime's message names the first bad row and column; its
    // check reads an array of its own, so the copy is made only here.
    NpyArray array;
    array.shape = arrayShape;
    array.values.assign(values, values + rows.count);
    return asInputError(checkFinite(array, name).error());
  }
  Result<DataShape> shape = npyDataShape(arrayShape, name);
  if (!shape.ok())
    return asInputError(shape.error());
  rows.arrayShape = std::move(arrayShape);
  rows.shape = *shape;
  rows.name = name;
  return rows;
}

Result<NpyRows> readRows(const std::string &path) {
  Result<NpyArray> array = readNpy(path);
  if (!array.ok())
    return asInputError(array.error());
  if (Status s = checkFinite(*array, path); !s.ok())
    return asInputError(s.error());
  Result<DataShape> shape = npyDataShape(array->shape, path);
  if (!shape.ok())
    return asInputError(shape.error());
  NpyRows result{array.take(), {}};
  Rows &rows = result.rows;
  rows.values = result.array.values.data();
  rows.count = result.array.values.size();
  rows.arrayShape = result.array.shape;
  rows.shape = *shape;
  rows.name = path;
  return result;
}

Status checkRealFake(const Rows &x, const Rows &z) {
  if (!x.shape.imageH && !z.shape.imageH) {
    if (x.shape.dim != z.shape.dim)
      return inputError("X has " + std::to_string(x.shape.dim) +
                        " columns, Z has " + std::to_string(z.shape.dim));
  } else if (imageOf(x.shape) != imageOf(z.shape)) {
    return inputError(x.name + " has " + describeRows(x.shape) + ", " + z.name +
                      " has " + describeRows(z.shape) +
                      "; real and fake rows must be images of the same H, W "
                      "and C");
  }
  return Status();
}

std::vector<int64_t> rowsImage(const LoadedSpec &loaded,
                               const DataShape &rows) {
  if (rows.imageH)
    return imageOf(rows);
  Result<DataInfo> info = probeData(loaded.spec.data.real);
  if (info.ok() && info->imageH &&
      info->imageH * info->imageW * info->imageC == rows.dim)
    return {info->imageH, info->imageW, info->imageC};
  return {};
}

} // namespace gantk::driver
