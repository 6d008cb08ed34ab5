#include "snapflow/parallel/log_stage.hpp"

#include <map>

namespace snapflow {

LogStage::LogStage(const char* name, double* seconds) : seconds_(seconds), start_(MPI_Wtime()) {
  static std::map<std::string, PetscLogStage> stages;
  auto found = stages.find(name);
  if (found == stages.end()) {
    PetscLogStage stage = 0;
    PetscLogStageRegister(name, &stage);
    found = stages.emplace(name, stage).first;
  }
  PetscLogStagePush(found->second);
}

LogStage::~LogStage() {
  PetscLogStagePop();
  if (seconds_) *seconds_ += MPI_Wtime() - start_;
}

}  // namespace snapflow
