#include "snapflow/ingest/point_format.hpp"

#include <cpl_vsi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

Deposit parse_deposit(const std::string& text) {
  if (text == "ngp") return Deposit::kNearest;
  if (text == "cic") return Deposit::kCloudInCell;
  throw_error("option -deposit: " + quoted(text) + " is not one of cic, ngp");
}

namespace {

struct VsiFile {
  VSILFILE* handle = nullptr;
  ~VsiFile() {
    if (handle) VSIFCloseL(handle);
  }
};

// The value of key `key` in a NumPy header dict ("{'descr': '<f8', 'shape': (9, 111, 2), }").
std::string header_value(const std::string& header, const std::string& key) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) return "";
  auto start = header.find(':', at);
  if (start == std::string::npos) return "";
  ++start;
  while (start < header.size() && header[start] == ' ') ++start;
  if (start >= header.size()) return "";
  if (header[start] == '(') return header.substr(start + 1, header.find(')', start) - start - 1);
  if (header[start] == '\'')
    return header.substr(start + 1, header.find('\'', start + 1) - start - 1);
  return header.substr(start, header.find_first_of(",}", start) - start);
}

template <typename T>
void convert(const std::vector<unsigned char>& raw, bool swap, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.resize(n);
  for (size_t k = 0; k < n; ++k) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, raw.data() + k * sizeof(T), sizeof(T));
    if (swap) std::reverse(bytes, bytes + sizeof(T));
    T value;
    std::memcpy(&value, bytes, sizeof(T));
    out[k] = static_cast<double>(value);
  }
}

}  // namespace

NpyArray parse_npy(const unsigned char* data, size_t size, const std::string& where) {
  SNAPFLOW_VERIFY(size >= 10 && std::memcmp(data, "\x93NUMPY", 6) == 0,
                  where << ": not a NumPy array");
  size_t header_length = data[8] | (data[9] << 8), offset = 10;
  if (data[6] >= 2) {
    SNAPFLOW_VERIFY(size >= 12, where << ": truncated header");
    header_length |= static_cast<size_t>(data[10]) << 16 | static_cast<size_t>(data[11]) << 24;
    offset = 12;
  }
  SNAPFLOW_VERIFY(header_length <= size - offset, where << ": truncated header");
  const std::string header(reinterpret_cast<const char*>(data) + offset, header_length);
  offset += header_length;
  const std::string descr = header_value(header, "descr");
  const std::string fortran = header_value(header, "fortran_order");
  SNAPFLOW_VERIFY(
      fortran.find("False") != std::string::npos,
      where << ": Fortran-ordered arrays are not read; save it with np.ascontiguousarray");
  NpyArray array;
  size_t count = 1;
  std::string shape = header_value(header, "shape");
  for (char& c : shape)
    if (c == ',') c = ' ';
  std::istringstream dims(shape);
  for (long d; dims >> d;) {
    SNAPFLOW_VERIFY(
        d >= 0 && (d == 0 || count <= (size - offset) / static_cast<size_t>(d)),
        where << ": shape (" << header_value(header, "shape") << ") does not fit the data");
    array.shape.push_back(static_cast<size_t>(d));
    count *= static_cast<size_t>(d);
  }
  SNAPFLOW_VERIFY(descr.size() == 3 && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|'),
                  where << ": element type " << quoted(descr) << " is not read");
  const bool swap = descr[0] == '>';
  const char kind = descr[1];
  const size_t bytes = static_cast<size_t>(descr[2] - '0');
  SNAPFLOW_VERIFY(bytes >= 1 && bytes <= 8 && count <= (size - offset) / bytes,
                  where << ": truncated data (" << count << " values of " << bytes << " bytes)");
  const std::vector<unsigned char> raw(data + offset, data + offset + count * bytes);
  if (kind == 'f' && bytes == 8)
    convert<double>(raw, swap, array.values);
  else if (kind == 'f' && bytes == 4)
    convert<float>(raw, swap, array.values);
  else if (kind == 'i' && bytes == 8)
    convert<int64_t>(raw, swap, array.values);
  else if (kind == 'i' && bytes == 4)
    convert<int32_t>(raw, swap, array.values);
  else
    throw_error(where + ": element type " + quoted(descr) +
                " is not read (float32/64 or int32/64 are)");
  return array;
}

NpyArray read_npz_member(const std::string& archive, const std::string& member, bool optional) {
  ensure_gdal();
  const std::string where = "archive " + quoted(archive) + ", array " + quoted(member);
  // /vsizip/ wants a plain path to the archive (no "..", no relative prefix); braces mark
  // where the archive name ends, as GDAL does not know the .npz extension.
  const std::string plain = std::filesystem::absolute(archive).lexically_normal().string();
  const std::string name = "/vsizip/{" + plain + "}/" + member + ".npy";
  VsiFile file;
  file.handle = VSIFOpenL(name.c_str(), "rb");
  if (!file.handle) {
    SNAPFLOW_VERIFY(optional, where << ": not found (or " << quoted(archive)
                                    << " is not a NumPy .npz archive)");
    return {};
  }
  std::vector<unsigned char> bytes;
  unsigned char chunk[1 << 16];
  for (size_t n; (n = VSIFReadL(chunk, 1, sizeof(chunk), file.handle)) > 0;)
    bytes.insert(bytes.end(), chunk, chunk + n);
  return parse_npy(bytes.data(), bytes.size(), where);
}

std::vector<PointFrame> read_point_frames(const std::vector<std::string>& files,
                                          const PointGridOptions& options,
                                          const TableColumns& columns, BadRowLog& log,
                                          std::vector<std::string>& notes) {
  std::vector<PointFrame> frames;
  std::vector<std::string> tables;
  for (size_t f = 0; f < files.size(); ++f) {
    if (std::filesystem::path(files[f]).extension() != ".npz") {
      tables.push_back(files[f]);
      continue;
    }
    const NpyArray positions = read_npz_member(files[f], "positions", false);
    SNAPFLOW_VERIFY(positions.shape.size() == 3 && positions.shape[2] == 2,
                    "archive " << quoted(files[f]) << ": positions must be [T, N, 2]");
    const size_t T = positions.shape[0], N = positions.shape[1];
    const NpyArray weights = read_npz_member(files[f], "weights", true);
    SNAPFLOW_VERIFY(
        weights.values.empty() || weights.values.size() == N || weights.values.size() == T * N,
        "archive " << quoted(files[f]) << ": weights must be [N] or [T, N]");
    const size_t first = frames.size();
    for (size_t t = 0; t < T; ++t) {
      PointFrame frame;
      const size_t k = first + t;
      frame.time = options.times.empty() ? options.start + static_cast<double>(k) * options.interval
                                         : (k < options.times.size() ? options.times[k] : NAN);
      for (size_t n = 0; n < N; ++n) {
        const double x = positions.values[(t * N + n) * 2],
                     y = positions.values[(t * N + n) * 2 + 1];
        const double w = weights.values.empty()       ? 1.0
                         : weights.values.size() == N ? weights.values[n]
                                                      : weights.values[t * N + n];
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w)) {
          log.add(BadRowKind::kNotNumeric, static_cast<int>(f), static_cast<long>(t * N + n + 1),
                  "frame " + std::to_string(t) + ", point " + std::to_string(n) + " is not finite");
          continue;
        }
        if (w < 0.0) {
          log.add(BadRowKind::kNegative, static_cast<int>(f), static_cast<long>(t * N + n + 1),
                  "frame " + std::to_string(t) + ", point " + std::to_string(n) + " has weight " +
                      std::to_string(w));
          continue;
        }
        frame.x.push_back(x);
        frame.y.push_back(y);
        frame.weight.push_back(w);
      }
      frames.push_back(std::move(frame));
    }
    notes.push_back(quoted(std::filesystem::path(files[f]).filename().string()) + ": " +
                    std::to_string(T) + " frame(s) of " + std::to_string(N) + " point(s)");
  }
  SNAPFLOW_VERIFY(options.times.empty() || tables.size() == files.size() ||
                      options.times.size() == frames.size(),
                  "option -times gives " << options.times.size() << " time(s) for " << frames.size()
                                         << " frame(s)");
  if (!tables.empty()) {
    const std::vector<TableRow> rows = read_table_rows(
        tables, columns, options.crs.empty() ? "EPSG:4326" : options.crs, false, log, notes);
    std::map<int64_t, PointFrame> by_time;
    for (const TableRow& r : rows) {
      PointFrame& frame = by_time[r.time_ms];
      frame.time = static_cast<double>(r.time_ms) / 1000.0;
      frame.x.push_back(r.x);
      frame.y.push_back(r.y);
      frame.weight.push_back(r.value);
    }
    for (auto& entry : by_time) frames.push_back(std::move(entry.second));
  }
  SNAPFLOW_VERIFY(!frames.empty(), "no points to deposit");
  std::sort(frames.begin(), frames.end(),
            [](const PointFrame& a, const PointFrame& b) { return a.time < b.time; });
  for (size_t k = 1; k < frames.size(); ++k)
    SNAPFLOW_VERIFY(frames[k].time > frames[k - 1].time,
                    "two point frames have the same time " << frames[k].time);
  return frames;
}

IngestedSeries deposit_points(const std::vector<PointFrame>& frames,
                              const PointGridOptions& options) {
  double xmin = std::numeric_limits<double>::max(), ymin = xmin;
  double xmax = std::numeric_limits<double>::lowest(), ymax = xmax;
  long points = 0;
  for (const PointFrame& f : frames)
    for (size_t n = 0; n < f.x.size(); ++n) {
      xmin = std::min(xmin, f.x[n]);
      xmax = std::max(xmax, f.x[n]);
      ymin = std::min(ymin, f.y[n]);
      ymax = std::max(ymax, f.y[n]);
      ++points;
    }
  SNAPFLOW_VERIFY(points > 0, "no finite point to deposit");
  const double wide = std::max({xmax - xmin, ymax - ymin, 1e-12});
  const double pad_x = options.margin * std::max(xmax - xmin, 0.1 * wide);
  const double pad_y = options.margin * std::max(ymax - ymin, 0.1 * wide);
  xmin -= pad_x;
  xmax += pad_x;
  ymin -= pad_y;
  ymax += pad_y;
  const double cell = options.cell_size > 0
                          ? options.cell_size
                          : std::max(xmax - xmin, ymax - ymin) / static_cast<double>(options.nx);
  IngestedSeries series;
  series.grid = grid_over_extent(xmin, xmax, ymin, ymax, cell, options.crs, false);
  const Grid& g = series.grid.grid;
  const long cells = g.cells();
  series.density.assign(frames.size() * static_cast<size_t>(cells), 0.0);
  for (size_t k = 0; k < frames.size(); ++k) {
    const PointFrame& f = frames[k];
    series.time.push_back(f.time);
    double* plane = series.density.data() + k * static_cast<size_t>(cells);
    for (size_t n = 0; n < f.x.size(); ++n) {
      const double fx = (f.x[n] - g.x0) / g.dx - 0.5, fy = (f.y[n] - g.y0) / g.dy - 0.5;
      const auto clamp_i = [&](long i) { return std::clamp<long>(i, 0, g.nx - 1); };
      const auto clamp_j = [&](long j) { return std::clamp<long>(j, 0, g.ny - 1); };
      if (options.deposit == Deposit::kNearest) {
        plane[g.index(static_cast<int>(clamp_j(std::lround(fy))),
                      static_cast<int>(clamp_i(std::lround(fx))))] += f.weight[n];
        continue;
      }
      const long i0 = static_cast<long>(std::floor(fx)), j0 = static_cast<long>(std::floor(fy));
      const double wx = fx - i0, wy = fy - j0;
      for (int dj = 0; dj <= 1; ++dj)
        for (int di = 0; di <= 1; ++di) {
          const double w = (di ? wx : 1.0 - wx) * (dj ? wy : 1.0 - wy);
          plane[g.index(static_cast<int>(clamp_j(j0 + dj)), static_cast<int>(clamp_i(i0 + di)))] +=
              w * f.weight[n];
        }
    }
  }
  series.epoch_times = frames.front().time >= 1e8;
  series.units = "points (weighted)";
  series.rows = points;
  return series;
}

}  // namespace snapflow
