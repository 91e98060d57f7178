//===--- PathCoverage.h - does every path through a function do X ---------===//
//
// Walks a function's CFG from its entry to its end, exception edges included
// (utils/HandleFlow.h decides which calls may throw), and finds a path on
// which no statement does what a check asks for: `done()` on a WaitGroup, for
// tether-waitgroup-done-missing. The check says what covers a path; this file
// only walks paths.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_PATHCOVERAGE_H
#define TETHER_CHECKS_UTILS_PATHCOVERAGE_H

#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>

namespace clang::tidy::tether::flow {

/// How an uncovered path leaves the function.
enum class SkipKind {
  Return,          ///< a return statement
  FallOff,         ///< the end of the body
  CaughtException, ///< an exception caught inside, then the function ends
  Exception,       ///< an exception leaves the function
};

/// An uncovered path: how it ends, and the statement to point a note at (the
/// return, the call that may throw or the throw; null for FallOff).
struct Skip {
  SkipKind Kind = SkipKind::FallOff;
  const Stmt *At = nullptr;
  SourceLocation Loc;
};

class ThrowModel; // utils/HandleFlow.h

struct CoverageConfig {
  /// Follow exception edges at all (calls that may throw, `throw`).
  bool ExceptionPaths = true;
  /// Count an exception that leaves the function as an uncovered path (false
  /// when what runs the function terminates on one, as std::thread does).
  bool EscapeCounts = true;
  /// Reads callees' bodies; null: a call may throw unless declared noexcept.
  ThrowModel *Throws = nullptr;
};

/// A path through \p FD's body from its entry to its end on which \p Covers
/// holds for no statement of the CFG (each subexpression is a statement of
/// its own). Normal paths are preferred as witnesses, then caught exceptions.
/// None if every path is covered, or if the CFG cannot be built (no body, a
/// coroutine, a dependent context).
std::optional<Skip>
findUncoveredPath(const FunctionDecl *FD, ASTContext &Ctx,
                  llvm::function_ref<bool(const Stmt *)> Covers,
                  const CoverageConfig &Config);

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_PATHCOVERAGE_H
