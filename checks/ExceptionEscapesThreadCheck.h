//===--- ExceptionEscapesThreadCheck.h - tether-exception-escapes-thread --===//
//
// Finds thread entries that can let an exception escape, which calls
// std::terminate: a throw, a call whose visible body may throw, or a call to
// a standard function that throws on bad input, not caught in the entry.
//
// Documentation: docs/checks/exception-escapes-thread.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_EXCEPTIONESCAPESTHREADCHECK_H
#define TETHER_CHECKS_EXCEPTIONESCAPESTHREADCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include "utils/ThrowModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds thread entries that can let an exception escape, which calls
/// std::terminate: a throw, a call whose visible body may throw, or a call
/// to a standard function that throws on bad input, not caught in the entry.
class ExceptionEscapesThreadCheck : public ClangTidyCheck {
public:
  ExceptionEscapesThreadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11 && LangOpts.CXXExceptions;
  }

private:
  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::vector<StringRef> CatchingSpawnFunctions;
  const std::vector<StringRef> ThrowingFunctions;
  /// Entries already reported (a function spawned in several places is
  /// reported once, at its first spawn).
  llvm::DenseSet<const Decl *> Reported;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_EXCEPTIONESCAPESTHREADCHECK_H
