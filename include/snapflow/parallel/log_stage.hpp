// A PETSc log stage for the lifetime of a scope, so -log_view shows where time goes, plus the
// wall time spent in it.
#pragma once

#include <mpi.h>
#include <petsclog.h>

#include <string>

namespace snapflow {

class LogStage {
 public:
  // `name` must stay valid (a string literal): PETSc registers each name once.
  explicit LogStage(const char* name, double* seconds = nullptr);
  ~LogStage();
  LogStage(const LogStage&) = delete;
  LogStage& operator=(const LogStage&) = delete;

 private:
  double* seconds_;
  double start_;
};

}  // namespace snapflow
