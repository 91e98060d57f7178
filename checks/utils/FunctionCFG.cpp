//===--- FunctionCFG.cpp - the CFG of one function, for the path analyses -===//

#include "utils/FunctionCFG.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::tether::flow {

std::unique_ptr<CFG> buildFunctionCFG(const FunctionDecl *FD, ASTContext &Ctx,
                                      bool ExceptionEdges, bool Lifetime) {
  Stmt *Body = FD ? FD->getBody() : nullptr;
  if (!Body || isa<CoroutineBodyStmt>(Body) || FD->isDependentContext())
    return nullptr;
  if (FD->isInvalidDecl() || Ctx.getDiagnostics().hasUncompilableErrorOccurred())
    return nullptr;
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddLifetime = Lifetime;
  Options.AddEHEdges = ExceptionEdges && Ctx.getLangOpts().CXXExceptions;
  Options.setAllAlwaysAdd();
  return CFG::buildCFG(FD, Body, &Ctx, Options);
}

SourceLocation exitLoc(const Stmt *At) {
  if (!At)
    return {};
  if (const auto *CS = dyn_cast<CompoundStmt>(At))
    return CS->getRBracLoc();
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(At))
    return MC->getExprLoc();
  return At->getBeginLoc();
}

} // namespace clang::tidy::tether::flow
