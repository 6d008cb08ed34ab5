// RAII owners of PETSc/SLEPc objects (as Hid owns HDF5 handles): the object is destroyed when
// its owner goes out of scope, also when a snapflow::Error unwinds the stack. Errors are
// agreed across ranks, so every rank unwinds and the collective destroys still match.
#pragma once

#include <petscmat.h>
#include <petscvec.h>
#include <slepcsvd.h>

#include <utility>

namespace snapflow {

template <typename Object, PetscErrorCode (*Destroy)(Object*)>
class PetscOwner {
 public:
  PetscOwner() = default;
  ~PetscOwner() { reset(); }
  PetscOwner(const PetscOwner&) = delete;
  PetscOwner& operator=(const PetscOwner&) = delete;
  PetscOwner(PetscOwner&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  PetscOwner& operator=(PetscOwner&& other) noexcept {
    if (this != &other) {
      reset();
      object_ = std::exchange(other.object_, nullptr);
    }
    return *this;
  }

  // For the Create calls that write the new object: XCreate(..., owner.out()).
  Object* out() {
    reset();
    return &object_;
  }
  operator Object() const { return object_; }  // NOLINT: used where PETSc takes the object

  // A failed destroy cannot be reported from a destructor; PETSc has printed its reason.
  void reset() {
    if (object_) (void)Destroy(&object_);
    object_ = nullptr;
  }

 private:
  Object object_ = nullptr;
};

using OwnedMat = PetscOwner<Mat, MatDestroy>;
using OwnedVec = PetscOwner<Vec, VecDestroy>;
using OwnedVecScatter = PetscOwner<VecScatter, VecScatterDestroy>;
using OwnedSvd = PetscOwner<SVD, SVDDestroy>;

}  // namespace snapflow
