//===--- DiscardedThreadResultCheck.h - tether-discarded-thread-result ----===//
//
// Finds a callable with a non-void return type spawned where its return value
// is thrown away: std::thread, std::jthread, boost::thread and
// tether::WaitGroup::go discard what their callable returns.
//
// Documentation: docs/checks/discarded-thread-result.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_DISCARDEDTHREADRESULTCHECK_H
#define TETHER_CHECKS_DISCARDEDTHREADRESULTCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds a callable with a non-void return type spawned where its return
/// value is thrown away.
class DiscardedThreadResultCheck : public ClangTidyCheck {
public:
  DiscardedThreadResultCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

private:
  bool isIgnored(QualType T, ASTContext &Ctx) const;

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &DiscardingSpawnFunctions =
      Shared.SpawnFunctions;
  const std::vector<StringRef> IgnoredReturnTypes;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_DISCARDEDTHREADRESULTCHECK_H
