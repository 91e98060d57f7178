//===--- ContextNotPropagatedCheck.cpp - tether-context-not-propagated ----===//
//
// Three questions, each asked where a cancellation handle (a tether::Context
// or std::stop_token, by the ContextTypes option) is in scope: a parameter of
// the enclosing function, a local declared before the statement, or a
// by-value or by-reference capture of the enclosing lambda.
//   1. Spawned work that receives no handle at all (no handle argument, no
//      handle captured, `this` not captured, no handle parameter) while it
//      loops or blocks.
//   2. Anywhere: a task whose handle parameter is unnamed or unused while it
//      loops or blocks (Group::go passes the group's context; jthread its
//      stop token).
//   3. tether::background() called while a handle is in scope.
// Optionally (CheckBlockingCalls), a blocking Channel or WaitGroup call that
// has a context overload, called without a context while one is in scope.
//
//===----------------------------------------------------------------------===//

#include "ContextNotPropagatedCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/STLFunctionalExtras.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

static constexpr llvm::StringLiteral DefaultContextTypes =
    "::tether::Context;::std::stop_token";

ContextNotPropagatedCheck::ContextNotPropagatedCheck(StringRef Name,
                                                     ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      ContextTypes(utils::options::parseStringList(
          Options.get("ContextTypes", DefaultContextTypes))),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt),
      CheckBlockingCalls(Options.get("CheckBlockingCalls", false)) {}

void ContextNotPropagatedCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ContextTypes",
                utils::options::serializeStringList(ContextTypes));
  Shared.store(Options, Opts);
  Options.store(Opts, "CheckBlockingCalls", CheckBlockingCalls);
}

void ContextNotPropagatedCheck::registerMatchers(MatchFinder *Finder) {
  // Candidates only. The enclosing function is found in check(), and only
  // for candidates that pass the cheap tests first: asking for it in the
  // matcher (hasAncestor) would build the parent map of the whole TU for
  // every TU that starts a thread.
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/false);
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasName("::tether::background"))))
          .bind("background"),
      this);
  // A parameter or local of a handle type (through references): the only
  // kind of handle handleInScope() finds.
  if (!ContextTypes.empty()) {
    const auto HandleRecord = hasUnqualifiedDesugaredType(
        recordType(hasDeclaration(cxxRecordDecl(hasAnyName(ContextTypes)))));
    Finder->addMatcher(
        varDecl(hasLocalStorage(),
                hasType(hasUnqualifiedDesugaredType(anyOf(
                    recordType(hasDeclaration(
                        cxxRecordDecl(hasAnyName(ContextTypes)))),
                    referenceType(pointee(HandleRecord))))))
            .bind("handleVar"),
        this);
  }
  if (CheckBlockingCalls) {
    // The model's blocking calls that have no timeout of their own.
    std::vector<StringRef> Unbounded;
    for (const model::BlockingCall &B : model::BlockingCalls)
      if (!B.Bounded)
        Unbounded.push_back(B.Name);
    Finder->addMatcher(
        cxxMemberCallExpr(
            callee(cxxMethodDecl(
                hasAnyName(Unbounded),
                ofClass(cxxRecordDecl(hasAnyName("::tether::Channel",
                                                 "::tether::WaitGroup"))))))
            .bind("blocking"),
        this);
  }
}

bool ContextNotPropagatedCheck::isHandleType(QualType T) const {
  const CXXRecordDecl *RD = model::recordOf(T);
  if (!RD)
    return false;
  const std::string Name = "::" + RD->getQualifiedNameAsString();
  for (StringRef N : ContextTypes)
    if (N == Name)
      return true;
  return false;
}

namespace {
/// Finds the first loop or blocking call in a body, not descending into
/// nested lambdas; and whether a given declaration is referenced.
class BodyScan : public RecursiveASTVisitor<BodyScan> {
public:
  explicit BodyScan(const ValueDecl *Watched = nullptr,
                    llvm::function_ref<bool(QualType)> IsHandle = nullptr)
      : Watched(Watched), IsHandle(IsHandle) {}
  const ValueDecl *Watched;
  llvm::function_ref<bool(QualType)> IsHandle;
  bool WatchedUsed = false;
  bool UsesHandle = false; ///< reads some handle (a global, a member, ...)
  const Stmt *LoopOrBlock = nullptr;
  bool IsLoop = false;

  bool TraverseLambdaExpr(LambdaExpr *L) {
    // Uses of the watched declaration inside a nested lambda still count.
    BodyScan Inner(Watched, IsHandle);
    Inner.TraverseStmt(L->getBody());
    WatchedUsed |= Inner.WatchedUsed;
    UsesHandle |= Inner.UsesHandle;
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    if (Watched && DRE->getDecl() == Watched)
      WatchedUsed = true;
    if (IsHandle && IsHandle(DRE->getType()))
      UsesHandle = true;
    return true;
  }
  bool VisitMemberExpr(MemberExpr *ME) {
    if (IsHandle && IsHandle(ME->getType()))
      UsesHandle = true;
    return true;
  }
  bool loop(Stmt *S) {
    if (!LoopOrBlock) {
      LoopOrBlock = S;
      IsLoop = true;
    }
    return true;
  }
  bool VisitWhileStmt(WhileStmt *S) { return loop(S); }
  bool VisitDoStmt(DoStmt *S) { return loop(S); }
  bool VisitForStmt(ForStmt *S) { return loop(S); }
  bool VisitCXXForRangeStmt(CXXForRangeStmt *S) { return loop(S); }
  bool VisitCallExpr(CallExpr *C) {
    const FunctionDecl *FD = C->getDirectCallee();
    if (LoopOrBlock || !FD || !FD->getDeclName().isIdentifier())
      return true;
    if (model::blockingCall(FD->getName()))
      LoopOrBlock = C;
    return true;
  }
};
} // namespace

const VarDecl *
ContextNotPropagatedCheck::handleInScope(const Stmt *At, const FunctionDecl *Fn,
                                         ASTContext &Ctx) const {
  if (!Fn)
    return nullptr;
  for (const ParmVarDecl *P : Fn->parameters())
    if (isHandleType(P->getType()) && P->getDeclName().isIdentifier() &&
        !P->getName().empty())
      return P;
  // Captures of the enclosing lambda.
  if (const auto *M = dyn_cast<CXXMethodDecl>(Fn))
    if (M->getParent()->isLambda())
      for (const LambdaCapture &C : M->getParent()->captures())
        if (C.capturesVariable())
          if (const auto *V = dyn_cast<VarDecl>(C.getCapturedVar()))
            if (isHandleType(V->getType()))
              return V;
  // Locals declared before the statement.
  const SourceManager &SM = Ctx.getSourceManager();
  const VarDecl *Found = nullptr;
  if (!Fn->getBody())
    return nullptr;
  auto Cached = HandleLocals.find(Fn);
  if (Cached == HandleLocals.end()) {
    struct LocalCollector : RecursiveASTVisitor<LocalCollector> {
      llvm::SmallVector<const VarDecl *, 8> Vars;
      bool VisitVarDecl(VarDecl *V) {
        if (!isa<ParmVarDecl>(V) && V->hasLocalStorage())
          Vars.push_back(V);
        return true;
      }
    } Collector;
    Collector.TraverseStmt(Fn->getBody());
    llvm::SmallVector<const VarDecl *, 2> Handles;
    for (const VarDecl *V : Collector.Vars) {
      if (!isHandleType(V->getType()))
        continue;
      if (V->getDeclContext() != Fn)
        continue; // a local of a nested lambda
      // A copy of the root context is never cancelled: nothing to propagate.
      if (const Expr *Init = V->getInit())
        if (const auto *Call = dyn_cast<CallExpr>(Init->IgnoreImplicit()))
          if (const FunctionDecl *Callee = Call->getDirectCallee())
            if (Callee->getQualifiedNameAsString() == "tether::background")
              continue;
      Handles.push_back(V);
    }
    Cached = HandleLocals.try_emplace(Fn, std::move(Handles)).first;
  }
  for (const VarDecl *V : Cached->second)
    if (SM.isBeforeInTranslationUnit(V->getEndLoc(), At->getBeginLoc()))
      Found = V;
  return Found;
}

bool ContextNotPropagatedCheck::isDerivedFromHandle(const VarDecl *V) const {
  // `tether::Group g(parent)`, `auto [child, cancel] = with_cancel(parent)`:
  // an object built from a handle carries its cancellation, so work that
  // waits on it (g.wait()) ends when the handle is cancelled.
  const Expr *Init = V->getInit();
  if (!Init)
    return false;
  struct Finder : RecursiveASTVisitor<Finder> {
    const ContextNotPropagatedCheck *Self;
    bool Found = false;
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      if (Self->isHandleType(DRE->getType()))
        Found = true;
      return !Found;
    }
  } F;
  F.Self = this;
  F.TraverseStmt(const_cast<Expr *>(Init));
  return F.Found;
}

void ContextNotPropagatedCheck::check(const MatchFinder::MatchResult &Result) {
  ASTContext &Ctx = *Result.Context;
  if (Result.Nodes.getNodeAs<VarDecl>("handleVar")) {
    SawHandleVariable = true;
    return;
  }
  if (const auto *Spawn = Result.Nodes.getNodeAs<Expr>("spawn"))
    checkSpawn(Spawn, Ctx);
  else if (const auto *Bg = Result.Nodes.getNodeAs<CallExpr>("background"))
    checkBackground(Bg, model::innermostFunction(Bg, Ctx), Ctx);
  else if (const auto *Call =
               Result.Nodes.getNodeAs<CXXMemberCallExpr>("blocking"))
    checkBlockingCall(Call, model::innermostFunction(Call, Ctx), Ctx);
}

/// The first call to tether::background() in \p S, outside nested lambdas.
static const CallExpr *backgroundCallIn(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return nullptr;
  if (const auto *Call = dyn_cast<CallExpr>(S))
    if (const FunctionDecl *FD = Call->getDirectCallee())
      if (FD->getDeclName().isIdentifier() && FD->getName() == "background" &&
          FD->getQualifiedNameAsString() == "tether::background")
        return Call;
  for (const Stmt *Child : S->children())
    if (const CallExpr *C = backgroundCallIn(Child))
      return C;
  return nullptr;
}

void ContextNotPropagatedCheck::checkSpawn(const Expr *Site,
                                           ASTContext &Ctx) {
  std::optional<model::Spawn> S =
      model::asSpawn(Site, ThreadTypes, SpawnFunctions);
  if (!S || S->Kind == model::SpawnKind::CCreate)
    return;
  model::ResolvedCallable Callable = model::resolveCallable(S->Callable);
  if (!Callable || Callable.Function->isDependentContext())
    return;
  const FunctionDecl *Body = Callable.Function;
  const SourceManager &SM = Ctx.getSourceManager();

  // 2. A handle parameter the task ignores.
  for (const ParmVarDecl *P : Body->parameters()) {
    if (!isHandleType(P->getType()))
      continue;
    if (!Body->hasBody())
      return;
    BodyScan Scan(P);
    Scan.TraverseStmt(Body->getBody());
    const bool Unnamed = !P->getDeclName().isIdentifier() || P->getName().empty();
    if ((Unnamed || !Scan.WatchedUsed) && Scan.LoopOrBlock) {
      const SourceLocation Loc = model::reportLoc(P->getLocation(), SM);
      if (!Reported.insert(Loc).second)
        return;
      diag(Loc, "task ignores the %0 it is given; it keeps running after "
                "cancellation")
          << P->getType().getNonReferenceType().getUnqualifiedType();
      diag(model::reportLoc(Scan.LoopOrBlock->getBeginLoc(), SM),
           "it %select{blocks|loops}0 here without checking it",
           DiagnosticIDs::Note)
          << Scan.IsLoop;
    }
    return; // the task receives a handle
  }

  // 1. No handle at all, while the caller has one. The cheap tests on the
  // spawn and its task come first; the caller's scope is looked up last.
  auto HasHandleArg = [&](const Expr *E) {
    if (const auto *C = dyn_cast<CXXConstructExpr>(E)) {
      for (const Expr *A : C->arguments())
        if (A != C->getArg(0) && isHandleType(A->getType()))
          return true;
    } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
      for (const Expr *A : Call->arguments())
        if (isHandleType(A->getType()))
          return true;
    }
    return false;
  };
  if (HasHandleArg(Site))
    return;
  if (const LambdaExpr *L = Callable.Lambda) {
    for (const LambdaCapture &C : L->captures()) {
      if (C.capturesThis())
        return; // a member handle may reach the task
      if (C.capturesVariable())
        if (const auto *V = dyn_cast<VarDecl>(C.getCapturedVar()))
          if (isHandleType(V->getType()) || isDerivedFromHandle(V))
            return;
    }
  }
  if (!Body->hasBody())
    return;
  // The spawned work makes a fresh root with tether::background() while the
  // spawner has a context: reported at that call, which checkBackground()
  // cannot relate to the spawner (the entry's own scope has no context).
  // No parameter or local of a handle type so far: none is in scope.
  if (!SawHandleVariable)
    return;
  if (const CallExpr *Root = backgroundCallIn(Body->getBody())) {
    const FunctionDecl *Fn = model::lambdaFunction(Callable.Lambda);
    if (!Fn)
      Fn = model::innermostFunction(Site, Ctx);
    if (const VarDecl *InScope = handleInScope(Site, Fn, Ctx)) {
      const SourceLocation Loc = model::reportLoc(Root->getBeginLoc(), SM);
      if (!Reported.insert(Loc).second)
        return;
      diag(Loc, "tether::background() in spawned work ignores '%0', the "
                "spawner's context; cancelling the caller will not reach "
                "this work")
          << InScope->getName();
      diag(model::reportLoc(S->Callable->getBeginLoc(), SM),
           "the work is spawned here, where '%0' is in scope",
           DiagnosticIDs::Note)
          << InScope->getName();
      diag(Loc, "pass '%0' to the task and derive from it, e.g. "
                "tether::with_cancel(%0)",
           DiagnosticIDs::Note)
          << InScope->getName();
    }
    return;
  }
  auto IsHandle = [this](QualType T) { return isHandleType(T); };
  BodyScan Scan(nullptr, IsHandle); // function_ref: IsHandle must outlive it
  Scan.TraverseStmt(Body->getBody());
  if (!Scan.LoopOrBlock || Scan.UsesHandle)
    return; // nothing to stop, or it reads a handle it found elsewhere
  // The spawning function: a lambda's closure class records it, so the
  // parent map is needed only for other callables.
  const FunctionDecl *Fn = model::lambdaFunction(Callable.Lambda);
  if (!Fn)
    Fn = model::innermostFunction(Site, Ctx);
  const VarDecl *InScope = handleInScope(Site, Fn, Ctx);
  if (!InScope)
    return;
  const SourceLocation Loc = model::reportLoc(S->Callable->getBeginLoc(), SM);
  if (!Reported.insert(Loc).second)
    return;
  diag(Loc, "spawned work receives no cancellation while '%0' is in scope; "
            "cancelling the caller will not stop it")
      << InScope->getName();
  diag(model::reportLoc(Scan.LoopOrBlock->getBeginLoc(), SM),
       "it %select{blocks|loops}0 here", DiagnosticIDs::Note)
      << Scan.IsLoop;
  diag(Loc, "pass '%0' to the task and check it, or derive a child with "
            "tether::with_cancel('%0')",
       DiagnosticIDs::Note)
      << InScope->getName();
}

/// Whether replacing \p Call (tether::background()) by the name of \p V
/// provably compiles and changes nothing but the cancellation: not in a
/// macro; \p V is a tether::Context and the only handle of \p Fn that can be
/// in scope (a parameter, a capture, or a local of the body's outermost
/// block declared before the call), no other declaration of \p Fn has its
/// name; and the call initialises a Context by value or binds a by-value or
/// const-reference parameter (an rvalue-reference parameter would reject the
/// lvalue).
bool ContextNotPropagatedCheck::backgroundFixable(const CallExpr *Call,
                                                  const VarDecl *V,
                                                  const FunctionDecl *Fn,
                                                  ASTContext &Ctx) const {
  if (!Fn || !Fn->getBody() || Call->getBeginLoc().isMacroID() ||
      Call->getEndLoc().isMacroID() || !V->getDeclName().isIdentifier())
    return false;
  const CXXRecordDecl *RD = model::recordOf(V->getType());
  if (!RD || RD->getQualifiedNameAsString() != "tether::Context")
    return false;
  // Every handle the function sees, and every declaration named like V.
  const SourceManager &SM = Ctx.getSourceManager();
  unsigned Handles = 0;
  bool Shadowed = false, Outermost = isa<ParmVarDecl>(V);
  for (const ParmVarDecl *P : Fn->parameters()) {
    if (isHandleType(P->getType()))
      ++Handles;
    if (P != V && P->getDeclName().isIdentifier() && P->getName() == V->getName())
      Shadowed = true;
  }
  if (const auto *M = dyn_cast<CXXMethodDecl>(Fn))
    if (M->getParent()->isLambda())
      for (const LambdaCapture &C : M->getParent()->captures())
        if (C.capturesVariable())
          if (const auto *CV = dyn_cast<VarDecl>(C.getCapturedVar())) {
            if (isHandleType(CV->getType()))
              ++Handles;
            if (CV == V)
              Outermost = true;
          }
  struct Decls : RecursiveASTVisitor<Decls> {
    llvm::SmallVector<const VarDecl *, 8> Vars;
    bool VisitVarDecl(VarDecl *D) {
      Vars.push_back(D);
      return true;
    }
  } All;
  All.TraverseStmt(Fn->getBody());
  for (const VarDecl *D : All.Vars) {
    if (D != V && D->getDeclName().isIdentifier() && D->getName() == V->getName())
      Shadowed = true;
    if (D->getDeclContext() == Fn && isHandleType(D->getType()) &&
        SM.isBeforeInTranslationUnit(D->getEndLoc(), Call->getBeginLoc()))
      if (const Expr *Init = D->getInit(); !Init || !backgroundCallIn(Init))
        ++Handles;
  }
  if (Shadowed || Handles != 1)
    return false;
  if (const auto *Body = dyn_cast<CompoundStmt>(Fn->getBody()))
    for (const Stmt *S : Body->body())
      if (const auto *DS = dyn_cast<DeclStmt>(S))
        for (const Decl *D : DS->decls())
          Outermost |= D == V;
  if (!Outermost)
    return false;
  // What the call's value is used for, through implicit nodes.
  const Stmt *Child = Call;
  for (;;) {
    const DynTypedNodeList Parents = Ctx.getParents(*Child);
    if (Parents.size() != 1)
      return false;
    if (const auto *VD = Parents[0].get<VarDecl>())
      return !VD->getType()->isReferenceType() && isHandleType(VD->getType());
    const auto *P = Parents[0].get<Expr>();
    if (!P)
      return false;
    if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
            ExprWithCleanups>(P) ||
        (isa<CXXConstructExpr>(P) && cast<CXXConstructExpr>(P)->getNumArgs() == 1 &&
         cast<CXXConstructExpr>(P)->getConstructor()->isCopyOrMoveConstructor())) {
      Child = P;
      continue;
    }
    const FunctionDecl *Callee = nullptr;
    llvm::ArrayRef<const Expr *> Args;
    if (const auto *C = dyn_cast<CallExpr>(P)) {
      Callee = C->getDirectCallee();
      Args = llvm::ArrayRef(C->getArgs(), C->getNumArgs());
      if (isa<CXXOperatorCallExpr>(C))
        return false;
    } else if (const auto *C = dyn_cast<CXXConstructExpr>(P)) {
      Callee = C->getConstructor();
      Args = llvm::ArrayRef(C->getArgs(), C->getNumArgs());
    }
    if (!Callee)
      return false;
    for (unsigned I = 0; I < Args.size() && I < Callee->getNumParams(); ++I)
      if (Args[I] == Child) {
        const QualType T = Callee->getParamDecl(I)->getType();
        if (T->isRValueReferenceType())
          return false;
        if (T->isLValueReferenceType())
          return T.getNonReferenceType().isConstQualified();
        return true;
      }
    return false;
  }
}

void ContextNotPropagatedCheck::checkBackground(const CallExpr *Call,
                                                const FunctionDecl *Fn,
                                                ASTContext &Ctx) {
  const VarDecl *InScope = handleInScope(Call, Fn, Ctx);
  if (!InScope || !isHandleType(Call->getType()))
    return;
  const SourceLocation Loc =
      model::reportLoc(Call->getBeginLoc(), Ctx.getSourceManager());
  if (!Reported.insert(Loc).second)
    return;
  {
    auto D = diag(Loc, "tether::background() ignores '%0', the context in "
                       "scope; cancelling the caller will not reach this work")
             << InScope->getName();
    if (backgroundFixable(Call, InScope, Fn, Ctx))
      D << FixItHint::CreateReplacement(
          CharSourceRange::getTokenRange(Call->getSourceRange()),
          InScope->getName());
  } // emitted here, before its note
  diag(InScope->getLocation(), "derive from '%0' instead, e.g. "
                               "tether::with_cancel(%0)",
       DiagnosticIDs::Note)
      << InScope->getName();
}

void ContextNotPropagatedCheck::checkBlockingCall(const CXXMemberCallExpr *Call,
                                                  const FunctionDecl *Fn,
                                                  ASTContext &Ctx) {
  for (const Expr *A : Call->arguments())
    if (isHandleType(A->getType()))
      return;
  const VarDecl *InScope = handleInScope(Call, Fn, Ctx);
  if (!InScope)
    return;
  const SourceLocation Loc =
      model::reportLoc(Call->getExprLoc(), Ctx.getSourceManager());
  if (!Reported.insert(Loc).second)
    return;
  const auto *M = Call->getMethodDecl();
  diag(Loc, "'%0' blocks without '%1', the context in scope; it does not end "
            "when the caller is cancelled")
      << M->getName() << InScope->getName();
  diag(Loc, "pass it: %0(%1%select{|, ...}2)", DiagnosticIDs::Note)
      << M->getName() << InScope->getName() << (Call->getNumArgs() > 0);
}

} // namespace clang::tidy::tether
