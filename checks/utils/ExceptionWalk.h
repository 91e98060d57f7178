//===--- ExceptionWalk.h - ExceptionAnalyzer's answers, memoised -*- C++ -*-===//
//
// clang-tidy's utils::ExceptionAnalyzer caches the answer for the function it
// is asked about, never for the functions its walk enters: each question
// walks the whole call tree below it again. ExceptionWalk gives the same
// answers (the same thrown types, the same Unknown) with the same walk, but
// keeps the result of every callee it enters. See docs/design.md, "One
// exception model".
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_EXCEPTIONWALK_H
#define TETHER_CHECKS_UTILS_EXCEPTIONWALK_H

#include "clang-tidy/utils/ExceptionAnalyzer.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseMap.h"
#include <map>
#include <optional>
#include <vector>

namespace clang::tidy::tether::flow {

/// ExceptionAnalyzer::analyze(FunctionDecl) with std::bad_alloc ignored, as
/// the analyzer of the installed clang-tidy (19 or 22) answers it, computed
/// with a cache per (callee, caught types). Results are built with the
/// analyzer's own ExceptionInfo (merge, filterByCatch, the ignored types),
/// so handlers match exactly as there.
class ExceptionWalk {
public:
  using Info = utils::ExceptionAnalyzer::ExceptionInfo;

  /// The analyzer's answer for \p Func, or none where the walk meets what
  /// it does not model (a coroutine body, an unresolved exception
  /// specification): ask the analyzer then.
  std::optional<Info> analyze(const FunctionDecl *Func);

private:
  using Throwables = Info::Throwables;
  using CaughtKey = std::vector<const Type *>;

  Info walk(const FunctionDecl *Func, const Throwables &Caught);
  Info walk(const Stmt *S, const Throwables &Caught);
  bool canThrow(const FunctionDecl *Func);
  static CaughtKey keyOf(const Throwables &Caught);

  /// The functions being walked (the analyzer's call stack), with their
  /// depth on it.
  llvm::DenseMap<const FunctionDecl *, unsigned> OnStack;
  /// The least depth at which a recursive call was cut since the innermost
  /// function walk began: a result that depends on what is above it on the
  /// stack is not kept.
  unsigned CutDepth = ~0u;
  /// Set when the walk met something it does not model.
  bool Unsure = false;
  /// Below the top of a walk: the body's result per (callee, caught types).
  std::map<std::pair<const FunctionDecl *, CaughtKey>, Info> Callees;
  /// The answers, per function asked about (none: ask the analyzer).
  llvm::DenseMap<const FunctionDecl *, std::optional<Info>> Answers;
};

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_EXCEPTIONWALK_H
