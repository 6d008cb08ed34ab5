// Farming segments over the threads of one rank: worker threads solve the segments handed to
// them while the calling thread coordinates (deals segments, collects results, writes), so no
// worker ever waits for a write or for a slower segment of another worker. Plain C++ + OpenMP;
// the coordination across ranks (MPI) and the output (HDF5) are the caller's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/segment_solver.hpp"

namespace snapflow {

class SegmentFarm {
 public:
  // `abandon` (may be empty) is asked between steps: true stops the segments in flight.
  SegmentFarm(const FineSchedule& schedule, const StateFunction& state,
              const SegmentSettings& settings, int workers, std::function<bool()> abandon);
  SegmentFarm(const SegmentFarm&) = delete;
  SegmentFarm& operator=(const SegmentFarm&) = delete;

  // Runs `coordinate` on the calling thread (thread 0 of an OpenMP team of workers + 1) while
  // the others solve what it submits; returns once `coordinate` has returned and the workers
  // have finished every submitted segment. If `coordinate` throws, the queued segments are
  // dropped, those in flight abandoned, and the exception is rethrown.
  void run(const std::function<void()>& coordinate);

  // For the coordinator:
  int workers() const { return workers_; }
  void submit(long segment);
  std::vector<SegmentResult> take_finished();  // in the order they finished
  long busy() const;                           // submitted and not yet finished
  // Returns when a segment finishes or after `seconds`, whichever comes first.
  void wait(double seconds);
  void drop_queued();  // forgets the submitted segments no worker has started
  // The first exception a worker met (its message), or empty.
  std::string failure() const;

 private:
  void work();

  const FineSchedule& schedule_;
  const StateFunction& state_;
  const SegmentSettings& settings_;
  const int workers_;
  std::function<bool()> abandon_;
  std::atomic<bool> abandon_all_{false};

  mutable std::mutex mutex_;
  std::condition_variable work_ready_, segment_done_;
  std::deque<long> queue_;
  std::vector<SegmentResult> finished_;
  long running_ = 0;
  bool closing_ = false;
  std::string failure_;
};

// How many more segments a rank asks for at a synchronisation: one for each idle worker plus
// one queued behind each worker while plenty remain (a worker that finishes need not wait for
// the next synchronisation), only the idle workers' share near the end (no segment queued
// behind a busy worker while another rank's workers go idle).
long segments_wanted(int workers, long busy, long remaining, long all_workers);

// Deals the pending segments (ascending) one at a time to the ranks that ask, in rank order,
// so consecutive segments run side by side (a busy morning is shared by everyone). Every rank
// computes the same deal from the same requests.
class SegmentDealer {
 public:
  explicit SegmentDealer(std::vector<long> pending) : pending_(std::move(pending)) {}
  long remaining() const { return static_cast<long>(pending_.size() - next_); }
  // wanted[p]: segments rank p asks for. Returns those dealt to `rank`.
  std::vector<long> deal(std::vector<long> wanted, int rank);

 private:
  std::vector<long> pending_;
  size_t next_ = 0;
};

}  // namespace snapflow
