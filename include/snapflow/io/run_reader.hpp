// Reading a finished `snapflow run` output (DESIGN.md section 2.2) on one process: its grid,
// labels, frame times and one frame at a time of /frames, and the zone tables of /od. For
// the commands that work on results (export).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

class RunReader {
 public:
  // Throws snapflow::Error naming the file when it is not a complete run output (a partial
  // one is refused: its frames are not all there).
  explicit RunReader(const std::string& path);

  const std::string& path() const { return path_; }
  const Grid& grid() const { return grid_; }
  const std::string& crs() const { return crs_; }      // "" when the input had none
  const std::string& units() const { return units_; }  // of the mass; "" when unknown
  bool time_is_epoch() const { return time_is_epoch_; }
  // Frame boundaries [F + 1] (seconds).
  const std::vector<double>& frame_time() const { return frame_time_; }
  long frames() const { return static_cast<long>(frame_time_.size()) - 1; }

  bool has(const std::string& dataset) const;
  // A numeric root attribute (nullopt when absent).
  std::optional<double> number(const std::string& attribute) const;
  // A string root attribute ("" when absent).
  std::string text(const std::string& attribute) const;
  // Every numeric root attribute whose name starts with `prefix`.
  std::map<std::string, double> numbers(const std::string& prefix) const;
  // Frame f of /frames/flow [ny][nx][9], /frames/velocity [ny][nx][2] or /frames/density
  // [ny][nx] (f in [0, F]).
  std::vector<float> frame(const std::string& dataset, long f) const;
  std::vector<double> doubles(const std::string& dataset) const;
  std::vector<int32_t> ints(const std::string& dataset) const;

 private:
  std::string path_, crs_, units_;
  Grid grid_;
  bool time_is_epoch_ = false;
  std::vector<double> frame_time_;
  Hid file_;
};

}  // namespace snapflow
