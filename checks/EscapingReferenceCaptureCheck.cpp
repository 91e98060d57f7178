//===--- EscapingReferenceCaptureCheck.cpp - tether-escaping-reference-capture ===//

#include "EscapingReferenceCaptureCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/HandleFlow.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "utils/ThrowModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// Default for `WaitMethods`: calls on an owner that wait for everything it
/// runs. Timed waits are not among them: they may return before the task ends.
static constexpr llvm::StringLiteral DefaultWaitMethods = "wait;join";

/// Calls after a detach that show the function waiting for its thread by
/// other means (a future, a latch, a semaphore, a condition variable): the
/// model's blocking calls that wait for another thread's work.
static const std::string &syncMethods() {
  static const std::string Names = model::blockingCallNames(
      [](const model::BlockingCall &B) { return B.Waits; });
  return Names;
}

EscapingReferenceCaptureCheck::EscapingReferenceCaptureCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt |
                          model::OwnerTypesOpt),
      WaitMethods(utils::options::parseStringList(
          Options.get("WaitMethods", DefaultWaitMethods))) {
  // Throws: the TU's shared model, set when a function is analysed.
  FlowCfg = {ThreadTypes, OwnerTypes, /*ExceptionPaths=*/true, nullptr};
}

EscapingReferenceCaptureCheck::~EscapingReferenceCaptureCheck() = default;

void EscapingReferenceCaptureCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "WaitMethods",
                utils::options::serializeStringList(WaitMethods));
}

void EscapingReferenceCaptureCheck::registerMatchers(MatchFinder *Finder) {
  // Candidates: every spawn form of the model (a thread constructed from a
  // callable, in place in a container, by make_unique / make_shared, a call
  // to a spawn function); check() resolves the callable to a lambda and
  // decides whether the thread can outlive what it captures.
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/false);
}

void EscapingReferenceCaptureCheck::onEndOfTranslationUnit() {
  Functions.clear();
  Reported.clear();
}

/// Climbs from \p E through what only wraps a value on its way to its use:
/// parentheses, casts, temporaries, elided copies and moves, `std::move(x)`.
/// Returns the first statement that uses the value, or null when the use is
/// outside the function body (a constructor's member initializer); \p Inner
/// receives the outermost wrapper (the child of that statement).
static const Stmt *useOf(const Expr *E, const ParentMap &PM,
                         const Expr *&Inner) {
  Inner = E;
  while (true) {
    const Stmt *P = PM.getParent(Inner);
    const auto *PE = dyn_cast_or_null<Expr>(P);
    if (!PE)
      return P;
    bool Wrapper = isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr,
                       CXXBindTemporaryExpr, ExprWithCleanups,
                       CXXFunctionalCastExpr>(PE);
    if (const auto *C = dyn_cast<CXXConstructExpr>(PE))
      Wrapper = C->getNumArgs() == 1 &&
                C->getConstructor()->isCopyOrMoveConstructor();
    if (model::isMoveOf(PE))
      Wrapper = true;
    if (!Wrapper)
      return P;
    Inner = PE;
  }
}

/// The variable that \p Use (a declaration statement) initialises with
/// \p Inner, or null.
static const VarDecl *initialised(const Stmt *Use, const Expr *Inner) {
  const auto *DS = dyn_cast_or_null<DeclStmt>(Use);
  if (!DS)
    return nullptr;
  for (const Decl *D : DS->decls())
    if (const auto *VD = dyn_cast<VarDecl>(D))
      if (VD->getInit() == Inner)
        return VD;
  return nullptr;
}

/// The object an owner expression names when it outlives the function it is
/// used in: a member of `*this`, a variable with static or thread storage, or
/// what a reference or pointer parameter refers to. Null otherwise.
static const ValueDecl *outlivingOwner(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return ME->getMemberDecl();
    return nullptr;
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      E = UO->getSubExpr()->IgnoreParenImpCasts();
  const auto *DRE = dyn_cast<DeclRefExpr>(E);
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD)
    return nullptr;
  if (!VD->hasLocalStorage())
    return VD;
  // void submit(tether::Group &g, tether::WaitGroup *wg): what g and wg
  // name was alive before the call began (wg->go() names the pointer).
  if (isa<ParmVarDecl>(VD) &&
      (VD->getType()->isReferenceType() || VD->getType()->isPointerType()))
    return VD;
  return nullptr;
}

/// A local variable of the function, held by value (not a reference).
static const VarDecl *localObject(const Expr *E, const FunctionDecl *FD) {
  const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD || !VD->hasLocalStorage() || !VD->getType()->isRecordType() ||
      dyn_cast<FunctionDecl>(VD->getParentFunctionOrMethod()) != FD)
    return nullptr;
  return VD;
}

static bool isAfter(SourceLocation A, SourceLocation B,
                    const SourceManager &SM) {
  return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(B),
                                      SM.getExpansionLoc(A));
}

static bool nameIn(const NamedDecl *D, llvm::ArrayRef<StringRef> Names) {
  if (!D || !D->getDeclName().isIdentifier())
    return false;
  return llvm::is_contained(Names, D->getName());
}

namespace {
/// Looks for a call, after a point and before another, that waits: a wait
/// method on a given owner, or a synchronisation call on any local (after a
/// detach). Lambda bodies are not searched: they do not run there.
struct WaitFinder {
  const SourceManager &SM;
  SourceLocation After, Before;
  const ValueDecl *Owner = nullptr; ///< null: any local object
  llvm::ArrayRef<StringRef> Methods;
  bool ThisCallsCount = false; ///< a call of a member function may wait

  /// Owner == null: the thread types, whose joins wait for other threads.
  llvm::ArrayRef<StringRef> ThreadTypes = {};
  ASTContext *Ctx = nullptr;

  bool isSyncLocal(const ValueDecl *D) const {
    const auto *VD = dyn_cast_or_null<VarDecl>(D);
    if (!VD || !VD->hasLocalStorage())
      return false;
    return !Ctx || !model::isRecordOf(model::recordOf(VD->getType()),
                                      ThreadTypes, *Ctx);
  }

  bool inWindow(SourceLocation L) const {
    return isAfter(L, After, SM) &&
           (Before.isInvalid() || isAfter(Before, L, SM));
  }

  bool find(const Stmt *S) const {
    if (!S || isa<LambdaExpr>(S))
      return false;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      if (inWindow(MC->getBeginLoc())) {
        const Expr *Obj = MC->getImplicitObjectArgument();
        if (ThisCallsCount && Obj &&
            isa<CXXThisExpr>(Obj->IgnoreParenImpCasts()))
          return true;
        if (nameIn(MC->getMethodDecl(), Methods)) {
          const ValueDecl *D = model::handleDecl(Obj);
          if (Owner ? D == Owner : isSyncLocal(D))
            return true;
        }
      }
    }
    for (const Stmt *Child : S->children())
      if (find(Child))
        return true;
    return false;
  }
};
} // namespace

/// The declaration statement of local \p VD in \p S, or null.
static const DeclStmt *declStmtOf(const Stmt *S, const VarDecl *VD) {
  if (!S)
    return nullptr;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    if (llvm::is_contained(DS->decls(), VD))
      return DS;
  for (const Stmt *Child : S->children())
    if (const DeclStmt *DS = declStmtOf(Child, VD))
      return DS;
  return nullptr;
}

/// The end of the scope of local \p VD: its block, or the function body for
/// a parameter; invalid if unknown.
static SourceLocation scopeEnd(const VarDecl *VD, const FunctionDecl *FD,
                               const ParentMap &PM) {
  if (isa<ParmVarDecl>(VD))
    return FD->getBody() ? FD->getBody()->getEndLoc() : SourceLocation();
  for (const Stmt *S = PM.getParent(declStmtOf(FD->getBody(), VD)); S;
       S = PM.getParent(S))
    if (isa<CompoundStmt, ForStmt, CXXForRangeStmt, IfStmt, WhileStmt,
            SwitchStmt>(S))
      return S->getEndLoc();
  return SourceLocation();
}

EscapingReferenceCaptureCheck::FunctionInfo &
EscapingReferenceCaptureCheck::infoOf(const FunctionDecl *FD) {
  FunctionInfo &Info = Functions[FD];
  if (!Info.Parents)
    Info.Parents = std::make_unique<ParentMap>(FD->getBody());
  return Info;
}

EscapingReferenceCaptureCheck::Outlives
EscapingReferenceCaptureCheck::fateOfLocalThread(const VarDecl *Handle,
                                                 const Expr *Construct,
                                                 const FunctionDecl *FD,
                                                 ASTContext &Ctx) {
  std::unique_ptr<flow::HandleFlow> &Flow = infoOf(FD).Flow;
  if (!Flow) {
    FlowCfg.Throws = &model::TUModel::of(Ctx).throwModel(ThreadTypes);
    Flow = std::make_unique<flow::HandleFlow>(FD, Ctx, FlowCfg);
  }
  if (!Flow->valid())
    return {};
  for (const std::unique_ptr<flow::Start> &S : Flow->starts()) {
    if (S->Handle != Handle || S->Site != Construct)
      continue;
    const flow::Fate F = Flow->fateOf(*S);
    if (F.DetachAt)
      return {Outlives::Detached, F.DetachAt, nullptr};
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(F.EscapeAt);
    if (!Ref)
      return {};
    // Where the moved handle goes: out of the function, or into an object
    // that outlives it. Any other escape (a call, a local container) is not
    // known to outlive the captures.
    const Expr *Inner = nullptr;
    const Stmt *Use = useOf(Ref, *infoOf(FD).Parents, Inner);
    if (const auto *Ret = dyn_cast_or_null<ReturnStmt>(Use))
      return {Outlives::Returned, Ret, nullptr};
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(Use)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
          Op->getArg(1) == Inner)
        if (const ValueDecl *Owner = outlivingOwner(Op->getArg(0)))
          return {Outlives::Stored, Op, Owner};
      return {};
    }
    if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(Use))
      if (Inner != MC->getImplicitObjectArgument())
        if (const ValueDecl *Owner =
                outlivingOwner(MC->getImplicitObjectArgument()))
          return {Outlives::Stored, MC, Owner};
    return {};
  }
  return {};
}

EscapingReferenceCaptureCheck::Outlives
EscapingReferenceCaptureCheck::ownerFate(const Expr *OwnerExpr,
                                         const Stmt *Spawn,
                                         const FunctionDecl *FD,
                                         ASTContext &Ctx) {
  if (!OwnerExpr)
    return {};
  if (const ValueDecl *Owner = outlivingOwner(OwnerExpr)) {
    // The function may wait for the owner before it returns: by a wait
    // method, or (for a member) by calling a member function that may.
    const WaitFinder W{Ctx.getSourceManager(), Spawn->getEndLoc(),
                       SourceLocation(), Owner, WaitMethods,
                       isa<FieldDecl>(Owner)};
    if (W.find(FD->getBody()))
      return {};
    return {Outlives::OwnerOutlives, Spawn, Owner};
  }
  // A local owner outlives the captured locals declared after it; which
  // those are is decided per capture in report().
  if (const VarDecl *Local = localObject(OwnerExpr, FD))
    return {Outlives::OwnerOutlives, Spawn, Local, /*LocalOwner=*/true};
  return {};
}

EscapingReferenceCaptureCheck::Outlives
EscapingReferenceCaptureCheck::fateOfConstruct(const Expr *Construct,
                                               const FunctionDecl *FD,
                                               ASTContext &Ctx) {
  const ParentMap &PM = *infoOf(FD).Parents;
  const Expr *Inner = nullptr;
  const Stmt *Use = useOf(Construct, PM, Inner);
  // Foo(int n) : worker_([&n] {...}) {}: outside the body.
  if (!Use) {
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->isAnyMemberInitializer() && Init->getInit() &&
            Init->getInit()->IgnoreImplicit() == Inner->IgnoreImplicit())
          return {Outlives::Stored, Construct, Init->getAnyMember()};
    return {};
  }
  // std::thread([&] {...}).detach()
  if (const auto *ME = dyn_cast<MemberExpr>(Use)) {
    if (const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(PM.getParent(ME)))
      if (auto D = model::dischargeCall(Call, ThreadTypes))
        if (D->first == model::Discharge::Detach)
          return {Outlives::Detached, Call, nullptr};
    return {};
  }
  // new std::thread([&] {...}): where the pointer goes decides;
  // std::unique_ptr<std::thread>(new std::thread(...)) owns it.
  if (isa<CXXNewExpr>(Use)) {
    const Stmt *Owner = useOf(cast<Expr>(Use), PM, Inner);
    if (const auto *UP = dyn_cast_or_null<CXXConstructExpr>(Owner))
      if (UP->getNumArgs() == 1 && !UP->getConstructor()->isCopyOrMoveConstructor())
        Owner = useOf(UP, PM, Inner);
    if (!Owner)
      return {};
    Use = Owner;
  }
  if (const auto *Ret = dyn_cast<ReturnStmt>(Use))
    return {Outlives::Returned, Ret, nullptr};
  const bool IsOwner = model::isRecordOf(
      model::recordOf(Construct->getType()), OwnerTypes, Ctx);
  if (const VarDecl *VD = initialised(Use, Inner)) {
    if (!VD->hasLocalStorage())
      return {Outlives::Stored, Construct, VD};
    // A local owner initialised here is declared after everything the lambda
    // captures, so it is destroyed (and joins) first.
    if (IsOwner)
      return {};
    return fateOfLocalThread(VD, Construct, FD, Ctx);
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Use)) {
    if (Op->getOperator() != OO_Equal || Op->getNumArgs() != 2 ||
        Op->getArg(1) != Inner)
      return {};
    if (const ValueDecl *Owner = outlivingOwner(Op->getArg(0)))
      return {Outlives::Stored, Op, Owner};
    if (const VarDecl *Local = localObject(Op->getArg(0), FD)) {
      if (IsOwner)
        return {Outlives::OwnerOutlives, Op, Local, /*LocalOwner=*/true};
      return fateOfLocalThread(Local, Construct, FD, Ctx);
    }
    return {};
  }
  // workers_.push_back(std::thread([&] {...}))
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Use))
    if (Inner != MC->getImplicitObjectArgument())
      if (const ValueDecl *Owner =
              outlivingOwner(MC->getImplicitObjectArgument()))
        return {Outlives::Stored, MC, Owner};
  return {};
}

EscapingReferenceCaptureCheck::Outlives
EscapingReferenceCaptureCheck::fateInContainer(const Expr *Container,
                                               const CXXMemberCallExpr *Spawn,
                                               const FunctionDecl *FD,
                                               ASTContext &Ctx) {
  if (const ValueDecl *Owner = outlivingOwner(Container)) {
    // A join loop over the container later in this function ends every
    // thread in it before the captured locals die (out.clear() after it
    // changes nothing).
    const SourceManager &SM = Ctx.getSourceManager();
    for (const model::ElementLoop &L :
         model::elementLoopsIn(FD->getBody(), ThreadTypes))
      if (L.Container == Owner && L.Kind == model::Discharge::Join &&
          isAfter(L.Loop->getBeginLoc(), Spawn->getEndLoc(), SM))
        return {};
    return {Outlives::Stored, Spawn, Owner};
  }
  // A local container: its detach loops, and where it is moved, decide.
  if (const VarDecl *Local = localObject(Container, FD))
    return fateOfLocalThread(Local, Spawn, FD, Ctx);
  return {};
}

/// The function whose body holds the lambda, when it can be analysed: it has
/// a body and is not a template pattern (its instantiations are analysed).
static const FunctionDecl *enclosingFunction(const LambdaExpr *Lambda) {
  const FunctionDecl *FD = model::lambdaFunction(Lambda);
  return FD && FD->getBody() && !FD->isDependentContext() ? FD : nullptr;
}

/// True for an object that \p FD holds on its stack: a local or by-value
/// parameter of \p FD itself, not a reference (whose referent's lifetime \p FD
/// does not decide) and not a static.
static bool isOwnLocal(const ValueDecl *D, const FunctionDecl *FD) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType() &&
         dyn_cast<FunctionDecl>(VD->getParentFunctionOrMethod()) == FD;
}

/// True if \p S detaches a thread anywhere: a cheap filter before following
/// `this` captures, which only a detach lets dangle.
static bool mentionsDetach(const Stmt *S,
                           llvm::ArrayRef<StringRef> ThreadTypes) {
  if (!S)
    return false;
  if (auto D = model::dischargeCall(S, ThreadTypes))
    if (D->first == model::Discharge::Detach)
      return true;
  for (const Stmt *Child : S->children())
    if (mentionsDetach(Child, ThreadTypes))
      return true;
  return false;
}

void EscapingReferenceCaptureCheck::check(
    const MatchFinder::MatchResult &Result) {
  ASTContext &Ctx = *Result.Context;

  const auto *E = Result.Nodes.getNodeAs<Expr>("spawn");
  const std::optional<model::Spawn> S =
      model::asSpawn(E, ThreadTypes, SpawnFunctions);
  if (!S || S->Kind == model::SpawnKind::CCreate)
    return;
  const model::ResolvedCallable R = model::resolveCallable(S->Callable);
  const FunctionDecl *FD = R.Lambda ? enclosingFunction(R.Lambda) : nullptr;
  if (!FD)
    return;
  // Nothing that can dangle is captured: no local of this function by
  // reference, and not `this` where a detach could let it dangle.
  bool Locals = false, This = false;
  for (const LambdaCapture &C : R.Lambda->captures()) {
    if (C.capturesThis())
      This |= C.getCaptureKind() == LCK_This;
    else if (C.capturesVariable() && C.getCaptureKind() == LCK_ByRef)
      Locals |= isOwnLocal(C.getCapturedVar(), FD);
  }
  if (!Locals && !(This && mentionsDetach(FD->getBody(), ThreadTypes)))
    return;

  Outlives Why;
  if (S->Kind == model::SpawnKind::ThreadConstruct ||
      S->Kind == model::SpawnKind::MakeOwned) {
    Why = fateOfConstruct(S->Site, FD, Ctx);
  } else if (S->Kind == model::SpawnKind::InPlace) {
    Why = fateInContainer(S->Container, cast<CXXMemberCallExpr>(S->Site), FD,
                          Ctx);
  } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S->Site)) {
    Why = ownerFate(Call->getImplicitObjectArgument(), Call, FD, Ctx);
  }
  if (Why.K == Outlives::None)
    return;
  // A function that, after a detach, waits on a future, latch or semaphore
  // is taken to wait for the thread: no finding may rest on a guess.
  if (Why.K == Outlives::Detached) {
    const std::vector<StringRef> Sync =
        utils::options::parseStringList(syncMethods());
    const WaitFinder W{Ctx.getSourceManager(), Why.At->getEndLoc(),
                       SourceLocation(),          nullptr,
                       Sync,                      false,
                       ThreadTypes,               &Ctx};
    if (W.find(FD->getBody()))
      return;
  }
  report(R.Lambda, S->Site, FD, Why, Ctx);
}

/// "'a'", "'a' and 'b'", "'a', 'b' and 'c'", "'a', 'b' and 2 more".
static std::string nameList(llvm::ArrayRef<const VarDecl *> Vars) {
  std::string Out;
  const size_t Shown = Vars.size() > 3 ? 2 : Vars.size();
  for (size_t I = 0; I < Shown; ++I) {
    if (I > 0)
      Out += (I + 1 == Vars.size()) ? " and " : ", ";
    Out += "'" + Vars[I]->getNameAsString() + "'";
  }
  if (Shown < Vars.size())
    Out += " and " + std::to_string(Vars.size() - Shown) + " more";
  return Out;
}

void EscapingReferenceCaptureCheck::report(const LambdaExpr *Lambda,
                                           const Stmt *Spawn,
                                           const FunctionDecl *FD,
                                           const Outlives &Why,
                                           ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *LocalOwner =
      Why.LocalOwner ? dyn_cast_or_null<VarDecl>(Why.Owner) : nullptr;

  llvm::SmallVector<const VarDecl *, 4> Vars;
  SourceLocation At;
  bool This = false;
  for (const LambdaCapture &C : Lambda->captures()) {
    if (C.capturesThis()) {
      // The object owns its members: only a detached thread is known to
      // outlive it.
      if (C.getCaptureKind() == LCK_This && Why.K == Outlives::Detached) {
        This = true;
        if (At.isInvalid())
          At = C.getLocation();
      }
      continue;
    }
    if (!C.capturesVariable() || C.getCaptureKind() != LCK_ByRef)
      continue;
    if (!isOwnLocal(C.getCapturedVar(), FD))
      continue;
    const auto *VD = cast<VarDecl>(C.getCapturedVar());
    if (LocalOwner) {
      // Destroyed after the owner (declared before it): the owner joins
      // first. Or waited for before its scope ends.
      if (LocalOwner == VD ||
          !isAfter(VD->getLocation(), LocalOwner->getLocation(), SM))
        continue;
      const WaitFinder W{SM, Spawn->getEndLoc(), scopeEnd(VD, FD, *infoOf(FD).Parents),
                         LocalOwner, WaitMethods, false};
      if (W.find(FD->getBody()))
        continue;
    }
    Vars.push_back(VD);
    if (At.isInvalid())
      At = C.getLocation();
  }
  if (Vars.empty() && !This)
    return;

  const SourceLocation Loc = model::reportLoc(At, SM);
  if (!Reported.insert(Loc).second)
    return;
  if (!Vars.empty() && This)
    diag(Loc, "thread lambda captures %0 by reference and 'this', but the "
              "thread can outlive them")
        << nameList(Vars);
  else if (This)
    diag(Loc, "thread lambda captures 'this', but the thread can outlive the "
              "object");
  else
    diag(Loc, "thread lambda captures %0 by reference, but the thread can "
              "outlive %select{it|them}1")
        << nameList(Vars) << (Vars.size() > 1);

  const SourceLocation WhyLoc = model::reportLoc(Why.At->getBeginLoc(), SM);
  switch (Why.K) {
  case Outlives::Detached:
    diag(WhyLoc, "the thread is detached here", DiagnosticIDs::Note);
    break;
  case Outlives::Returned:
    diag(WhyLoc, "the thread is returned here; the captured locals are "
                 "destroyed when the function returns",
         DiagnosticIDs::Note);
    break;
  case Outlives::Stored:
    diag(WhyLoc, "the thread is stored in '%0' here, which outlives the "
                 "captured locals",
         DiagnosticIDs::Note)
        << Why.Owner->getName();
    break;
  case Outlives::OwnerOutlives:
    if (LocalOwner)
      diag(WhyLoc, "the task runs on '%0', which is declared before the "
                   "captured locals and so is destroyed after them; nothing "
                   "waits for it before they are",
           DiagnosticIDs::Note)
          << Why.Owner->getName();
    else
      diag(WhyLoc, "the task runs on '%0', which outlives this function; "
                   "nothing here waits for it",
           DiagnosticIDs::Note)
          << Why.Owner->getName();
    break;
  case Outlives::None:
    break;
  }
  diag(Loc, "capture by value (move what the thread needs into the lambda), "
            "or join the thread before what it captures goes out of scope",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
