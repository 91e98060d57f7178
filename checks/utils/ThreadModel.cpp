//===--- ThreadModel.cpp - the shared thread-ownership model --------------===//

#include "utils/ThreadModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether::model {

bool isCreateFunctionName(llvm::StringRef Name) {
  Name = Name.ltrim(':');
  llvm::SmallVector<llvm::StringRef, 2> Names;
  llvm::StringRef(CreateFunctions).split(Names, ';', -1, false);
  return llvm::any_of(Names, [&](llvm::StringRef N) {
    return N.ltrim(':') == Name;
  });
}

std::string nameListKey(llvm::ArrayRef<llvm::StringRef> Names) {
  std::string Key;
  for (llvm::StringRef N : Names)
    (Key += N) += '\n';
  return Key;
}

bool isCFunction(const FunctionDecl *FD, llvm::StringRef List) {
  if (!FD || !FD->getDeclName().isIdentifier())
    return false;
  if (!FD->isExternC() &&
      !FD->getDeclContext()->getRedeclContext()->isTranslationUnit())
    return false;
  llvm::SmallVector<llvm::StringRef, 8> Names;
  List.split(Names, ';', -1, false);
  for (llvm::StringRef Name : Names) {
    Name.consume_front("::");
    if (Name == FD->getName())
      return true;
  }
  return false;
}

bool isThreadHandleType(QualType T, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                        ASTContext &Ctx) {
  if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl())
    return isRecordOf(RD, ThreadTypes, Ctx);
  for (const auto *TT = T->getAs<TypedefType>(); TT;
       TT = TT->desugar()->getAs<TypedefType>()) {
    const llvm::StringRef Name = TT->getDecl()->getName();
    if (Name == "pthread_t" || Name == "thrd_t")
      return true;
  }
  return false;
}

const Expr *deciderOf(const Expr *Cond, bool &Negated) {
  Negated = false;
  if (!Cond)
    return nullptr;
  Cond = Cond->IgnoreParenImpCasts();
  while (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
    if (!BO->isLogicalOp())
      break;
    Cond = BO->getRHS()->IgnoreParenImpCasts();
  }
  while (const auto *UO = dyn_cast<UnaryOperator>(Cond)) {
    if (UO->getOpcode() != UO_LNot)
      break;
    Negated = !Negated;
    Cond = UO->getSubExpr()->IgnoreParenImpCasts();
  }
  return Cond;
}

const Expr *joinableReceiver(const Expr *E) {
  const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(E);
  const CXXMethodDecl *M = MC ? MC->getMethodDecl() : nullptr;
  if (!M || !M->getDeclName().isIdentifier() || M->getName() != "joinable")
    return nullptr;
  return MC->getImplicitObjectArgument();
}

ContainerUse classifyContainerMethod(llvm::StringRef Name) {
  if (llvm::is_contained({"push_back", "push_front", "insert", "emplace_back",
                          "emplace_front", "emplace", "emplace_after",
                          "emplace_hint", "try_emplace"},
                         Name))
    return ContainerUse::Adds;
  if (llvm::is_contained({"size", "empty", "capacity", "max_size", "reserve",
                          "shrink_to_fit", "begin", "end", "cbegin", "cend",
                          "rbegin", "rend"},
                         Name))
    return ContainerUse::Reads;
  if (llvm::is_contained({"clear", "pop_back", "pop_front", "erase", "resize",
                          "assign"},
                         Name))
    return ContainerUse::Destroys;
  if (llvm::is_contained({"at", "back", "front"}, Name))
    return ContainerUse::Element;
  return ContainerUse::Other;
}

const BlockingCall *blockingCall(llvm::StringRef Name) {
  for (const BlockingCall &B : BlockingCalls)
    if (B.Name == Name)
      return &B;
  return nullptr;
}

std::string blockingCallNames(bool (*Keep)(const BlockingCall &)) {
  std::string Names;
  for (const BlockingCall &B : BlockingCalls)
    if (Keep(B)) {
      if (!Names.empty())
        Names += ';';
      Names += B.Name.str();
    }
  return Names;
}

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
  return TUModel::of(Ctx).isRecordOf(RD, Names, [&] {
    return !match(cxxRecordDecl(isSameOrDerivedFrom(hasAnyName(Names))), *RD,
                  Ctx)
                .empty();
  });
}

bool terminatesWhenJoinable(const CXXRecordDecl *RD, ASTContext &Ctx) {
  static const llvm::StringRef StdThread[] = {"::std::thread"};
  return isRecordOf(RD, StdThread, Ctx);
}

const Expr *stripTransparent(const Expr *E) {
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
  return TUModel::of(Ctx).enclosingFunction(S);
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

HandleUse classifyThreadMethod(const CXXMethodDecl *Method) {
  static const std::vector<llvm::StringRef> Neutral = [] {
    llvm::SmallVector<llvm::StringRef, 12> Parts;
    llvm::StringRef(NeutralThreadMethods).split(Parts, ';');
    return std::vector<llvm::StringRef>(Parts.begin(), Parts.end());
  }();
  if (!Method || !Method->getDeclName().isIdentifier())
    return HandleUse::Escape;
  const llvm::StringRef Name = Method->getName();
  if (Name == "join")
    return HandleUse::Join;
  if (Name == "detach")
    return HandleUse::Detach;
  if (llvm::is_contained(Neutral, Name))
    return HandleUse::Neutral;
  return Method->isConst() ? HandleUse::Neutral : HandleUse::Escape;
}

HandleUse classifyThreadUse(const Expr *Ref, const Stmt *Parent,
                            llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  if (!Parent)
    return HandleUse::Neutral; // an expression statement `t;`
  // t.join(), t.detach(), t.joinable(), ...
  if (const auto *ME = dyn_cast<MemberExpr>(Parent))
    return classifyThreadMethod(dyn_cast<CXXMethodDecl>(ME->getMemberDecl()));
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

/// The join() or detach() call of a thread class that \p S is, with the
/// object it is called on; none otherwise.
std::optional<std::pair<Discharge, const Expr *>>
dischargeCall(const Stmt *S, llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(S);
  if (!MC || !MC->getMethodDecl() || MC->getNumArgs() != 0)
    return std::nullopt;
  const CXXMethodDecl *M = MC->getMethodDecl();
  if (!M->getDeclName().isIdentifier() ||
      !isRecordOf(M->getParent(), ThreadTypes, M->getASTContext()))
    return std::nullopt;
  if (M->getName() == "join")
    return std::make_pair(Discharge::Join, MC->getImplicitObjectArgument());
  if (M->getName() == "detach")
    return std::make_pair(Discharge::Detach,
                          MC->getImplicitObjectArgument());
  return std::nullopt;
}

/// The discharges in \p S (outside lambdas), with their objects.
static void dischargesIn(
    const Stmt *S, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
    llvm::SmallVectorImpl<std::pair<Discharge, const Expr *>> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (auto D = dischargeCall(S, ThreadTypes))
    Out.push_back(*D);
  for (const Stmt *Child : S->children())
    dischargesIn(Child, ThreadTypes, Out);
}

/// The variable, parameter or member of `*this` a container expression
/// names (through parentheses, casts and `*p`), or null.
static const ValueDecl *containerDecl(const Expr *E) {
  if (!E)
    return nullptr;
  E = ignoreWrappers(E);
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      E = ignoreWrappers(UO->getSubExpr());
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DRE->getDecl());
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return dyn_cast<FieldDecl>(ME->getMemberDecl());
  return nullptr;
}

/// The container an element expression reads: `v[i]`, `v.at(i)`,
/// `v.back()`, `v.front()`; null otherwise.
static const ValueDecl *elementOf(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if (Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
      return containerDecl(Op->getArg(0));
  if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(E))
    return containerDecl(ASE->getBase());
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
    if (const CXXMethodDecl *M = MC->getMethodDecl())
      if (M->getDeclName().isIdentifier() &&
          llvm::is_contained({"at", "back", "front"}, M->getName()))
        return containerDecl(MC->getImplicitObjectArgument());
  return nullptr;
}

/// The container `it` iterates over when \p VD is initialised with
/// `v.begin()` / `std::begin(v)` (or the c/r variants); else null.
static const ValueDecl *iteratedContainer(const VarDecl *VD) {
  if (!VD || !VD->getInit())
    return nullptr;
  const Expr *Init = ignoreWrappers(VD->getInit());
  if (const auto *CE = dyn_cast<CXXConstructExpr>(Init))
    if (CE->getNumArgs() == 1)
      Init = ignoreWrappers(CE->getArg(0));
  const auto *Call = dyn_cast<CallExpr>(Init);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getDeclName().isIdentifier() ||
      !llvm::is_contained({"begin", "cbegin", "rbegin", "crbegin"},
                          FD->getName()))
    return nullptr;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
    return containerDecl(MC->getImplicitObjectArgument());
  return Call->getNumArgs() == 1 ? containerDecl(Call->getArg(0)) : nullptr;
}

/// The iterator variable `it` names in `it->join()` / `(*it).join()`.
static const VarDecl *iteratorOf(const Expr *Obj) {
  Obj = ignoreWrappers(Obj);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Obj))
    if ((Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
        Op->getNumArgs() >= 1)
      Obj = ignoreWrappers(Op->getArg(0));
  if (const auto *UO = dyn_cast<UnaryOperator>(Obj))
    if (UO->getOpcode() == UO_Deref)
      Obj = ignoreWrappers(UO->getSubExpr());
  const auto *DRE = dyn_cast<DeclRefExpr>(Obj);
  return DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

/// The one kind of discharge in \p Found whose objects \p Match accepts,
/// when all of them agree; none when there is none or they disagree.
template <typename Fn>
static std::optional<Discharge> agreedKind(
    llvm::ArrayRef<std::pair<Discharge, const Expr *>> Found, Fn Match) {
  std::optional<Discharge> Kind;
  for (const auto &[K, Obj] : Found) {
    if (!Match(Obj))
      continue;
    if (Kind && *Kind != K)
      return std::nullopt;
    Kind = K;
  }
  return Kind;
}

std::optional<ElementLoop>
elementLoop(const Stmt *S, llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  if (!S)
    return std::nullopt;
  llvm::SmallVector<std::pair<Discharge, const Expr *>, 2> Found;
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
    const VarDecl *LV = Range->getLoopVariable();
    const ValueDecl *C = containerDecl(Range->getRangeInit());
    if (!LV || !C || !Range->getCond())
      return std::nullopt;
    dischargesIn(Range->getBody(), ThreadTypes, Found);
    auto K = agreedKind(Found, [&](const Expr *Obj) {
      const auto *DRE = dyn_cast<DeclRefExpr>(ignoreWrappers(Obj));
      return DRE && DRE->getDecl() == LV;
    });
    if (!K)
      return std::nullopt;
    return ElementLoop{C, *K, Range, Range->getCond()};
  }
  // for (i = 0; i < v.size(); ++i) v[i].join(); for (it = v.begin(); ...)
  // it->join(); while (!v.empty()) { v.back().join(); v.pop_back(); }
  const Stmt *Body = nullptr;
  const Expr *Cond = nullptr;
  if (const auto *For = dyn_cast<ForStmt>(S)) {
    Body = For->getBody();
    Cond = For->getCond();
  } else if (const auto *While = dyn_cast<WhileStmt>(S)) {
    Body = While->getBody();
    Cond = While->getCond();
  }
  if (Body && Cond) {
    dischargesIn(Body, ThreadTypes, Found);
    const ValueDecl *C = nullptr;
    auto K = agreedKind(Found, [&](const Expr *Obj) {
      const ValueDecl *D = elementOf(Obj);
      if (!D && isa<ForStmt>(S))
        D = iteratedContainer(iteratorOf(Obj));
      if (!D || (C && C != D))
        return false;
      C = D;
      return true;
    });
    if (!K || !C)
      return std::nullopt;
    return ElementLoop{C, *K, S, Cond};
  }
  // std::for_each(v.begin(), v.end(), std::mem_fn(&std::thread::join))
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD || !FD->isInStdNamespace() || !FD->getDeclName().isIdentifier() ||
        FD->getName() != "for_each" || Call->getNumArgs() != 3)
      return std::nullopt;
    const auto *B = dyn_cast<CallExpr>(ignoreWrappers(Call->getArg(0)));
    const FunctionDecl *BF = B ? B->getDirectCallee() : nullptr;
    if (!BF || !BF->getDeclName().isIdentifier() || BF->getName() != "begin")
      return std::nullopt;
    const ValueDecl *C =
        isa<CXXMemberCallExpr>(B)
            ? containerDecl(cast<CXXMemberCallExpr>(B)->getImplicitObjectArgument())
            : (B->getNumArgs() == 1 ? containerDecl(B->getArg(0)) : nullptr);
    if (!C)
      return std::nullopt;
    const Expr *F = ignoreWrappers(Call->getArg(2));
    if (const auto *CE = dyn_cast<CXXConstructExpr>(F))
      if (CE->getNumArgs() == 1)
        F = ignoreWrappers(CE->getArg(0));
    if (const auto *Mem = dyn_cast<CallExpr>(F)) {
      const FunctionDecl *MF = Mem->getDirectCallee();
      if (MF && MF->isInStdNamespace() && MF->getDeclName().isIdentifier() &&
          MF->getName() == "mem_fn" && Mem->getNumArgs() == 1) {
        const auto *UO = dyn_cast<UnaryOperator>(ignoreWrappers(Mem->getArg(0)));
        const auto *DRE =
            UO ? dyn_cast<DeclRefExpr>(ignoreWrappers(UO->getSubExpr())) : nullptr;
        const auto *M = DRE ? dyn_cast<CXXMethodDecl>(DRE->getDecl()) : nullptr;
        if (M && M->getDeclName().isIdentifier() &&
            isRecordOf(M->getParent(), ThreadTypes, M->getASTContext())) {
          if (M->getName() == "join")
            return ElementLoop{C, Discharge::Join, Call, Call};
          if (M->getName() == "detach")
            return ElementLoop{C, Discharge::Detach, Call, Call};
        }
      }
      return std::nullopt;
    }
    if (const auto *L = dyn_cast<LambdaExpr>(F)) {
      const CXXMethodDecl *Op = L->getCallOperator();
      if (!Op || Op->getNumParams() != 1)
        return std::nullopt;
      const ParmVarDecl *P = Op->getParamDecl(0);
      dischargesIn(L->getBody(), ThreadTypes, Found);
      auto K = agreedKind(Found, [&](const Expr *Obj) {
        const auto *DRE = dyn_cast<DeclRefExpr>(ignoreWrappers(Obj));
        return DRE && DRE->getDecl() == P;
      });
      if (K)
        return ElementLoop{C, *K, Call, Call};
    }
  }
  return std::nullopt;
}

static void collectElementLoops(const Stmt *S,
                                llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                                llvm::SmallVectorImpl<ElementLoop> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (isa<CXXForRangeStmt, ForStmt, WhileStmt, CallExpr>(S))
    if (std::optional<ElementLoop> L = elementLoop(S, ThreadTypes))
      Out.push_back(*L);
  for (const Stmt *Child : S->children())
    collectElementLoops(Child, ThreadTypes, Out);
}

llvm::SmallVector<ElementLoop, 2>
elementLoopsIn(const Stmt *Body, llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  llvm::SmallVector<ElementLoop, 2> Out;
  collectElementLoops(Body, ThreadTypes, Out);
  return Out;
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
