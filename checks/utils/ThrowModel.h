//===--- ThrowModel.h - which calls may throw, for the path analyses -*- C++ -*-===//
//
// The exception model of the path analyses (HandleFlow, PathCoverage): which
// statements may throw, which block ends by throwing, which block dispatches
// to a try's handlers. See docs/design.md, "Where the model lives".
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_THROWMODEL_H
#define TETHER_CHECKS_UTILS_THROWMODEL_H

#include "utils/ExceptionWalk.h"
#include "clang/AST/Decl.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>

namespace clang::tidy::tether::flow {

/// Which calls may throw, for one check in one translation unit: a call to a
/// function not declared noexcept whose body is visible is followed into
/// that body (clang-tidy's utils::ExceptionAnalyzer's answer, as
/// bugprone-exception-escape reads it, std::bad_alloc ignored; computed by
/// ExceptionWalk, which keeps what it learns of every callee), so a call
/// that provably cannot throw adds no exception path.
class ThrowModel {
public:
  /// \p ThreadTypes (the check's option, which must outlive the model) name
  /// the thread classes whose creation is taken not to throw.
  explicit ThrowModel(llvm::ArrayRef<llvm::StringRef> ThreadTypes = {});
  ~ThrowModel();
  ThrowModel(const ThrowModel &) = delete;
  ThrowModel &operator=(const ThrowModel &) = delete;
  /// False if \p FD's visible body cannot throw (only for non-virtual
  /// functions with a body in the TU).
  bool bodyMayThrow(const FunctionDecl *FD);
  /// True if \p Call creates a thread of ThreadTypes: in place in a
  /// container (`v.emplace_back(f)`), added as a temporary
  /// (`v.push_back(std::thread(f))`) or on the heap (`make_unique`).
  bool createsThread(const CallExpr *Call) const;

  /// A place in a function's body from which an exception can leave it.
  struct Escape {
    const Stmt *At = nullptr;           ///< the throw, or the call
    const FunctionDecl *Callee = nullptr; ///< null for a throw
  };

  /// The places in \p FD's body (lambdas in it excluded: they run
  /// elsewhere) from which an exception can leave \p FD: a `throw` (or a
  /// rethrow), a call whose visible body may throw (read with
  /// ExceptionAnalyzer, std::bad_alloc ignored), or a call to one of
  /// \p ThrowingFunctions (fully qualified; a class template's member is
  /// named by its template, `::std::vector::at`), each not enclosed by a
  /// `try` whose handlers catch what it throws. A call to a function whose
  /// body is not visible does not count: every thread would be reported.
  llvm::SmallVector<Escape, 2>
  escapesOf(const FunctionDecl *FD,
            llvm::ArrayRef<llvm::StringRef> ThrowingFunctions);

private:
  /// The analyzer's answer for \p Def (std::bad_alloc ignored), from the
  /// memoised walk where it can give it.
  utils::ExceptionAnalyzer::ExceptionInfo analyze(const FunctionDecl *Def);

  std::unique_ptr<utils::ExceptionAnalyzer> Analyzer;
  ExceptionWalk Walker;
  llvm::ArrayRef<llvm::StringRef> ThreadTypes;
};

/// True if the function cannot let an exception escape: an exception in it
/// calls std::terminate whatever happens to its threads.
bool isNoThrow(const FunctionDecl *FD);

/// True if \p S can throw: a `throw`, or a call to a function not declared
/// noexcept (and, with \p Throws, whose visible body may throw). (The CFG
/// adds exception edges after every member call, noexcept or not.)
/// Joins are taken not to throw: join() throws only when misused (not
/// joinable, or joining itself), and counting it would report every second
/// thread of `a.join(); b.join();`. Nor does creating a thread (with \p
/// Throws, ThrowModel::createsThread): it throws std::system_error only when
/// the system cannot start one, which is treated like std::bad_alloc, as a
/// `std::thread`'s own constructor always was; otherwise every pool filled
/// by `for (...) v.emplace_back(f);` would be reported.
bool mayThrow(const Stmt *S, ThrowModel *Throws = nullptr);

/// The statement that ends \p B by throwing: its last call or throw, if that
/// can throw at all.
const Stmt *throwingStmt(const CFGBlock *B, ThrowModel *Throws = nullptr);

/// The try statement \p B dispatches an exception for, if \p B is the
/// dispatch block of a try.
const CXXTryStmt *tryDispatch(const CFGBlock *B);

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_THROWMODEL_H
