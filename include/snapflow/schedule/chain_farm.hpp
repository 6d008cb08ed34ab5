// Farming chains over the threads of one rank: worker threads solve the chains handed to
// them while the calling thread coordinates (deals chains, collects results, writes), so no
// worker ever waits for a write or for a slower chain of another worker. Plain C++ + OpenMP;
// the coordination across ranks (MPI) and the output (HDF5) are the caller's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/fine_schedule.hpp"

namespace snapflow {

class ChainFarm {
 public:
  // `abandon` (may be empty) is asked between steps: true stops the chains in flight.
  ChainFarm(const FineSchedule& schedule, const StateFunction& state, const ChainSettings& settings,
            int workers, std::function<bool()> abandon);
  ChainFarm(const ChainFarm&) = delete;
  ChainFarm& operator=(const ChainFarm&) = delete;

  // Runs `coordinate` on the calling thread (thread 0 of an OpenMP team of workers + 1) while
  // the others solve what it submits; returns once `coordinate` has returned and the workers
  // have finished every submitted chain. If `coordinate` throws, the queued chains are
  // dropped, those in flight abandoned, and the exception is rethrown.
  void run(const std::function<void()>& coordinate);

  // For the coordinator:
  int workers() const { return workers_; }
  void submit(long chain);
  std::vector<ChainResult> take_finished();  // in the order they finished
  long busy() const;                         // submitted and not yet finished
  // Returns when a chain finishes or after `seconds`, whichever comes first.
  void wait(double seconds);
  void drop_queued();  // forgets the submitted chains no worker has started
  // The first exception a worker met (its message), or empty.
  std::string failure() const;

 private:
  void work();

  const FineSchedule& schedule_;
  const StateFunction& state_;
  const ChainSettings& settings_;
  const int workers_;
  std::function<bool()> abandon_;
  std::atomic<bool> abandon_all_{false};

  mutable std::mutex mutex_;
  std::condition_variable work_ready_, chain_done_;
  std::deque<long> queue_;
  std::vector<ChainResult> finished_;
  long running_ = 0;
  bool closing_ = false;
  std::string failure_;
};

// How many more chains a rank asks for at a synchronisation: one for each idle worker plus
// one queued behind each worker while plenty remain (a worker that finishes need not wait for
// the next synchronisation), only the idle workers' share near the end (no chain queued
// behind a busy worker while another rank's workers go idle).
long chains_wanted(int workers, long busy, long remaining, long all_workers);

// Deals the pending chains (ascending) one at a time to the ranks that ask, in rank order,
// so consecutive chains run side by side (a busy morning is shared by everyone). Every rank
// computes the same deal from the same requests.
class ChainDealer {
 public:
  explicit ChainDealer(std::vector<long> pending) : pending_(std::move(pending)) {}
  long remaining() const { return static_cast<long>(pending_.size() - next_); }
  // wanted[p]: chains rank p asks for. Returns those dealt to `rank`.
  std::vector<long> deal(std::vector<long> wanted, int rank);

 private:
  std::vector<long> pending_;
  size_t next_ = 0;
};

}  // namespace snapflow
