//===--- HandleFlow.h - where a thread handle goes, per CFG path ----------===//
//
// Follows every thread handle a function starts (a local std::thread and
// friends, a pthread_t / thrd_t filled by pthread_create / thrd_create) along
// the function's CFG, exception edges included, and tells for each start
// whether some path leaves the handle running: destroyed, overwritten or
// forgotten without a join. The shared model (utils/ThreadModel.h) says what
// starts, joins and discharges a handle; this file only walks paths.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_HANDLEFLOW_H
#define TETHER_CHECKS_UTILS_HANDLEFLOW_H

#include "utils/FunctionCFG.h"
#include "utils/ThrowModel.h"
#include "clang/AST/Decl.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>
#include <vector>

namespace clang::tidy::tether::flow {

/// What the analysis treats as a thread: the types that must be joined, and
/// the auto-joining owners that never need it.
struct FlowConfig {
  llvm::ArrayRef<llvm::StringRef> ThreadTypes;
  llvm::ArrayRef<llvm::StringRef> OwnerTypes;
  /// Follow exception edges (calls that may throw, `throw`).
  bool ExceptionPaths = true;
  /// Reads callees' bodies; null: a call may throw unless declared noexcept.
  ThrowModel *Throws = nullptr;
};

enum class HandleKind {
  Object,    ///< a local of a thread class: destroyed at scope exit
  CHandle,   ///< a pthread_t / thrd_t filled by a create function
  Container, ///< a local container of threads (std::vector<std::thread>,
             ///< ...): destroyed with its elements at scope exit; a join
             ///< loop over it joins every element (model::elementLoop)
  Owned,     ///< a local std::unique_ptr owning a thread (a shared_ptr may
             ///< share it with owners elsewhere: not followed)
  Raw,       ///< a local raw pointer to a thread made by `new`
};

/// One place where a handle starts a thread.
struct Start {
  const VarDecl *Handle = nullptr;
  HandleKind Kind = HandleKind::Object;
  /// The expression that starts the thread: the constructor call or the
  /// create call; the "thread started here" note goes there.
  const Expr *Site = nullptr;
  const CFGBlock *Block = nullptr;
  unsigned Index = 0;
  /// CHandle only: the create call and the variable its result is stored in,
  /// to skip the branch where creation failed.
  const Expr *CreateCall = nullptr;
  const VarDecl *ResultVar = nullptr;
  /// The conditions of the `if` statements around the start, with the value
  /// each has there: a later branch on the same condition takes the same way
  /// (`if (c) t = std::thread(f); ... if (c) t.join();`).
  llvm::SmallVector<std::pair<const Expr *, bool>, 2> Guards;
};

enum class LeakKind {
  ScopeExit,   ///< the handle's scope ends (return, break, end of block)
  Overwritten, ///< the handle is assigned or re-created
  Exception,   ///< an exception leaves the handle's scope
  Destroyed,   ///< an explicit call destroys the thread: `delete p`,
               ///< `p.reset()`, `v.clear()`, `v.pop_back()`, ...
};

/// A path on which a started thread is left running.
struct Leak {
  const Start *From = nullptr;
  LeakKind Kind = LeakKind::ScopeExit;
  /// The scope exit, the assignment, or the call / throw that unwinds.
  const Stmt *At = nullptr;
  SourceLocation Loc;
};

/// What else a start's paths do to it (for checks that ask whether a thread
/// can outlive its scope).
struct Fate {
  const Stmt *DetachAt = nullptr; ///< first detach on some path
  const Stmt *EscapeAt = nullptr; ///< first move / escape on some path
};

/// The thread handles of one function body, followed along its CFG.
class HandleFlow {
public:
  HandleFlow(const FunctionDecl *FD, ASTContext &Ctx, const FlowConfig &Config);

  /// False if the function has no body, is a coroutine, or its CFG could not
  /// be built; nothing is reported then.
  bool valid() const { return TheCFG != nullptr; }

  llvm::ArrayRef<std::unique_ptr<Start>> starts() const { return Starts; }

  /// The first leaking path found for \p S, if any.
  const Leak *leakOf(const Start &S) const;
  /// Detaches and escapes found on the paths from \p S.
  Fate fateOf(const Start &S) const;

  /// True for a local variable of a thread class that is not an auto-joining
  /// owner.
  bool isTrackedObject(const VarDecl *VD) const {
    return trackedKind(VD) == HandleKind::Object;
  }
  /// How local \p VD holds threads that must be joined (a thread object, a
  /// container of threads, a smart or raw pointer to one), if it does;
  /// C handles are found from their create calls instead.
  std::optional<HandleKind> trackedKind(const VarDecl *VD) const;

private:
  enum class EventKind { Start, Join, Detach, Escape, Assign, Destroy, Exit };
  struct Event {
    unsigned Index;
    EventKind Kind;
    const Stmt *S;
  };
  using Key = std::pair<const VarDecl *, unsigned>;

  void collect(const Stmt *Body);
  void collectStmt(const CFGBlock *B, unsigned Index, const Stmt *S);
  /// The uses of a container, a smart pointer or a raw pointer handle.
  void collectIndirect(const CFGBlock *B, unsigned Index, const Stmt *S);
  void startAt(const VarDecl *VD, HandleKind Kind, const Expr *Site,
               const CFGBlock *B, unsigned Index);
  /// True if \p S lies in a join (or detach) loop over container \p VD.
  bool insideElementLoop(const Stmt *S, const VarDecl *VD) const;
  /// What a use of a thread reached through a handle does: a call of
  /// method \p M on it (join, detach, joinable(), ...).
  std::optional<EventKind> threadMethodEvent(const CXXMethodDecl *M) const;
  void addEvent(const VarDecl *VD, const CFGBlock *B, unsigned Index,
                EventKind Kind, const Stmt *S);
  void addStart(std::unique_ptr<Start> S);
  /// The data-flow pass (HandleFlowSolver.cpp).
  class Solver;
  void solve();
  /// The successor index of \p B that a running \p S cannot take (the false
  /// edge of `t.joinable()`, the failure edge of pthread_create), -1 for none
  /// and 2 for both.
  int deadEdge(const CFGBlock *B, const Start &S) const;
  bool mentionsResult(const Stmt *E, const Start &S) const;
  bool isResult(const Expr *E, const Start &S) const;
  bool isCHandleVar(const VarDecl *VD) const;
  void findGuards(Start &S) const;
  bool sameCondition(const Expr *A, const Expr *B) const;

  ASTContext &Ctx;
  const FlowConfig &Config;
  const CFG *TheCFG = nullptr;         ///< the TU model's (TUModel::cfg)
  const ParentMap *Parents = nullptr;  ///< the TU model's
  bool MayThrow = true;
  bool EscapeTerminates = false;
  std::vector<std::unique_ptr<Start>> Starts;
  llvm::DenseMap<Key, llvm::SmallVector<Event, 2>> Events;
  llvm::DenseMap<const Start *, Leak> Leaks;
  llvm::DenseMap<const Start *, Fate> Fates;
  llvm::DenseSet<const VarDecl *> CHandles;
  llvm::DenseSet<const VarDecl *> DetachedAttrs;
  mutable llvm::DenseMap<const VarDecl *, std::optional<HandleKind>> TrackedCache;
  /// Join loops over tracked containers: the loop's discharge point, and
  /// the loops of each container.
  llvm::DenseMap<const Stmt *, std::pair<const VarDecl *, EventKind>> LoopPoints;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<const Stmt *, 1>> LoopsOf;
};

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_HANDLEFLOW_H
