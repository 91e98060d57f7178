//===--- UnjoinedThreadMemberCheck.h - tether-unjoined-thread-member ------===//
//
// Finds thread members that their class starts but does not join when it is
// destroyed, and threads with static storage duration that are started and
// never joined.
//
// Documentation: docs/checks/unjoined-thread-member.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UNJOINEDTHREADMEMBERCHECK_H
#define TETHER_CHECKS_UNJOINEDTHREADMEMBERCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "utils/CheckOptions.h"
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds thread members that their class starts but does not join when it is
/// destroyed, and threads with static storage duration that are started and
/// never joined.
class UnjoinedThreadMemberCheck : public ClangTidyCheck {
public:
  UnjoinedThreadMemberCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void checkClass(const CXXRecordDecl *RD, ASTContext &Ctx);
  void noteStaticUse(const DeclRefExpr *Ref, ASTContext &Ctx);

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &OwnerTypes = Shared.OwnerTypes;
  llvm::DenseSet<const CXXRecordDecl *> Analysed;
  llvm::DenseSet<SourceLocation> Reported;

  /// Threads with static storage duration: where they start, and whether
  /// anything joins them or takes them over.
  struct StaticThread {
    const Expr *Start = nullptr;
    bool Handled = false;
  };
  llvm::MapVector<const VarDecl *, StaticThread> Statics;
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_UNJOINEDTHREADMEMBERCHECK_H
