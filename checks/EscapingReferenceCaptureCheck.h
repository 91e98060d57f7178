//===--- EscapingReferenceCaptureCheck.h - tether-escaping-reference-capture ===//
//
// Finds a lambda run by a thread that captures locals by reference, or
// captures `this`, while the thread can outlive them: the thread is detached,
// returned or stored where it outlives the function, or its task is started on
// an owner (a WaitGroup, Group, jthread, ...) that is destroyed after the
// captured locals and is not waited for before they are.
//
// Documentation: docs/checks/escaping-reference-capture.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_ESCAPINGREFERENCECAPTURECHECK_H
#define TETHER_CHECKS_ESCAPINGREFERENCECAPTURECHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "clang/AST/ParentMap.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "utils/CheckOptions.h"
#include "utils/HandleFlow.h"
#include "utils/SpawnModel.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds a thread's lambda that captures locals by reference, or `this`,
/// while the thread can outlive them.
class EscapingReferenceCaptureCheck : public ClangTidyCheck {
public:
  EscapingReferenceCaptureCheck(StringRef Name, ClangTidyContext *Context);
  ~EscapingReferenceCaptureCheck() override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

  /// Why the thread can outlive what its lambda captures.
  struct Outlives {
    enum Kind {
      None,
      Detached,     ///< detached: nobody waits for it
      Returned,     ///< returned out of the function
      Stored,       ///< stored in a member, a global or their container
      OwnerOutlives ///< started on an owner destroyed after the captures
    } K = None;
    const Stmt *At = nullptr;         ///< the detach, return or store
    const ValueDecl *Owner = nullptr; ///< Stored / OwnerOutlives: where
    /// OwnerOutlives: the owner is a local object of the function, so only
    /// the captures declared after it are outlived.
    bool LocalOwner = false;
  };

private:
  Outlives fateInContainer(const Expr *Container, const CXXMemberCallExpr *Spawn,
                           const FunctionDecl *FD, ASTContext &Ctx);
  Outlives fateOfConstruct(const Expr *Construct, const FunctionDecl *FD,
                           ASTContext &Ctx);
  Outlives fateOfLocalThread(const VarDecl *Handle, const Expr *Construct,
                             const FunctionDecl *FD, ASTContext &Ctx);
  Outlives ownerFate(const Expr *OwnerExpr, const Stmt *Spawn,
                     const FunctionDecl *FD, ASTContext &Ctx);
  void report(const LambdaExpr *Lambda, const Stmt *Spawn,
              const FunctionDecl *FD, const Outlives &Why, ASTContext &Ctx);

  const model::ThreadOptions Shared;
  const std::vector<StringRef> &ThreadTypes = Shared.ThreadTypes;
  const std::vector<StringRef> &SpawnFunctions = Shared.SpawnFunctions;
  const std::vector<StringRef> &OwnerTypes = Shared.OwnerTypes;
  const std::vector<StringRef> WaitMethods;
  flow::FlowConfig FlowCfg;
  llvm::DenseSet<SourceLocation> Reported;
  /// What is computed once per function, on demand: its statement parents
  /// (only its own body, unlike the whole-TU parent map) and handle flow.
  struct FunctionInfo {
    std::unique_ptr<ParentMap> Parents;
    std::unique_ptr<flow::HandleFlow> Flow;
  };
  FunctionInfo &infoOf(const FunctionDecl *FD);
  llvm::DenseMap<const FunctionDecl *, FunctionInfo> Functions;
  model::SpawnSiteMatchers SpawnSites;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_ESCAPINGREFERENCECAPTURECHECK_H
