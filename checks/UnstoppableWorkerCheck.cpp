//===--- UnstoppableWorkerCheck.cpp - tether-unstoppable-worker -----------===//
//
// Matchers find spawns; the spawn model resolves the callable to its body;
// EndlessLoopFinder looks in that body, and in the functions it calls directly
// that the TU defines (to MaxCallDepth), for a loop that nothing can end:
//   - its condition is absent or constant true, or reads only values no other
//     thread can write (locals, by-value parameters and captures) that the
//     loop itself never changes;
//   - it has no exit: no break out of it, return, throw, goto, co_return or
//     call to a noreturn function;
//   - it calls no stop-signal function (boost interruption points,
//     pthread_testcancel, the user's StopSignalFunctions).
// Any call, member, global, reference or dereference in the condition counts
// as something another thread (or the world) can change: a missed finding is
// preferred to a false alarm.
//
//===----------------------------------------------------------------------===//

#include "UnstoppableWorkerCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

static constexpr llvm::StringLiteral DefaultStopSignalFunctions =
    "::boost::this_thread::interruption_point;::boost::this_thread::sleep_for;"
    "::boost::this_thread::sleep_until;::boost::this_thread::sleep;"
    "::pthread_testcancel";

UnstoppableWorkerCheck::UnstoppableWorkerCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt),
      StopSignalFunctions(utils::options::parseStringList(
          Options.get("StopSignalFunctions", DefaultStopSignalFunctions))),
      MaxCallDepth(Options.get("MaxCallDepth", 3U)) {}

void UnstoppableWorkerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "StopSignalFunctions",
                utils::options::serializeStringList(StopSignalFunctions));
  Options.store(Opts, "MaxCallDepth", MaxCallDepth);
}

void UnstoppableWorkerCheck::registerMatchers(MatchFinder *Finder) {
  // Candidates: thread constructions, pthread_create / thrd_create, calls to
  // spawn functions. The spawn model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
}

namespace {

/// Why a loop cannot end, for the notes.
struct EndlessLoop {
  const Stmt *Loop = nullptr;
  const ValueDecl *FrozenVar = nullptr; ///< the unchanging variable, if any
  bool FrozenByCapture = false;         ///< ...captured by value
  llvm::SmallVector<const CallExpr *, 4> Calls; ///< call chain to the loop
};

/// True if \p D names something another thread can write: anything but a
/// non-reference local, parameter or by-value capture.
static bool isSharedState(const ValueDecl *D) {
  const auto *Var = dyn_cast<VarDecl>(D);
  if (!Var)
    return !isa<EnumConstantDecl>(D); // fields, functions, bindings, ...
  if (Var->getType()->isReferenceType() || Var->getType()->isPointerType())
    return true;
  if (!Var->hasLocalStorage() && !Var->isStaticLocal())
    return true;
  if (Var->isStaticLocal())
    return true;
  // std::atomic and other classes: their loads are stop signals.
  if (Var->getType()->getAsCXXRecordDecl())
    return true;
  return Var->getType().isVolatileQualified();
}

/// Collects the variables a loop condition reads; returns false as soon as it
/// reads anything that can change from outside the loop.
class ConditionReader : public RecursiveASTVisitor<ConditionReader> {
public:
  explicit ConditionReader(const LambdaExpr *Lambda) : Lambda(Lambda) {}
  const LambdaExpr *Lambda;
  bool Frozen = true;
  llvm::SmallVector<const ValueDecl *, 4> Vars;

  bool VisitCallExpr(CallExpr *) { return Frozen = false; }
  bool VisitMemberExpr(MemberExpr *) { return Frozen = false; }
  bool VisitArraySubscriptExpr(ArraySubscriptExpr *) { return Frozen = false; }
  bool VisitCXXThisExpr(CXXThisExpr *) { return Frozen = false; }
  bool VisitUnaryOperator(UnaryOperator *U) {
    if (U->getOpcode() == UO_Deref)
      Frozen = false;
    return Frozen;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    if (isSharedState(DRE->getDecl()))
      return Frozen = false;
    // A variable of the spawning function: shared unless captured by value.
    if (DRE->refersToEnclosingVariableOrCapture()) {
      bool ByCopy = false;
      if (Lambda)
        for (const LambdaCapture &C : Lambda->captures())
          if (C.capturesVariable() && C.getCapturedVar() == DRE->getDecl())
            ByCopy = C.getCaptureKind() == LCK_ByCopy;
      if (!ByCopy)
        return Frozen = false;
    }
    if (!isa<EnumConstantDecl>(DRE->getDecl()))
      Vars.push_back(DRE->getDecl());
    return true;
  }
};

/// Functions that end the process abnormally: reaching them is a bug, not a
/// way out of a loop.
static bool isCrash(const FunctionDecl *FD) {
  if (FD->getBuiltinID() != 0)
    return true; // __builtin_trap, __builtin_unreachable, __builtin_abort
  if (!FD->getDeclName().isIdentifier())
    return false;
  static constexpr llvm::StringLiteral Crashes[] = {
      "abort",  "__assert_fail", "__assert_perror_fail", "__assert_rtn",
      "_assert", "_wassert",     "terminate"};
  for (llvm::StringRef Name : Crashes)
    if (FD->getName() == Name)
      return true;
  return false;
}

/// Finds whether a loop body has a way out, or calls a stop-signal function.
class ExitFinder : public RecursiveASTVisitor<ExitFinder> {
public:
  ExitFinder(llvm::ArrayRef<StringRef> StopFunctions)
      : StopFunctions(StopFunctions) {}
  bool Found = false;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; } // another function
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool TraverseBlockExpr(BlockExpr *) { return true; }

  // A break inside a nested loop or switch leaves only that statement.
#define TETHER_NESTED(Type)                                                    \
  bool Traverse##Type(Type *S) {                                               \
    ++Depth;                                                                   \
    bool R = RecursiveASTVisitor<ExitFinder>::Traverse##Type(S);               \
    --Depth;                                                                   \
    return R;                                                                  \
  }
  TETHER_NESTED(WhileStmt)
  TETHER_NESTED(DoStmt)
  TETHER_NESTED(ForStmt)
  TETHER_NESTED(CXXForRangeStmt)
  TETHER_NESTED(SwitchStmt)
#undef TETHER_NESTED

  bool VisitBreakStmt(BreakStmt *) {
    if (Depth == 0)
      Found = true;
    return !Found;
  }
  bool VisitReturnStmt(ReturnStmt *) { return !(Found = true); }
  bool VisitCoreturnStmt(CoreturnStmt *) { return !(Found = true); }
  bool VisitCXXThrowExpr(CXXThrowExpr *) { return !(Found = true); }
  bool VisitGotoStmt(GotoStmt *) { return !(Found = true); }
  bool VisitIndirectGotoStmt(IndirectGotoStmt *) { return !(Found = true); }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD)
      return true;
    // A noreturn call leaves the loop (exit, pthread_exit, a user fatal()
    // that may throw), unless it is a crash: a failed assert() or abort()
    // is not a way to stop a thread.
    if ((FD->isNoReturn() || FD->hasAttr<NoReturnAttr>() ||
         FD->hasAttr<CXX11NoReturnAttr>()) &&
        !isCrash(FD))
      Found = true;
    const std::string Name = "::" + FD->getQualifiedNameAsString();
    for (StringRef S : StopFunctions)
      if (S == Name)
        Found = true;
    return !Found;
  }

private:
  llvm::ArrayRef<StringRef> StopFunctions;
  unsigned Depth = 0;
};

} // namespace

/// Body and condition of the loop statement \p S, or nothing for other
/// statements and for loops that end by themselves (range-for).
static bool loopParts(const Stmt *S, const Expr *&Cond, const Stmt *&Body) {
  if (const auto *W = dyn_cast<WhileStmt>(S)) {
    Cond = W->getCond();
    Body = W->getBody();
    return true;
  }
  if (const auto *D = dyn_cast<DoStmt>(S)) {
    Cond = D->getCond();
    Body = D->getBody();
    return true;
  }
  if (const auto *F = dyn_cast<ForStmt>(S)) {
    Cond = F->getCond();
    Body = F->getBody();
    return true;
  }
  return false;
}

namespace {
class LoopCollector : public RecursiveASTVisitor<LoopCollector> {
public:
  llvm::SmallVector<const Stmt *, 8> Loops;
  llvm::SmallVector<const CallExpr *, 8> Calls;
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitWhileStmt(WhileStmt *S) { return Loops.push_back(S), true; }
  bool VisitDoStmt(DoStmt *S) { return Loops.push_back(S), true; }
  bool VisitForStmt(ForStmt *S) { return Loops.push_back(S), true; }
  bool VisitCallExpr(CallExpr *C) { return Calls.push_back(C), true; }
};
} // namespace

/// True unless every use of \p V inside \p Loop only reads its value (an
/// lvalue-to-rvalue conversion, or a call of a const method): an assignment,
/// an increment, taking its address, binding it to a reference or anything
/// else may change it. A local stand-in for ExprMutationAnalyzer, which
/// needs the TU's parent map (half a second on a large TU).
static bool mayChange(const Stmt *Loop, const ValueDecl *V) {
  ParentMap Parents(const_cast<Stmt *>(Loop));
  struct Uses : RecursiveASTVisitor<Uses> {
    const ValueDecl *V;
    llvm::SmallVector<const DeclRefExpr *, 4> Refs;
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      if (DRE->getDecl() == V)
        Refs.push_back(DRE);
      return true;
    }
  } U;
  U.V = V;
  U.TraverseStmt(const_cast<Stmt *>(Loop));
  for (const DeclRefExpr *Ref : U.Refs) {
    const Stmt *P = Parents.getParentIgnoreParens(const_cast<DeclRefExpr *>(Ref));
    if (const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(P))
      if (Cast->getCastKind() == CK_LValueToRValue)
        continue;
    if (const auto *ME = dyn_cast_or_null<MemberExpr>(P))
      if (const auto *M = dyn_cast<CXXMethodDecl>(ME->getMemberDecl()))
        if (M->isConst())
          continue;
    return true;
  }
  return false;
}

/// The first loop in \p Loop's function that nothing can end, as described at
/// the top of this file.
static bool isEndless(const Stmt *Loop, const FunctionDecl *Fn,
                      const LambdaExpr *Lambda, ASTContext &Ctx,
                      llvm::ArrayRef<StringRef> StopFunctions, EndlessLoop &Out) {
  const Expr *Cond = nullptr;
  const Stmt *Body = nullptr;
  if (!loopParts(Loop, Cond, Body) || !Body)
    return false;
  Out = EndlessLoop();
  Out.Loop = Loop;
  // Exits first: they are cheap to find, and most loops have one. The
  // mutation analysis of the condition below walks the TU's parent map,
  // built on first use, so it runs only for loops that have no exit.
  ExitFinder Exits(StopFunctions);
  Exits.TraverseStmt(const_cast<Stmt *>(Body));
  if (Exits.Found)
    return false;
  if (Cond) { // a call in the condition of a do-while is caught above
    ExitFinder CondExits(StopFunctions);
    CondExits.TraverseStmt(const_cast<Expr *>(Cond));
    if (CondExits.Found)
      return false;
  }
  if (Cond) {
    bool Value = false;
    if (!Cond->isValueDependent() && Cond->EvaluateAsBooleanCondition(Value, Ctx)) {
      if (!Value)
        return false; // while (false)
    } else {
      ConditionReader Reader(Lambda);
      Reader.TraverseStmt(const_cast<Expr *>(Cond));
      if (!Reader.Frozen || Reader.Vars.empty())
        return false;
      // Any variable the loop changes (or lends out) can end it.
      for (const ValueDecl *V : Reader.Vars)
        if (mayChange(Loop, V))
          return false;
      Out.FrozenVar = Reader.Vars.front();
      if (Lambda)
        for (const LambdaCapture &C : Lambda->captures())
          if (C.capturesVariable() && C.getCapturedVar() == Out.FrozenVar &&
              C.getCaptureKind() == LCK_ByCopy)
            Out.FrozenByCapture = true;
    }
  }
  return true;
}

/// Searches \p Fn and, to \p Depth more levels, the functions it calls that
/// the TU defines.
static bool findEndless(const FunctionDecl *Fn, const LambdaExpr *Lambda,
                        unsigned Depth, ASTContext &Ctx,
                        llvm::ArrayRef<StringRef> StopFunctions,
                        llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen,
                        EndlessLoop &Out) {
  const FunctionDecl *Def = nullptr;
  if (!Fn || !Fn->hasBody(Def) || !Def || !Seen.insert(Def).second)
    return false;
  if (Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return false;
  LoopCollector Collector;
  Collector.TraverseStmt(Def->getBody());
  for (const Stmt *Loop : Collector.Loops)
    if (isEndless(Loop, Def, Lambda, Ctx, StopFunctions, Out))
      return true;
  if (Depth == 0)
    return false;
  for (const CallExpr *Call : Collector.Calls) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || Callee->isDependentContext())
      continue;
    if (findEndless(Callee, nullptr, Depth - 1, Ctx, StopFunctions, Seen, Out)) {
      Out.Calls.insert(Out.Calls.begin(), Call);
      return true;
    }
  }
  return false;
}

void UnstoppableWorkerCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  std::optional<model::Spawn> S =
      model::asSpawn(Site, ThreadTypes, SpawnFunctions);
  if (!S)
    return;
  model::ResolvedCallable Callable = model::resolveCallable(S->Callable);
  if (!Callable)
    return;
  const FunctionDecl *Fn = Callable.Function;
  if (Fn->isDependentContext() || Fn->isTemplated())
    return; // decided in the instantiation

  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
  EndlessLoop Loop;
  if (!findEndless(Fn, Callable.Lambda, MaxCallDepth, *Result.Context,
                   StopSignalFunctions, Seen, Loop))
    return;

  const SourceManager &SM = *Result.SourceManager;
  const SourceLocation Loc = model::reportLoc(S->Site->getBeginLoc(), SM);
  if (!Reported.insert(Loc).second)
    return;
  const bool IsJThread = S->Kind == model::SpawnKind::ThreadConstruct &&
                         StringRef(S->Spawner).ends_with("jthread");
  if (IsJThread)
    diag(Loc, "thread runs a loop that no stop signal can end; ~jthread "
              "requests stop and then waits for it forever");
  else
    diag(Loc, "thread runs a loop that no stop signal can end; its owner can "
              "never stop it or join it");
  for (const CallExpr *Call : Loop.Calls)
    diag(model::reportLoc(Call->getBeginLoc(), SM), "the thread calls %0 here",
         DiagnosticIDs::Note)
        << ("'" + Call->getDirectCallee()->getQualifiedNameAsString() + "'");
  if (Loop.FrozenVar)
    diag(model::reportLoc(Loop.Loop->getBeginLoc(), SM),
         "loop condition reads only '%0', which %select{nothing changes while "
         "the loop runs|is captured by value: no other thread can change it}1",
         DiagnosticIDs::Note)
        << Loop.FrozenVar->getName() << Loop.FrozenByCapture;
  else
    diag(model::reportLoc(Loop.Loop->getBeginLoc(), SM),
         "loop has no condition that can become false and no exit",
         DiagnosticIDs::Note);
  diag(Loc,
       IsJThread ? "take the std::stop_token that std::jthread passes and "
                   "check stop_requested() each iteration"
                 : "take a std::stop_token or tether::Context and check it each "
                   "iteration, or receive from a channel the owner closes",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
