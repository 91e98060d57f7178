//===--- ContextNotPropagatedCheck.h - tether-context-not-propagated ------===//
//
// Finds cancellation that does not flow down: spawned work that receives no
// cancellation handle while one is in scope, a task that ignores the context it
// is given, and tether::background() where a context is available.
//
// Documentation: docs/checks/context-not-propagated.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_CONTEXTNOTPROPAGATEDCHECK_H
#define TETHER_CHECKS_CONTEXTNOTPROPAGATEDCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "utils/CheckOptions.h"
#include "utils/SpawnModel.h"
#include <vector>

namespace clang::tidy::tether {

/// Finds cancellation that does not flow down to spawned work.
class ContextNotPropagatedCheck : public ClangTidyCheck {
public:
  ContextNotPropagatedCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override {
    HandleLocals.clear();
    SawHandleVariable = false;
  }
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

private:
  bool isHandleType(QualType T) const;
  bool isDerivedFromHandle(const VarDecl *V) const;
  const VarDecl *handleInScope(const Stmt *At, const FunctionDecl *Fn,
                               ASTContext &Ctx) const;
  void checkSpawn(const Expr *Site, ASTContext &Ctx);
  bool backgroundFixable(const CallExpr *Call, const VarDecl *V,
                         const FunctionDecl *Fn, ASTContext &Ctx) const;
  void checkBackground(const CallExpr *Call, const FunctionDecl *Fn,
                       ASTContext &Ctx);
  void checkBlockingCall(const CXXMemberCallExpr *Call, const FunctionDecl *Fn,
                         ASTContext &Ctx);

  const std::vector<StringRef> ContextTypes;
  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const bool CheckBlockingCalls;
  llvm::DenseSet<SourceLocation> Reported;
  /// Per function, its own locals of a handle type (not copies of the root
  /// context), in declaration order: collected once, not once per spawn,
  /// so that a function with N spawns costs O(N), not O(N^2).
  mutable llvm::DenseMap<const FunctionDecl *,
                         llvm::SmallVector<const VarDecl *, 2>>
      HandleLocals;
  /// Whether the TU so far declared a parameter or local of a handle type.
  /// Only those can be in scope at a spawn (handleInScope()), and they are
  /// matched before the spawns after them: without one, the spawner is not
  /// looked up, so a TU without handles never builds its parent map (a
  /// functor spawned in place next to a 6 MB generated array cost 4 s).
  bool SawHandleVariable = false;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_CONTEXTNOTPROPAGATEDCHECK_H
