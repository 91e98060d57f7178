//===--- StopWithoutLockCheck.cpp - tether-stop-without-lock --------------===//
//
// A matcher notes that the translation unit waits on a condition variable
// with a predicate; at its end, LockIndex lists the predicated waits, the
// notifies, the lock acquisitions and the writes of every flag. For each
// wait, with M the mutex of its lock:
//   - the flags its predicate reads (a lambda or a function the TU defines):
//     variables and fields of integral, boolean or enumeration type, or
//     std::atomic; a local of the waiter only when captured by reference;
//   - each write of such a flag in another function (not a constructor, not
//     a lambda that no spawn of the shared spawn model runs: a callback may
//     run on the waiter's own thread) that does not hold M there
//     (LockIndex::heldAt);
//   - followed, in the same function, by a notify on the same condition
//     variable, with no acquisition of M between the write and the notify
//     (an empty critical section there is the accepted idiom).
// The finding is at the write. A write whose notify is in another function
// is not followed: a missed finding, never a guessed one.
//
//===----------------------------------------------------------------------===//

#include "StopWithoutLockCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/LockModel.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

StopWithoutLockCheck::StopWithoutLockCheck(StringRef Name,
                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt),
      LockTypes(utils::options::parseStringList(
          Options.get("LockTypes", model::DefaultLockTypes))),
      ConditionVariableTypes(utils::options::parseStringList(Options.get(
          "ConditionVariableTypes", model::DefaultConditionVariableTypes))) {}

void StopWithoutLockCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "LockTypes",
                utils::options::serializeStringList(LockTypes));
  Options.store(Opts, "ConditionVariableTypes",
                utils::options::serializeStringList(ConditionVariableTypes));
}

void StopWithoutLockCheck::registerMatchers(MatchFinder *Finder) {
  if (ConditionVariableTypes.empty())
    return;
  // The spawned entries: a write in a lambda counts only when a spawn runs
  // that lambda (the spawn model decides in check()).
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
  // Only a TU that waits with a predicate is indexed (at its end).
  Finder->addMatcher(
      cxxMemberCallExpr(
          callee(cxxMethodDecl(
              hasAnyName("wait", "wait_for", "wait_until"),
              ofClass(cxxRecordDecl(
                  isSameOrDerivedFrom(hasAnyName(ConditionVariableTypes)))))),
          argumentCountAtLeast(2),
          // The standard library's own waits are not the user's protocol.
          unless(isExpansionInSystemHeader()))
          .bind("wait"),
      this);
}

void StopWithoutLockCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
  if (Result.Nodes.getNodeAs<Expr>("wait")) {
    SawWait = true;
    return;
  }
  std::optional<model::Spawn> S = model::asSpawn(
      Result.Nodes.getNodeAs<Expr>("spawn"), ThreadTypes, SpawnFunctions);
  if (!S)
    return;
  if (const FunctionDecl *Def =
          model::definitionOf(model::resolveCallable(S->Callable)))
    Entries.insert(Def);
}

namespace {
/// The variables and fields a predicate reads, outside nested lambdas.
class PredicateReads : public RecursiveASTVisitor<PredicateReads> {
public:
  llvm::SmallVector<const Expr *, 4> Refs;
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool VisitDeclRefExpr(DeclRefExpr *E) { return Refs.push_back(E), true; }
  bool VisitMemberExpr(MemberExpr *E) { return Refs.push_back(E), true; }
};
} // namespace

/// The flag \p Ref reads in a predicate entered through \p Lambda (may be
/// null), when another function can set it.
static const ValueDecl *predicateFlag(const Expr *Ref, const LambdaExpr *Lambda) {
  const ValueDecl *D = model::flagOf(Ref);
  if (!D)
    return nullptr;
  const QualType T = D->getType();
  if (T->isReferenceType() || T->isDependentType() ||
      !(T->isIntegralOrEnumerationType() || model::isAtomicType(T)))
    return nullptr;
  const auto *Var = dyn_cast<VarDecl>(D);
  if (!Var || !Var->hasLocalStorage())
    return D;
  const auto *DRE = dyn_cast<DeclRefExpr>(Ref->IgnoreParenImpCasts());
  if (!Lambda || !DRE || !DRE->refersToEnclosingVariableOrCapture())
    return nullptr;
  for (const LambdaCapture &C : Lambda->captures())
    if (C.capturesVariable() && C.getCapturedVar() == Var)
      return C.getCaptureKind() == LCK_ByRef ? D : nullptr;
  return nullptr;
}

static bool before(const SourceManager &SM, const Stmt *A, const Stmt *B) {
  return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
}

void StopWithoutLockCheck::onEndOfTranslationUnit() {
  if (!Ctx || !SawWait) {
    Ctx = nullptr;
    Entries.clear();
    return;
  }
  ASTContext &C = *Ctx;
  Ctx = nullptr;
  SawWait = false;
  const SourceManager &SM = C.getSourceManager();
  model::LockIndex Index(C, LockTypes, ConditionVariableTypes);

  for (const model::PredicatedWait &W : Index.waits()) {
    model::ResolvedCallable Pred = model::resolveCallable(W.Predicate);
    const FunctionDecl *PredFn = Pred ? model::definitionOf(Pred) : nullptr;
    if (!PredFn || !PredFn->getBody() || PredFn->isDependentContext())
      continue;
    PredicateReads Reads;
    Reads.TraverseStmt(PredFn->getBody());
    llvm::SmallVector<const ValueDecl *, 4> Flags;
    for (const Expr *Ref : Reads.Refs)
      if (const ValueDecl *F = predicateFlag(Ref, Pred.Lambda))
        if (!llvm::is_contained(Flags, F) && !Index.escapes(F))
          Flags.push_back(F);

    for (const ValueDecl *F : Flags) {
      for (const model::FlagWrite &Wr : Index.writesOf(F)) {
        if (Wr.Fn == W.Fn || Wr.Fn == PredFn || isa<CXXConstructorDecl>(Wr.Fn))
          continue;
        if (!model::writerThreadKnown(Wr, Entries))
          continue; // a callback: may run on the waiter's own thread
        const SourceLocation Loc = model::reportLoc(Wr.E->getBeginLoc(), SM);
        if (Loc.isInvalid() || SM.isInSystemHeader(Loc) || Reported.count(Loc))
          continue;
        // The first notify of the same condition variable after the write.
        const model::Notify *N = nullptr;
        for (const model::Notify &Cand : Index.notifies())
          if (Cand.Fn == Wr.Fn && Cand.CV == W.CV && before(SM, Wr.E, Cand.Call) &&
              (!N || before(SM, Cand.Call, N->Call)))
            N = &Cand;
        if (!N)
          continue;
        if (llvm::is_contained(Index.heldAt(Wr.E, Wr.Fn), W.Mutex))
          continue;
        // `{ std::lock_guard l(m); }` (or m.lock(); m.unlock();) between the
        // write and the notify: the waiter is either before its check or
        // asleep, and the notify reaches it.
        if (llvm::any_of(Index.acquires(), [&](const model::Acquire &A) {
              return A.Fn == Wr.Fn && A.Mutex == W.Mutex &&
                     before(SM, Wr.E, A.At) && before(SM, A.At, N->Call);
            }))
          continue;
        Reported.insert(Loc);
        diag(Loc, "%0 is set without holding %1, under which a waiter's "
                  "predicate reads it; the waiter can miss the notify and "
                  "%select{block forever|sleep until its timeout}2")
            << model::declName(F) << model::declName(W.Mutex) << W.Timed;
        diag(model::reportLoc(W.Call->getBeginLoc(), SM),
             "the waiter checks %0 under %1 here", DiagnosticIDs::Note)
            << model::declName(F) << model::declName(W.Mutex);
        diag(model::reportLoc(N->Call->getBeginLoc(), SM),
             "the notify here can come between the waiter's check and its "
             "sleep",
             DiagnosticIDs::Note);
        diag(Loc,
             "set %0 while holding %1, or wait with "
             "std::condition_variable_any::wait(lock, stop_token, pred)",
             DiagnosticIDs::Note)
            << model::declName(F) << model::declName(W.Mutex);
      }
    }
  }
  Entries.clear();
}

} // namespace clang::tidy::tether
