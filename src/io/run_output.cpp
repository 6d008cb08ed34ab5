#include "snapflow/io/run_output.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

namespace {

constexpr int kDeflateLevel = 1;
constexpr hsize_t kChunkBytes = 1 << 20;

hsize_t chunk_rows(const Grid& grid, hsize_t bytes_per_cell) {
  const hsize_t row = static_cast<hsize_t>(grid.nx) * bytes_per_cell;
  return std::clamp<hsize_t>(kChunkBytes / row, 1, static_cast<hsize_t>(grid.ny));
}

// Per fine step: the LP's outcome, then what it cost (solve seconds on its worker, pivots).
const char* const kFineDatasets[] = {"cost",    "moved",   "created", "destroyed",
                                     "clipped", "seconds", "pivots"};

}  // namespace

namespace {

// What an existing <path>.partial holds.
struct PartialState {
  bool exists = false;
  bool ours = false;  // a snapflow run output (attribute complete = 0)
  long frames_done = 0, frames = 0;
};

PartialState inspect_partial(MPI_Comm comm, const std::string& partial) {
  PartialState state;
  std::ifstream probe(partial);
  state.exists = probe.good();
  if (!state.exists) return state;
  long numbers[3] = {0, 0, 0};  // ours, done, frames
  if (comm_rank(comm) == 0) {
    // Rank 0 alone, with the default driver: a broken file must not fail a collective open.
    std::error_code error;
    const bool empty = std::filesystem::file_size(partial, error) == 0;
    Hid file(empty || H5Fis_hdf5(partial.c_str()) <= 0
                 ? Hid()
                 : Hid(H5Fopen(partial.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose));
    if (!file.valid()) {
      // Empty or a broken HDF5 file: killed while it was being created. Anything else
      // (not HDF5 at all) is someone else's.
      numbers[0] = empty || H5Fis_hdf5(partial.c_str()) > 0;
    } else if (H5Aexists(file, "complete") > 0 && path_exists(file, "/frames/done")) {
      numbers[0] = 1;
      Hid done(H5Dopen2(file, "/frames/done", H5P_DEFAULT), H5Dclose);
      std::vector<uint8_t> flags(static_cast<size_t>(dataset_info(done).dims.at(0)));
      if (flags.empty() ||
          H5Dread(done, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags.data()) >= 0)
        for (uint8_t f : flags) numbers[1] += f != 0;
      numbers[2] = static_cast<long>(flags.size());
    }
  }
  MPI_Bcast(numbers, 3, MPI_LONG, 0, comm);
  state.ours = numbers[0] != 0;
  state.frames_done = numbers[1];
  state.frames = numbers[2];
  return state;
}

}  // namespace

RunOutput::RunOutput(MPI_Comm comm, const std::string& path, const RunDescription& description,
                     bool resume)
    : comm_(comm),
      path_(path),
      partial_path_(snapflow::partial_path(path)),
      description_(description) {
  silence_hdf5_error_printing();
  collectively(comm, [&] {
    if (comm_rank(comm) == 0) lock_ = std::make_unique<OutputLock>(path);
  });
  const PartialState state = inspect_partial(comm, partial_path_);
  agree(comm, !state.exists || state.ours,
        quoted(partial_path_) +
            " exists and is not a snapflow run output; move it away or "
            "choose another -o");
  Hid fapl = mpio_file_access(comm);
  if (state.exists && state.frames_done > 0) {
    agree(comm, resume,
          quoted(partial_path_) + " holds an interrupted run (" +
              std::to_string(state.frames_done) + " of " + std::to_string(state.frames) +
              " frames done): add -resume to continue it, or remove the file to start again");
    file_ = Hid(H5Fopen(partial_path_.c_str(), H5F_ACC_RDWR, fapl), H5Fclose);
    agree(comm, file_.valid(),
          "-resume: cannot open " + quoted(partial_path_) + ": " + hdf5_error_detail());
    collectively(comm, [&] { check_matches(); });
    // A run begun by an older snapflow lacks the step costs; the resumed frames add them.
    const hsize_t steps = description_.schedule.steps();
    for (const char* name : kFineDatasets)
      if (!path_exists(file_, std::string("/fine/") + name))
        create_dataset(file_, std::string("/fine/") + name, H5T_IEEE_F64LE, {steps});
    resumed_ = true;
    return;
  }
  agree(comm, !resume || state.exists,
        "-resume: there is no interrupted run " + quoted(partial_path_) +
            " to resume (run without -resume to start one)");
  if (state.exists)
    note_ = (resume ? "nothing to resume in " : "replacing ") + quoted(partial_path_) +
            ": that run stopped before any frame was done" +
            (resume ? "; starting from the beginning" : "");
  file_ = Hid(H5Fcreate(partial_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
  agree(comm, file_.valid(),
        "cannot create output file " + quoted(partial_path_) + ": " + hdf5_error_detail() +
            full_disk_note(partial_path_));
  create_datasets();
}

RunOutput::~RunOutput() = default;

void RunOutput::create_datasets() {
  const Grid& g = description_.grid;
  const FineSchedule& s = description_.schedule;
  const hsize_t F = s.frames(), K = s.steps(), ny = g.ny, nx = g.nx;
  const hsize_t Z = description_.zone_ids.size();
  const hsize_t W = s.chains();  // trip windows: the chains
  create_dataset(file_, "/frames/time", H5T_IEEE_F64LE, {F + 1});
  create_dataset(file_, "/frames/flow", H5T_IEEE_F32LE, {F, ny, nx, 9},
                 {1, chunk_rows(g, 36), nx, 9}, kDeflateLevel);
  create_dataset(file_, "/frames/velocity", H5T_IEEE_F32LE, {F, ny, nx, 2},
                 {1, chunk_rows(g, 8), nx, 2}, kDeflateLevel);
  create_dataset(file_, "/frames/density", H5T_IEEE_F32LE, {F + 1, ny, nx},
                 {1, chunk_rows(g, 4), nx}, kDeflateLevel);
  create_dataset(file_, "/frames/done", H5T_STD_U8LE, {F});
  create_dataset(file_, "/fine/time", H5T_IEEE_F64LE, {K + 1});
  for (const char* name : kFineDatasets)
    create_dataset(file_, std::string("/fine/") + name, H5T_IEEE_F64LE, {K});
  create_dataset(file_, "/fine/status", H5T_STD_I8LE, {K});
  if (Z > 0) {
    create_dataset(file_, "/od/flow", H5T_IEEE_F64LE, {F, Z, Z}, {1, Z, Z}, kDeflateLevel);
    create_dataset(file_, "/od/zone_ids", H5T_STD_I32LE, {Z});
    create_dataset(file_, "/od/zones", H5T_STD_I32LE, {ny, nx}, {chunk_rows(g, 4), nx},
                   kDeflateLevel);
    create_dataset(file_, "/od/trips", H5T_IEEE_F64LE, {W, Z, Z}, {1, Z, Z}, kDeflateLevel);
    create_dataset(file_, "/od/time", H5T_IEEE_F64LE, {W + 1});
  }

  const bool root = comm_rank(comm_) == 0;
  const std::vector<double> frame_time = s.frame_times();
  std::vector<double> step_time(K + 1);
  for (hsize_t k = 0; k <= K; ++k) step_time[k] = s.step_time(static_cast<long>(k));
  const std::vector<uint8_t> none(F, 0);
  write_box("/frames/time", H5T_NATIVE_DOUBLE, {0}, {root ? F + 1 : 0}, frame_time.data());
  write_box("/fine/time", H5T_NATIVE_DOUBLE, {0}, {root ? K + 1 : 0}, step_time.data());
  write_box("/frames/done", H5T_NATIVE_UINT8, {0}, {root ? F : 0}, none.data());
  if (Z > 0) {
    write_box("/od/zone_ids", H5T_NATIVE_INT32, {0}, {root ? Z : 0}, description_.zone_ids.data());
    std::vector<int32_t> zones(description_.zone_of_cell.size(), -1);
    for (size_t c = 0; c < zones.size(); ++c)
      if (description_.zone_of_cell[c] >= 0)
        zones[c] = description_.zone_ids[description_.zone_of_cell[c]];
    write_box("/od/zones", H5T_NATIVE_INT32, {0}, {root ? ny : 0}, zones.data());
    std::vector<double> window_time(W + 1);
    for (hsize_t w = 0; w <= W; ++w)
      window_time[w] =
          s.frame_time(w < W ? s.chain_frame_range(static_cast<long>(w)).begin : s.frames());
    write_box("/od/time", H5T_NATIVE_DOUBLE, {0}, {root ? W + 1 : 0}, window_time.data());
  }

  write_double_attribute(file_, "dx", g.dx);
  write_double_attribute(file_, "dy", g.dy);
  write_double_attribute(file_, "x0", g.x0);
  write_double_attribute(file_, "y0", g.y0);
  write_long_attribute(file_, "complete", 0);
  write_string_attribute(file_, "version", SNAPFLOW_VERSION);
  for (const auto& [name, value] : description_.defining_numbers)
    write_double_attribute(file_, name, value);
  for (const auto& [name, value] : description_.defining_strings)
    write_string_attribute(file_, name, value);
  for (const auto& [name, value] : description_.notes) write_string_attribute(file_, name, value);
}

void RunOutput::check_matches() {
  const std::string where = "-resume: " + quoted(partial_path_);
  for (const auto& [name, value] : description_.defining_numbers) {
    const auto saved = read_double_attribute(file_, name, where);
    SNAPFLOW_VERIFY(saved.has_value(), where << " has no attribute '" << name << "'");
    SNAPFLOW_VERIFY(*saved == value, where << " was started with " << name << " = " << *saved
                                           << "; this run has " << value
                                           << " (resume with the options of the first run)");
  }
  for (const auto& [name, value] : description_.defining_strings) {
    auto saved = read_string_attribute(file_, name, where);
    const auto fallback = description_.defining_string_defaults.find(name);
    const bool absent = !saved && fallback != description_.defining_string_defaults.end();
    if (absent) saved = fallback->second;
    SNAPFLOW_VERIFY(saved.has_value(), where << " has no attribute '" << name << "'");
    SNAPFLOW_VERIFY(*saved == value, where << " was started with " << name << " = '" << *saved
                                           << "'; this run has '" << value
                                           << "' (resume with the options of the first run)");
    if (absent) write_string_attribute(file_, name, value);  // the output then says it
  }
}

void RunOutput::write_box(const std::string& name, hid_t mem_type,
                          const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                          const void* data) const {
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(dataset);
  std::vector<hsize_t> full_start = start, full_count = count;
  for (size_t k = start.size(); k < info.dims.size(); ++k) {
    full_start.push_back(0);
    full_count.push_back(count.empty() || count[0] == 0 ? 0 : info.dims[k]);
  }
  Hid file_space = box_selection(info.dims, full_start, full_count);
  Hid mem_space = memory_space(full_count);
  Hid transfer = collective_transfer();
  static const double kNothing = 0.0;
  const herr_t status =
      H5Dwrite(dataset, mem_type, mem_space, file_space, transfer, data ? data : &kNothing);
  agree(comm_, status >= 0,
        "cannot write " + name + " of " + quoted(partial_path_) + ": " + hdf5_write_failure(file_));
}

std::vector<uint8_t> RunOutput::done_frames() const {
  const hsize_t F = description_.schedule.frames();
  std::vector<uint8_t> done(F);
  Hid dataset(H5Dopen2(file_, "/frames/done", H5P_DEFAULT), H5Dclose);
  Hid transfer = collective_transfer();
  const herr_t status = H5Dread(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, transfer, done.data());
  agree(comm_, status >= 0,
        "cannot read /frames/done of " + quoted(partial_path_) + ": " + hdf5_error_detail());
  return done;
}

std::vector<double> RunOutput::read_fine(const std::string& name) const {
  std::vector<double> values(description_.schedule.steps());
  const std::string path = "/fine/" + name;
  Hid dataset(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose);
  Hid transfer = collective_transfer();
  const herr_t status =
      H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, transfer, values.data());
  agree(comm_, status >= 0,
        "cannot read " + path + " of " + quoted(partial_path_) + ": " + hdf5_error_detail());
  return values;
}

std::vector<float> RunOutput::read_frame(const std::string& name, long f) const {
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(dataset);
  std::vector<hsize_t> start(info.dims.size(), 0), count = info.dims;
  start[0] = f >= 0 ? static_cast<hsize_t>(f) : 0;
  count[0] = f >= 0 ? 1 : 0;
  hsize_t size = 1;
  for (hsize_t c : count) size *= c;
  std::vector<float> values(size);
  Hid file_space = box_selection(info.dims, start, count);
  Hid mem_space = memory_space(count);
  Hid transfer = collective_transfer();
  float nothing = 0.0f;
  const herr_t status = H5Dread(dataset, H5T_NATIVE_FLOAT, mem_space, file_space, transfer,
                                values.empty() ? &nothing : values.data());
  agree(comm_, status >= 0,
        "cannot read " + name + " of " + quoted(partial_path_) + ": " + hdf5_error_detail());
  return values;
}

void RunOutput::write_chain(const ChainResult* r) {
  const bool mine = r != nullptr;
  const long cells = description_.grid.cells();
  const hsize_t f0 = mine ? r->frames.begin : 0, nf = mine ? r->frames.size() : 0;
  const hsize_t k0 = mine ? r->steps.begin : 0, nk = mine ? r->steps.size() : 0;
  std::vector<float> flow, velocity, density;
  std::vector<double> od;
  std::vector<double> fine[std::size(kFineDatasets)];
  std::vector<int8_t> status;
  if (mine) {
    for (const FrameResult& frame : r->frame_results) {
      flow.insert(flow.end(), frame.flow.begin(), frame.flow.end());
      velocity.insert(velocity.end(), frame.velocity.begin(), frame.velocity.end());
      density.insert(density.end(), frame.density.begin(), frame.density.end());
      od.insert(od.end(), frame.od.begin(), frame.od.end());
    }
    density.insert(density.end(), r->end_density.begin(), r->end_density.end());
    for (const transport::TransportResult& s : r->step_results) {
      const double values[] = {s.cost,
                               s.moved,
                               s.created,
                               s.destroyed,
                               s.clipped,
                               s.seconds,
                               static_cast<double>(s.pivots)};
      for (size_t d = 0; d < std::size(kFineDatasets); ++d) fine[d].push_back(values[d]);
      status.push_back(static_cast<int8_t>(s.status));
    }
  }
  const hsize_t density_frames = density.size() / std::max<long>(cells, 1);
  write_box("/frames/flow", H5T_NATIVE_FLOAT, {f0}, {nf}, flow.data());
  write_box("/frames/velocity", H5T_NATIVE_FLOAT, {f0}, {nf}, velocity.data());
  write_box("/frames/density", H5T_NATIVE_FLOAT, {f0}, {mine ? density_frames : 0}, density.data());
  for (size_t d = 0; d < std::size(kFineDatasets); ++d)
    write_box(std::string("/fine/") + kFineDatasets[d], H5T_NATIVE_DOUBLE, {k0}, {nk},
              fine[d].data());
  write_box("/fine/status", H5T_NATIVE_INT8, {k0}, {nk}, status.data());
  if (!description_.zone_ids.empty()) {
    write_box("/od/flow", H5T_NATIVE_DOUBLE, {f0}, {nf}, od.data());
    const hsize_t w = mine ? static_cast<hsize_t>(r->chain) : 0;
    write_box("/od/trips", H5T_NATIVE_DOUBLE, {w}, {mine ? 1u : 0u},
              mine ? r->trips.data() : nullptr);
  }
}

void RunOutput::mark_done(const std::vector<const ChainResult*>& results,
                          const RecordedTotals& totals) {
  agree(comm_, H5Fflush(file_, H5F_SCOPE_GLOBAL) >= 0,
        "cannot flush " + quoted(partial_path_) + ": " + hdf5_write_failure(file_));
  for (const ChainResult* r : results) {
    const hsize_t f0 = r ? r->frames.begin : 0, nf = r ? r->frames.size() : 0;
    const std::vector<uint8_t> ones(nf, 1);
    write_box("/frames/done", H5T_NATIVE_UINT8, {f0}, {nf}, ones.data());
  }
  write_totals(totals);
  agree(comm_, H5Fflush(file_, H5F_SCOPE_GLOBAL) >= 0,
        "cannot flush " + quoted(partial_path_) + ": " + hdf5_write_failure(file_));
}

void RunOutput::write_totals(const RecordedTotals& totals) {
  std::vector<double> values;
  for (const auto& entry : totals) values.push_back(entry.second);
  // Attribute writes are collective: every rank writes rank 0's numbers.
  MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_DOUBLE, 0, comm_);
  size_t k = 0;
  for (const auto& entry : totals) write_double_attribute(file_, "run_" + entry.first, values[k++]);
}

RecordedTotals RunOutput::recorded_totals() const {
  RecordedTotals totals;
  if (!resumed_) return totals;
  const std::string where = "-resume: " + quoted(partial_path_);
  for (const std::string& name : attribute_names(file_)) {
    if (name.rfind("run_", 0) != 0) continue;
    if (const auto value = read_double_attribute(file_, name, where))
      totals[name.substr(4)] = *value;
  }
  return totals;
}

void RunOutput::finish(const RecordedTotals& totals, const std::map<std::string, double>& figures) {
  write_totals(totals);
  for (const auto& [name, value] : figures) write_double_attribute(file_, name, value);
  // Attribute writes are collective metadata operations; rewrite `complete` last.
  Hid complete(H5Aopen(file_, "complete", H5P_DEFAULT), H5Aclose);
  const long one = 1;
  agree(comm_, complete.valid() && H5Awrite(complete, H5T_NATIVE_LONG, &one) >= 0,
        "cannot set attribute complete of " + quoted(partial_path_));
  complete.reset();
  // The last data reach the disk on closing: a full disk shows here.
  agree(comm_, H5Fclose(file_.release()) >= 0,
        "cannot close " + quoted(partial_path_) + ": " + hdf5_error_detail() +
            full_disk_note(partial_path_));

  collectively(comm_, [&] {
    if (comm_rank(comm_) != 0) return;
    // The results are all there: a description that cannot be added must not lose them.
    try {
      describe_run_output(partial_path_, description_.grid,
                          static_cast<long>(description_.zone_ids.size()), description_.labels);
    } catch (const Error& error) {
      std::printf("run: warning: the output lacks part of its CF description: %s\n", error.what());
    }
    commit_partial(partial_path_, path_);
    const std::string base = path_.substr(path_.find_last_of('/') + 1);
    write_text_atomically(xdmf_path(path_),
                          xdmf_text(base, description_.grid, description_.schedule.frame_times()));
  });
  lock_.reset();
}

std::string xdmf_path(const std::string& h5_path) {
  const size_t slash = h5_path.find_last_of('/');
  const size_t dot = h5_path.find_last_of('.');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_extension ? h5_path.substr(0, dot) : h5_path) + ".xmf";
}

std::string xdmf_text(const std::string& h5_name, const Grid& grid,
                      const std::vector<double>& frame_time) {
  const long F = static_cast<long>(frame_time.size()) - 1;
  std::ostringstream x;
  x.precision(17);
  // A 3-D mesh one point thick: ParaView's readers lay a 2DCoRectMesh in the y-z plane. The
  // topology and geometry are repeated in every frame (references between elements are read
  // differently by XDMF readers).
  std::ostringstream mesh;
  mesh.precision(17);
  mesh << "    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"1 " << grid.ny + 1 << " "
       << grid.nx + 1 << "\"/>\n"
       << "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
       << "     <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">0 "
       << grid.y0 << " " << grid.x0 << "</DataItem>\n"
       << "     <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">1 "
       << grid.dy << " " << grid.dx << "</DataItem>\n    </Geometry>\n";
  const std::string plane = "1 " + std::to_string(grid.ny) + " " + std::to_string(grid.nx);
  x << "<?xml version=\"1.0\" ?>\n"
    << "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
    << "<Xdmf Version=\"2.0\">\n <Domain>\n"
    << "  <Grid Name=\"frames\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (long f = 0; f < F; ++f) {
    x << "   <Grid Name=\"frame_" << f << "\" GridType=\"Uniform\">\n"
      << "    <Time Value=\"" << frame_time[f] << "\"/>\n"
      << mesh.str() << "    <Attribute Name=\"density\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      << "     <DataItem Dimensions=\"" << plane
      << "\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">" << h5_name << ":"
      << frame_view_name("density", f) << "</DataItem>\n    </Attribute>\n"
      << "    <Attribute Name=\"velocity\" AttributeType=\"Vector\" Center=\"Cell\">\n"
      << "     <DataItem Dimensions=\"" << plane
      << " 3\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">" << h5_name << ":"
      << frame_view_name("velocity", f) << "</DataItem>\n    </Attribute>\n"
      << "   </Grid>\n";
  }
  x << "  </Grid>\n </Domain>\n</Xdmf>\n";
  return x.str();
}

}  // namespace snapflow
