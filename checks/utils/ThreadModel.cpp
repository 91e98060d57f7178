//===--- ThreadModel.cpp - the shared thread-ownership model --------------===//

#include "utils/ThreadModel.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether::model {

ast_matchers::internal::Matcher<CXXRecordDecl>
threadClass(llvm::ArrayRef<llvm::StringRef> Names) {
  return cxxRecordDecl(isSameOrDerivedFrom(hasAnyName(Names)));
}

ast_matchers::DeclarationMatcher
threadMethod(llvm::StringRef Method, llvm::ArrayRef<llvm::StringRef> Names) {
  return cxxMethodDecl(hasName(Method), ofClass(threadClass(Names)));
}

const ValueDecl *handleDecl(const Expr *Handle) {
  if (!Handle)
    return nullptr;
  const Expr *E = Handle->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)
      E = UO->getSubExpr()->IgnoreParenImpCasts();
  // p->detach() and (*p).detach() through a smart pointer name the pointer.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if ((Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
        Op->getNumArgs() >= 1)
      E = Op->getArg(0)->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return DRE->getDecl();
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return ME->getMemberDecl();
  return nullptr;
}

std::string describeHandle(const Expr *Handle) {
  if (const ValueDecl *D = handleDecl(Handle))
    if (D->getDeclName().isIdentifier() && !D->getName().empty())
      return ("thread '" + D->getName() + "'").str();
  if (Handle && (isa<MaterializeTemporaryExpr>(Handle->IgnoreParens()) ||
                 Handle->IgnoreParenImpCasts()->isPRValue()))
    return "temporary thread";
  return "thread";
}

const Expr *localStartSite(const Expr *Handle,
                           llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  const auto *Var = dyn_cast_or_null<VarDecl>(handleDecl(Handle));
  if (!Var || !Var->hasLocalStorage() || !Var->getInit())
    return nullptr;
  const Expr *Init = Var->getInit()->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init)) {
    // A default-constructed thread runs nothing; a copy or move from another
    // handle starts nothing either.
    if (Construct->getNumArgs() == 0 ||
        Construct->getConstructor()->isCopyOrMoveConstructor())
      return nullptr;
    return Construct;
  }
  return nullptr;
}

SourceLocation reportLoc(SourceLocation Loc, const SourceManager &SM) {
  return Loc.isMacroID() ? SM.getExpansionLoc(Loc) : Loc;
}

bool isSpelledAs(const Expr *E, llvm::StringRef Name, const ASTContext &Ctx) {
  if (!E)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  // A macro, possibly expanding to an enumerator of the same name (glibc).
  SourceLocation Loc = E->getBeginLoc();
  while (Loc.isMacroID()) {
    if (Lexer::getImmediateMacroName(Loc, SM, Ctx.getLangOpts()) == Name)
      return true;
    Loc = SM.getImmediateMacroCallerLoc(Loc);
  }
  const Expr *Stripped = E->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(Stripped))
    return DRE->getDecl()->getDeclName().isIdentifier() &&
           DRE->getDecl()->getName() == Name;
  return false;
}

} // namespace clang::tidy::tether::model
