//===--- DetachedThreadCheck.h - tether-detached-thread -------------------===//
//
// Finds running threads given up by their owner: detach() on a thread type,
// pthread_detach and other C detach functions, and thread attributes set to
// PTHREAD_CREATE_DETACHED.
//
// Documentation: docs/checks/detached-thread.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_DETACHEDTHREADCHECK_H
#define TETHER_CHECKS_DETACHEDTHREADCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds running threads given up by their owner: detach() on a thread type,
/// pthread_detach and other C detach functions, and thread attributes set to
/// PTHREAD_CREATE_DETACHED.
class DetachedThreadCheck : public ClangTidyCheck {
public:
  DetachedThreadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  /// Reports once per location: a template instantiated many times, or a
  /// macro expanded on one line, yields one finding.
  bool firstReportAt(SourceLocation Loc);

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> DetachFunctions;
  llvm::DenseSet<SourceLocation> Reported;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_DETACHEDTHREADCHECK_H
