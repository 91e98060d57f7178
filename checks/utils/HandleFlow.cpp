//===--- HandleFlow.cpp - where a thread handle goes, per CFG path --------===//

#include "utils/HandleFlow.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/BitVector.h"
#include <optional>

namespace clang::tidy::tether::flow {

static llvm::SmallVector<llvm::StringRef, 8> splitList(llvm::StringRef List) {
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  List.split(Parts, ';', -1, false);
  for (llvm::StringRef &P : Parts)
    P.consume_front("::");
  return Parts;
}

/// True if \p FD is a C function (global or extern "C") named in \p List.
static bool isCFunction(const FunctionDecl *FD, llvm::StringRef List) {
  if (!FD || !FD->getDeclName().isIdentifier())
    return false;
  if (!FD->isExternC() &&
      !FD->getDeclContext()->getRedeclContext()->isTranslationUnit())
    return false;
  return llvm::is_contained(splitList(List), FD->getName());
}

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

/// True if the function cannot let an exception escape: an exception in it
/// calls std::terminate whatever happens to its threads.
static bool isNoThrow(const FunctionDecl *FD) {
  const auto *FPT = FD->getType()->getAs<FunctionProtoType>();
  if (!FPT)
    return false;
  if (isa<CXXDestructorDecl>(FD) &&
      (FPT->getExceptionSpecType() == EST_Unevaluated ||
       FPT->getExceptionSpecType() == EST_Uninstantiated ||
       FPT->getExceptionSpecType() == EST_None))
    return true; // implicitly noexcept
  return FPT->isNothrow();
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

HandleFlow::HandleFlow(const FunctionDecl *FD, ASTContext &Ctx,
                       const FlowConfig &Config)
    : Ctx(Ctx), Config(Config) {
  Stmt *Body = FD ? FD->getBody() : nullptr;
  if (!Body || isa<CoroutineBodyStmt>(Body) || FD->isDependentContext())
    return;
  // CFG::buildCFG can crash on the recovery AST of code that did not compile
  // (found by tether-checks-fuzzer, test/checks/fuzz-crash-24663c5c.test):
  // with compile errors in the TU, no path analysis.
  if (FD->isInvalidDecl() || Ctx.getDiagnostics().hasUncompilableErrorOccurred())
    return;
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddLifetime = true;
  Options.AddEHEdges = Config.ExceptionPaths && Ctx.getLangOpts().CXXExceptions;
  Options.setAllAlwaysAdd();
  TheCFG = CFG::buildCFG(FD, Body, &Ctx, Options);
  if (!TheCFG)
    return;
  Parents = std::make_unique<ParentMap>(Body);
  MayThrow = Options.AddEHEdges;
  // An exception escaping a noexcept function, or main, terminates whether
  // or not a thread is left running: only exceptions caught inside count.
  EscapeTerminates = isNoThrow(FD) || FD->isMain();
  collect();
  for (const std::unique_ptr<Start> &S : Starts)
    search(*S);
}

bool HandleFlow::isTrackedObject(const VarDecl *VD) const {
  if (!VD)
    return false;
  auto It = TrackedCache.find(VD);
  if (It != TrackedCache.end())
    return It->second;
  bool Tracked = false;
  if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
      !VD->getType()->isReferenceType() && !VD->getType()->isArrayType()) {
    const CXXRecordDecl *RD = model::recordOf(VD->getType());
    Tracked = RD && model::isRecordOf(RD, Config.ThreadTypes, Ctx) &&
              !model::isRecordOf(RD, Config.OwnerTypes, Ctx);
  }
  TrackedCache[VD] = Tracked;
  return Tracked;
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

void HandleFlow::collect() {
  // C handles are the locals whose address a create function receives;
  // detached attribute objects are those passed to pthread_attr_setdetachstate.
  for (const CFGBlock *B : *TheCFG)
    for (const CFGElement &E : *B)
      if (std::optional<CFGStmt> CS = E.getAs<CFGStmt>()) {
        const auto *Call = dyn_cast<CallExpr>(CS->getStmt());
        const FunctionDecl *Callee = calleeOf(Call);
        if (!Callee || Call->getNumArgs() < 1)
          continue;
        if (isCFunction(Callee, model::CreateFunctions)) {
          if (const VarDecl *VD = addressedLocal(Call->getArg(0)))
            CHandles.insert(VD);
        } else if (isCFunction(Callee, model::DetachStateSetter)) {
          if (const VarDecl *VD = addressedLocal(Call->getArg(0)))
            DetachedAttrs.insert(VD);
        }
      }

  for (const CFGBlock *B : *TheCFG) {
    unsigned Index = 0;
    for (const CFGElement &E : *B) {
      if (std::optional<CFGStmt> CS = E.getAs<CFGStmt>()) {
        collectStmt(B, Index, CS->getStmt());
      } else if (std::optional<CFGAutomaticObjDtor> D =
                     E.getAs<CFGAutomaticObjDtor>()) {
        if (isTrackedObject(D->getVarDecl()))
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

void HandleFlow::collectStmt(const CFGBlock *B, unsigned Index, const Stmt *S) {
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
    case model::HandleUse::Join: {
      const auto *Method = MC->getMethodDecl();
      const bool Detach = Method && Method->getDeclName().isIdentifier() &&
                          Method->getName() == "detach";
      addEvent(VD, B, Index, Detach ? EventKind::Detach : EventKind::Join, S);
      return;
    }
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
    if (isCFunction(Callee, model::CreateFunctions)) {
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

  // [&t] { t.join(); }: someone else may now join it.
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : Lambda->captures())
      if (C.capturesVariable())
        if (const auto *VD = dyn_cast<VarDecl>(C.getCapturedVar()))
          if (isTrackedObject(VD) || isCHandleVar(VD))
            addEvent(VD, B, Index, EventKind::Escape, S);
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
      if (Callee && isCFunction(Callee, model::CreateFunctions) &&
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
    if (Callee && First && isCFunction(Callee, model::JoinFunctions)) {
      addEvent(VD, B, Index, EventKind::Join, Call);
      return;
    }
    if (Callee && First && isCFunction(Callee, model::DefaultDetachFunctions)) {
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
  while (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
    if (!BO->isLogicalOp())
      break;
    Cond = BO->getRHS()->IgnoreParenImpCasts();
  }
  bool Negated = false;
  while (const auto *UO = dyn_cast<UnaryOperator>(Cond)) {
    if (UO->getOpcode() != UO_LNot)
      break;
    Negated = !Negated;
    Cond = UO->getSubExpr()->IgnoreParenImpCasts();
  }
  // The edge on which `Cond` is false, or true when negated.
  const int FalseEdge = Negated ? 0 : 1;
  const int TrueEdge = Negated ? 1 : 0;

  if (S.Kind == HandleKind::Object) {
    // if (t.joinable()) t.join();
    const auto *MC = dyn_cast<CXXMemberCallExpr>(Cond);
    if (!MC || !MC->getMethodDecl() ||
        !MC->getMethodDecl()->getDeclName().isIdentifier() ||
        MC->getMethodDecl()->getName() != "joinable")
      return -1;
    const auto *DRE = dyn_cast<DeclRefExpr>(
        MC->getImplicitObjectArgument()->IgnoreParenImpCasts());
    return DRE && DRE->getDecl() == S.Handle ? FalseEdge : -1;
  }

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

/// True if \p S can throw: a `throw`, or a call to a function not declared
/// noexcept. (The CFG adds exception edges after every member call, noexcept
/// or not.)
/// Joins are taken not to throw: join() throws only when misused (not
/// joinable, or joining itself), and counting it would report every second
/// thread of `a.join(); b.join();`.
static bool mayThrow(const Stmt *S) {
  if (isa<CXXThrowExpr>(S))
    return true;
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call)
    return false;
  const Decl *Callee = Call->getCalleeDecl();
  if (const auto *FD = dyn_cast_or_null<FunctionDecl>(Callee)) {
    if (FD->getBuiltinID() != 0)
      return false;
    if (isCFunction(FD, model::JoinFunctions))
      return false;
    // std::this_thread::sleep_for and friends: only a broken clock throws.
    if (const auto *NS = dyn_cast<NamespaceDecl>(FD->getDeclContext()))
      if (NS->getDeclName().isIdentifier() && NS->getName() == "this_thread" &&
          NS->getParent()->isStdNamespace())
        return false;
    if (const auto *Method = dyn_cast<CXXMethodDecl>(FD))
      if (Method->getDeclName().isIdentifier() &&
          (Method->getName() == "join" || Method->getName() == "detach") &&
          Method->getNumParams() == 0)
        return false;
    if (const auto *FPT = FD->getType()->getAs<FunctionProtoType>())
      return !FPT->isNothrow();
  }
  return true;
}

/// The statement that ends \p B by throwing: its last call or throw, if that
/// can throw at all.
static const Stmt *throwingStmt(const CFGBlock *B) {
  for (auto It = B->rbegin(), End = B->rend(); It != End; ++It)
    if (std::optional<CFGStmt> CS = It->getAs<CFGStmt>())
      if (isa<CallExpr, CXXThrowExpr>(CS->getStmt()))
        return mayThrow(CS->getStmt()) ? CS->getStmt() : nullptr;
  return nullptr;
}

static const CXXTryStmt *tryDispatch(const CFGBlock *B) {
  return dyn_cast_or_null<CXXTryStmt>(B->getTerminatorStmt());
}

void HandleFlow::search(const Start &S) {
  struct Item {
    const CFGBlock *Block;
    unsigned From;
    const Stmt *Thrown; ///< the throw being dispatched, if any
  };
  const SourceManager &SM = Ctx.getSourceManager();
  const CFGBlock *Exit = &TheCFG->getExit();
  llvm::BitVector Visited(TheCFG->getNumBlockIDs());
  llvm::SmallVector<Item, 16> Work;
  Work.push_back({S.Block, S.Index + 1, nullptr});
  Fate &F = Fates[&S];

  // A path that leaves the scope normally makes the better witness: an
  // exception path is kept only until one is found.
  std::optional<Leak> ExceptionLeak;
  auto Report = [&](LeakKind Kind, const Stmt *At) {
    if (Kind == LeakKind::Exception) {
      if (!ExceptionLeak)
        ExceptionLeak = Leak{&S, Kind, At, exitLoc(At)};
      return;
    }
    if (!Leaks.count(&S))
      Leaks[&S] = {&S, Kind, At, exitLoc(At)};
  };
  auto Inside = [&](const CXXTryStmt *Try) {
    const SourceLocation L = SM.getExpansionLoc(S.Handle->getLocation());
    const SourceRange R = Try->getTryBlock()->getSourceRange();
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(R.getBegin()), L) &&
           SM.isBeforeInTranslationUnit(L, SM.getExpansionLoc(R.getEnd()));
  };

  while (!Work.empty() && !Leaks.count(&S)) {
    const Item It = Work.pop_back_val();
    const CFGBlock *B = It.Block;
    bool Stopped = false;
    auto EvIt = Events.find({S.Handle, B->getBlockID()});
    if (EvIt != Events.end()) {
      for (const Event &E : EvIt->second) {
        if (E.Index < It.From)
          continue;
        switch (E.Kind) {
        case EventKind::Start:
        case EventKind::Join:
          Stopped = true;
          break;
        case EventKind::Detach:
          if (!F.DetachAt)
            F.DetachAt = E.S;
          Stopped = true;
          break;
        case EventKind::Escape:
          if (!F.EscapeAt)
            F.EscapeAt = E.S;
          Stopped = true;
          break;
        case EventKind::Assign:
          Report(LeakKind::Overwritten, E.S);
          Stopped = true;
          break;
        case EventKind::Exit:
          Report(LeakKind::ScopeExit, E.S);
          Stopped = true;
          break;
        }
        if (Stopped)
          break;
      }
    }
    // A call that does not return (exit, abort) never destroys the handle.
    if (Stopped || B->hasNoReturnElement())
      continue;

    const int Dead = deadEdge(B, S);
    unsigned I = 0;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
      const unsigned Edge = I++;
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next || Dead == 2 || static_cast<int>(Edge) == Dead)
        continue;
      const bool Exceptional = Next == Exit || tryDispatch(Next);
      if (Exceptional) {
        // Only exception edges reach the exit or a handler while the handle
        // is alive: every other path passes its scope's end first.
        if (!MayThrow || (Next == Exit && EscapeTerminates))
          continue;
        const Stmt *Thrown = It.Thrown ? It.Thrown : throwingStmt(B);
        // If the create call itself throws, no thread was created.
        if (!Thrown || Thrown == S.CreateCall)
          continue;
        const CXXTryStmt *Try = tryDispatch(Next);
        if (!Try || Inside(Try)) {
          Report(LeakKind::Exception, Thrown);
          continue;
        }
        if (!Visited.test(Next->getBlockID())) {
          Visited.set(Next->getBlockID());
          Work.push_back({Next, 0, Thrown});
        }
        continue;
      }
      if (!Visited.test(Next->getBlockID())) {
        Visited.set(Next->getBlockID());
        Work.push_back({Next, 0, nullptr});
      }
    }
  }
  if (ExceptionLeak && !Leaks.count(&S))
    Leaks[&S] = *ExceptionLeak;
}

const Leak *HandleFlow::leakOf(const Start &S) const {
  auto It = Leaks.find(&S);
  return It == Leaks.end() ? nullptr : &It->second;
}

Fate HandleFlow::fateOf(const Start &S) const { return Fates.lookup(&S); }

} // namespace clang::tidy::tether::flow
