//===--- ExceptionEscapesThreadCheck.cpp - tether-exception-escapes-thread ===//

#include "ExceptionEscapesThreadCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "utils/ThrowModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// Standard functions that throw on bad input (std::exception and classes
/// derived from it), named through their templates.
static constexpr llvm::StringLiteral DefaultThrowingFunctions =
    "::std::stoi;::std::stol;::std::stoll;::std::stoul;::std::stoull;"
    "::std::stof;::std::stod;::std::stold;::std::vector::at;::std::deque::at;"
    "::std::array::at;::std::basic_string::at;::std::basic_string_view::at;"
    "::std::map::at;::std::unordered_map::at;::std::optional::value;"
    "::std::any_cast";

ExceptionEscapesThreadCheck::ExceptionEscapesThreadCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt,
             model::DefaultSpawnFunctions),
      CatchingSpawnFunctions(utils::options::parseStringList(Options.get(
          "CatchingSpawnFunctions", model::DefaultCatchingSpawnFunctions))),
      ThrowingFunctions(utils::options::parseStringList(
          Options.get("ThrowingFunctions", DefaultThrowingFunctions))) {}

void ExceptionEscapesThreadCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "CatchingSpawnFunctions",
                utils::options::serializeStringList(CatchingSpawnFunctions));
  Options.store(Opts, "ThrowingFunctions",
                utils::options::serializeStringList(ThrowingFunctions));
}

void ExceptionEscapesThreadCheck::registerMatchers(MatchFinder *Finder) {
  // Every spawn form of the shared model, pthread_create included; the
  // model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, SpawnFunctions, /*CCreate=*/true);
}

void ExceptionEscapesThreadCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  const SourceManager &SM = *Result.SourceManager;
  if (!Site || SM.isInSystemHeader(SM.getExpansionLoc(Site->getBeginLoc())))
    return;
  std::optional<model::Spawn> S =
      model::asSpawn(Site, ThreadTypes, SpawnFunctions);
  if (!S)
    return;
  // Tasks whose exceptions reach their owner (tether::Group::go).
  for (StringRef N : CatchingSpawnFunctions)
    if (N.ltrim(':') == S->Spawner)
      return;
  model::ResolvedCallable Callable = model::resolveCallable(S->Callable);
  const FunctionDecl *Entry = model::definitionOf(Callable);
  if (!Entry)
    return;
  // A standard wrapper (std::packaged_task, std::function) decides itself
  // what becomes of an exception: packaged_task hands it to the future.
  if (const auto *M = dyn_cast<CXXMethodDecl>(Entry))
    if (M->getParent()->isInStdNamespace())
      return;
  const Decl *Key = Callable.Lambda ? static_cast<const Decl *>(
                                          Callable.Lambda->getLambdaClass())
                                    : Entry->getCanonicalDecl();
  if (Reported.contains(Key))
    return;
  llvm::SmallVector<flow::ThrowModel::Escape, 2> Escapes =
      model::TUModel::of(*Result.Context)
          .throwModel(ThreadTypes)
          .escapesOf(Entry, ThrowingFunctions);
  // The pointer form of std::any_cast returns null instead of throwing.
  llvm::erase_if(Escapes, [](const flow::ThrowModel::Escape &E) {
    const auto *Call = dyn_cast<CallExpr>(E.At);
    return Call && E.Callee && E.Callee->getNameAsString() == "any_cast" &&
           Call->getNumArgs() == 1 &&
           Call->getArg(0)->getType()->isPointerType();
  });
  if (Escapes.empty())
    return;
  Reported.insert(Key);
  const flow::ThrowModel::Escape &First = Escapes.front();
  const SourceLocation Loc = model::reportLoc(
      isa<CallExpr>(First.At) ? cast<CallExpr>(First.At)->getExprLoc()
                              : First.At->getBeginLoc(),
      SM);
  const std::string EntryName =
      Callable.Lambda ? std::string("the thread's lambda") : Callable.Name;
  if (First.Callee) {
    const auto *M = dyn_cast<CXXMethodDecl>(First.Callee);
    const std::string CalleeName =
        M && M->getParent()->isLambda()
            ? std::string("the lambda called here")
            : "'" + First.Callee->getQualifiedNameAsString() + "'";
    diag(Loc, "%0 may throw out of %1; an exception that leaves a thread's "
              "entry calls std::terminate")
        << CalleeName << EntryName;
  }
  else
    diag(Loc, "exception thrown here can leave %0; an exception that leaves "
              "a thread's entry calls std::terminate")
        << EntryName;
  for (size_t I = 1; I < Escapes.size() && I < 4; ++I)
    diag(model::reportLoc(Escapes[I].At->getBeginLoc(), SM),
         "and here", DiagnosticIDs::Note);
  diag(model::reportLoc(S->Site->getBeginLoc(), SM), "thread started here by %0",
       DiagnosticIDs::Note)
      << S->Spawner;
  diag(Loc,
       "catch at the top of the entry and hand the error to the owner (a "
       "tether::Channel, a std::promise), or run the work in a tether::Group, "
       "whose wait() returns the exception",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
