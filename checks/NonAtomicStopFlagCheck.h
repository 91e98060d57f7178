//===--- NonAtomicStopFlagCheck.h - tether-non-atomic-stop-flag -----------===//
//
// Finds a worker loop that exits on a non-atomic flag another thread writes,
// read without a mutex the writer also holds: a data race, and the loop may
// never see the write.
//
// Documentation: docs/checks/non-atomic-stop-flag.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_NONATOMICSTOPFLAGCHECK_H
#define TETHER_CHECKS_NONATOMICSTOPFLAGCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds a worker loop that exits on a non-atomic flag another thread writes,
/// read without a mutex the writer also holds.
class NonAtomicStopFlagCheck : public ClangTidyCheck {
public:
  NonAtomicStopFlagCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  struct Worker {
    model::Spawn S;
    model::ResolvedCallable Callable;
  };

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::string LockTypesRaw;
  const std::vector<StringRef> LockTypes;
  const unsigned MaxCallDepth;
  std::vector<Worker> Workers;
  ASTContext *Ctx = nullptr;
  llvm::DenseSet<SourceLocation> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_NONATOMICSTOPFLAGCHECK_H
