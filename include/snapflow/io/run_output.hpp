// The output file of `snapflow run` (DESIGN.md section 2.2), written collectively through
// parallel HDF5 while the run goes on.
//
// The file is built under "<path>.partial" with the root attribute complete = 0; /frames/done
// marks each frame once its data are on disk (set only after a flush), so an interrupted run
// resumes from it. finish() sets complete = 1, adds the CF description (output_conventions.hpp),
// renames the file to <path> and writes the XDMF sidecar <path minus .h5>.xmf atomically. A file
// under the final name is always complete.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/output_conventions.hpp"
#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/fine_schedule.hpp"

namespace snapflow {

struct RunDescription {
  Grid grid;
  FineSchedule schedule;
  std::vector<int32_t> zone_ids;      // the zone id of each zone number; empty without zones
  std::vector<int32_t> zone_of_cell;  // [ny * nx] zone number or -1 (written as /od/zones)
  OutputLabels labels;                // the input's CRS, mass unit and time origin
  // Root attributes that define the run's results; a resumed run must match every one.
  std::map<std::string, double> defining_numbers;
  std::map<std::string, std::string> defining_strings;
  // For defining strings added after outputs were first written: the value a partial output
  // without the attribute was run with, so that such a run still resumes.
  std::map<std::string, std::string> defining_string_defaults;
  // Root attributes for the record (carried over, never compared).
  std::map<std::string, std::string> notes;
};

// Named figures of the whole run, kept in the output as it goes.
using RecordedTotals = std::map<std::string, double>;

class RunOutput {
 public:
  // Collective. Takes the output's lock (refusing when another process writes it), then
  // creates <path>.partial with every dataset. An existing partial run with frames done is
  // refused unless `resume`, which reopens it and refuses it (naming the attribute) unless it
  // was started with the same description. A partial run without any frame done (stopped
  // during its DMD, killed at once) holds nothing to keep: it is replaced, also by `resume`.
  RunOutput(MPI_Comm comm, const std::string& path, const RunDescription& description, bool resume);
  ~RunOutput();
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  hid_t file() const { return file_; }
  // Whether the run continues an interrupted one (false: it starts from nothing).
  bool resumed() const { return resumed_; }
  // What happened to an earlier partial file, for the log ("" if nothing).
  const std::string& note() const { return note_; }
  const std::string& partial_path() const { return partial_path_; }
  // Collective: /frames/done, on every rank.
  std::vector<uint8_t> done_frames() const;
  // Collective round: every rank writes its chain's frames and steps, or nothing (null).
  void write_chain(const ChainResult* result);
  // Collective: flushes the file, then marks the frames of each rank's chains (null: none)
  // done, keeps rank 0's `totals` (the whole run's figures so far, over every leg of a resumed
  // run) as root attributes "run_<name>" and flushes again, so done = 1 never precedes the
  // data. Every rank passes as many entries (one per thread).
  void mark_done(const std::vector<const ChainResult*>& results, const RecordedTotals& totals);
  // The "run_<name>" attributes of the interrupted run this one resumes (empty for a new run).
  RecordedTotals recorded_totals() const;
  // Collective: a whole /fine dataset ("status", "cost", ...) as doubles, on every rank.
  std::vector<double> read_fine(const std::string& name) const;
  // Collective: frame f of a /frames dataset ([F or F+1, ny, nx, ...]) for each rank's own
  // f, or nothing for f < 0.
  std::vector<float> read_frame(const std::string& dataset, long f) const;
  // Collective: the final totals (as mark_done) and root attributes (timings etc.),
  // complete = 1, close, CF description, rename, XDMF sidecar.
  void finish(const RecordedTotals& totals, const std::map<std::string, double>& figures);

 private:
  void create_datasets();
  // Refuses a partial output run with other defining attributes; gives an older one the
  // attributes it lacks at their defaults (defining_string_defaults). Collective.
  void check_matches();
  void write_totals(const RecordedTotals& totals);
  void write_box(const std::string& name, hid_t mem_type, const std::vector<hsize_t>& start,
                 const std::vector<hsize_t>& count, const void* data) const;

  MPI_Comm comm_;
  std::string path_, partial_path_;
  RunDescription description_;
  std::unique_ptr<OutputLock> lock_;  // rank 0
  Hid file_;
  bool resumed_ = false;
  std::string note_;
};

// The XDMF (2.0) text describing density and velocity of every frame of the output file
// `h5_name` (referenced relative to the sidecar), as a time series for ParaView. It reads the
// per-frame views of /xdmf (output_conventions.hpp): XDMF 3 readers ignore hyperslabs.
// `frame_time` holds the F + 1 frame boundaries.
std::string xdmf_text(const std::string& h5_name, const Grid& grid,
                      const std::vector<double>& frame_time);

// The sidecar's path for an output path: "run.h5" -> "run.xmf".
std::string xdmf_path(const std::string& h5_path);

}  // namespace snapflow
