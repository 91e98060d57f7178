//===--- UnstoppableWorkerCheck.h - tether-unstoppable-worker -------------===//
//
// Finds spawned work with a loop no other thread can end: its condition and
// its exits read no stop signal, so the owner can neither stop the thread nor
// join it.
//
// Documentation: docs/checks/unstoppable-worker.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UNSTOPPABLEWORKERCHECK_H
#define TETHER_CHECKS_UNSTOPPABLEWORKERCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds spawned work with a loop no other thread can end.
class UnstoppableWorkerCheck : public ClangTidyCheck {
public:
  UnstoppableWorkerCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::vector<StringRef> StopSignalFunctions;
  const unsigned MaxCallDepth;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_UNSTOPPABLEWORKERCHECK_H
