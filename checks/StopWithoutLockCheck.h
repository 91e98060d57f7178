//===--- StopWithoutLockCheck.h - tether-stop-without-lock ----------------===//
//
// Finds a flag that a condition-variable waiter's predicate reads under
// mutex M, set without holding M before notify_one() / notify_all(): the
// waiter can miss the wake-up and block forever (a lost wake-up).
//
// Documentation: docs/checks/stop-without-lock.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_STOPWITHOUTLOCKCHECK_H
#define TETHER_CHECKS_STOPWITHOUTLOCKCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds a flag that a condition-variable waiter's predicate reads under
/// mutex M, set without holding M before notify_one() / notify_all().
class StopWithoutLockCheck : public ClangTidyCheck {
public:
  StopWithoutLockCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::vector<StringRef> LockTypes;
  const std::vector<StringRef> ConditionVariableTypes;
  ASTContext *Ctx = nullptr;
  bool SawWait = false;
  /// The entries the spawn model resolved: a write in one of them runs on
  /// a thread of its own.
  llvm::DenseSet<const FunctionDecl *> Entries;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_STOPWITHOUTLOCKCHECK_H
