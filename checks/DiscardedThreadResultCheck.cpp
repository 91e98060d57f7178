//===--- DiscardedThreadResultCheck.cpp - tether-discarded-thread-result --===//

#include "DiscardedThreadResultCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// Spawn methods that throw the callable's result away. tether::Group::go is
/// not one: its tasks return std::error_code, which the group collects.
static constexpr llvm::StringLiteral DefaultDiscardingSpawnFunctions =
    "::tether::WaitGroup::go";

DiscardedThreadResultCheck::DiscardedThreadResultCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::SpawnFunctionsOpt,
             DefaultDiscardingSpawnFunctions),
      IgnoredReturnTypes(utils::options::parseStringList(
          Options.get("IgnoredReturnTypes", ""))) {}

void DiscardedThreadResultCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "IgnoredReturnTypes",
                utils::options::serializeStringList(IgnoredReturnTypes));
}

void DiscardedThreadResultCheck::registerMatchers(MatchFinder *Finder) {
  // Candidates only: constructions of thread types and calls to spawn
  // functions; the spawn model decides in check().
  SpawnSites.add(*Finder, this, ThreadTypes, DiscardingSpawnFunctions, /*CCreate=*/false);
}

bool DiscardedThreadResultCheck::isIgnored(QualType T, ASTContext &Ctx) const {
  QualType Canon = T.getCanonicalType().getUnqualifiedType();
  const std::string Printed = Canon.getAsString(Ctx.getPrintingPolicy());
  for (StringRef Name : IgnoredReturnTypes) {
    StringRef Plain = Name.ltrim(':');
    if (Printed == Plain)
      return true;
    if (const auto *RD = Canon->getAsCXXRecordDecl())
      if (RD->getQualifiedNameAsString() == Plain)
        return true;
  }
  return false;
}

void DiscardedThreadResultCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>("spawn");
  std::optional<model::Spawn> S =
      model::asSpawn(Site, ThreadTypes, DiscardingSpawnFunctions);
  if (!S || S->Kind == model::SpawnKind::CCreate)
    return;
  model::ResolvedCallable Callable = model::resolveCallable(S->Callable);
  if (!Callable)
    return;
  QualType Ret = Callable.Function->getReturnType();
  // Dependent or undeduced: decided in the instantiation, if any.
  if (Ret.isNull() || Ret->isDependentType() || Ret->isUndeducedType() ||
      Ret->isVoidType() || isIgnored(Ret, *Result.Context))
    return;

  const SourceLocation Loc =
      model::reportLoc(S->Callable->getBeginLoc(), *Result.SourceManager);
  if (!Reported.insert(Loc).second)
    return;
  const bool IsError = Ret.getAsString().find("error") != std::string::npos;
  diag(Loc, "%0 discards the %1 returned by %2; the %select{result|error}3 is "
            "lost")
      << S->Spawner << Ret << Callable.Name << IsError;
  if (!Callable.Lambda)
    diag(Callable.Function->getLocation(), "%0 declared here",
         DiagnosticIDs::Note)
        << ("'" + Callable.Function->getQualifiedNameAsString() + "'");
  diag(Loc,
       "send the result to the owner through a tether::Channel, or run the "
       "task in a tether::Group, whose tasks return std::error_code",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
