//===--- LockModel.h - mutexes held, shared flags, waits and notifies -----===//
//
// The locking part of the shared model (docs/design.md), for the checks that
// ask whether a stop signal can be lost: which mutexes a statement runs
// under (RAII locks of `LockTypes`, `m.lock()` / `m.unlock()` pairs, the
// lock of a condition-variable wait around its predicate); which statements
// of the translation unit write a variable or field (assignments,
// increments, atomic stores), and whether its address escapes; and the
// predicated waits and the notifies on condition variables of
// `ConditionVariableTypes`. One index per translation unit, built on demand
// by one traversal that also visits template instantiations.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_LOCKMODEL_H
#define TETHER_CHECKS_UTILS_LOCKMODEL_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMap.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <vector>

namespace clang::tidy::tether::model {

/// Default for the `LockTypes` option: RAII classes whose constructor locks
/// the mutexes it is given (unless given `std::defer_lock`) and whose
/// `lock()` / `unlock()` lock and unlock them again.
inline constexpr llvm::StringLiteral DefaultLockTypes =
    "::std::lock_guard;::std::unique_lock;::std::scoped_lock;"
    "::std::shared_lock;::boost::lock_guard;::boost::unique_lock;"
    "::boost::shared_lock";

/// Default for the `ConditionVariableTypes` option.
inline constexpr llvm::StringLiteral DefaultConditionVariableTypes =
    "::std::condition_variable;::std::condition_variable_any;"
    "::boost::condition_variable;::boost::condition_variable_any";

/// One statement that writes a variable or field.
struct FlagWrite {
  const Expr *E = nullptr;           ///< the assignment, increment or store
  const Expr *Target = nullptr;      ///< what it writes (`stop_`, `p->quit`)
  const FunctionDecl *Fn = nullptr;  ///< the function (or lambda) it is in
};

/// A condition-variable wait with a predicate: `cv.wait(lk, pred)`,
/// `wait_for(lk, d, pred)`, `wait_until(lk, t, pred)`. Waits that also take
/// a `std::stop_token` are not recorded: the token wakes them.
struct PredicatedWait {
  const CXXMemberCallExpr *Call = nullptr;
  const ValueDecl *CV = nullptr;    ///< the condition variable's root
  const ValueDecl *Mutex = nullptr; ///< the mutex its lock holds
  const Expr *Predicate = nullptr;
  const FunctionDecl *Fn = nullptr;
  bool Timed = false; ///< wait_for / wait_until: wakes at its timeout
};

/// `cv.notify_one()` / `cv.notify_all()`.
struct Notify {
  const CXXMemberCallExpr *Call = nullptr;
  const ValueDecl *CV = nullptr;
  const FunctionDecl *Fn = nullptr;
};

/// A place that takes a mutex: a lock object's construction, `m.lock()`,
/// `lk.lock()`.
struct Acquire {
  const Stmt *At = nullptr;
  const ValueDecl *Mutex = nullptr;
  const FunctionDecl *Fn = nullptr;
};

/// The flag a write or read names: the variable of a DeclRefExpr or the field
/// of a MemberExpr (of any object), through parentheses and implicit casts;
/// null for anything else (an element, a dereference, a call result).
const ValueDecl *flagOf(const Expr *E);

/// True for std::atomic<T>, std::atomic_flag, std::atomic_ref<T>,
/// boost::atomic<T>: their stores are writes of the flag they hold.
bool isAtomicType(QualType T);

/// The fields a member access goes through, outermost last: `stop_` and
/// `p->stop_` give [stop_], `this->cur.is_end` gives [cur, is_end]. Two
/// accesses with different paths name different objects' fields (a copy in a
/// member against an element of a buffer); empty for a variable.
llvm::SmallVector<const ValueDecl *, 2> fieldPath(const Expr *E);

/// The locking facts of one translation unit.
class LockIndex {
public:
  /// Indexes the TU. The function each of \p Placed is in is recorded on
  /// the way (functionOf()), so that no caller needs the TU's parent map.
  LockIndex(ASTContext &Ctx, llvm::ArrayRef<llvm::StringRef> LockTypes,
            llvm::ArrayRef<llvm::StringRef> ConditionVariableTypes,
            llvm::ArrayRef<const Stmt *> Placed = {});
  ~LockIndex();

  /// The writes of \p D outside system headers.
  llvm::ArrayRef<FlagWrite> writesOf(const ValueDecl *D) const;
  /// True if \p D's address is taken, or it is bound to a non-const
  /// reference (a reference variable or argument): someone may write it
  /// through an alias the index cannot follow.
  bool escapes(const ValueDecl *D) const { return Escaping.count(D); }
  llvm::ArrayRef<PredicatedWait> waits() const { return Waits; }
  llvm::ArrayRef<Notify> notifies() const { return Notifies; }
  llvm::ArrayRef<Acquire> acquires() const { return Acquires; }

  /// The mutexes (their roots, see syncRoot()) held at \p S, a statement of
  /// \p Fn's body: locks constructed earlier in an enclosing block and not
  /// unlocked since, `m.lock()` without a later `m.unlock()` in an enclosing
  /// block, and the lock of a wait whose predicate \p S is in. Locks taken in
  /// the callers of \p Fn are not known.
  llvm::SmallVector<const ValueDecl *, 2> heldAt(const Stmt *S,
                                                 const FunctionDecl *Fn);

  /// The function (or lambda call operator) one of the statements given to
  /// the constructor is in; null if it is in none the index visited.
  const FunctionDecl *functionOf(const Stmt *S) const {
    return Owners.lookup(S);
  }

  /// The mutex the lock object \p Lock (a variable of a LockTypes class)
  /// was constructed with, or null.
  const ValueDecl *mutexOfLock(const VarDecl *Lock) const;

  bool isLockType(QualType T) const;
  bool isConditionVariable(QualType T) const;

  class Collector;

private:
  friend class Collector;
  bool isOf(QualType T, llvm::ArrayRef<llvm::StringRef> Names,
            llvm::DenseMap<const Decl *, bool> &Cache) const;
  ParentMap &parents(const FunctionDecl *Fn);

  ASTContext &Ctx;
  std::vector<llvm::StringRef> LockTypes, CVTypes;
  mutable llvm::DenseMap<const Decl *, bool> LockCache, CVCache;
  llvm::DenseMap<const ValueDecl *, llvm::SmallVector<FlagWrite, 2>> Writes;
  llvm::DenseSet<const ValueDecl *> Escaping;
  std::vector<PredicatedWait> Waits;
  std::vector<Notify> Notifies;
  std::vector<Acquire> Acquires;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<ParentMap>> Parents;
  llvm::DenseSet<const Stmt *> Wanted;
  llvm::DenseMap<const Stmt *, const FunctionDecl *> Owners;
};

/// True if the thread that runs the write \p W is known: code of a named
/// function, or of a lambda that is the entry of a spawn (one of
/// \p SpawnedEntries, the definitions the spawn model resolved). A lambda
/// handed to another function may run on any thread, the worker's own
/// included: an active object's `send([this] { done_ = true; })` queues the
/// write for its own worker. No finding rests on such a write.
bool writerThreadKnown(const FlagWrite &W,
                       const llvm::DenseSet<const FunctionDecl *> &SpawnedEntries);

/// Describes a flag or mutex for a diagnostic: "'stop_'".
std::string declName(const ValueDecl *D);

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_LOCKMODEL_H
