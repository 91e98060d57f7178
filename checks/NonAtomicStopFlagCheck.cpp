//===--- NonAtomicStopFlagCheck.cpp - tether-non-atomic-stop-flag ---------===//
//
// Matchers find spawns; the spawn model resolves each callable to its body.
// At the end of the translation unit, for each worker:
//   - the worker's functions: the entry and the functions it calls directly
//     that the TU defines, to MaxCallDepth;
//   - their loops' exit conditions: the loop condition, and the condition of
//     an `if` in the loop whose branch is a `break` or `return` (outside
//     nested loops, switches and lambdas); in them, what is tested as a
//     truth value: operands of `!`, `&&`, `||`, `?:`, and of `==` / `!=`
//     against a constant (`i < n_` is a bound, not a flag); a getter the TU
//     defines (at most three statements) is looked into one level deep;
//   - the flags those conditions read: a variable or field of integral,
//     boolean or enumeration type (volatile or not; never a class, so
//     std::atomic, std::stop_token and tether::Context are out), that is a
//     member, a global, a static, or a local of the spawning function the
//     entry lambda captures by reference; not a reference, not sig_atomic_t,
//     and not a flag whose address escapes (an alias could write it);
//   - the writes of each flag in the TU (LockIndex) that store a constant (a
//     stop request, not a counter or a setting): outside the worker's
//     functions, outside constructors, not in a lambda that no spawn runs (a
//     callback may run on the worker itself), and not before the spawn in
//     the function that spawns; a write is harmless when it and the read
//     hold a common mutex (LockIndex::heldAt).
// The first harmful write gives the finding, at the read.
//
//===----------------------------------------------------------------------===//

#include "NonAtomicStopFlagCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/LockModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

NonAtomicStopFlagCheck::NonAtomicStopFlagCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt),
      LockTypes(utils::options::parseStringList(
          Options.get("LockTypes", model::DefaultLockTypes))),
      MaxCallDepth(Options.get("MaxCallDepth", 3U)) {}

void NonAtomicStopFlagCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "LockTypes",
                utils::options::serializeStringList(LockTypes));
  Options.store(Opts, "MaxCallDepth", MaxCallDepth);
}

void NonAtomicStopFlagCheck::registerMatchers(MatchFinder *Finder) {
  // Candidates: thread constructions, pthread_create / thrd_create, calls to
  // spawn functions. The spawn model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
}

void NonAtomicStopFlagCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  std::optional<model::Spawn> S =
      model::asSpawn(Site, ThreadTypes, SpawnFunctions);
  if (!S)
    return;
  model::ResolvedCallable Callable = model::resolveCallable(S->Callable);
  if (!Callable || Callable.Function->isDependentContext() ||
      Callable.Function->isTemplated())
    return; // decided in the instantiation
  Ctx = Result.Context;
  Workers.push_back({*S, Callable});
}

namespace {

/// One read of a flag in a loop's exit condition.
struct FlagRead {
  const Expr *At = nullptr;          ///< where to report: in the loop
  const Expr *Ref = nullptr;         ///< the read itself
  const FunctionDecl *Fn = nullptr;  ///< the function the read is in
  const ValueDecl *Flag = nullptr;
};

/// Loops of a body, and the direct calls, outside nested lambdas and local
/// classes.
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

/// True if \p S is, or is a block that holds at its top level, a `break` or
/// `return`: a branch that leaves the loop.
static bool leavesLoop(const Stmt *S) {
  if (!S)
    return false;
  if (isa<BreakStmt>(S) || isa<ReturnStmt>(S))
    return true;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(), [](const Stmt *C) {
      return isa<BreakStmt>(C) || isa<ReturnStmt>(C);
    });
  return false;
}

/// The conditions of the `if` statements of a loop body that leave the loop.
class ExitConditions : public RecursiveASTVisitor<ExitConditions> {
public:
  llvm::SmallVector<const Expr *, 4> Conds;
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  // A break in a nested loop or switch leaves only that statement.
  bool TraverseWhileStmt(WhileStmt *) { return true; }
  bool TraverseDoStmt(DoStmt *) { return true; }
  bool TraverseForStmt(ForStmt *) { return true; }
  bool TraverseCXXForRangeStmt(CXXForRangeStmt *) { return true; }
  bool TraverseSwitchStmt(SwitchStmt *) { return true; }
  bool VisitIfStmt(IfStmt *If) {
    if (If->getCond() && (leavesLoop(If->getThen()) || leavesLoop(If->getElse())))
      Conds.push_back(If->getCond());
    return true;
  }
};

/// The flag reads and calls at the boolean positions of a condition: the
/// condition itself, the operands of `!`, `&&`, `||` and `?:`'s branches, and
/// an operand of `==` / `!=` compared with a constant (`state_ != kRunning`).
/// A relational comparison (`i < n_`) or an arithmetic use is a bound or a
/// value, not a stop flag: not collected.
struct FlagPositions {
  llvm::SmallVector<const Expr *, 4> Refs;
  llvm::SmallVector<const CallExpr *, 2> Calls;

  void collect(const Expr *E, const ASTContext &Ctx, unsigned Depth = 0) {
    if (!E || Depth > 32)
      return;
    E = E->IgnoreParenImpCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_LNot)
        collect(U->getSubExpr(), Ctx, Depth + 1);
      return;
    }
    if (const auto *B = dyn_cast<BinaryOperator>(E)) {
      if (B->isLogicalOp()) {
        collect(B->getLHS(), Ctx, Depth + 1);
        collect(B->getRHS(), Ctx, Depth + 1);
      } else if (B->isEqualityOp()) {
        if (isConstant(B->getRHS(), Ctx))
          collect(B->getLHS(), Ctx, Depth + 1);
        else if (isConstant(B->getLHS(), Ctx))
          collect(B->getRHS(), Ctx, Depth + 1);
      }
      return;
    }
    if (const auto *C = dyn_cast<ConditionalOperator>(E)) {
      collect(C->getTrueExpr(), Ctx, Depth + 1);
      collect(C->getFalseExpr(), Ctx, Depth + 1);
      return;
    }
    if (isa<DeclRefExpr>(E) || isa<MemberExpr>(E)) {
      Refs.push_back(E);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E))
      if (!isa<CXXOperatorCallExpr>(Call))
        Calls.push_back(Call);
  }

private:
  static bool isConstant(const Expr *E, const ASTContext &Ctx) {
    E = E->IgnoreParenImpCasts();
    return !E->isValueDependent() && E->isEvaluatable(Ctx);
  }
};

/// The return values of \p Fn when it is a getter: a body of at most three
/// statements (a lock and a return, say) that returns a value.
static llvm::SmallVector<const Expr *, 2> getterResults(const FunctionDecl *Fn) {
  llvm::SmallVector<const Expr *, 2> Out;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Fn->getBody());
  if (!Body || Body->size() > 3 || Fn->getReturnType()->isVoidType())
    return Out;
  for (const Stmt *S : Body->body())
    if (const auto *R = dyn_cast<ReturnStmt>(S))
      if (R->getRetValue())
        Out.push_back(R->getRetValue());
  return Out;
}

} // namespace

/// True if \p T is spelled, through its typedefs, as sig_atomic_t: a flag
/// for a signal handler, which is not another thread.
static bool isSigAtomic(QualType T) {
  while (const auto *TT = T->getAs<TypedefType>()) {
    if (TT->getDecl()->getName() == "sig_atomic_t")
      return true;
    T = TT->getDecl()->getUnderlyingType();
  }
  return false;
}

/// True if \p Var, named by \p DRE in the worker entered through \p Lambda
/// (may be null), is captured by reference from the spawning function.
static bool capturedByReference(const VarDecl *Var, const DeclRefExpr *DRE,
                                const LambdaExpr *Lambda) {
  if (!Lambda || !DRE || !DRE->refersToEnclosingVariableOrCapture())
    return false;
  for (const LambdaCapture &C : Lambda->captures())
    if (C.capturesVariable() && C.getCapturedVar() == Var)
      return C.getCaptureKind() == LCK_ByRef;
  return false;
}

/// True if \p Base (the object of a member access or a method call) is an
/// object of the worker's own: a local or by-value parameter of class type
/// (`Backoff b; while (!b.done())`), or a copy captured by value. Its fields
/// are not shared with another thread. A pointer, a reference, `this`, a
/// global or a by-reference capture may be shared.
static bool isWorkerLocalObject(const Expr *Base, const LambdaExpr *Lambda) {
  while (Base) {
    Base = Base->IgnoreParenImpCasts();
    if (const auto *ME = dyn_cast<MemberExpr>(Base)) {
      if (ME->isArrow())
        return false; // through a pointer
      Base = ME->getBase();
      continue;
    }
    break;
  }
  const auto *DRE = dyn_cast_or_null<DeclRefExpr>(Base);
  const auto *Var = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!Var || !Var->hasLocalStorage() || Var->getType()->isReferenceType() ||
      Var->getType()->isPointerType())
    return false;
  return !capturedByReference(Var, DRE, Lambda);
}

/// The flag \p Ref reads, when it can be a stop flag of the worker entered
/// through \p Lambda (may be null) that another thread writes.
static const ValueDecl *candidateFlag(const Expr *Ref, const LambdaExpr *Lambda) {
  const ValueDecl *D = model::flagOf(Ref);
  if (!D)
    return nullptr;
  if (const auto *ME = dyn_cast<MemberExpr>(Ref->IgnoreParenImpCasts()))
    if (isWorkerLocalObject(ME->getBase(), Lambda))
      return nullptr;
  const QualType T = D->getType();
  if (T->isReferenceType() || !T->isIntegralOrEnumerationType() ||
      T->isDependentType() || isSigAtomic(T))
    return nullptr;
  const auto *Var = dyn_cast<VarDecl>(D);
  if (!Var || !Var->hasLocalStorage())
    return D; // a field, a global, a static
  // A local: shared only when the entry lambda captures it by reference.
  return capturedByReference(
             Var, dyn_cast<DeclRefExpr>(Ref->IgnoreParenImpCasts()), Lambda)
             ? D
             : nullptr;
}

/// The body-defining functions the worker runs: \p Fn and the functions it
/// calls directly, to \p Depth levels.
static void workerFunctions(const FunctionDecl *Fn, unsigned Depth,
                            const SourceManager &SM,
                            llvm::SmallVectorImpl<const FunctionDecl *> &Out,
                            llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen) {
  const FunctionDecl *Def = nullptr;
  if (!Fn || !Fn->hasBody(Def) || !Def || !Seen.insert(Def).second)
    return;
  if (SM.isInSystemHeader(SM.getExpansionLoc(Def->getLocation())))
    return;
  Out.push_back(Def);
  if (Depth == 0)
    return;
  LoopCollector Collector;
  Collector.TraverseStmt(Def->getBody());
  for (const CallExpr *Call : Collector.Calls)
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      if (!Callee->isDependentContext())
        workerFunctions(Callee, Depth - 1, SM, Out, Seen);
}

/// The flag reads of the exit conditions of \p Fn's loops.
static void exitReads(const FunctionDecl *Fn, const LambdaExpr *Lambda,
                      const ASTContext &Ctx, const SourceManager &SM,
                      llvm::SmallVectorImpl<FlagRead> &Out) {
  LoopCollector Loops;
  Loops.TraverseStmt(Fn->getBody());
  for (const Stmt *Loop : Loops.Loops) {
    llvm::SmallVector<const Expr *, 4> Conds;
    const Stmt *Body = nullptr;
    if (const auto *W = dyn_cast<WhileStmt>(Loop)) {
      Conds.push_back(W->getCond());
      Body = W->getBody();
    } else if (const auto *D = dyn_cast<DoStmt>(Loop)) {
      Conds.push_back(D->getCond());
      Body = D->getBody();
    } else if (const auto *F = dyn_cast<ForStmt>(Loop)) {
      Conds.push_back(F->getCond());
      Body = F->getBody();
    }
    ExitConditions Exits;
    Exits.TraverseStmt(const_cast<Stmt *>(Body));
    Conds.append(Exits.Conds.begin(), Exits.Conds.end());
    for (const Expr *Cond : Conds) {
      if (!Cond)
        continue;
      FlagPositions Reads;
      Reads.collect(Cond, Ctx);
      for (const Expr *Ref : Reads.Refs)
        if (const ValueDecl *Flag = candidateFlag(Ref, Lambda))
          Out.push_back({Ref, Ref, Fn, Flag});
      // A getter the TU defines: `while (!stopped())`.
      for (const CallExpr *Call : Reads.Calls) {
        const FunctionDecl *Callee = Call->getDirectCallee();
        const FunctionDecl *Def = nullptr;
        if (!Callee || !Callee->hasBody(Def) || !Def ||
            Def->isDependentContext() ||
            SM.isInSystemHeader(SM.getExpansionLoc(Def->getLocation())))
          continue;
        // A getter of the worker's own object reads nothing shared.
        if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call))
          if (isWorkerLocalObject(MC->getImplicitObjectArgument(), Lambda))
            continue;
        FlagPositions Inner;
        for (const Expr *Result : getterResults(Def))
          Inner.collect(Result, Ctx);
        for (const Expr *Ref : Inner.Refs)
          if (const ValueDecl *Flag = candidateFlag(Ref, nullptr))
            Out.push_back({Call, Ref, Def, Flag});
      }
    }
  }
}

/// True if \p Write stores a constant (`stop_ = true`, `quit = 1`,
/// `state_ = State::Stopping`): a stop request. Counters (`++n_`, `n_ += k`)
/// and settings (`limit_ = n`) are not stop flags.
static bool setsConstant(const Expr *Write, const ASTContext &Ctx) {
  const auto *B = dyn_cast<BinaryOperator>(Write);
  if (!B || B->getOpcode() != BO_Assign)
    return false;
  const Expr *V = B->getRHS()->IgnoreParenImpCasts();
  return !V->isValueDependent() && V->isEvaluatable(Ctx);
}

static bool intersects(llvm::ArrayRef<const ValueDecl *> A,
                       llvm::ArrayRef<const ValueDecl *> B) {
  return llvm::any_of(A, [&](const ValueDecl *M) { return llvm::is_contained(B, M); });
}

void NonAtomicStopFlagCheck::onEndOfTranslationUnit() {
  if (Workers.empty() || !Ctx) {
    Workers.clear();
    return;
  }
  ASTContext &C = *Ctx;
  const SourceManager &SM = C.getSourceManager();
  std::unique_ptr<model::LockIndex> Index;
  llvm::DenseSet<const FunctionDecl *> Entries; // every spawned entry

  for (const Worker &W : Workers) {
    llvm::SmallVector<const FunctionDecl *, 8> Fns;
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    workerFunctions(W.Callable.Function, MaxCallDepth, SM, Fns, Seen);
    llvm::SmallVector<FlagRead, 4> Reads;
    for (const FunctionDecl *Fn : Fns)
      exitReads(Fn, Fn == Fns.front() ? W.Callable.Lambda : nullptr, C, SM,
                Reads);
    if (Reads.empty())
      continue;
    if (!Index) {
      llvm::SmallVector<const Stmt *, 8> Sites;
      for (const Worker &Wk : Workers)
        Sites.push_back(Wk.S.Site);
      Index = std::make_unique<model::LockIndex>(
          C, LockTypes, llvm::ArrayRef<StringRef>(), Sites);
    }
    if (Entries.empty())
      for (const Worker &Wk : Workers)
        if (const FunctionDecl *Def = model::definitionOf(Wk.Callable))
          Entries.insert(Def);
    const FunctionDecl *SpawnFn = nullptr;
    bool SpawnFnKnown = false;
    for (const FlagRead &R : Reads) {
      if (Index->escapes(R.Flag))
        continue;
      const SourceLocation Loc = model::reportLoc(R.At->getBeginLoc(), SM);
      if (Loc.isInvalid() || SM.isInSystemHeader(Loc) || Reported.count(Loc))
        continue;
      llvm::SmallVector<const ValueDecl *, 2> ReadHeld;
      bool ReadHeldKnown = false;
      for (const model::FlagWrite &Wr : Index->writesOf(R.Flag)) {
        if (Seen.count(Wr.Fn) || isa<CXXConstructorDecl>(Wr.Fn))
          continue; // the worker itself; before any thread can run
        if (!model::writerThreadKnown(Wr, Entries))
          continue; // a callback: may run on the worker itself
        if (!setsConstant(Wr.E, C))
          continue; // a counter or a setting, not a stop request
        if (model::fieldPath(Wr.Target) != model::fieldPath(R.Ref))
          continue; // another object's field: `cur.done` against `e.done`
        if (!SpawnFnKnown) {
          SpawnFn = Index->functionOf(W.S.Site);
          SpawnFnKnown = true;
        }
        if (Wr.Fn == SpawnFn &&
            SM.isBeforeInTranslationUnit(Wr.E->getBeginLoc(),
                                         W.S.Site->getBeginLoc()))
          continue; // written before the thread starts
        if (!ReadHeldKnown) {
          ReadHeld = Index->heldAt(R.Ref, R.Fn);
          ReadHeldKnown = true;
        }
        llvm::SmallVector<const ValueDecl *, 2> WriteHeld =
            Index->heldAt(Wr.E, Wr.Fn);
        if (intersects(ReadHeld, WriteHeld))
          continue;
        Reported.insert(Loc);
        diag(Loc, "loop exits on non-atomic flag %0, which another thread "
                  "writes; the read is a data race and the loop may never see "
                  "the write")
            << model::declName(R.Flag);
        if (WriteHeld.empty())
          diag(model::reportLoc(Wr.E->getBeginLoc(), SM),
               "another thread writes %0 here", DiagnosticIDs::Note)
              << model::declName(R.Flag);
        else
          diag(model::reportLoc(Wr.E->getBeginLoc(), SM),
               "another thread writes %0 here, holding %1, which the read does "
               "not hold",
               DiagnosticIDs::Note)
              << model::declName(R.Flag) << model::declName(WriteHeld.front());
        diag(model::reportLoc(W.S.Site->getBeginLoc(), SM),
             "the worker is started here", DiagnosticIDs::Note);
        QualType T = R.Flag->getType().getUnqualifiedType();
        T.removeLocalVolatile();
        diag(Loc,
             "declare %0 as std::atomic<%1>, or stop the worker with "
             "std::jthread and std::stop_token, or a tether::Context",
             DiagnosticIDs::Note)
            << model::declName(R.Flag)
            << T.getAsString(C.getPrintingPolicy());
        break;
      }
    }
  }
  Workers.clear();
  Ctx = nullptr;
}

} // namespace clang::tidy::tether
