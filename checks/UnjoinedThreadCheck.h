//===--- UnjoinedThreadCheck.h - tether-unjoined-thread -------------------===//
//
// Finds local and temporary threads, and pthread / C11 thread handles, that
// can be destroyed, overwritten or forgotten while joinable on some path
// through the function, exception paths included.
//
// Documentation: docs/checks/unjoined-thread.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UNJOINEDTHREADCHECK_H
#define TETHER_CHECKS_UNJOINEDTHREADCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/utils/IncludeInserter.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/HandleFlow.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds local and temporary threads, and pthread / C11 thread handles, that
/// can be destroyed, overwritten or forgotten while joinable on some path
/// through the function, exception paths included.
class UnjoinedThreadCheck : public ClangTidyCheck {
public:
  UnjoinedThreadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const SourceManager &SM, Preprocessor *PP,
                           Preprocessor *ModuleExpanderPP) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  /// The consequence a finding about \p S names: std::terminate for a
  /// std::thread, a lost wait for any other thread class.
  StringRef consequence(const flow::Start &S, ASTContext &Ctx) const;
  void checkFunction(const FunctionDecl *FD, ASTContext &Ctx);
  void checkTemporary(const CXXConstructExpr *Construct, ASTContext &Ctx);
  void checkTemporaries(const Stmt *Holder, ASTContext &Ctx);
  bool firstReportAt(SourceLocation Loc);
  /// Whether `std::thread` -> `std::jthread` on the declaration of \p S's
  /// handle only changes its exception paths (docs: "Fix-it"). \p NormalOnly
  /// is the flow of \p FD without exception edges, built on first need.
  bool jthreadFixable(const flow::Start &S, const flow::HandleFlow &Flow,
                      const FunctionDecl *FD, ASTContext &Ctx,
                      std::unique_ptr<flow::HandleFlow> &NormalOnly) const;

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &OwnerTypes = Shared.OwnerTypes;
  const bool ExceptionPaths = Shared.ExceptionPaths;
  /// The flow without exception edges, for the fix-it (HandleFlow keeps a
  /// reference to its configuration).
  const flow::FlowConfig NormalPaths{ThreadTypes, OwnerTypes,
                                     /*ExceptionPaths=*/false, nullptr};
  utils::IncludeInserter Inserter;
  llvm::DenseSet<const FunctionDecl *> Analysed;
  llvm::DenseSet<SourceLocation> Reported;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_UNJOINEDTHREADCHECK_H
