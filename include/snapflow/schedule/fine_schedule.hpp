// The fine time steps of a run (DESIGN.md sections 1.2 and 2.2): K steps of dt_f from the
// first to the last snapshot, grouped into output frames, and frames grouped into chains of
// consecutive steps that one worker solves warm-started. Chains always start cold
// at the same steps, so the output does not depend on how chains are shared out. The last
// chains taper (half, a quarter, ... of the others, down to one frame): the workers then
// run out of work within a short chain of each other instead of a long one.
#pragma once

#include <string>
#include <vector>

namespace snapflow {

struct FineScheduleOptions {
  double fine_dt = 0.0;        // -fine_dt (s); <= 0: from vmax
  double vmax = 0.0;           // -vmax (length/s): dt_f = min(dx, dy) / vmax (the CFL-like rule)
  long frame_steps = 0;        // -frame_steps; <= 0: one frame per snapshot interval
  long chain_steps = 0;        // -chain_steps: steps per chain before the taper; <= 0: one interval
  double chain_seconds = 0.0;  // without chain_steps: chains of this many seconds (trip windows)
};

struct StepRange {
  long begin = 0, end = 0;  // [begin, end)
  long size() const { return end - begin; }
};

class FineSchedule {
 public:
  // `time` are the snapshot times (uniform spacing), `cell_size` = min(dx, dy). dt_f is the
  // requested step shortened so that a whole number of steps spans each snapshot interval.
  // Throws naming the option when the request cannot work.
  static FineSchedule plan(const std::vector<double>& time, double cell_size,
                           const FineScheduleOptions& options);

  double t_begin() const { return t_begin_; }
  double dt() const { return dt_; }
  long steps() const { return steps_; }
  long frame_steps() const { return frame_steps_; }
  long frames() const { return frames_; }
  long chain_frames() const { return chain_frames_; }  // before the taper
  long chains() const { return static_cast<long>(chain_begin_.size()) - 1; }
  // How dt_f was chosen, e.g. "vmax 13.9 (CFL: dt_f <= 9.36 s)".
  const std::string& rule() const { return rule_; }

  // Time of step boundary k in [0, steps]: step k goes from step_time(k) to step_time(k + 1).
  double step_time(long k) const;
  // Steps of frame f, and the time of frame boundary f in [0, frames].
  StepRange frame_step_range(long f) const;
  double frame_time(long f) const;
  std::vector<double> frame_times() const;  // the frames + 1 boundaries
  // Frames of chain s.
  StepRange chain_frame_range(long s) const;

 private:
  void plan_chains();

  double t_begin_ = 0.0, t_end_ = 0.0, dt_ = 0.0;
  long steps_ = 0, frame_steps_ = 0, frames_ = 0, chain_frames_ = 0;
  std::vector<long> chain_begin_;  // first frame of each chain, then frames_
  std::string rule_;
};

}  // namespace snapflow
