//===--- ThreadJoinedTwiceCheck.h - tether-thread-joined-twice ------------===//
//
// Finds a join() or detach() (pthread_join, pthread_detach, thrd_join,
// thrd_detach) on a thread handle that on some path was already joined or
// detached and not re-assigned since.
//
// Documentation: docs/checks/thread-joined-twice.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_THREADJOINEDTWICECHECK_H
#define TETHER_CHECKS_THREADJOINEDTWICECHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/DischargeFlow.h"
#include <memory>
#include <vector>

namespace clang::tidy::tether {

/// Finds a join() or detach() (pthread_join, pthread_detach, thrd_join,
/// thrd_detach) on a thread handle that on some path was already joined or
/// detached and not re-assigned since.
class ThreadJoinedTwiceCheck : public ClangTidyCheck {
public:
  ThreadJoinedTwiceCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  void checkFunction(const FunctionDecl *FD, ASTContext &Ctx);
  void report(const flow::Repeat &R, ASTContext &Ctx);
  /// True if \p RD has a field of a thread class or a C thread handle
  /// (cached per class).
  bool holdsThreadField(const CXXRecordDecl *RD, ASTContext &Ctx);
  /// The flow of \p Ctx's translation unit, made on first use.
  flow::DischargeFlow &flowFor(ASTContext &Ctx);

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  /// The flow of the current translation unit (method summaries are cached
  /// in it), made on the first function analysed.
  std::unique_ptr<flow::DischargeFlow> Flow;
  const ASTContext *FlowCtx = nullptr;
  llvm::DenseSet<const FunctionDecl *> Analysed;
  llvm::DenseMap<const CXXRecordDecl *, bool> ThreadFieldClasses;
  llvm::DenseSet<SourceLocation> Reported;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_THREADJOINEDTWICECHECK_H
