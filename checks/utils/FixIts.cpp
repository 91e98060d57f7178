//===--- FixIts.cpp - What the fix-its of every check need to prove -------===//

#include "utils/FixIts.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::tether::fixit {

bool inTemplate(const FunctionDecl *FD) {
  for (const DeclContext *DC = FD; DC; DC = DC->getParent()) {
    if (const auto *F = dyn_cast<FunctionDecl>(DC))
      if (F->isTemplateInstantiation() || F->isDependentContext())
        return true;
    if (isa<ClassTemplateSpecializationDecl>(DC))
      return true;
  }
  return false;
}

bool isStdThread(const CXXRecordDecl *RD) {
  return RD && RD->getDeclName().isIdentifier() && RD->getName() == "thread" &&
         RD->isInStdNamespace() && isa<NamespaceDecl>(RD->getDeclContext());
}

namespace {
struct UsesVisitor : RecursiveASTVisitor<UsesVisitor> {
  UsesVisitor(const VarDecl *VD, llvm::ArrayRef<llvm::StringRef> Methods)
      : VD(VD), Methods(Methods) {}
  const VarDecl *VD;
  llvm::ArrayRef<llvm::StringRef> Methods;
  llvm::SmallPtrSet<const DeclRefExpr *, 4> Allowed;
  llvm::SmallVector<const DeclRefExpr *, 4> Refs;
  llvm::SmallVector<const CXXMemberCallExpr *, 4> Calls;
  bool Alone = false, Captured = false;

  bool VisitDeclStmt(DeclStmt *DS) {
    for (const Decl *D : DS->decls())
      if (D == VD)
        Alone = DS->isSingleDecl();
    return true;
  }
  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const Expr *Obj = Call->getImplicitObjectArgument();
    const auto *Ref =
        dyn_cast_or_null<DeclRefExpr>(Obj ? Obj->IgnoreParenImpCasts() : nullptr);
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (Ref && Ref->getDecl() == VD && M && M->getDeclName().isIdentifier() &&
        llvm::is_contained(Methods, M->getName())) {
      Allowed.insert(Ref);
      Calls.push_back(Call);
    }
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (Ref->getDecl() == VD)
      Refs.push_back(Ref);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    for (const LambdaCapture &C : L->captures())
      if (C.capturesVariable() && C.getCapturedVar() == VD)
        Captured = true;
    return true;
  }
};
} // namespace

LocalUses localUses(const VarDecl *VD, const Stmt *Body,
                    llvm::ArrayRef<llvm::StringRef> Methods) {
  UsesVisitor V(VD, Methods);
  V.TraverseStmt(const_cast<Stmt *>(Body));
  LocalUses Out;
  Out.Alone = V.Alone;
  Out.OnlyMemberCalls =
      !V.Captured && llvm::all_of(V.Refs, [&](const DeclRefExpr *Ref) {
        return V.Allowed.contains(Ref) &&
               !Ref->refersToEnclosingVariableOrCapture();
      });
  Out.Calls = std::move(V.Calls);
  return Out;
}

} // namespace clang::tidy::tether::fixit
