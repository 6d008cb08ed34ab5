#include "snapflow/pipeline/merge.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/output_conventions.hpp"
#include "snapflow/io/run_output.hpp"
#include "snapflow/io/run_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

namespace {

namespace fs = std::filesystem;

// Root attributes that describe one day, not the settings every day shares; the series
// writes its own (the totals of its days).
const std::vector<std::string> kPerDayAttributes = {
    "complete",  "input", "first_snapshot", "last_snapshot", "frames", "fine_steps", "days",
    "day_files", "run_*", "seconds_*",      "Conventions",   "title",  "source"};

// Where a day that cannot be opened as a complete run output stands.
std::string unusable_day(const std::string& path, const Error& error) {
  if (!fs::exists(path) && fs::exists(partial_path(path)))
    return "interrupted (only " + quoted(partial_path(path)) +
           " is there): resume its run with the same command plus -resume";
  if (!fs::exists(path)) return "missing: its run has not finished or did not start";
  return error.what();
}

double sum(const std::vector<double>& values) {
  double total = 0;
  for (double v : values) total += v;
  return total;
}

DayFigures day_figures(const RunReader& day) {
  DayFigures figures;
  figures.file = day.path();
  figures.t_begin = day.frame_time().front();
  figures.t_end = day.frame_time().back();
  figures.frames = day.frames();
  const std::vector<double> status = day.doubles("/fine/status");
  figures.steps = static_cast<long>(status.size());
  for (double s : status) {
    figures.optimal += s == 0;
    figures.relaxed += s == 1;
    figures.infeasible += s == 2;
  }
  figures.moved = sum(day.doubles("/fine/moved"));
  figures.created = sum(day.doubles("/fine/created"));
  figures.destroyed = sum(day.doubles("/fine/destroyed"));
  figures.seconds = day.number("run_seconds_total").value_or(0.0);
  return figures;
}

double relative_l1(const std::vector<float>& a, const std::vector<float>& reference) {
  double difference = 0, size = 0;
  for (size_t c = 0; c < a.size(); ++c) {
    difference += std::fabs(double(a[c]) - reference[c]);
    size += std::fabs(double(reference[c]));
  }
  return size > 0 ? difference / size : difference;
}

// How the series file names `day`: relative to the series file's folder when it can.
std::string reference_from(const std::string& series, const std::string& day) {
  std::error_code error;
  const fs::path folder = fs::absolute(fs::path(series)).parent_path();
  const fs::path relative = fs::relative(fs::absolute(day), folder, error);
  return error || relative.empty() ? fs::absolute(day).string() : relative.string();
}

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (size_t k = 0; k < items.size(); ++k) text += (k ? separator : "") + items[k];
  return text;
}

MergeReport merge_on_root(const MergeOptions& o) {
  check_output_path(o.output, o.days, "-o");
  const OutputLock lock(o.output);

  // Every day first, every problem listed at once: a month's failed days are re-run together.
  std::vector<std::unique_ptr<RunReader>> days(o.days.size());
  std::vector<std::string> problems;
  std::vector<long> failed;
  auto fail = [&](size_t d, const std::string& why) {
    problems.push_back("day " + std::to_string(d) + " (" + quoted(o.days[d]) + "): " + why);
    if (failed.empty() || failed.back() != static_cast<long>(d)) failed.push_back(long(d));
  };
  for (size_t d = 0; d < o.days.size(); ++d) {
    try {
      days[d] = std::make_unique<RunReader>(o.days[d]);
    } catch (const Error& error) {
      fail(d, unusable_day(o.days[d], error));
    }
  }
  MergeReport report;
  const RunReader* before = nullptr;
  size_t before_index = 0;
  for (size_t d = 0; d < days.size(); ++d) {
    if (!days[d]) continue;
    const RunReader& day = *days[d];
    if (before) {
      for (const std::string& difference :
           attribute_differences(before->path(), day.path(), kPerDayAttributes))
        fail(d, "made with other settings than day " + std::to_string(before_index) + ": " +
                    difference);
      const bool zones_match =
          before->has("/od/zone_ids") == day.has("/od/zone_ids") &&
          (!day.has("/od/zone_ids") || before->ints("/od/zones") == day.ints("/od/zones"));
      if (!zones_match)
        fail(d, "its zones differ from those of day " + std::to_string(before_index));
    }
    // Contiguity is judged between neighbours in the list only.
    if (d > 0 && days[d - 1] && days[d - 1]->frame_time().back() != day.frame_time().front()) {
      std::ostringstream why;
      why.precision(17);
      why << "starts at t = " << day.frame_time().front() << " but day " << d - 1
          << " ends at t = " << days[d - 1]->frame_time().back()
          << ": consecutive days must share their boundary snapshot (run the days of one long "
             "input with -snapshots, as jobs/month.sbatch FILE:SNAPSHOTS does)";
      fail(d, why.str());
    }
    before = &day;
    before_index = d;
  }
  if (!problems.empty()) {
    std::vector<std::string> list;
    for (long d : failed) list.push_back(std::to_string(d));
    throw Error("merge: " + std::to_string(failed.size()) + " of " + std::to_string(o.days.size()) +
                " days cannot be merged:\n  " + join(problems, "\n  ") +
                "\nDays are numbered from 0 in the order given, as the tasks of "
                "jobs/month.sbatch: re-run those alone (sbatch --array=" +
                join(list, ",") + " jobs/month.sbatch day INPUT OUTDIR ...), then merge again.");
  }

  std::vector<SeriesPart> parts;
  std::vector<std::string> inputs, references;
  SeriesAttributes own;
  long frames = 0, steps = 0;
  for (size_t d = 0; d < days.size(); ++d) {
    const RunReader& day = *days[d];
    DayFigures figures = day_figures(day);
    if (d > 0)
      figures.boundary_mismatch =
          relative_l1(day.frame("/frames/density", 0),
                      days[d - 1]->frame("/frames/density", days[d - 1]->frames()));
    frames += figures.frames;
    steps += figures.steps;
    report.days.push_back(figures);
    parts.push_back({o.days[d], reference_from(o.output, o.days[d])});
    references.push_back(parts.back().reference);
    const std::string input = day.text("input");
    if (inputs.empty() || inputs.back() != input) inputs.push_back(input);
    for (const char* prefix : {"run_", "seconds_"})
      for (const auto& [name, value] : day.numbers(prefix)) own.numbers[name] += value;
  }
  const RunReader& first = *days.front();
  own.numbers["frames"] = static_cast<double>(frames);
  own.numbers["fine_steps"] = static_cast<double>(steps);
  own.numbers["days"] = static_cast<double>(days.size());
  if (inputs.size() == 1) {
    // Days of one long input: the series covers its snapshots first..last.
    own.numbers["first_snapshot"] = first.number("first_snapshot").value_or(0.0);
    own.numbers["last_snapshot"] = days.back()->number("last_snapshot").value_or(0.0);
  }
  own.strings["input"] = join(inputs, "\n");
  own.strings["day_files"] = join(references, "\n");
  own.numbers["complete"] = 1.0;

  std::vector<double> frame_time = first.frame_time();
  for (size_t d = 1; d < days.size(); ++d)
    frame_time.insert(frame_time.end(), days[d]->frame_time().begin() + 1,
                      days[d]->frame_time().end());
  const long zones = first.has("/od/zone_ids") ? long(first.ints("/od/zone_ids").size()) : 0;
  OutputLabels labels;
  labels.crs = first.crs();
  labels.units = first.units();
  labels.time_is_epoch = first.time_is_epoch();
  const Grid grid = first.grid();
  // The day files stay open read-only in this process until here: a linked series reads
  // them through its virtual datasets while it is described, which needs them closed.
  days.clear();

  const std::string partial = partial_path(o.output);
  fs::remove(partial);
  try {
    write_run_series(partial, parts, o.layout, kPerDayAttributes, own);
    describe_run_output(partial, grid, zones, labels);
  } catch (const Error&) {
    // A merge is not resumed: a half-written series is of no use.
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw;
  }
  commit_partial(partial, o.output);
  report.xdmf = xdmf_path(o.output);
  const std::string base = o.output.substr(o.output.find_last_of('/') + 1);
  write_text_atomically(report.xdmf, xdmf_text(base, grid, frame_time));
  return report;
}

}  // namespace

MergeReport run_merge(MPI_Comm comm, const MergeOptions& options) {
  MergeReport report;
  collectively(comm, [&] {
    if (comm_rank(comm) == 0) report = merge_on_root(options);
  });
  return report;
}

DayFigures MergeReport::month() const {
  DayFigures month;
  month.file = "all";
  if (!days.empty()) {
    month.t_begin = days.front().t_begin;
    month.t_end = days.back().t_end;
  }
  for (const DayFigures& day : days) {
    month.frames += day.frames;
    month.steps += day.steps;
    month.optimal += day.optimal;
    month.relaxed += day.relaxed;
    month.infeasible += day.infeasible;
    month.moved += day.moved;
    month.created += day.created;
    month.destroyed += day.destroyed;
    month.seconds += day.seconds;
    month.boundary_mismatch = std::max(month.boundary_mismatch, day.boundary_mismatch);
  }
  return month;
}

std::string merge_summary_json(const MergeOptions& options, const MergeReport& report) {
  std::ostringstream json;
  json.precision(10);
  const DayFigures month = report.month();
  auto figures = [&](const DayFigures& d) {
    json << "\"frames\": " << d.frames << ", \"lps\": " << d.steps << ", \"optimal\": " << d.optimal
         << ", \"relaxed\": " << d.relaxed << ", \"infeasible\": " << d.infeasible
         << ", \"moved\": " << d.moved << ", \"created\": " << d.created
         << ", \"destroyed\": " << d.destroyed << ", \"seconds\": " << d.seconds;
  };
  json << "{\n  \"output\": " << json_string(options.output) << ",\n  \"layout\": "
       << json_string(options.layout == SeriesLayout::copy ? "copy" : "linked")
       << ",\n  \"days\": " << report.days.size() << ",\n  \"month\": {";
  figures(month);
  json << ", \"largest_boundary_mismatch\": " << month.boundary_mismatch << "},\n  \"per_day\": [";
  for (size_t d = 0; d < report.days.size(); ++d) {
    const DayFigures& day = report.days[d];
    json << (d ? ",\n" : "\n") << "    {\"day\": " << d << ", \"file\": " << json_string(day.file)
         << ", \"t_begin\": " << day.t_begin << ", \"t_end\": " << day.t_end << ", ";
    figures(day);
    json << ", \"boundary_mismatch\": " << day.boundary_mismatch << "}";
  }
  json << "\n  ]\n}\n";
  return json.str();
}

}  // namespace snapflow
