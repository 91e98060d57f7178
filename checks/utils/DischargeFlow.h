//===--- DischargeFlow.h - discharges that repeat an earlier one -*- C++ -*-===//
//
// Which join() / detach() (or pthread_join / pthread_detach, thrd_join /
// thrd_detach) may run on a handle that an earlier one already joined or
// detached, on some path, with no re-assignment and no joinable() test in
// between: the facts tether-thread-joined-twice reports. A forward data-flow
// pass over the function's CFG; calls to methods of the same object (and the
// destructor of a local object at its scope exit) are followed through a
// per-method summary. See docs/design.md.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_DISCHARGEFLOW_H
#define TETHER_CHECKS_UTILS_DISCHARGEFLOW_H

#include "utils/ThreadModel.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <vector>

namespace clang::tidy::tether::flow {

/// A thread handle the pass follows: a local variable (or by-value
/// parameter) of a thread class or a C thread handle (`Base` set, `Field`
/// null); a field of `*this` (`Base` null); a field of a local object.
struct HandleKey {
  const ValueDecl *Base = nullptr;
  const FieldDecl *Field = nullptr;
  bool operator==(const HandleKey &O) const {
    return Base == O.Base && Field == O.Field;
  }
};

/// One discharge: the call, what it does, and, when it happens inside a
/// method called on the object (`stop()`, the destructor at a scope exit),
/// that call.
struct DischargeSite {
  const Stmt *At = nullptr;         ///< the join/detach call itself
  model::Discharge Kind = model::Discharge::Join;
  const Stmt *Via = nullptr;        ///< the method call or scope exit, if any
  const FunctionDecl *ViaFn = nullptr; ///< the method called there
};

/// A discharge that may repeat an earlier one on the same handle.
struct Repeat {
  HandleKey Key;
  DischargeSite Second;
  DischargeSite First;
  /// True for C handles (pthread_t, thrd_t): a second join or detach is
  /// undefined behaviour rather than an exception.
  bool CHandle = false;
};

/// Finds the repeats of one translation unit, function by function, with a
/// summary per method read on demand (bounded by a recursion guard: a method
/// whose summary is being computed counts as unknown, which never reports).
class DischargeFlow {
public:
  DischargeFlow(llvm::ArrayRef<llvm::StringRef> ThreadTypes, ASTContext &Ctx)
      : ThreadTypes(ThreadTypes), Ctx(Ctx) {}

  /// The repeats whose second discharge runs in \p FD, or in a method that
  /// \p FD calls on an object after the first.
  std::vector<Repeat> repeatsIn(const FunctionDecl *FD);

  /// What a method does to the thread fields of the object it is called on.
  struct Summary {
    /// Fields it joins or detaches on every path to its normal exit.
    llvm::SmallVector<std::pair<const FieldDecl *, DischargeSite>, 2> Must;
    /// Fields it may re-assign, hand on, or discharge on some path only:
    /// their state after the call is unknown.
    llvm::SmallVector<const FieldDecl *, 2> Touched;
    /// Discharges it may run on a field that was already discharged when
    /// it was called (no re-assignment, no joinable() test before them).
    llvm::SmallVector<std::pair<const FieldDecl *, DischargeSite>, 2> AtEntry;
    bool Known = false; ///< false: body unseen, or recursion
  };

  /// The summary of method \p FD (computed once per TU).
  const Summary &summaryOf(const FunctionDecl *FD);

private:
  friend class DischargePass;

  llvm::ArrayRef<llvm::StringRef> ThreadTypes;
  ASTContext &Ctx;
  llvm::DenseMap<const FunctionDecl *, Summary> Summaries;
  unsigned Depth = 0;
};

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_DISCHARGEFLOW_H
