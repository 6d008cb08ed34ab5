// The output file of `snapflow run` (DESIGN.md section 2.2), written collectively through
// parallel HDF5 while the run goes on.
//
// The file is built under "<path>.partial" with the root attribute complete = 0; /frames/done
// marks each frame once its data are on disk (set only after a flush), so an interrupted run
// resumes from it. finish() sets complete = 1, renames the file to <path> and writes the XDMF
// sidecar <path minus .h5>.xmf atomically. A file under the final name is always complete.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/segment_solver.hpp"

namespace snapflow {

struct RunDescription {
  Grid grid;
  FineSchedule schedule;
  std::vector<int32_t> zone_ids;  // the zone id of each zone number; empty without zones
  // Root attributes that define the run's results; a resumed run must match every one.
  std::map<std::string, double> defining_numbers;
  std::map<std::string, std::string> defining_strings;
  // Root attributes for the record (carried over, never compared).
  std::map<std::string, std::string> notes;
};

class RunOutput {
 public:
  // Collective. Creates <path>.partial with every dataset (refusing to overwrite an existing
  // one: it holds an interrupted run), or with `resume` reopens it and refuses it (naming the
  // attribute) unless it was started with the same description.
  RunOutput(MPI_Comm comm, const std::string& path, const RunDescription& description, bool resume);
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  hid_t file() const { return file_; }
  const std::string& partial_path() const { return partial_path_; }
  // Collective: /frames/done, on every rank.
  std::vector<uint8_t> done_frames() const;
  // Collective round: every rank writes its segment's frames and steps, or nothing (null).
  void write_segment(const SegmentResult* result);
  // Collective: flushes the file, then marks the frames of each rank's segments (null: none)
  // done and flushes again, so done = 1 never precedes the data. Every rank passes as many
  // entries (one per thread).
  void mark_done(const std::vector<const SegmentResult*>& results);
  // Collective: a whole /fine dataset ("status", "cost", ...) as doubles, on every rank.
  std::vector<double> read_fine(const std::string& name) const;
  // Collective: frame f of a /frames dataset ([F or F+1, ny, nx, ...]) for each rank's own
  // f, or nothing for f < 0.
  std::vector<float> read_frame(const std::string& dataset, long f) const;
  // Collective: root attributes (timings etc.), complete = 1, close, rename, XDMF sidecar.
  void finish(const std::map<std::string, double>& figures);

 private:
  void create_datasets();
  void check_matches() const;
  void write_box(const std::string& name, hid_t mem_type, const std::vector<hsize_t>& start,
                 const std::vector<hsize_t>& count, const void* data) const;

  MPI_Comm comm_;
  std::string path_, partial_path_;
  RunDescription description_;
  Hid file_;
};

// The XDMF (2.0) text describing density and velocity of every frame of the output file
// `h5_name` (referenced relative to the sidecar), as a time series for ParaView.
std::string xdmf_text(const std::string& h5_name, const Grid& grid, const FineSchedule& schedule);

// The sidecar's path for an output path: "run.h5" -> "run.xmf".
std::string xdmf_path(const std::string& h5_path);

}  // namespace snapflow
