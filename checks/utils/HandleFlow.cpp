//===--- HandleFlow.cpp - where a thread handle goes, per CFG path --------===//

#include "utils/HandleFlow.h"
#include "utils/ThreadModel.h"
#include "utils/SpawnModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/BitVector.h"
#include <optional>

namespace clang::tidy::tether::flow {

static const FunctionDecl *calleeOf(const Stmt *S) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  return Call ? Call->getDirectCallee() : nullptr;
}

/// The local variable \p E names (through parens and casts), or null.
static const VarDecl *localVar(const Expr *E) {
  if (!E)
    return nullptr;
  const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD || !VD->hasLocalStorage() || VD->getType()->isReferenceType() ||
      VD->getType()->isArrayType())
    return nullptr;
  return VD;
}

/// The local variable of `&v`, or null.
static const VarDecl *addressedLocal(const Expr *E) {
  const auto *UO = dyn_cast_or_null<UnaryOperator>(E->IgnoreParenImpCasts());
  if (!UO || UO->getOpcode() != UO_AddrOf)
    return nullptr;
  return localVar(UO->getSubExpr());
}

HandleFlow::HandleFlow(const FunctionDecl *FD, ASTContext &Ctx,
                       const FlowConfig &Config)
    : Ctx(Ctx), Config(Config) {
  model::TUModel &Model = model::TUModel::of(Ctx);
  TheCFG = Model.cfg(FD, Config.ExceptionPaths, /*Lifetime=*/true);
  if (!TheCFG)
    return;
  Stmt *Body = FD->getBody();
  Parents = &Model.parentMap(FD);
  MayThrow = Config.ExceptionPaths && Ctx.getLangOpts().CXXExceptions;
  // An exception escaping a noexcept function, or main, terminates whether
  // or not a thread is left running: only exceptions caught inside count.
  EscapeTerminates = isNoThrow(FD) || FD->isMain();
  collect(Body);
  solve();
}

std::optional<HandleKind> HandleFlow::trackedKind(const VarDecl *VD) const {
  if (!VD)
    return std::nullopt;
  auto It = TrackedCache.find(VD);
  if (It != TrackedCache.end())
    return It->second;
  std::optional<HandleKind> Kind;
  const QualType T = VD->getType();
  auto MustJoin = [&](const CXXRecordDecl *RD) {
    return RD && model::isRecordOf(RD, Config.ThreadTypes, Ctx) &&
           !model::isRecordOf(RD, Config.OwnerTypes, Ctx);
  };
  if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
      !T->isReferenceType() && !T->isArrayType() && !T->isDependentType()) {
    if (T->isPointerType()) {
      if (MustJoin(T->getPointeeType()->getAsCXXRecordDecl()))
        Kind = HandleKind::Raw;
    } else if (const CXXRecordDecl *RD = model::recordOf(T)) {
      const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
      const std::string Name = Spec ? Spec->getQualifiedNameAsString() : "";
      if (MustJoin(RD)) {
        Kind = HandleKind::Object;
      } else if (Name == "std::unique_ptr") {
        // A shared_ptr may share the thread with owners elsewhere (as in
        // model::holdingOf): not followed.
        const TemplateArgumentList &Args = Spec->getTemplateArgs();
        if (Args.size() >= 1 && Args[0].getKind() == TemplateArgument::Type &&
            MustJoin(Args[0].getAsType()->getAsCXXRecordDecl()))
          Kind = HandleKind::Owned;
      } else if (Name != "std::optional" &&
                 MustJoin(model::elementThreadClass(T, Config.ThreadTypes))) {
        Kind = HandleKind::Container;
      }
    }
  }
  TrackedCache[VD] = Kind;
  return Kind;
}

bool HandleFlow::isCHandleVar(const VarDecl *VD) const {
  return VD && CHandles.contains(VD);
}

void HandleFlow::addEvent(const VarDecl *VD, const CFGBlock *B, unsigned Index,
                          EventKind Kind, const Stmt *S) {
  Events[{VD, B->getBlockID()}].push_back({Index, Kind, S});
}

void HandleFlow::addStart(std::unique_ptr<Start> S) {
  findGuards(*S);
  Starts.push_back(std::move(S));
}

void HandleFlow::findGuards(Start &S) const {
  const Stmt *Child = S.Site;
  for (const Stmt *P = Parents->getParent(Child); P;
       Child = P, P = Parents->getParent(P)) {
    const auto *If = dyn_cast<IfStmt>(P);
    if (!If || !If->getCond() || If->getConditionVariable())
      continue;
    if (If->getThen() == Child)
      S.Guards.push_back({If->getCond()->IgnoreParenImpCasts(), true});
    else if (If->getElse() == Child)
      S.Guards.push_back({If->getCond()->IgnoreParenImpCasts(), false});
  }
}

bool HandleFlow::sameCondition(const Expr *A, const Expr *B) const {
  if (A == B)
    return true;
  if (A->getStmtClass() != B->getStmtClass())
    return false;
  llvm::FoldingSetNodeID IA, IB;
  A->Profile(IA, Ctx, /*Canonical=*/true);
  B->Profile(IB, Ctx, /*Canonical=*/true);
  return IA == IB;
}

void HandleFlow::collect(const Stmt *Body) {
  // C handles are the locals whose address a create function receives;
  // detached attribute objects are those passed to pthread_attr_setdetachstate.
  for (const CFGBlock *B : *TheCFG)
    for (const CFGElement &E : *B)
      if (std::optional<CFGStmt> CS = E.getAs<CFGStmt>()) {
        const auto *Call = dyn_cast<CallExpr>(CS->getStmt());
        const FunctionDecl *Callee = calleeOf(Call);
        if (!Callee || Call->getNumArgs() < 1)
          continue;
        if (model::isCFunction(Callee, model::CreateFunctions)) {
          if (const VarDecl *VD = addressedLocal(Call->getArg(0)))
            CHandles.insert(VD);
        } else if (model::isCFunction(Callee, model::DetachStateSetter)) {
          if (const VarDecl *VD = addressedLocal(Call->getArg(0)))
            DetachedAttrs.insert(VD);
        }
      }

  // Join loops over local containers of threads: the loop's condition (or
  // the std::for_each call) joins every element.
  for (const model::ElementLoop &L :
       model::elementLoopsIn(Body, Config.ThreadTypes)) {
    const auto *VD = dyn_cast<VarDecl>(L.Container);
    if (trackedKind(VD) != HandleKind::Container)
      continue;
    LoopPoints[L.Point] = {VD, L.Kind == model::Discharge::Join
                                   ? EventKind::Join
                                   : EventKind::Detach};
    LoopsOf[VD].push_back(L.Loop);
  }

  for (const CFGBlock *B : *TheCFG) {
    unsigned Index = 0;
    for (const CFGElement &E : *B) {
      if (std::optional<CFGStmt> CS = E.getAs<CFGStmt>()) {
        collectStmt(B, Index, CS->getStmt());
      } else if (std::optional<CFGAutomaticObjDtor> D =
                     E.getAs<CFGAutomaticObjDtor>()) {
        const std::optional<HandleKind> K = trackedKind(D->getVarDecl());
        if (K && K != HandleKind::Raw)
          addEvent(D->getVarDecl(), B, Index, EventKind::Exit,
                   D->getTriggerStmt());
      } else if (std::optional<CFGLifetimeEnds> L =
                     E.getAs<CFGLifetimeEnds>()) {
        if (isCHandleVar(L->getVarDecl()))
          addEvent(L->getVarDecl(), B, Index, EventKind::Exit,
                   L->getTriggerStmt());
      }
      ++Index;
    }
  }
}

void HandleFlow::startAt(const VarDecl *VD, HandleKind Kind, const Expr *Site,
                         const CFGBlock *B, unsigned Index) {
  auto St = std::make_unique<Start>();
  St->Handle = VD;
  St->Kind = Kind;
  St->Site = Site;
  St->Block = B;
  St->Index = Index;
  addStart(std::move(St));
}

bool HandleFlow::insideElementLoop(const Stmt *S, const VarDecl *VD) const {
  auto It = LoopsOf.find(VD);
  if (It == LoopsOf.end())
    return false;
  for (const Stmt *P = S; P; P = Parents->getParent(P))
    if (llvm::is_contained(It->second, P))
      return true;
  return false;
}

std::optional<HandleFlow::EventKind>
HandleFlow::threadMethodEvent(const CXXMethodDecl *M) const {
  if (!M || !model::isRecordOf(M->getParent(), Config.ThreadTypes, Ctx))
    return EventKind::Escape;
  switch (model::classifyThreadMethod(M)) {
  case model::HandleUse::Join:
    return EventKind::Join;
  case model::HandleUse::Detach:
    return EventKind::Detach;
  case model::HandleUse::Neutral:
    return std::nullopt;
  default:
    return EventKind::Escape;
  }
}

/// The thread a started `new` expression constructs: `new std::thread(f)`.
static const CXXConstructExpr *
startedNew(const Expr *E, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
           ASTContext &Ctx) {
  const auto *New = dyn_cast_or_null<CXXNewExpr>(model::ignoreWrappers(E));
  if (!New || New->isArray())
    return nullptr;
  return model::startedConstruct(New->getConstructExpr(), ThreadTypes, Ctx);
}

/// The thread an owning pointer is initialised with or assigned: the
/// make_unique / make_shared call that starts it, or the construction in
/// `std::unique_ptr<std::thread>(new std::thread(f))`.
static const Expr *startedOwned(const Expr *E,
                                llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                                ASTContext &Ctx) {
  E = model::ignoreWrappers(E);
  if (!E)
    return nullptr;
  if (const auto *Call = dyn_cast<CallExpr>(E))
    if (std::optional<model::Spawn> S = model::asSpawn(Call, ThreadTypes, {}))
      if (S->Kind == model::SpawnKind::MakeOwned)
        return Call;
  if (const auto *C = dyn_cast<CXXConstructExpr>(E)) {
    if (C->getNumArgs() == 1 && C->getConstructor()->isCopyOrMoveConstructor())
      return startedOwned(C->getArg(0), ThreadTypes, Ctx);
    if (C->getNumArgs() >= 1)
      return startedNew(C->getArg(0), ThreadTypes, Ctx);
  }
  return nullptr;
}

void HandleFlow::collectIndirect(const CFGBlock *B, unsigned Index,
                                 const Stmt *S) {
  // auto p = std::make_unique<std::thread>(f); std::thread *p = new ...;
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    if (!DS->isSingleDecl())
      return;
    const auto *VD = dyn_cast<VarDecl>(DS->getSingleDecl());
    const std::optional<HandleKind> K = trackedKind(VD);
    if (!K || !VD->getInit())
      return;
    const Expr *Site = nullptr;
    if (K == HandleKind::Owned)
      Site = startedOwned(VD->getInit(), Config.ThreadTypes, Ctx);
    else if (K == HandleKind::Raw)
      Site = startedNew(VD->getInit(), Config.ThreadTypes, Ctx);
    if (Site)
      startAt(VD, *K, Site, B, Index);
    return;
  }

  // delete p;
  if (const auto *Del = dyn_cast<CXXDeleteExpr>(S)) {
    const auto *VD = dyn_cast_or_null<VarDecl>(model::handleDecl(Del->getArgument()));
    if (trackedKind(VD) == HandleKind::Raw)
      addEvent(VD, B, Index, EventKind::Destroy, Del);
    return;
  }

  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!Obj)
      return;
    const CXXMethodDecl *M = MC->getMethodDecl();
    const Expr *Bare = Obj->IgnoreParenImpCasts();
    // p->join(), (*p).detach(): a thread reached through a pointer.
    const bool Through =
        isa<CXXOperatorCallExpr>(Bare) || isa<UnaryOperator>(Bare) ||
        Bare->getType()->isPointerType();
    const auto *VD = dyn_cast_or_null<VarDecl>(model::handleDecl(Obj));
    const std::optional<HandleKind> K = trackedKind(VD);
    if (!K || K == HandleKind::Object)
      return;
    if ((K == HandleKind::Owned && Through) || K == HandleKind::Raw) {
      if (std::optional<EventKind> E = threadMethodEvent(M))
        addEvent(VD, B, Index, *E, MC);
      return;
    }
    if (K == HandleKind::Owned) {
      // p.reset(...), p.release(), p.get(), if (p)
      const llvm::StringRef Name =
          M && M->getDeclName().isIdentifier() ? M->getName() : "";
      if (Name == "reset") {
        addEvent(VD, B, Index, EventKind::Destroy, MC);
        if (MC->getNumArgs() == 1)
          if (const Expr *Site =
                  startedNew(MC->getArg(0), Config.ThreadTypes, Ctx))
            startAt(VD, *K, Site, B, Index);
      } else if (!(isa_and_nonnull<CXXConversionDecl>(M) ||
                   (M && M->isConst() && Name != "get"))) {
        addEvent(VD, B, Index, EventKind::Escape, MC);
      }
      return;
    }
    // A container of threads.
    if (insideElementLoop(MC, VD))
      return;
    if (std::optional<model::Spawn> Sp =
            model::asSpawn(MC, Config.ThreadTypes, {})) {
      if (Sp->Kind == model::SpawnKind::InPlace)
        startAt(VD, *K, MC, B, Index);
      return;
    }
    const llvm::StringRef Name =
        M && M->getDeclName().isIdentifier() ? M->getName() : "";
    const model::ContainerUse Use = model::classifyContainerMethod(Name);
    if (Use == model::ContainerUse::Adds) {
      // v.push_back(std::thread(f)) starts; a thread moved in carries its
      // own duty (discharged where it was moved from): not followed.
      for (const Expr *Arg : MC->arguments())
        if (const CXXConstructExpr *C =
                model::startedConstruct(Arg, Config.ThreadTypes, Ctx)) {
          startAt(VD, *K, C, B, Index);
          return;
        }
      addEvent(VD, B, Index, EventKind::Escape, MC);
      return;
    }
    if (Use == model::ContainerUse::Reads)
      return;
    if (Use == model::ContainerUse::Destroys) {
      addEvent(VD, B, Index, EventKind::Destroy, MC);
      return;
    }
    if (Use == model::ContainerUse::Element) {
      // v.back().get_id() reads; v.back().join() alone joins one element
      // of many: not followed.
      const auto *P = dyn_cast_or_null<MemberExpr>(
          Parents->getParentIgnoreParenImpCasts(const_cast<CXXMemberCallExpr *>(MC)));
      if (P && !threadMethodEvent(dyn_cast<CXXMethodDecl>(P->getMemberDecl())))
        return;
    }
    addEvent(VD, B, Index, EventKind::Escape, MC);
    return;
  }

  // p = std::make_unique<std::thread>(f); v = {}; v[i] = std::thread(f);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (Op->getNumArgs() == 0)
      return;
    const Expr *Lhs = Op->getArg(0)->IgnoreParenImpCasts();
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      // v[i] = std::thread(f)
      if (const auto *Sub = dyn_cast<CXXOperatorCallExpr>(Lhs))
        if (Sub->getOperator() == OO_Subscript && Sub->getNumArgs() == 2) {
          const auto *VD =
              dyn_cast_or_null<VarDecl>(model::handleDecl(Sub->getArg(0)));
          if (trackedKind(VD) == HandleKind::Container) {
            if (const CXXConstructExpr *C = model::startedConstruct(
                    Op->getArg(1), Config.ThreadTypes, Ctx))
              startAt(VD, HandleKind::Container, C, B, Index);
            else if (!insideElementLoop(Op, VD))
              addEvent(VD, B, Index, EventKind::Escape, Op);
          }
          return;
        }
      const auto *DRE = dyn_cast<DeclRefExpr>(Lhs);
      const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
      const std::optional<HandleKind> K = trackedKind(VD);
      if (K == HandleKind::Owned || K == HandleKind::Container) {
        addEvent(VD, B, Index, EventKind::Destroy, Op);
        if (K == HandleKind::Owned)
          if (const Expr *Site = startedOwned(Op->getArg(1), Config.ThreadTypes, Ctx))
            startAt(VD, *K, Site, B, Index);
      }
      return;
    }
    if (Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2) {
      // v[i].get_id() reads; anything else done with an element (a join of
      // one element, a move out of it) is not followed.
      const auto *VD = dyn_cast_or_null<VarDecl>(model::handleDecl(Op->getArg(0)));
      if (trackedKind(VD) != HandleKind::Container || insideElementLoop(Op, VD))
        return;
      const Stmt *P =
          Parents->getParentIgnoreParenImpCasts(const_cast<CXXOperatorCallExpr *>(Op));
      if (const auto *ME = dyn_cast_or_null<MemberExpr>(P))
        if (!threadMethodEvent(dyn_cast<CXXMethodDecl>(ME->getMemberDecl())))
          return;
      // The assignment `v[i] = ...` is handled at the assignment.
      if (const auto *Assign = dyn_cast_or_null<CXXOperatorCallExpr>(P))
        if (Assign->getOperator() == OO_Equal &&
            Assign->getArg(0)->IgnoreParenImpCasts() == Op)
          return;
      addEvent(VD, B, Index, EventKind::Escape, Op);
    }
    return;
  }

  // Any other use of the variable: neutral where known, else an escape.
  const auto *DRE = dyn_cast<DeclRefExpr>(S);
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  const std::optional<HandleKind> K = trackedKind(VD);
  if (!K || K == HandleKind::Object)
    return;
  const Stmt *Parent =
      Parents->getParentIgnoreParenImpCasts(const_cast<DeclRefExpr *>(DRE));
  // Member calls, subscripts, assignments, delete: handled there.
  if (isa_and_nonnull<MemberExpr, CXXDeleteExpr>(Parent))
    return;
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(Parent)) {
    if (Op->getNumArgs() >= 1 && Op->getArg(0)->IgnoreParenImpCasts() == DRE) {
      if (Op->getOperator() == OO_Subscript || Op->getOperator() == OO_Equal)
        return;
      if (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) {
        // p->join() is handled at the call; `*p` handed on escapes.
        if (isa_and_nonnull<MemberExpr>(Parents->getParentIgnoreParenImpCasts(
                const_cast<CXXOperatorCallExpr *>(Op))))
          return;
      }
    }
    if (Op->isComparisonOp())
      return;
  }
  if (K == HandleKind::Container && insideElementLoop(DRE, VD))
    return;
  if (K == HandleKind::Raw) {
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Parent))
      if (UO->getOpcode() == UO_Deref &&
          isa_and_nonnull<MemberExpr>(Parents->getParentIgnoreParenImpCasts(
              const_cast<UnaryOperator *>(UO))))
        return;
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Parent)) {
      if (BO->isEqualityOp())
        return;
      if (BO->getOpcode() == BO_Assign &&
          BO->getLHS()->IgnoreParenImpCasts() == DRE) {
        if (const Expr *Site = startedNew(BO->getRHS(), Config.ThreadTypes, Ctx))
          startAt(VD, *K, Site, B, Index);
        else
          addEvent(VD, B, Index, EventKind::Escape, DRE);
        return;
      }
    }
    if (isa_and_nonnull<IfStmt, WhileStmt, ForStmt, ConditionalOperator>(Parent) ||
        (isa_and_nonnull<UnaryOperator>(Parent) &&
         cast<UnaryOperator>(Parent)->getOpcode() == UO_LNot))
      return;
  }
  if (model::classifyThreadUse(DRE, Parent, Config.ThreadTypes) ==
      model::HandleUse::Neutral)
    return;
  addEvent(VD, B, Index, EventKind::Escape, DRE);
}

void HandleFlow::collectStmt(const CFGBlock *B, unsigned Index, const Stmt *S) {
  // A join loop's condition, or std::for_each(..., mem_fn(&thread::join)).
  if (auto It = LoopPoints.find(S); It != LoopPoints.end()) {
    addEvent(It->second.first, B, Index, It->second.second, S);
    return;
  }
  // [&v] { ... }: someone else may now join it.
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : Lambda->captures())
      if (C.capturesVariable())
        if (const auto *VD = dyn_cast<VarDecl>(C.getCapturedVar()))
          if (trackedKind(VD) || isCHandleVar(VD))
            addEvent(VD, B, Index, EventKind::Escape, S);
    return;
  }
  collectIndirect(B, Index, S);

  // std::thread t(f);
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    if (!DS->isSingleDecl())
      return;
    const auto *VD = dyn_cast<VarDecl>(DS->getSingleDecl());
    if (!isTrackedObject(VD) || !VD->getInit())
      return;
    if (const CXXConstructExpr *Construct =
            model::startedConstruct(VD->getInit(), Config.ThreadTypes, Ctx)) {
      auto St = std::make_unique<Start>();
      St->Handle = VD;
      St->Site = Construct;
      St->Block = B;
      St->Index = Index;
      addEvent(VD, B, Index, EventKind::Start, S);
      addStart(std::move(St));
    }
    return;
  }

  // t.join(), t.detach(), t.joinable(), t.swap(u), ...
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    const auto *DRE =
        Obj ? dyn_cast<DeclRefExpr>(Obj->IgnoreParenImpCasts()) : nullptr;
    const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    if (!isTrackedObject(VD))
      return;
    const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
    switch (model::classifyThreadUse(DRE, ME, Config.ThreadTypes)) {
    case model::HandleUse::Join:
      addEvent(VD, B, Index, EventKind::Join, S);
      return;
    case model::HandleUse::Detach:
      addEvent(VD, B, Index, EventKind::Detach, S);
      return;
    case model::HandleUse::Escape:
      addEvent(VD, B, Index, EventKind::Escape, S);
      return;
    default:
      return;
    }
  }

  // t = std::thread(g); t = std::move(u); t = {};
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (Op->getOperator() != OO_Equal || Op->getNumArgs() != 2)
      return;
    const auto *DRE = dyn_cast<DeclRefExpr>(Op->getArg(0)->IgnoreParenImpCasts());
    const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    if (!isTrackedObject(VD))
      return;
    addEvent(VD, B, Index, EventKind::Assign, S);
    if (const CXXConstructExpr *Construct =
            model::startedConstruct(Op->getArg(1), Config.ThreadTypes, Ctx)) {
      auto St = std::make_unique<Start>();
      St->Handle = VD;
      St->Site = Construct;
      St->Block = B;
      St->Index = Index;
      addStart(std::move(St));
    }
    return;
  }

  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || Call->getNumArgs() < 1)
      return;
    // pthread_create(&tid, attr, fn, arg), thrd_create(&tid, fn, arg)
    if (model::isCFunction(Callee, model::CreateFunctions)) {
      const VarDecl *VD = addressedLocal(Call->getArg(0));
      if (!VD)
        return;
      // Threads created with attributes we cannot see, or with attributes
      // that may be set to detached, are not followed.
      bool Joinable = true;
      if (Callee->getName() == "pthread_create" && Call->getNumArgs() >= 2) {
        const Expr *Attr = Call->getArg(1);
        if (!Attr->IgnoreParenImpCasts()->isNullPointerConstant(
                Ctx, Expr::NPC_ValueDependentIsNotNull)) {
          const VarDecl *AttrVar = addressedLocal(Attr);
          Joinable = AttrVar && !DetachedAttrs.contains(AttrVar);
        }
      }
      addEvent(VD, B, Index, EventKind::Assign, S);
      if (!Joinable)
        return;
      auto St = std::make_unique<Start>();
      St->Handle = VD;
      St->Kind = HandleKind::CHandle;
      St->Site = Call;
      St->Block = B;
      St->Index = Index;
      St->CreateCall = Call;
      // int rc = pthread_create(...); rc = pthread_create(...);
      const Stmt *P = Parents->getParentIgnoreParenImpCasts(const_cast<CallExpr *>(Call));
      if (const auto *DS = dyn_cast_or_null<DeclStmt>(P)) {
        if (DS->isSingleDecl())
          St->ResultVar = dyn_cast<VarDecl>(DS->getSingleDecl());
      } else if (const auto *BO = dyn_cast_or_null<BinaryOperator>(P)) {
        if (BO->getOpcode() == BO_Assign)
          St->ResultVar = localVar(BO->getLHS());
      }
      addStart(std::move(St));
      return;
    }
    return;
  }

  const auto *DRE = dyn_cast<DeclRefExpr>(S);
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD)
    return;
  const Stmt *Parent = Parents->getParentIgnoreParenImpCasts(const_cast<DeclRefExpr *>(DRE));

  if (isTrackedObject(VD)) {
    // Member calls and assignments are handled at the call itself.
    if (isa_and_nonnull<MemberExpr>(Parent))
      return;
    if (model::classifyThreadUse(DRE, Parent, Config.ThreadTypes) ==
        model::HandleUse::Escape)
      addEvent(VD, B, Index, EventKind::Escape, DRE);
    return;
  }

  if (!isCHandleVar(VD))
    return;
  // &tid given to the create function: handled at the call.
  if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Parent)) {
    if (UO->getOpcode() == UO_AddrOf) {
      const Stmt *Call = Parents->getParentIgnoreParenImpCasts(const_cast<UnaryOperator *>(UO));
      const FunctionDecl *Callee = calleeOf(Call);
      if (Callee && model::isCFunction(Callee, model::CreateFunctions) &&
          cast<CallExpr>(Call)->getArg(0)->IgnoreParenImpCasts() == UO)
        return;
    }
    addEvent(VD, B, Index, EventKind::Escape, DRE);
    return;
  }
  if (const auto *Call = dyn_cast_or_null<CallExpr>(Parent)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    const bool First = Call->getNumArgs() >= 1 &&
                       Call->getArg(0)->IgnoreParenImpCasts() == DRE;
    if (Callee && First && model::isCFunction(Callee, model::JoinFunctions)) {
      addEvent(VD, B, Index, EventKind::Join, Call);
      return;
    }
    if (Callee && First && model::isCFunction(Callee, model::DefaultDetachFunctions)) {
      addEvent(VD, B, Index, EventKind::Detach, Call);
      return;
    }
    // pthread_setname_np(tid, ...), pthread_kill(tid, sig), ...: the handle
    // is only used, not handed on.
    if (Callee && Callee->getDeclName().isIdentifier() &&
        (Callee->getName().starts_with("pthread_") ||
         Callee->getName().starts_with("thrd_")))
      return;
    addEvent(VD, B, Index, EventKind::Escape, DRE);
    return;
  }
  if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Parent)) {
    if (BO->getOpcode() == BO_Assign &&
        BO->getLHS()->IgnoreParenImpCasts() == DRE) {
      addEvent(VD, B, Index, EventKind::Assign, BO);
      return;
    }
    if (BO->isEqualityOp())
      return;
  }
  if (isa_and_nonnull<UnaryExprOrTypeTraitExpr>(Parent))
    return;
  addEvent(VD, B, Index, EventKind::Escape, DRE);
}

bool HandleFlow::isResult(const Expr *E, const Start &S) const {
  E = E->IgnoreParenImpCasts();
  if (E == S.CreateCall)
    return true;
  if (S.ResultVar)
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      if (DRE->getDecl() == S.ResultVar)
        return true;
  if (const auto *BO = dyn_cast<BinaryOperator>(E))
    if (BO->getOpcode() == BO_Assign && isResult(BO->getRHS(), S))
      return true;
  return false;
}

bool HandleFlow::mentionsResult(const Stmt *St, const Start &S) const {
  if (!St)
    return false;
  if (const auto *E = dyn_cast<Expr>(St))
    if (isResult(E, S))
      return true;
  for (const Stmt *Child : St->children())
    if (mentionsResult(Child, S))
      return true;
  return false;
}

int HandleFlow::deadEdge(const CFGBlock *B, const Start &S) const {
  if (B->succ_size() != 2 || !B->getTerminatorStmt())
    return -1;
  const auto *Cond =
      dyn_cast_or_null<Expr>(const_cast<CFGBlock *>(B)->getTerminatorCondition());
  if (!Cond)
    return -1;
  Cond = Cond->IgnoreParenImpCasts();
  // A branch on the condition that guarded the start goes the same way.
  for (const auto &[Guard, Value] : S.Guards)
    if (sameCondition(Cond, Guard))
      return Value ? 1 : 0;
  // The last block of `a && b` branches on the whole chain; it is b that
  // decides there.
  bool Negated = false;
  Cond = model::deciderOf(Cond, Negated);
  // The edge on which `Cond` is false, or true when negated.
  const int FalseEdge = Negated ? 0 : 1;
  const int TrueEdge = Negated ? 1 : 0;

  if (S.Kind == HandleKind::Object || S.Kind == HandleKind::Owned ||
      S.Kind == HandleKind::Raw) {
    // if (t.joinable()) t.join(); if (p->joinable()) p->join();
    const Expr *Receiver = model::joinableReceiver(Cond);
    return Receiver && model::handleDecl(Receiver) == S.Handle ? FalseEdge : -1;
  }
  if (S.Kind != HandleKind::CHandle)
    return -1;

  // if (pthread_create(...) != 0) return; if (rc) ...; if (rc == 0) ...
  if (!mentionsResult(Cond, S))
    return -1;
  if (isResult(Cond, S))
    return TrueEdge; // nonzero result: creation failed
  if (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
    const Expr *Other = nullptr;
    if (isResult(BO->getLHS(), S))
      Other = BO->getRHS();
    else if (isResult(BO->getRHS(), S))
      Other = BO->getLHS();
    Expr::EvalResult Value;
    if (Other && BO->isEqualityOp() && !Other->isValueDependent() &&
        Other->EvaluateAsInt(Value, Ctx) && Value.Val.getInt() == 0)
      return BO->getOpcode() == BO_NE ? TrueEdge : FalseEdge;
  }
  return 2; // the result is tested in a way we do not follow
}

const Leak *HandleFlow::leakOf(const Start &S) const {
  auto It = Leaks.find(&S);
  return It == Leaks.end() ? nullptr : &It->second;
}

Fate HandleFlow::fateOf(const Start &S) const { return Fates.lookup(&S); }

} // namespace clang::tidy::tether::flow
