//===--- WaitGroupAddInsideSpawnCheck.h - tether-waitgroup-add-inside-spawn ===//
//
// Finds add() on a WaitGroup called inside the callable a spawn runs, instead
// of before the spawn: the add races with the owner's wait(), which may
// return before the task is counted.
//
// Documentation: docs/checks/waitgroup-add-inside-spawn.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_WAITGROUPADDINSIDESPAWNCHECK_H
#define TETHER_CHECKS_WAITGROUPADDINSIDESPAWNCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include "utils/SyncModel.h"
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds add() on a WaitGroup called inside the callable a spawn runs,
/// instead of before the spawn.
class WaitGroupAddInsideSpawnCheck : public ClangTidyCheck {
public:
  WaitGroupAddInsideSpawnCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

private:
  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::vector<model::SyncType> &WaitGroupTypes = Shared.WaitGroupTypes;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_WAITGROUPADDINSIDESPAWNCHECK_H
