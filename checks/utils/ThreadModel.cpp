//===--- ThreadModel.cpp - the shared thread-ownership model --------------===//

#include "utils/ThreadModel.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
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

const CXXRecordDecl *recordOf(QualType T) {
  if (T.isNull())
    return nullptr;
  T = T.getNonReferenceType();
  while (const ArrayType *AT = T->getAsArrayTypeUnsafe())
    T = AT->getElementType();
  return T->getAsCXXRecordDecl();
}

bool isRecordOf(const CXXRecordDecl *RD, llvm::ArrayRef<llvm::StringRef> Names,
                ASTContext &Ctx) {
  if (!RD || Names.empty())
    return false;
  RD = RD->getCanonicalDecl();
  return !match(cxxRecordDecl(isSameOrDerivedFrom(hasAnyName(Names))), *RD,
                Ctx)
              .empty();
}

bool terminatesWhenJoinable(const CXXRecordDecl *RD, ASTContext &Ctx) {
  static const llvm::StringRef StdThread[] = {"::std::thread"};
  return isRecordOf(RD, StdThread, Ctx);
}

/// Strips what does not change which object an expression denotes: parens,
/// no-op and derived-to-base casts, temporaries and cleanups.
static const Expr *stripTransparent(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreParens();
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(Next))
      Next = EWC->getSubExpr();
    else if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(Next))
      Next = MTE->getSubExpr();
    else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(Next))
      Next = BTE->getSubExpr();
    else if (const auto *ICE = dyn_cast<ImplicitCastExpr>(Next)) {
      if (ICE->getCastKind() != CK_NoOp &&
          ICE->getCastKind() != CK_ConstructorConversion &&
          ICE->getCastKind() != CK_DerivedToBase &&
          ICE->getCastKind() != CK_UncheckedDerivedToBase)
        return Next;
      Next = ICE->getSubExpr();
    } else if (const auto *FC = dyn_cast<CXXFunctionalCastExpr>(Next)) {
      Next = FC->getSubExpr();
    }
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

const CXXConstructExpr *
startedConstruct(const Expr *E, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                 ASTContext &Ctx) {
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(stripTransparent(E));
  // Before C++17 `std::thread t = std::thread(f)` is an elided move of the
  // temporary that starts the thread.
  while (Construct && Construct->isElidable() && Construct->getNumArgs() == 1)
    Construct = dyn_cast_or_null<CXXConstructExpr>(
        stripTransparent(Construct->getArg(0)));
  if (!Construct || Construct->getNumArgs() == 0 ||
      Construct->getConstructor()->isCopyOrMoveConstructor() ||
      isa<CXXDefaultArgExpr>(Construct->getArg(0)))
    return nullptr;
  if (!isRecordOf(Construct->getConstructor()->getParent(), ThreadTypes, Ctx))
    return nullptr;
  return Construct;
}

const FunctionDecl *lambdaFunction(const LambdaExpr *L) {
  return L ? dyn_cast_or_null<FunctionDecl>(L->getLambdaClass()->getDeclContext())
           : nullptr;
}

const FunctionDecl *innermostFunction(const Stmt *S, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*S);
  while (!Parents.empty()) {
    const DynTypedNode &P = Parents[0];
    if (const auto *FD = P.get<FunctionDecl>())
      return FD;
    if (const auto *L = P.get<LambdaExpr>())
      return L->getCallOperator();
    Parents = Ctx.getParents(P);
  }
  return nullptr;
}

const Expr *ignoreWrappers(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreParenImpCasts();
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(Next))
      Next = EWC->getSubExpr();
    else if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(Next))
      Next = MTE->getSubExpr();
    else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(Next))
      Next = BTE->getSubExpr();
    else if (const auto *FC = dyn_cast<CXXFunctionalCastExpr>(Next))
      Next = FC->getSubExpr();
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

bool isMoveOf(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *FD = Call->getDirectCallee();
    return FD && Call->getNumArgs() == 1 && FD->isInStdNamespace() &&
           FD->getDeclName().isIdentifier() &&
           (FD->getName() == "move" || FD->getName() == "forward");
  }
  if (const auto *Cast = dyn_cast<CXXNamedCastExpr>(E))
    return Cast->getTypeAsWritten()->isRValueReferenceType();
  if (const auto *Cast = dyn_cast<CStyleCastExpr>(E))
    return Cast->getTypeAsWritten()->isRValueReferenceType();
  return false;
}

/// The parameter type that argument \p Arg of \p Call binds to, if known.
static QualType paramTypeFor(const Stmt *Call, const Expr *Arg) {
  const FunctionDecl *FD = nullptr;
  llvm::ArrayRef<const Expr *> Args;
  unsigned Shift = 0;
  if (const auto *CE = dyn_cast<CallExpr>(Call)) {
    FD = CE->getDirectCallee();
    Args = llvm::ArrayRef(CE->getArgs(), CE->getNumArgs());
    // For a member operator the object is argument 0 but not a parameter.
    if (isa<CXXOperatorCallExpr>(CE) && isa_and_nonnull<CXXMethodDecl>(FD))
      Shift = 1;
  } else if (const auto *Ctor = dyn_cast<CXXConstructExpr>(Call)) {
    FD = Ctor->getConstructor();
    Args = llvm::ArrayRef(Ctor->getArgs(), Ctor->getNumArgs());
  }
  if (!FD)
    return {};
  for (unsigned I = 0; I < Args.size(); ++I) {
    if (Args[I]->IgnoreParenImpCasts() != Arg->IgnoreParenImpCasts())
      continue;
    if (I < Shift)
      return {};
    const unsigned P = I - Shift;
    if (P < FD->getNumParams())
      return FD->getParamDecl(P)->getType();
    return {};
  }
  return {};
}

static bool isConstRef(QualType T) {
  return !T.isNull() && T->isReferenceType() &&
         T.getNonReferenceType().isConstQualified();
}

HandleUse classifyThreadUse(const Expr *Ref, const Stmt *Parent,
                            llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  static const std::vector<llvm::StringRef> Neutral = [] {
    llvm::SmallVector<llvm::StringRef, 12> Parts;
    llvm::StringRef(NeutralThreadMethods).split(Parts, ';');
    return std::vector<llvm::StringRef>(Parts.begin(), Parts.end());
  }();
  if (!Parent)
    return HandleUse::Neutral; // an expression statement `t;`
  // t.join(), t.detach(), t.joinable(), ...
  if (const auto *ME = dyn_cast<MemberExpr>(Parent)) {
    const auto *Method = dyn_cast<CXXMethodDecl>(ME->getMemberDecl());
    if (!Method || !Method->getDeclName().isIdentifier())
      return HandleUse::Escape;
    const llvm::StringRef Name = Method->getName();
    if (Name == "join" || Name == "detach")
      return HandleUse::Join;
    if (llvm::is_contained(Neutral, Name))
      return HandleUse::Neutral;
    return Method->isConst() ? HandleUse::Neutral : HandleUse::Escape;
  }
  // t = std::thread(f)
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Parent))
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        Op->getArg(0)->IgnoreParenImpCasts() == Ref)
      return HandleUse::Assign;
  // f(t), T x(t): by const reference it is only read.
  if (isa<CallExpr, CXXConstructExpr>(Parent)) {
    if (isa<CallExpr>(Parent) && cast<CallExpr>(Parent)->getCallee() &&
        cast<CallExpr>(Parent)->getCallee()->IgnoreParenImpCasts() == Ref)
      return HandleUse::Neutral; // a call operator on the handle
    return isConstRef(paramTypeFor(Parent, Ref)) ? HandleUse::Neutral
                                                 : HandleUse::Escape;
  }
  // const std::thread &r = t;
  if (const auto *DS = dyn_cast<DeclStmt>(Parent)) {
    for (const Decl *D : DS->decls())
      if (const auto *V = dyn_cast<VarDecl>(D))
        if (V->getInit() && V->getInit()->IgnoreParenImpCasts() == Ref)
          return isConstRef(V->getType()) ? HandleUse::Neutral
                                          : HandleUse::Escape;
    return HandleUse::Escape;
  }
  if (isa<UnaryExprOrTypeTraitExpr, CXXTypeidExpr>(Parent))
    return HandleUse::Neutral;
  // Moves, &t, return t, lambda captures, anything else: escapes.
  return HandleUse::Escape;
}

Holding holdingOf(QualType T, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                  llvm::ArrayRef<llvm::StringRef> OwnerTypes, ASTContext &Ctx,
                  const CXXRecordDecl **Held) {
  if (T.isNull())
    return Holding::None;
  T = T.getNonReferenceType();
  bool Array = false;
  while (const ArrayType *AT = T->getAsArrayTypeUnsafe()) {
    T = AT->getElementType();
    Array = true;
  }
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return Holding::None;
  if (isRecordOf(RD, ThreadTypes, Ctx)) {
    if (isRecordOf(RD, OwnerTypes, Ctx))
      return Holding::None;
    if (Held)
      *Held = RD;
    return Array ? Holding::Container : Holding::Thread;
  }
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
  if (!Spec || !Spec->getIdentifier())
    return Holding::None;
  // Shared ownership may outlive the holder: not followed.
  if (Spec->isInStdNamespace() &&
      (Spec->getName() == "shared_ptr" || Spec->getName() == "weak_ptr" ||
       Spec->getName() == "reference_wrapper"))
    return Holding::None;
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
    if (Arg.getKind() != TemplateArgument::Type)
      continue;
    QualType AT = Arg.getAsType();
    if (AT->isReferenceType() || AT->isPointerType())
      continue;
    const CXXRecordDecl *ARD = AT->getAsCXXRecordDecl();
    if (ARD && isRecordOf(ARD, ThreadTypes, Ctx) &&
        !isRecordOf(ARD, OwnerTypes, Ctx)) {
      if (Held)
        *Held = ARD;
      return Holding::Container;
    }
  }
  return Holding::None;
}

} // namespace clang::tidy::tether::model
