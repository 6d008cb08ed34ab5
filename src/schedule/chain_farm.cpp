#include "snapflow/schedule/chain_farm.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "snapflow/core/error.hpp"

namespace snapflow {

ChainFarm::ChainFarm(const FineSchedule& schedule, const StateFunction& state,
                     const ChainSettings& settings, int workers, std::function<bool()> abandon)
    : schedule_(schedule),
      state_(state),
      settings_(settings),
      workers_(workers),
      abandon_(std::move(abandon)) {
  SNAPFLOW_VERIFY(workers >= 1, "chain farm: needs at least one worker thread, got " << workers);
}

void ChainFarm::run(const std::function<void()>& coordinate) {
  std::exception_ptr coordinator_error;
  int team = 0;
  const int dynamic = omp_get_dynamic();
  omp_set_dynamic(0);  // the team must hold every worker, or submitted work would wait forever
#pragma omp parallel num_threads(workers_ + 1)
  {
    if (omp_get_thread_num() == 0) {
      team = omp_get_num_threads();
      if (team == workers_ + 1) {
        try {
          coordinate();
        } catch (...) {
          coordinator_error = std::current_exception();
          abandon_all_ = true;
          drop_queued();
        }
      }
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
      }
      work_ready_.notify_all();
    } else if (omp_get_num_threads() == workers_ + 1) {
      work();
    }
  }
  omp_set_dynamic(dynamic);
  if (coordinator_error) std::rethrow_exception(coordinator_error);
  SNAPFLOW_VERIFY(team == workers_ + 1, "chain farm: OpenMP gave " << team << " threads, "
                                                                   << workers_ + 1
                                                                   << " are needed (workers + "
                                                                      "the coordinator)");
}

void ChainFarm::work() {
  const std::function<bool()> abandon = [this] { return abandon_all_ || (abandon_ && abandon_()); };
  for (;;) {
    long chain = -1;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      chain = queue_.front();
      queue_.pop_front();
      ++running_;
    }
    ChainResult result;
    std::string error;
    try {
      result = solve_chain(schedule_, chain, state_, settings_, abandon);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {  // nothing may leave an OpenMP worker: it would terminate the process
      error = "unknown exception";
    }
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      --running_;
      if (error.empty())
        finished_.push_back(std::move(result));
      else if (failure_.empty())
        failure_ = "chain " + std::to_string(chain) + ": " + error;
    }
    chain_done_.notify_all();
  }
}

void ChainFarm::submit(long chain) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(chain);
  }
  work_ready_.notify_one();
}

std::vector<ChainResult> ChainFarm::take_finished() {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ChainResult> taken;
  taken.swap(finished_);
  return taken;
}

long ChainFarm::busy() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<long>(queue_.size()) + running_;
}

void ChainFarm::wait(double seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!finished_.empty()) return;
  chain_done_.wait_for(lock, std::chrono::duration<double>(seconds));
}

void ChainFarm::drop_queued() {
  const std::lock_guard<std::mutex> lock(mutex_);
  queue_.clear();
}

std::string ChainFarm::failure() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

long chains_wanted(int workers, long busy, long remaining, long all_workers) {
  const long target = remaining >= 2 * all_workers ? 2L * workers : workers;
  return std::max(0L, target - busy);
}

std::vector<long> ChainDealer::deal(std::vector<long> wanted, int rank) {
  std::vector<long> mine;
  for (bool dealt = true; dealt && next_ < pending_.size();) {
    dealt = false;
    for (size_t p = 0; p < wanted.size() && next_ < pending_.size(); ++p) {
      if (wanted[p] <= 0) continue;
      --wanted[p];
      dealt = true;
      if (static_cast<int>(p) == rank) mine.push_back(pending_[next_]);
      ++next_;
    }
  }
  return mine;
}

}  // namespace snapflow
