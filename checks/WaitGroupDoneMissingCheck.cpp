//===--- WaitGroupDoneMissingCheck.cpp - tether-waitgroup-done-missing ----===//

#include "WaitGroupDoneMissingCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/HandleFlow.h"
#include "utils/PathCoverage.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "utils/ThrowModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include <functional>

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// WaitGroupTypes operations: 0 is add, 1 is done.
static constexpr unsigned DoneOp = 1;

WaitGroupDoneMissingCheck::WaitGroupDoneMissingCheck(StringRef Name,
                                                     ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt |
                          model::WaitGroupTypesOpt | model::ExceptionPathsOpt),
      CatchingSpawnFunctions(utils::options::parseStringList(Options.get(
          "CatchingSpawnFunctions", model::DefaultCatchingSpawnFunctions))),
      ExceptionPaths(Shared.ExceptionPaths) {}

void WaitGroupDoneMissingCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "CatchingSpawnFunctions",
                utils::options::serializeStringList(CatchingSpawnFunctions));
}

void WaitGroupDoneMissingCheck::registerMatchers(MatchFinder *Finder) {
  if (WaitGroupTypes.empty())
    return;
  // Candidates only: the spawn model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
}

/// True if \p S is inside a loop of \p Body (not counting nested lambdas):
/// a done() per iteration counts items, not the task.
static bool inLoop(const Stmt *S, const Stmt *Body) {
  bool Found = false;
  std::function<void(const Stmt *, bool)> Walk = [&](const Stmt *N,
                                                     bool Loop) {
    if (!N || Found || isa<LambdaExpr>(N))
      return;
    if (N == S) {
      Found = Loop;
      return;
    }
    const bool IsLoop =
        isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(N);
    for (const Stmt *Child : N->children())
      Walk(Child, Loop || IsLoop);
  };
  Walk(Body, false);
  return Found;
}

/// True if \p Root is a counter the task itself owns: a local object declared
/// in \p Body (not a reference or pointer to someone else's).
static bool ownedBy(const ValueDecl *Root, const FunctionDecl *Body) {
  const auto *VD = dyn_cast<VarDecl>(Root);
  if (!VD || !VD->isLocalVarDecl() || VD->getType()->isReferenceType() ||
      VD->getType()->isPointerType())
    return false;
  return VD->getParentFunctionOrMethod() == Body;
}

/// True if \p E names \p Root: the counter itself or a local alias of it.
static bool names(const Expr *E, const ValueDecl *Root) {
  return E && model::syncRoot(E) == Root;
}

void WaitGroupDoneMissingCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  const std::optional<model::SpawnedTask> Task = model::spawnedTask(
      Site, ThreadTypes, SpawnFunctions, WaitGroupTypes, DoneOp);
  if (!Task)
    return;
  const model::Spawn &S = Task->S;
  const model::ResolvedCallable &Callable = Task->Callable;
  const FunctionDecl *Body = Task->Body;
  const llvm::SmallVector<model::SyncCall, 4> &Dones = Task->Calls;
  ASTContext &Ctx = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  // An exception leaving a std::thread, a pthread, a WaitGroup::go task or
  // a coroutine of most libraries terminates the process: no owner is left
  // waiting. Only spawners known to catch it (tether::Group, executors the
  // user lists) let the owner wait on while the task's done() is skipped.
  bool Catches = false;
  if (S.Kind == model::SpawnKind::SpawnCall)
    for (StringRef N : CatchingSpawnFunctions)
      if (N.ltrim(':') == S.Spawner)
        Catches = true;
  const bool Terminates = !Catches;
  flow::CoverageConfig Config;
  Config.ExceptionPaths = ExceptionPaths;
  Config.EscapeCounts = !Terminates && !flow::isNoThrow(Body);
  Config.Throws = &model::TUModel::of(Ctx).throwModel(ThreadTypes);

  llvm::SmallVector<const ValueDecl *, 2> Done;
  for (const model::SyncCall &First : Dones) {
    const ValueDecl *Root = model::syncRoot(First.Object);
    if (!Root || llvm::is_contained(Done, Root))
      continue;
    Done.push_back(Root);
    // wg.go(f) calls done() itself when f ends.
    if ((Task->SpawnedByCounter && Root == Task->SpawnerRoot) ||
        ownedBy(Root, Body))
      continue;
    if (llvm::any_of(Dones, [&](const model::SyncCall &C) {
          return model::syncRoot(C.Object) == Root &&
                 inLoop(C.Call, Body->getBody());
        }))
      continue;

    const auto *Field = dyn_cast<FieldDecl>(Root);
    // What discharges the duty on a path: done() on the counter; handing
    // the counter to a call, a constructor (a scope guard) or a lambda,
    // which may call done() for the task; for a member counter, a call to a
    // method of the same class that calls done() on it.
    auto Covers = [&](const Stmt *St) {
      if (const auto *E = dyn_cast<Expr>(St)) {
        if (std::optional<model::SyncCall> C = model::asSyncCall(E, WaitGroupTypes))
          return C->Op == DoneOp && names(C->Object, Root);
      }
      if (const auto *Lambda = dyn_cast<LambdaExpr>(St)) {
        for (const LambdaCapture &Cap : Lambda->captures()) {
          if (Cap.capturesThis() && Field)
            return true;
          if (Cap.capturesVariable())
            if (const auto *V = dyn_cast<ValueDecl>(Cap.getCapturedVar()))
              if (V == Root || model::rootOfDecl(V) == Root)
                return true;
        }
        return false;
      }
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(St)) {
        if (Construct->getConstructor()->isCopyOrMoveConstructor())
          return false;
        return llvm::any_of(Construct->arguments(),
                            [&](const Expr *A) { return names(A, Root); });
      }
      const auto *Call = dyn_cast<CallExpr>(St);
      if (!Call)
        return false;
      for (const Expr *A : Call->arguments())
        if (names(A, Root))
          return true;
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
        const CXXMethodDecl *M = MC->getMethodDecl();
        const FunctionDecl *Def = nullptr;
        if (Field && M && M->getParent() == Field->getParent() &&
            M->hasBody(Def))
          return llvm::any_of(
              model::syncCallsIn(Def->getBody(), WaitGroupTypes, DoneOp),
              [&](const model::SyncCall &C) {
                return model::syncRoot(C.Object) == Root;
              });
      }
      return false;
    };
    const std::optional<flow::Skip> Skip =
        flow::findUncoveredPath(Body, Ctx, Covers, Config);
    if (!Skip)
      continue;

    const SourceLocation Loc = model::reportLoc(First.Call->getExprLoc(), SM);
    if (!Reported.insert(Loc).second)
      continue;
    const StringRef Method =
        First.Call->getDirectCallee()->getDeclName().isIdentifier()
            ? First.Call->getDirectCallee()->getName()
            : "done";
    diag(Loc, "%0() on %1 is not called on every path of %2; the owner's "
              "wait() may never return")
        << Method << model::rootName(Root) << Callable.Name;
    const SourceLocation SkipLoc = model::reportLoc(Skip->Loc, SM);
    const bool IsThrow = isa_and_nonnull<CXXThrowExpr>(Skip->At);
    switch (Skip->Kind) {
    case flow::SkipKind::Return:
      diag(SkipLoc, "this return skips %0()", DiagnosticIDs::Note) << Method;
      break;
    case flow::SkipKind::FallOff:
      diag(SkipLoc, "%0 ends here without calling %1()", DiagnosticIDs::Note)
          << Callable.Name << Method;
      break;
    case flow::SkipKind::CaughtException:
      diag(SkipLoc,
           "%select{an exception from this call|the exception thrown here}0 "
           "is caught inside the task and skips %1()",
           DiagnosticIDs::Note)
          << IsThrow << Method;
      break;
    case flow::SkipKind::Exception:
      diag(SkipLoc,
           "%select{an exception from this call|the exception thrown here}0 "
           "leaves the task without %1(); %2 may catch it and run on",
           DiagnosticIDs::Note)
          << IsThrow << Method << S.Spawner;
      break;
    }
    diag(model::reportLoc(S.Callable->getBeginLoc(), SM),
         "%0 is started here", DiagnosticIDs::Note)
        << Callable.Name;
    if (First.Type->Name == "tether::WaitGroup")
      diag(Loc,
           "start the task with %0, which calls done() however it "
           "ends, or call done() from a scope guard",
           DiagnosticIDs::Note)
          << model::spellCall(Root, "go", WaitGroupTypes);
    else
      diag(Loc, "call %0() from a scope guard that runs on every path",
           DiagnosticIDs::Note)
          << Method;
  }
}

} // namespace clang::tidy::tether
