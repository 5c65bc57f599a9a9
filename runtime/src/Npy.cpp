//===- Npy.cpp - NumPy .npy reading and writing --------------------------===//

#include "gantk/runtime/Npy.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Finite.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstring>

using namespace gantk;

int64_t NpyArray::cols() const {
  int64_t c = 1;
  for (size_t i = 1; i < shape.size(); ++i)
    c *= shape[i];
  return c;
}

namespace {

/// The text after `'key':` in a header dict, or npos.
size_t findKey(const std::string &header, const std::string &key) {
  for (const char *quote : {"'", "\""}) {
    size_t at = header.find(quote + key + quote);
    if (at == std::string::npos)
      continue;
    size_t colon = header.find(':', at);
    if (colon != std::string::npos)
      return colon + 1;
  }
  return std::string::npos;
}

size_t skipSpace(const std::string &s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
    ++i;
  return i;
}

template <typename T>
void widen(const uint8_t *src, size_t count, std::vector<double> &out) {
  out.resize(count);
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));
    out[i] = double(v);
  }
}

} // namespace

namespace {

/// A parsed .npy header: the array's dtype and shape (no values), where
/// the data starts and how many bytes it has.
struct NpyHeader {
  NpyArray array;
  size_t dataStart = 0;
  uint64_t count = 0, elemSize = 1;
};

constexpr size_t kMaxNpyHeader = 65536 - 12;

/// Parses the header at the start of `bytes` (which may hold just a prefix
/// of the file).
Result<NpyHeader> parseHeader(const std::vector<uint8_t> &bytes,
                              const std::string &name) {
  auto bad = [&](const std::string &what) {
    return makeError(ErrorCode::DataLoss, name + ": " + what);
  };
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), magic, 6) != 0)
    return bad("not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = bytes[8] | (size_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated .npy header");
    headerLen = bytes[8] | (size_t(bytes[9]) << 8) | (size_t(bytes[10]) << 16) |
                (size_t(bytes[11]) << 24);
    headerStart = 12;
  } else {
    return bad("unsupported .npy format version " + std::to_string(major));
  }
  // NumPy writes headers of a few hundred bytes; past kMaxNpyHeader it is
  // not a data array (and readNpyShape's prefix must hold the header).
  if (headerLen > kMaxNpyHeader)
    return bad("the .npy header is " + std::to_string(headerLen) +
               " bytes, more than the " + std::to_string(kMaxNpyHeader) +
               " a data array's header may have");
  if (bytes.size() < headerStart + headerLen)
    return bad("truncated .npy header");
  std::string header(reinterpret_cast<const char *>(bytes.data()) + headerStart,
                     headerLen);

  NpyArray array;
  size_t at = findKey(header, "descr");
  if (at == std::string::npos)
    return bad("the .npy header has no 'descr'");
  at = skipSpace(header, at);
  size_t end =
      at < header.size() ? header.find(header[at], at + 1) : std::string::npos;
  if (end == std::string::npos)
    return bad("malformed 'descr' in the .npy header");
  std::string descr = header.substr(at + 1, end - at - 1);
  size_t elemSize;
  if (descr == "|u1" || descr == "<u1" || descr == "u1") {
    array.dtype = NpyDType::U8;
    elemSize = 1;
  } else if (descr == "<f4") {
    array.dtype = NpyDType::F32;
    elemSize = 4;
  } else if (descr == "<f8") {
    array.dtype = NpyDType::F64;
    elemSize = 8;
  } else {
    return bad("unsupported dtype '" + descr +
               "' (supported: float32 '<f4', float64 '<f8', uint8 '|u1')");
  }

  at = findKey(header, "fortran_order");
  if (at == std::string::npos)
    return bad("the .npy header has no 'fortran_order'");
  if (header.compare(skipSpace(header, at), 4, "True") == 0)
    return bad("Fortran-order arrays are not supported; save with C order");

  at = findKey(header, "shape");
  if (at == std::string::npos)
    return bad("the .npy header has no 'shape'");
  at = skipSpace(header, at);
  end = header.find(')', at);
  if (at >= header.size() || header[at] != '(' || end == std::string::npos)
    return bad("malformed 'shape' in the .npy header");
  // `count` is the number of elements; `nonEmpty` the product of the
  // dimensions without the empty ones, bounded so that no product of any of
  // the dimensions (cols(), the loader's rows times dim) can overflow, even
  // when a 0 makes `count` 0.
  uint64_t count = 1, nonEmpty = 1;
  for (size_t i = at + 1; i < end;) {
    i = skipSpace(header, i);
    if (i >= end)
      break;
    if (!std::isdigit(static_cast<unsigned char>(header[i])))
      return bad("malformed 'shape' in the .npy header");
    int64_t dim = 0;
    while (i < end && std::isdigit(static_cast<unsigned char>(header[i]))) {
      dim = dim * 10 + (header[i] - '0');
      if (dim > (int64_t(1) << 40))
        return bad("implausible dimension in the .npy shape");
      ++i;
    }
    array.shape.push_back(dim);
    if (dim != 0 && nonEmpty > (uint64_t(1) << 40) / uint64_t(dim))
      return bad("implausible size in the .npy shape (more than 2^40 "
                 "elements, not counting empty dimensions)");
    count *= uint64_t(dim);
    if (dim != 0)
      nonEmpty *= uint64_t(dim);
    i = skipSpace(header, i);
    if (i < end && header[i] == ',')
      ++i;
  }

  NpyHeader parsed;
  parsed.dataStart = headerStart + headerLen;
  parsed.count = count;
  parsed.elemSize = elemSize;
  parsed.array = std::move(array);
  return parsed;
}

} // namespace

Result<NpyArray> gantk::parseNpy(const std::vector<uint8_t> &bytes,
                                 const std::string &name) {
  Result<NpyHeader> header = parseHeader(bytes, name);
  if (!header.ok())
    return header.error();
  NpyArray array = std::move(header->array);
  uint64_t count = header->count, need = count * header->elemSize;
  size_t have = bytes.size() - header->dataStart;
  if (have < need)
    return makeError(ErrorCode::DataLoss,
                     name + ": truncated .npy data: " + std::to_string(count) +
                         " elements need " + std::to_string(need) +
                         " bytes, the file has " + std::to_string(have));
  // Bytes past the data are not part of the array: a file cut or joined
  // wrongly, refused as IDX data is.
  if (have > need)
    return makeError(ErrorCode::DataLoss,
                     name + ": " + std::to_string(have - need) +
                         " bytes after the " + std::to_string(need) +
                         " bytes of .npy data its header implies");
  const uint8_t *data = bytes.data() + header->dataStart;
  switch (array.dtype) {
  case NpyDType::U8:
    widen<uint8_t>(data, count, array.values);
    break;
  case NpyDType::F32:
    widen<float>(data, count, array.values);
    break;
  case NpyDType::F64:
    widen<double>(data, count, array.values);
    break;
  }
  return array;
}

Result<NpyArray> gantk::readNpy(const std::string &path) {
  Result<std::vector<uint8_t>> bytes = readFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseNpy(*bytes, path);
}

Result<NpyArray> gantk::readNpyShape(const std::string &path) {
  // The header is at most 64 KiB in practice (version 1.0: < 64 KiB).
  auto prefix = readFilePrefix(path, 1 << 16);
  if (!prefix.ok())
    return prefix.error();
  return parseNpyShape(prefix->first, prefix->second, path);
}

Result<NpyArray> gantk::parseNpyShape(const std::vector<uint8_t> &prefix,
                                      uint64_t fileSize,
                                      const std::string &name) {
  Result<NpyHeader> header = parseHeader(prefix, name);
  if (!header.ok())
    return header.error();
  uint64_t size = fileSize, need = header->count * header->elemSize;
  if (size < header->dataStart || size - header->dataStart < need)
    return makeError(ErrorCode::DataLoss,
                     name + ": truncated .npy data: the shape needs " +
                         std::to_string(need) +
                         " bytes, the file has " +
                         std::to_string(size < header->dataStart
                                            ? 0
                                            : size - header->dataStart));
  if (size - header->dataStart > need)
    return makeError(ErrorCode::DataLoss,
                     name + ": " +
                         std::to_string(size - header->dataStart - need) +
                         " bytes after the " + std::to_string(need) +
                         " bytes of .npy data its header implies");
  return std::move(header->array);
}

std::vector<uint8_t> gantk::encodeNpy(const std::vector<int64_t> &shape,
                                      const double *values, NpyDType dtype) {
  assert(dtype != NpyDType::U8 && "the runtime writes float arrays only");
  bool f64 = dtype == NpyDType::F64;
  std::string header = std::string("{'descr': '") + (f64 ? "<f8" : "<f4") +
                       "', 'fortran_order': False, 'shape': (";
  size_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    header += (i ? ", " : "") + std::to_string(shape[i]);
    count *= size_t(shape[i]);
  }
  // A 1-tuple needs its trailing comma.
  if (shape.size() == 1)
    header += ',';
  header += "), }";
  // NumPy pads the header with spaces and a newline to a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  size_t elem = f64 ? 8 : 4;
  const uint8_t prefix[10] = {0x93,
                              'N',
                              'U',
                              'M',
                              'P',
                              'Y',
                              1,
                              0,
                              uint8_t(header.size() & 0xff),
                              uint8_t(header.size() >> 8)};
  size_t start = sizeof(prefix) + header.size();
  std::vector<uint8_t> out(start + count * elem);
  std::memcpy(out.data(), prefix, sizeof(prefix));
  std::memcpy(out.data() + sizeof(prefix), header.data(), header.size());
  for (size_t i = 0; i < count; ++i) {
    if (f64) {
      std::memcpy(&out[start + i * 8], &values[i], 8);
    } else {
      float v = float(values[i]);
      std::memcpy(&out[start + i * 4], &v, 4);
    }
  }
  return out;
}

Status gantk::writeNpy(const std::string &path,
                       const std::vector<int64_t> &shape, const double *values,
                       NpyDType dtype) {
  std::vector<uint8_t> bytes = encodeNpy(shape, values, dtype);
  return writeFileAtomic(path, bytes.data(), bytes.size());
}

Status gantk::checkFinite(const NpyArray &array, const std::string &path) {
  int64_t cols = std::max<int64_t>(array.cols(), 1);
  for (size_t i = 0; i < array.values.size(); ++i) {
    double v = array.values[i];
    if (std::isfinite(v))
      continue;
    return makeError(ErrorCode::InvalidArgument,
                     path + ": row " + std::to_string(int64_t(i) / cols) +
                         ", column " + std::to_string(int64_t(i) % cols) +
                         " is " + nonFiniteName(v) +
                         "; data must be finite numbers");
  }
  return {};
}
