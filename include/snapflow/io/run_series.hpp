// One run output (DESIGN.md section 2.2) holding several complete run outputs of consecutive
// time spans (e.g. the days of a month) as a single series, for `snapflow merge`.
//
// The time series of /frames, /fine and /od are joined along time. Parts meet at a shared
// boundary: a boundary dataset (/frames/time, /frames/density, /fine/time, /od/time) keeps
// the earlier part's last plane and drops the later part's first. The zone tables of /od come
// from the first part, the DMD models of part p go to /dmd/day_PPPP, and the root attributes
// of the first part are copied except those `per_part_attributes` names (the caller writes
// the series' own).
//
// Two layouts: `copy` writes the data into the series file (self-contained, slab by slab);
// `linked` writes HDF5 virtual datasets and external links that read the part files where
// they lie (instant and no extra disk; the part files must stay beside the series file).
// A linked dataset whose part file is missing reads as NaN (integers: 0 in /frames/done).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace snapflow {

enum class SeriesLayout { copy, linked };

struct SeriesPart {
  std::string path;       // where this process opens it
  std::string reference;  // how the linked layout names it (relative to the series file)
};

// The series' own root attributes.
struct SeriesAttributes {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
};

// Serial (one process). Creates `path` (which must not exist) and writes the series of
// `parts` into it, then `own` as root attributes; throws snapflow::Error naming the file and
// the dataset. Root attributes of the first part that match `per_part_attributes` are not
// copied.
void write_run_series(const std::string& path, const std::vector<SeriesPart>& parts,
                      SeriesLayout layout, const std::vector<std::string>& per_part_attributes,
                      const SeriesAttributes& own);

// The root attributes that differ between the run outputs `a` and `b` (or that one lacks),
// as "name = value_a vs value_b", leaving out those matching `skipped`. Serial.
std::vector<std::string> attribute_differences(const std::string& a, const std::string& b,
                                               const std::vector<std::string>& skipped);

// Whether attribute `name` is one of `patterns` (a pattern ending in '*' matches by prefix).
bool attribute_matches(const std::string& name, const std::vector<std::string>& patterns);

}  // namespace snapflow
