//===--- WaitGroupDoneMissingCheck.h - tether-waitgroup-done-missing -----===//
//
// Finds a spawned callable that calls done() on a WaitGroup on some paths but
// not all (an early return, an exception before done()): the owner's wait()
// never returns.
//
// Documentation: docs/checks/waitgroup-done-missing.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_WAITGROUPDONEMISSINGCHECK_H
#define TETHER_CHECKS_WAITGROUPDONEMISSINGCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/HandleFlow.h"
#include "utils/SpawnModel.h"
#include "utils/SyncModel.h"
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds a spawned callable that calls done() on a WaitGroup on some paths
/// but not all.
class WaitGroupDoneMissingCheck : public ClangTidyCheck {
public:
  WaitGroupDoneMissingCheck(StringRef Name, ClangTidyContext *Context);
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
  const std::vector<StringRef> CatchingSpawnFunctions;
  const bool ExceptionPaths;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_WAITGROUPDONEMISSINGCHECK_H
