//===--- WaitGroupAddInsideSpawnCheck.cpp - tether-waitgroup-add-inside-spawn ===//

#include "WaitGroupAddInsideSpawnCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// WaitGroupTypes operations: 0 is add, 1 is done.
static constexpr int AddOp = 0;

WaitGroupAddInsideSpawnCheck::WaitGroupAddInsideSpawnCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt |
                          model::WaitGroupTypesOpt) {}

void WaitGroupAddInsideSpawnCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
}

void WaitGroupAddInsideSpawnCheck::registerMatchers(MatchFinder *Finder) {
  if (WaitGroupTypes.empty())
    return;
  // Candidates only: the spawn model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
}

/// True if \p Add subtracts: add(-1) is a done().
static bool isDecrement(const model::SyncCall &Add, const ASTContext &Ctx) {
  if (Add.Call->getNumArgs() < 1 || isa<CXXOperatorCallExpr>(Add.Call))
    return false;
  const Expr *Arg = Add.Call->getArg(0);
  Expr::EvalResult Value;
  return !Arg->isValueDependent() && Arg->EvaluateAsInt(Value, Ctx) &&
         Value.Val.getInt().isNegative();
}

void WaitGroupAddInsideSpawnCheck::check(
    const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  const std::optional<model::SpawnedTask> Task = model::spawnedTask(
      Site, ThreadTypes, SpawnFunctions, WaitGroupTypes, AddOp);
  if (!Task)
    return;
  ASTContext &Ctx = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  // add() in the spawning function before the spawn: the outer task is
  // counted already and the inner add() only extends the count. Looked up
  // only now that the task adds: finding the spawning function costs a
  // walk of that function (TUModel, once per function), and syncCallsIn()
  // another of its body.
  llvm::SmallVector<model::SyncCall, 4> Before;
  if (const FunctionDecl *Fn = model::innermostFunction(Site, Ctx))
    for (const model::SyncCall &C :
         model::syncCallsIn(Fn->getBody(), WaitGroupTypes, AddOp))
      if (SM.isBeforeInTranslationUnit(C.Call->getBeginLoc(),
                                       Site->getBeginLoc()) &&
          !isDecrement(C, Ctx))
        Before.push_back(C);

  for (const model::SyncCall &Add : Task->Calls) {
    if (isDecrement(Add, Ctx))
      continue;
    const ValueDecl *Root = model::syncRoot(Add.Object);
    // wg.go(f): f runs counted by wg, so an add() on wg inside f cannot let
    // wg's wait() return early (Go's nested wg.Add in a counted goroutine).
    if (Task->SpawnedByCounter &&
        (!Root || !Task->SpawnerRoot || Root == Task->SpawnerRoot))
      continue;
    if (llvm::any_of(Before, [&](const model::SyncCall &C) {
          const ValueDecl *R = model::syncRoot(C.Object);
          return !Root || !R || R == Root;
        }))
      continue;

    const SourceLocation Loc = model::reportLoc(Add.Call->getExprLoc(), SM);
    if (!Reported.insert(Loc).second)
      continue;
    const std::string Name = Root ? model::rootName(Root) : "the counter";
    const StringRef Method =
        Add.Call->getDirectCallee()->getDeclName().isIdentifier()
            ? Add.Call->getDirectCallee()->getName()
            : "add";
    diag(Loc, "%0() on %1 inside %2 run by %3 races with wait(); wait() may "
              "return before the task is counted")
        << Method << Name << Task->Callable.Name << Task->S.Spawner;
    diag(model::reportLoc(Task->S.Callable->getBeginLoc(), SM),
         "%0 is started here", DiagnosticIDs::Note)
        << Task->Callable.Name;
    const bool Tether = Add.Type->Name == "tether::WaitGroup";
    if (Tether)
      diag(Loc,
           "call %0() before starting the task, or start it with "
           "%1, which counts it before it runs",
           DiagnosticIDs::Note)
          << Method << model::spellCall(Root, "go", WaitGroupTypes);
    else
      diag(Loc, "call %0() before starting the task", DiagnosticIDs::Note)
          << Method;
  }
}

} // namespace clang::tidy::tether
