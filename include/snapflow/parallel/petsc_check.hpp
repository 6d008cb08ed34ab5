// PETSc/SLEPc calls made from functions that do not return PetscErrorCode: a failing call
// (PETSc has printed its own diagnostics) becomes a snapflow::Error naming the call.
#pragma once

#include <petscsys.h>

#include "snapflow/core/error.hpp"

#define SNAPFLOW_PETSC(call)                                                                       \
  do {                                                                                             \
    const PetscErrorCode snapflow_petsc_code_ = (call);                                            \
    if (snapflow_petsc_code_ != 0) {                                                               \
      const char* snapflow_petsc_text_ = nullptr;                                                  \
      PetscErrorMessage(snapflow_petsc_code_, &snapflow_petsc_text_, nullptr);                     \
      SNAPFLOW_VERIFY(false, "PETSc/SLEPc error "                                                  \
                                 << snapflow_petsc_code_ << " ("                                   \
                                 << (snapflow_petsc_text_ ? snapflow_petsc_text_ : "?") << ") in " \
                                 << #call);                                                        \
    }                                                                                              \
  } while (0)
