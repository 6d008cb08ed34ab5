#include "snapflow/pipeline/ingest.hpp"

#include <fcntl.h>
#include <omp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/ingest/ingested_series.hpp"
#include "snapflow/ingest/point_format.hpp"
#include "snapflow/ingest/raster_format.hpp"
#include "snapflow/ingest/table_format.hpp"
#include "snapflow/io/snapshot_writer.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

namespace {

// A read-only memory map of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    SNAPFLOW_VERIFY(fd >= 0, "input " << quoted(path) << ": cannot open: " << std::strerror(errno));
    struct stat info {};
    ::fstat(fd, &info);
    size_ = static_cast<size_t>(info.st_size);
    if (size_ > 0) {
      void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data == MAP_FAILED) data = nullptr;
      data_ = static_cast<const char*>(data);
    }
    ::close(fd);
    SNAPFLOW_VERIFY(size_ == 0 || data_, "input " << quoted(path) << ": cannot map it into memory");
    if (data_) ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

void broadcast_string(MPI_Comm comm, std::string& text) {
  long length = static_cast<long>(text.size());
  MPI_Bcast(&length, 1, MPI_LONG, 0, comm);
  text.resize(static_cast<size_t>(length));
  MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, 0, comm);
}

template <typename T>
void broadcast_vector(MPI_Comm comm, std::vector<T>& values, MPI_Datatype type) {
  long length = static_cast<long>(values.size());
  MPI_Bcast(&length, 1, MPI_LONG, 0, comm);
  values.resize(static_cast<size_t>(length));
  // In pieces: MPI counts are int.
  constexpr long kPiece = 1L << 28;
  for (long first = 0; first < length; first += kPiece)
    MPI_Bcast(values.data() + first, static_cast<int>(std::min(kPiece, length - first)), type, 0,
              comm);
}

// Rank 0's series to every rank.
void broadcast_series(MPI_Comm comm, IngestedSeries& s) {
  Grid& g = s.grid.grid;
  double numbers[4] = {g.dx, g.dy, g.x0, g.y0};
  int sizes[3] = {g.nx, g.ny, s.epoch_times ? 1 : 0};
  MPI_Bcast(numbers, 4, MPI_DOUBLE, 0, comm);
  MPI_Bcast(sizes, 3, MPI_INT, 0, comm);
  g.dx = numbers[0];
  g.dy = numbers[1];
  g.x0 = numbers[2];
  g.y0 = numbers[3];
  g.nx = sizes[0];
  g.ny = sizes[1];
  s.epoch_times = sizes[2] != 0;
  broadcast_string(comm, s.grid.crs);
  broadcast_string(comm, s.units);
  broadcast_vector(comm, s.grid.cell_id, MPI_INT64_T);
  broadcast_vector(comm, s.time, MPI_DOUBLE);
  broadcast_vector(comm, s.density, MPI_DOUBLE);
  long attributes = static_cast<long>(s.attributes.size()),
       notes = static_cast<long>(s.notes.size());
  MPI_Bcast(&attributes, 1, MPI_LONG, 0, comm);
  MPI_Bcast(&notes, 1, MPI_LONG, 0, comm);
  s.attributes.resize(static_cast<size_t>(attributes));
  s.notes.resize(static_cast<size_t>(notes));
  for (auto& [name, value] : s.attributes) {
    broadcast_string(comm, name);
    broadcast_string(comm, value);
  }
  for (std::string& note : s.notes) broadcast_string(comm, note);
  MPI_Bcast(&s.rows, 1, MPI_LONG, 0, comm);
  s.grid.index_ids();
}

// Gathers every rank's bad-row log on rank 0 and gives every rank the merged total and report.
BadRowLog gather_bad_rows(MPI_Comm comm, const BadRowLog& mine) {
  const std::string text = mine.serialise();
  const int size = comm_size(comm), rank = comm_rank(comm);
  int length = static_cast<int>(text.size());
  std::vector<int> lengths(size), offsets(size, 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, comm);
  for (int p = 1; p < size; ++p) offsets[p] = offsets[p - 1] + lengths[p - 1];
  std::string all(rank == 0 ? static_cast<size_t>(offsets.back() + lengths.back()) : 0, '\0');
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, comm);
  BadRowLog merged;
  if (rank == 0)
    for (int p = 0; p < size; ++p)
      merged.merge(BadRowLog::deserialise(
          all.substr(static_cast<size_t>(offsets[p]), static_cast<size_t>(lengths[p]))));
  std::string serialised = merged.serialise();
  broadcast_string(comm, serialised);
  return BadRowLog::deserialise(serialised);
}

// Milan activity files: every file is cut into ranks x threads pieces at line starts; rank r
// parses its pieces of every file with its threads, then the sums meet on rank 0.
IngestedSeries ingest_milano(MPI_Comm comm, const IngestOptions& options, const CellGrid& grid,
                             BadRowLog& log) {
  const int size = comm_size(comm), rank = comm_rank(comm);
  int threads = omp_get_max_threads();
  MPI_Bcast(&threads, 1, MPI_INT, 0, comm);
  const int pieces = size * threads;
  const long cells = grid.grid.cells();
  const int64_t interval_ms =
      std::llround((options.interval > 0 ? options.interval : 600.0) * 1000.0);
  SNAPFLOW_VERIFY(interval_ms % kMilanoSlotMs == 0,
                  "option -interval: " << options.interval
                                       << " s is not a whole number of the source's 10-minute "
                                          "slots (600 s)");

  const size_t files = options.files.size();
  std::vector<long> lines(files * static_cast<size_t>(pieces), 0);
  std::vector<BadRowLog> piece_logs(files * static_cast<size_t>(pieces));
  BinnedSums rank_sums(cells, interval_ms);
  std::vector<BinnedSums> thread_sums(static_cast<size_t>(threads), BinnedSums(cells, interval_ms));
  long bytes = 0;
  for (size_t f = 0; f < files; ++f) {
    std::unique_ptr<MappedFile> file;
    collectively(comm, [&] { file = std::make_unique<MappedFile>(options.files[f]); });
    bytes += static_cast<long>(file->size());
    const std::vector<size_t> splits = line_aligned_splits(file->data(), file->size(), pieces);
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (int t = 0; t < threads; ++t) {
      const int piece = rank * threads + t;
      const size_t k = f * static_cast<size_t>(pieces) + static_cast<size_t>(piece);
      parse_milano_lines(file->data() + splits[piece], splits[piece + 1] - splits[piece], grid,
                         options.variable, static_cast<int>(f), 1, thread_sums[t], piece_logs[k],
                         lines[k]);
    }
    for (BinnedSums& s : thread_sums) rank_sums.merge(s);
  }

  // Line numbers: each piece counted its own; offset them by the lines of earlier pieces.
  MPI_Allreduce(MPI_IN_PLACE, lines.data(), static_cast<int>(lines.size()), MPI_LONG, MPI_SUM,
                comm);
  BadRowLog mine;
  long rows = 0;
  for (size_t f = 0; f < files; ++f) {
    long offset = 0;
    for (int p = 0; p < pieces; ++p) {
      const size_t k = f * static_cast<size_t>(pieces) + static_cast<size_t>(p);
      mine.merge(piece_logs[k], offset);
      offset += lines[k];
    }
    rows += offset;
  }
  log = gather_bad_rows(comm, mine);

  // Bins and slots of every rank, then the sums on rank 0.
  std::vector<int64_t> keys, slots(rank_sums.slots().begin(), rank_sums.slots().end());
  for (const auto& bin : rank_sums.bins()) keys.push_back(bin.first);
  const auto all_of = [&](std::vector<int64_t>& local) {
    int count = static_cast<int>(local.size());
    std::vector<int> counts(size), offsets(size, 0);
    MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
    for (int p = 1; p < size; ++p) offsets[p] = offsets[p - 1] + counts[p - 1];
    std::vector<int64_t> all(static_cast<size_t>(offsets.back() + counts.back()));
    MPI_Allgatherv(local.data(), count, MPI_INT64_T, all.data(), counts.data(), offsets.data(),
                   MPI_INT64_T, comm);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  };
  const std::vector<int64_t> all_keys = all_of(keys), all_slots = all_of(slots);
  agree(comm, !all_keys.empty(),
        "no valid row in " + std::to_string(files) + " file(s)" +
            (log.total() ? ": " + log.report(options.files) : ""));
  BinnedSums total(cells, interval_ms);
  for (int64_t key : all_keys) {
    std::vector<double> sums(static_cast<size_t>(cells), 0.0);
    const auto mine_bin = rank_sums.bins().find(key);
    if (mine_bin != rank_sums.bins().end()) sums = mine_bin->second;
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : sums.data(), sums.data(), static_cast<int>(cells),
               MPI_DOUBLE, MPI_SUM, 0, comm);
    if (rank == 0) {
      double* target = total.sums_at(key);
      std::copy(sums.begin(), sums.end(), target);
    }
  }
  IngestedSeries series;
  if (rank == 0) {
    for (int64_t slot : all_slots) total.sums_at(slot);  // record every slot seen anywhere
    series = series_from_bins(total, grid, kMilanoSlotMs);
    series.units = "activity (Telecom Italia, anonymised units)";
    series.attributes = {{"source_format", "milano"},
                         {"source_variable", to_string(options.variable)},
                         {"source_interval_seconds", std::to_string(interval_ms / 1000)}};
    series.rows = rows;
    std::ostringstream note;
    note << files << " file(s), " << bytes / 1e6 << " MB, " << rows << " rows parsed by " << size
         << " rank(s) x " << threads << " thread(s)";
    series.notes.insert(series.notes.begin(), note.str());
  }
  return series;
}

IngestedSeries ingest_on_root(MPI_Comm comm, const IngestOptions& options, const CellGrid* grid,
                              BadRowLog& log) {
  IngestedSeries series;
  BadRowLog root_log;
  collectively(comm, [&] {
    if (comm_rank(comm) != 0) return;
    if (options.format == "csv") {
      TableGrid table_grid{grid, options.cell_size, options.crs};
      const TableColumns columns = parse_table_columns(
          options.columns, TableColumns{"", "", "", "", "", "time", "value", ""});
      const int64_t interval_ms = std::llround(options.interval * 1000.0);
      series = read_tables(options.files, columns, table_grid, interval_ms, root_log);
      series.attributes.push_back({"source_format", "csv"});
    } else if (options.format == "geotiff") {
      series = read_rasters(options.files, options.times);
      series.attributes.push_back({"source_format", "geotiff"});
    } else {
      PointGridOptions point_options;
      point_options.nx = options.nx;
      point_options.cell_size = options.cell_size;
      point_options.margin = options.margin;
      point_options.deposit = parse_deposit(options.deposit);
      point_options.times = options.times;
      point_options.start = options.start;
      point_options.interval = options.interval > 0 ? options.interval : 1.0;
      point_options.crs = options.crs;
      const TableColumns columns = parse_table_columns(
          options.columns, TableColumns{"", "x", "y", "", "", "time", "", "weight"});
      std::vector<std::string> notes;
      const auto frames = read_point_frames(options.files, point_options, columns, root_log, notes);
      series = deposit_points(frames, point_options);
      series.notes.insert(series.notes.begin(), notes.begin(), notes.end());
      series.attributes.push_back({"source_format", "points"});
      series.attributes.push_back({"deposit", options.deposit});
    }
  });
  log = gather_bad_rows(comm, root_log);
  broadcast_series(comm, series);
  return series;
}

void write_series(MPI_Comm comm, const IngestOptions& options, const IngestedSeries& series) {
  const Grid& g = series.grid.grid;
  SnapshotLayout layout;
  layout.grid = g;
  layout.time = series.time;
  layout.with_mask = series.grid.has_ids();
  layout.with_cell_id = series.grid.has_ids();
  layout.crs = series.grid.crs;
  layout.units = options.units.empty() ? series.units : options.units;
  layout.time_units = series.epoch_times ? "seconds since 1970-01-01T00:00:00Z" : "seconds";
  layout.description = "ingested by snapflow " SNAPFLOW_VERSION " from " +
                       std::to_string(options.files.size()) + " " + options.format + " file(s)";
  layout.attributes = series.attributes;
  std::string names;
  for (const std::string& f : options.files)
    names += (names.empty() ? "" : "\n") + std::filesystem::path(f).filename().string();
  layout.attributes.push_back({"source_files", names});
  const Range rows = block_range(g.ny, comm_size(comm), comm_rank(comm));
  const long nx = g.nx, T = static_cast<long>(series.time.size());
  std::vector<double> block;
  block.reserve(static_cast<size_t>(T * rows.size() * nx));
  for (long t = 0; t < T; ++t)
    block.insert(block.end(), series.density.begin() + (t * g.ny + rows.begin) * nx,
                 series.density.begin() + (t * g.ny + rows.end) * nx);
  SnapshotWriter writer(comm, options.output, layout);
  writer.write_rows(rows, block, nullptr);
  if (layout.with_cell_id) {
    const std::vector<uint8_t> mask = series.grid.mask();
    writer.write_mask(
        rows, std::vector<uint8_t>(mask.begin() + rows.begin * nx, mask.begin() + rows.end * nx));
    writer.write_cell_id(rows, std::vector<int64_t>(series.grid.cell_id.begin() + rows.begin * nx,
                                                    series.grid.cell_id.begin() + rows.end * nx));
  }
  writer.commit();
}

}  // namespace

IngestSummary run_ingest(MPI_Comm comm, const IngestOptions& options) {
  const double start = MPI_Wtime();
  SNAPFLOW_VERIFY(!options.files.empty(), "give the files to ingest after the options");
  std::vector<std::string> inputs = options.files;
  if (!options.grid.empty()) inputs.push_back(options.grid);
  collectively(comm, [&] {
    if (comm_rank(comm) == 0 && check_output_path(options.output, inputs))
      std::printf("ingest: note: %s exists and will be replaced\n", quoted(options.output).c_str());
  });
  CellGrid grid;
  const bool vector_grid = !options.grid.empty();
  SNAPFLOW_VERIFY(options.format != "milano" || vector_grid,
                  "-format milano needs the grid of squares: -grid milano-grid.geojson");
  if (vector_grid) {
    // Every rank reads the grid (a few MB): the Milan pieces need it everywhere.
    collectively(comm, [&] {
      grid = read_vector_grid(
          options.grid,
          VectorGridOptions{options.grid_id, options.crs.empty() && options.format == "milano"
                                                 ? "EPSG:32632"
                                                 : options.crs});
    });
  }
  BadRowLog log;
  IngestedSeries series = options.format == "milano"
                              ? ingest_milano(comm, options, grid, log)
                              : ingest_on_root(comm, options, vector_grid ? &grid : nullptr, log);
  if (comm_rank(comm) == 0)
    series.notes.insert(series.notes.end(), grid.notes.begin(), grid.notes.end());
  if (options.format == "milano") broadcast_series(comm, series);
  if (log.total() > 0) {
    SNAPFLOW_VERIFY(options.bad_rows == BadRowPolicy::kSkip,
                    log.report(options.files) << "; give -bad_rows skip to leave them out");
    series.notes.push_back("skipped " + log.report(options.files));
  }
  write_series(comm, options, series);

  IngestSummary summary;
  summary.rows = series.rows;
  summary.bad_rows = log.total();
  summary.snapshots = static_cast<long>(series.time.size());
  summary.seconds = MPI_Wtime() - start;
  if (comm_rank(comm) == 0) {
    const Grid& g = series.grid.grid;
    for (const std::string& note : series.notes) std::printf("ingest: %s\n", note.c_str());
    const bool dates = series.epoch_times && !series.time.empty();
    std::printf("ingest: %ld snapshot(s)%s%s%s on %d x %d cells of %g x %g%s\n", summary.snapshots,
                dates ? ", " : "", dates ? format_utc(series.time.front()).c_str() : "",
                dates ? (" .. " + format_utc(series.time.back())).c_str() : "", g.nx, g.ny, g.dx,
                g.dy,
                series.grid.crs.empty() ? "" : (" in " + describe_crs(series.grid.crs)).c_str());
    std::printf("ingest: wrote %s in %.2f s (%ld rows, %ld bad)\n", options.output.c_str(),
                summary.seconds, summary.rows, summary.bad_rows);
  }
  return summary;
}

}  // namespace snapflow
