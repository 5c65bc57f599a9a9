//===- Data.cpp - Real data sources --------------------------------------===//

#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Png.h"

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>

using namespace gantk;
namespace fbs = gantk::schema;
namespace fs = std::filesystem;

DataConfig DataConfig::fromSpec(const fbs::DataSpec &spec) {
  DataConfig c;
  c.kind = spec.kind();
  c.path = spec.path() ? spec.path()->str() : std::string();
  c.label = spec.label();
  c.size = spec.size();
  c.spacing = spec.spacing();
  c.std = spec.std();
  c.scale = spec.scale();
  c.imageH = spec.image_h();
  c.imageW = spec.image_w();
  c.imageC = spec.image_c();
  return c;
}

namespace {
constexpr const char *kFashionDir = "/usr/share/datasets/fashion-mnist";

} // namespace

Error gantk::missingFile(const std::string &path) {
  std::string hint =
      path.rfind(kFashionDir, 0) == 0
          ? "install the Debian package dataset-fashion-mnist (scripts/setup "
            "does)"
          : "check the path in the spec's data block";
  return makeError(ErrorCode::NotFound,
                   path + ": data file not found; " + hint);
}

Status gantk::checkDataFile(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return missingFile(path);
  if (S_ISREG(st.st_mode))
    return {};
  // Something is there, but not a file: say what (a directory, FIFO or
  // device), as every read of a file does.
  Result<std::pair<std::vector<uint8_t>, uint64_t>> none =
      readFilePrefix(path, 0);
  return none.ok() ? Status{} : Status(none.error());
}

namespace {

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// Draws n points of a 2-D Gaussian mixture with equally likely modes.
Dataset sampleMixture(const std::vector<std::pair<double, double>> &modes,
                      double std, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, modes.size() - 1);
  std::normal_distribution<double> noise(0.0, 1.0);
  Dataset d{n, 2, std::vector<double>(size_t(n) * 2)};
  for (int64_t i = 0; i < n; ++i) {
    const auto &mode = modes[pick(rng)];
    double nx = noise(rng);
    double ny = noise(rng);
    d.values[2 * i] = mode.first + std * nx;
    d.values[2 * i + 1] = mode.second + std * ny;
  }
  return d;
}

/// Affine map of all values onto [0, 1]; a constant array maps to 0.
/// Returns the map back.
UnitMap minMaxScale(std::vector<double> &values) {
  if (values.empty())
    return {};
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double min = *lo, range = *hi - *lo;
  for (double &v : values)
    v = range > 0 ? (v - min) / range : 0.0;
  return UnitMap{min, range > 0 ? range : 1.0};
}

/// Keeps the first n of a seeded shuffle of `candidates` rows of `src`.
/// A seeded shuffle of the candidate rows, then the first n, times `scale`.
/// Only the chosen rows are converted to double: a 60000-image IDX file
/// stays bytes.
template <typename T>
Dataset takeShuffled(const std::vector<T> &src, int64_t dim,
                     std::vector<int64_t> candidates, int64_t n,
                     uint64_t seed, double scale = 1.0) {
  std::mt19937_64 rng(seed);
  std::shuffle(candidates.begin(), candidates.end(), rng);
  Dataset d{n, dim, std::vector<double>(size_t(n * dim))};
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < dim; ++j)
      d.values[size_t(i * dim + j)] =
          double(src[size_t(candidates[i] * dim + j)]) * scale;
  return d;
}

Error tooFewRows(const std::string &path, int64_t have, int64_t n,
                 const std::string &which) {
  return makeError(ErrorCode::InvalidArgument,
                   path + ": only " + std::to_string(have) + " " + which +
                       "rows, the spec needs " + std::to_string(n) +
                       " (lower n_real)");
}

Error wrongDim(const std::string &path, int64_t have, int64_t dim) {
  return makeError(ErrorCode::InvalidArgument,
                   path + ": rows have " + std::to_string(have) +
                       " values, the spec's dim is " + std::to_string(dim));
}

/// "HxWxC (H x W x C)" of an image shape.
std::string imageText(int64_t h, int64_t w, int64_t c) {
  return std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c) +
         " (H x W x C)";
}

/// A file's image shape must be the one the artifact was compiled for (a
/// compiled graph may depend on it); an artifact without one takes any.
Status checkCompiledImage(const DataConfig &c, const DataShape &s) {
  if (c.imageH <= 0 ||
      (s.imageH == c.imageH && s.imageW == c.imageW && s.imageC == c.imageC))
    return {};
  std::string have =
      s.imageH ? "images of " + imageText(s.imageH, s.imageW, s.imageC)
               : "flat rows of " + std::to_string(s.dim) + " values";
  return makeError(
      ErrorCode::InvalidArgument,
      c.path + ": " + have + ", but the artifact was compiled for images of " +
          imageText(c.imageH, c.imageW, c.imageC) + "; recompile the spec");
}

Result<Dataset> loadNpy(const DataConfig &c, int64_t n, int64_t dim,
                        uint64_t seed) {
  if (Status s = checkDataFile(c.path); !s.ok())
    return s.error();
  Result<NpyArray> array = readNpy(c.path);
  if (!array.ok())
    return array.error();
  if (Status s = checkFinite(*array, c.path); !s.ok())
    return s.error();
  Result<DataShape> shape = npyDataShape(array->shape, c.path);
  if (!shape.ok())
    return shape.error();
  if (shape->dim != dim)
    return wrongDim(c.path, shape->dim, dim);
  if (Status s = checkCompiledImage(c, *shape); !s.ok())
    return s.error();
  if (shape->rows < n)
    return tooFewRows(c.path, shape->rows, n, "");
  UnitMap units;
  if (c.scale == fbs::Scale::Unit) {
    if (array->dtype == NpyDType::U8) {
      for (double &v : array->values)
        v /= 255.0;
      units = UnitMap{0, 255};
    } else {
      units = minMaxScale(array->values);
    }
  }
  std::vector<int64_t> rows(size_t(shape->rows));
  std::iota(rows.begin(), rows.end(), 0);
  Dataset d = takeShuffled(array->values, dim, std::move(rows), n, seed);
  d.units = units;
  return d;
}

/// images(dir): the first n of a seeded shuffle of the folder's files, each
/// decoded into [0, 1] (only the chosen files are decoded).
Result<Dataset> loadImages(const DataConfig &c, int64_t n, int64_t dim,
                           uint64_t seed) {
  Result<ImageFolder> folder = scanImageFolder(c.path);
  if (!folder.ok())
    return folder.error();
  int64_t count = int64_t(folder->files.size());
  DataShape shape{count, folder->height * folder->width * folder->channels,
                  folder->height, folder->width, folder->channels};
  if (shape.dim != dim)
    return wrongDim(c.path, shape.dim, dim);
  if (Status s = checkCompiledImage(c, shape); !s.ok())
    return s.error();
  if (count < n)
    return makeError(ErrorCode::InvalidArgument,
                     c.path + ": only " + std::to_string(count) +
                         " PNG images, the spec needs " + std::to_string(n) +
                         " (lower n_real)");
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  Dataset d{n, dim, std::vector<double>(size_t(n * dim))};
  for (int64_t i = 0; i < n; ++i) {
    const std::string &file = folder->files[size_t(order[size_t(i)])];
    Result<PngPixels> image = readPng(file);
    if (!image.ok())
      return image.error();
    const PngShape &got = image->shape;
    if (got.height != folder->height || got.width != folder->width ||
        got.channels != folder->channels)
      return makeError(
          ErrorCode::DataLoss,
          file + ": decodes to " +
              imageText(got.height, got.width, got.channels) +
              ", its header says " +
              imageText(folder->height, folder->width, folder->channels));
    std::copy(image->values.begin(), image->values.end(),
              d.values.begin() + i * dim);
  }
  return d;
}

Result<Dataset> loadIdx(const DataConfig &c, int64_t n, int64_t dim,
                        uint64_t seed) {
  Result<IdxArray> images = readIdx(c.path);
  if (!images.ok())
    return images.error();
  int64_t rows = images->shape.empty() ? 0 : images->shape[0];
  int64_t cols = rows ? int64_t(images->values.size()) / rows : 0;
  if (cols != dim)
    return wrongDim(c.path, cols, dim);
  // Images (N, H, W) must have the shape the artifact was compiled for.
  DataShape shape{rows, cols, 0, 0, 0};
  if (images->shape.size() == 3)
    shape = {rows, cols, images->shape[1], images->shape[2], 1};
  if (Status s = checkCompiledImage(c, shape); !s.ok())
    return s.error();

  std::vector<int64_t> candidates;
  std::string which;
  if (c.label >= 0) {
    std::string labelsPath = idxLabelsPath(c.path);
    if (labelsPath.empty())
      return makeError(ErrorCode::InvalidArgument,
                       c.path + ": a label filter needs the images path to "
                                "contain 'images-idx3' so that the labels "
                                "file ('labels-idx1') can be found");
    Result<IdxArray> labels = readIdx(labelsPath);
    if (!labels.ok())
      return labels.error();
    if (labels->shape.size() != 1 || labels->shape[0] != rows)
      return makeError(ErrorCode::DataLoss, labelsPath + ": expected " +
                                                std::to_string(rows) +
                                                " labels to match " + c.path);
    for (int64_t i = 0; i < rows; ++i)
      if (labels->values[size_t(i)] == c.label)
        candidates.push_back(i);
    which = "label-" + std::to_string(c.label) + " ";
  } else {
    candidates.resize(size_t(rows));
    std::iota(candidates.begin(), candidates.end(), 0);
  }
  if (int64_t(candidates.size()) < n)
    return tooFewRows(c.path, int64_t(candidates.size()), n, which);

  bool unit = c.scale == fbs::Scale::Unit;
  Dataset d = takeShuffled(images->values, dim, std::move(candidates), n, seed,
                           unit ? 1.0 / 255.0 : 1.0);
  if (unit)
    d.units = UnitMap{0, 255};
  return d;
}

bool hasPngExtension(const std::string &name) {
  if (name.size() < 4)
    return false;
  std::string ext = name.substr(name.size() - 4);
  for (char &ch : ext)
    ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return ext == ".png";
}

} // namespace

std::string gantk::dataSourceName(const DataConfig &c) {
  switch (c.kind) {
  case fbs::DataKind::GaussianGrid:
    return "gaussian_grid";
  case fbs::DataKind::GaussianRing:
    return "gaussian_ring";
  default:
    return c.path;
  }
}

Result<DataShape> gantk::npyDataShape(const std::vector<int64_t> &shape,
                                      const std::string &path) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  text += shape.size() == 1 ? ",)" : ")";
  if (shape.size() < 2 || shape.size() > 4)
    return makeError(ErrorCode::InvalidArgument,
                     path +
                         ": an npy data array must have shape (N, d), "
                         "(N, H, W) or (N, H, W, C); this one has shape " +
                         text);
  if (std::find(shape.begin(), shape.end(), 0) != shape.end())
    return makeError(ErrorCode::InvalidArgument,
                     path + ": the array of shape " + text + " is empty");
  DataShape s;
  s.rows = shape[0];
  s.dim = 1;
  for (size_t i = 1; i < shape.size(); ++i)
    s.dim *= shape[i];
  if (shape.size() >= 3) {
    s.imageH = shape[1];
    s.imageW = shape[2];
    s.imageC = shape.size() == 4 ? shape[3] : 1;
  }
  return s;
}

Result<ImageFolder> gantk::scanImageFolder(const std::string &dir) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  if (!fs::exists(status))
    return makeError(ErrorCode::NotFound,
                     dir + ": image folder not found; check the path in the "
                           "spec's data block");
  if (!fs::is_directory(status))
    return makeError(ErrorCode::InvalidArgument,
                     dir + ": not a folder (images() takes a folder of PNG "
                           "files)");
  std::vector<std::string> names;
  fs::directory_iterator end;
  for (fs::directory_iterator it(dir, ec); !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code fileEc;
    if (hasPngExtension(name) && it->is_regular_file(fileEc))
      names.push_back(name);
  }
  if (ec)
    return makeError(ErrorCode::NotFound,
                     dir + ": cannot list the folder: " + ec.message());
  if (names.empty())
    return makeError(ErrorCode::InvalidArgument,
                     dir + ": no PNG files (*.png) in the folder");
  std::sort(names.begin(), names.end());
  ImageFolder folder;
  for (const std::string &name : names) {
    std::string file = (fs::path(dir) / name).string();
    Result<PngShape> shape = readPngShape(file);
    if (!shape.ok())
      return shape.error();
    if (folder.files.empty()) {
      folder.height = shape->height;
      folder.width = shape->width;
      folder.channels = shape->channels;
    } else if (shape->height != folder.height || shape->width != folder.width ||
               shape->channels != folder.channels) {
      return makeError(
          ErrorCode::InvalidArgument,
          file + ": image of " +
              imageText(shape->height, shape->width, shape->channels) +
              ", but " + names.front() + " is " +
              imageText(folder.height, folder.width, folder.channels) +
              "; all images in the folder must have the same size and "
              "channel count");
    }
    folder.files.push_back(std::move(file));
  }
  return folder;
}

std::string gantk::idxLabelsPath(const std::string &imagesPath) {
  size_t at = imagesPath.rfind("images-idx3");
  if (at == std::string::npos)
    return {};
  std::string out = imagesPath;
  out.replace(at, 11, "labels-idx1");
  return out;
}

namespace {

/// At most this many values in an IDX file, counting its dimensions without
/// the empty ones: so no product of its dimensions overflows, and a header
/// cannot ask for an absurd allocation.
constexpr uint64_t kMaxIdxValues = uint64_t(1) << 40;

/// An IDX header: the shape, the size of the header and of the data.
struct IdxHeader {
  std::vector<int64_t> shape;
  size_t start = 0;
  uint64_t count = 0;
};

/// Parses the IDX header at the start of `b` (`n` bytes). Returns nullopt
/// when the header goes on past `n` bytes and `complete` is false (more
/// bytes are coming); `complete`: `b` is the whole file.
Result<std::optional<IdxHeader>> parseIdxHeader(const uint8_t *b, size_t n,
                                                bool complete,
                                                const std::string &name) {
  if (n < 4 && !complete)
    return std::optional<IdxHeader>();
  if (n < 4 || b[0] != 0 || b[1] != 0)
    return makeError(ErrorCode::DataLoss,
                     name + ": not an IDX file (bad magic number)");
  if (b[2] != 0x08)
    return makeError(ErrorCode::DataLoss,
                     name + ": unsupported IDX element type 0x" +
                         "0123456789abcdef"[b[2] >> 4] +
                         "0123456789abcdef"[b[2] & 15] +
                         " (only unsigned bytes, 0x08, are supported)");
  size_t ndims = b[3];
  if (ndims == 0)
    return makeError(ErrorCode::DataLoss,
                     name + ": IDX header with no dimensions");
  IdxHeader header;
  header.start = 4 + 4 * ndims;
  if (n < header.start) {
    if (!complete)
      return std::optional<IdxHeader>();
    return makeError(ErrorCode::DataLoss, name + ": truncated IDX header");
  }
  // Each dimension is below 2^32; the product of the non-empty ones is
  // bounded before it can overflow.
  uint64_t count = 1, nonEmpty = 1;
  std::string dims;
  for (size_t i = 0; i < ndims; ++i) {
    uint32_t dim = bigEndian32(&b[4 + 4 * i]);
    header.shape.push_back(int64_t(dim));
    dims += (i ? " x " : "") + std::to_string(dim);
    if (dim == 0) {
      count = 0;
      continue;
    }
    if (nonEmpty > kMaxIdxValues / dim)
      return makeError(ErrorCode::DataLoss,
                       name + ": implausible IDX dimensions (" + dims +
                           " x ...: more than 2^40 values)");
    nonEmpty *= dim;
    count *= dim;
  }
  header.count = count;
  return std::optional<IdxHeader>(std::move(header));
}

/// Inflates gzip `bytes` (one member or several, back to back) as far as
/// the IDX header inside implies: more data, trailing bytes or a corrupt
/// or truncated stream are errors.
Result<std::vector<uint8_t>> inflateIdx(const std::vector<uint8_t> &bytes,
                                        const std::string &name) {
  auto corrupt = [&](const std::string &why) {
    return makeError(ErrorCode::DataLoss,
                     name + ": corrupt compressed data (" + why + ")");
  };
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    return makeError(ErrorCode::ResourceExhausted,
                     name + ": cannot start zlib's inflate");
  struct End {
    z_stream &zs;
    ~End() { inflateEnd(&zs); }
  } end{zs};

  std::vector<uint8_t> out;
  std::optional<IdxHeader> header;
  uint64_t limit = 0; // header->start + header->count, once known
  const uint8_t *base = bytes.data();
  zs.next_in = const_cast<Bytef *>(base);
  zs.avail_in = 0;
  uint8_t chunk[1 << 16];
  while (true) {
    // zlib counts in uInt: hand it the input in pieces of at most 1 GiB.
    size_t at = size_t(zs.next_in - base);
    if (zs.avail_in == 0 && at < bytes.size())
      zs.avail_in = uInt(std::min<size_t>(bytes.size() - at, 1u << 30));
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    int r = inflate(&zs, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
      return corrupt(zs.msg ? zs.msg : "zlib error " + std::to_string(r));
    size_t got = sizeof(chunk) - zs.avail_out;
    if (header && out.size() + got > limit)
      return makeError(ErrorCode::DataLoss,
                       name + ": the compressed data inflates past the " +
                           std::to_string(limit) +
                           " bytes its IDX header implies");
    out.insert(out.end(), chunk, chunk + got);
    if (!header) {
      Result<std::optional<IdxHeader>> parsed =
          parseIdxHeader(out.data(), out.size(), false, name);
      if (!parsed.ok())
        return parsed.error();
      if ((header = std::move(*parsed))) {
        limit = header->start + header->count;
        if (out.size() > limit)
          return makeError(ErrorCode::DataLoss,
                           name + ": the compressed data inflates past the " +
                               std::to_string(limit) +
                               " bytes its IDX header implies");
      }
    }
    at = size_t(zs.next_in - base);
    size_t left = bytes.size() - at;
    if (r == Z_STREAM_END) {
      if (left == 0)
        return out;
      // Another gzip member may follow; anything else is trailing junk.
      if (left < 2 || base[at] != 0x1f || base[at + 1] != 0x8b)
        return corrupt(std::to_string(left) +
                       " bytes after the end of the gzip stream");
      if (inflateReset(&zs) != Z_OK)
        return corrupt("cannot read the next gzip member");
    } else if (got == 0 && left == 0) {
      // No progress and nothing more to read: the stream stops early.
      return corrupt("the compressed stream is truncated");
    }
  }
}

} // namespace

Result<IdxArray> gantk::parseIdx(const std::vector<uint8_t> &bytes,
                                 const std::string &name) {
  const std::vector<uint8_t> *b = &bytes;
  std::vector<uint8_t> inflated;
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    Result<std::vector<uint8_t>> out = inflateIdx(bytes, name);
    if (!out.ok())
      return out.error();
    inflated = out.take();
    b = &inflated;
  }
  Result<std::optional<IdxHeader>> header =
      parseIdxHeader(b->data(), b->size(), true, name);
  if (!header.ok())
    return header.error();
  const IdxHeader &h = **header;
  size_t have = b->size() - h.start;
  if (have < h.count)
    return makeError(ErrorCode::DataLoss,
                     name + ": truncated IDX data (" + std::to_string(h.count) +
                         " bytes expected, " + std::to_string(have) +
                         " present)");
  if (have > h.count)
    return makeError(ErrorCode::DataLoss,
                     name + ": " + std::to_string(have - h.count) +
                         " bytes after the " + std::to_string(h.count) +
                         " bytes of IDX data its header implies");
  IdxArray array;
  array.shape = h.shape;
  array.values.assign(b->begin() + h.start, b->end());
  return array;
}

Result<IdxArray> gantk::readIdx(const std::string &path) {
  if (Status s = checkDataFile(path); !s.ok())
    return s.error();
  Result<std::vector<uint8_t>> bytes = readFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseIdx(*bytes, path);
}

Result<Dataset> gantk::loadRealData(const DataConfig &c, int64_t n, int64_t dim,
                                    uint64_t seed) {
  if (n <= 0 || dim <= 0)
    return makeError(ErrorCode::InvalidArgument,
                     "real data needs positive n and dim");
  if (c.label >= 0 && c.kind != fbs::DataKind::Idx)
    return makeError(ErrorCode::InvalidArgument,
                     "a label filter only applies to idx data");
  switch (c.kind) {
  case fbs::DataKind::GaussianGrid:
  case fbs::DataKind::GaussianRing: {
    bool grid = c.kind == fbs::DataKind::GaussianGrid;
    const char *what = grid ? "gaussian_grid" : "gaussian_ring";
    if (dim != 2)
      return makeError(ErrorCode::InvalidArgument,
                       std::string(what) + " data is 2-D, the spec's dim is " +
                           std::to_string(dim));
    // Bounds keep the mode table small (a grid has size^2 modes).
    int64_t maxSize = grid ? 1000 : 1000000;
    if (c.size <= 0 || c.size > maxSize)
      return makeError(ErrorCode::InvalidArgument, std::string(what) +
                                                       " size must be in 1.." +
                                                       std::to_string(maxSize));
    std::vector<std::pair<double, double>> modes;
    if (grid) {
      double center = double(c.size - 1) / 2;
      for (int64_t i = 0; i < c.size; ++i)
        for (int64_t j = 0; j < c.size; ++j)
          modes.emplace_back((i - center) * c.spacing,
                             (j - center) * c.spacing);
    } else {
      for (int64_t k = 0; k < c.size; ++k) {
        double angle = 2 * M_PI * double(k) / double(c.size);
        modes.emplace_back(c.spacing * std::cos(angle),
                           c.spacing * std::sin(angle));
      }
    }
    Dataset d = sampleMixture(modes, c.std, n, seed);
    if (c.scale == fbs::Scale::Unit)
      d.units = minMaxScale(d.values);
    return d;
  }
  case fbs::DataKind::Npy:
    return loadNpy(c, n, dim, seed);
  case fbs::DataKind::Idx:
    return loadIdx(c, n, dim, seed);
  case fbs::DataKind::Images:
    return loadImages(c, n, dim, seed);
  }
  return makeError(ErrorCode::InvalidArgument, "unknown data kind");
}
