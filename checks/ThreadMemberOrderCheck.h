//===--- ThreadMemberOrderCheck.h - tether-thread-member-order ------------===//
//
// Finds auto-joining members (std::jthread, tether::Group, tether::WaitGroup)
// declared before members that their threads use: those members are destroyed
// first, while the threads still run.
//
// Documentation: docs/checks/thread-member-order.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_THREADMEMBERORDERCHECK_H
#define TETHER_CHECKS_THREADMEMBERORDERCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds auto-joining members (std::jthread, tether::Group, tether::WaitGroup)
/// declared before members that their threads use: those members are
/// destroyed first, while the threads still run.
class ThreadMemberOrderCheck : public ClangTidyCheck {
public:
  ThreadMemberOrderCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override {
    Analysed.clear();
    Reported.clear();
  }
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void checkClass(const CXXRecordDecl *RD, ASTContext &Ctx);

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &OwnerTypes = Shared.OwnerTypes;
  llvm::DenseSet<const CXXRecordDecl *> Analysed;
  llvm::DenseSet<SourceLocation> Reported;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_THREADMEMBERORDERCHECK_H
