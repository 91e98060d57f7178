//===--- DetachedThreadCheck.cpp - tether-detached-thread -----------------===//

#include "DetachedThreadCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

DetachedThreadCheck::DetachedThreadCheck(StringRef Name,
                                         ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt),
      DetachFunctions(utils::options::parseStringList(
          Options.get("DetachFunctions", model::DefaultDetachFunctions))) {}

void DetachedThreadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "DetachFunctions",
                utils::options::serializeStringList(DetachFunctions));
}

void DetachedThreadCheck::registerMatchers(MatchFinder *Finder) {
  // t.detach(), p->detach(), std::thread(f).detach(): the method must belong to
  // a thread class (or a class derived from one); detach() on smart pointers,
  // coroutine handles, subscriptions and the like never matches.
  if (!ThreadTypes.empty() && getLangOpts().CPlusPlus)
    Finder->addMatcher(
        cxxMemberCallExpr(
            callee(model::threadMethod("detach", ThreadTypes)),
            on(expr().bind("handle")))
            .bind("detach"),
        this);

  // pthread_detach(t), thrd_detach(t): the detached thread is the first
  // argument.
  if (!DetachFunctions.empty())
    Finder->addMatcher(
        callExpr(callee(functionDecl(hasAnyName(DetachFunctions))),
                 argumentCountAtLeast(1),
                 hasArgument(0, expr().bind("c-handle")))
            .bind("c-detach"),
        this);

  // pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED): every thread
  // created with these attributes starts detached. The state argument is
  // checked in check(), since it is an enumerator in glibc and a macro in musl.
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasName(model::DetachStateSetter))),
               argumentCountIs(2), hasArgument(1, expr().bind("state")),
               hasArgument(0, expr().bind("attr")))
          .bind("setdetachstate"),
      this);
}

bool DetachedThreadCheck::firstReportAt(SourceLocation Loc) {
  return Reported.insert(Loc).second;
}

static const char *Consequence =
    "is detached; its owner can no longer wait for it, stop it or get its "
    "result";

void DetachedThreadCheck::check(const MatchFinder::MatchResult &Result) {
  const SourceManager &SM = *Result.SourceManager;

  if (const auto *Call = Result.Nodes.getNodeAs<CXXMemberCallExpr>("detach")) {
    const auto *Handle = Result.Nodes.getNodeAs<Expr>("handle");
    const SourceLocation Loc = model::reportLoc(Call->getExprLoc(), SM);
    if (!firstReportAt(Loc))
      return;
    diag(Loc, "%0 %1") << model::describeHandle(Handle) << Consequence;
    if (const Expr *Start = model::localStartSite(Handle, ThreadTypes))
      diag(model::reportLoc(Start->getBeginLoc(), SM), "thread started here",
           DiagnosticIDs::Note);
    diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
    return;
  }

  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("c-detach")) {
    const auto *Handle = Result.Nodes.getNodeAs<Expr>("c-handle");
    const SourceLocation Loc = model::reportLoc(Call->getBeginLoc(), SM);
    if (!firstReportAt(Loc))
      return;
    // pthread_detach(pthread_self()): the thread gives itself up.
    const auto *Inner = dyn_cast<CallExpr>(Handle->IgnoreParenImpCasts());
    const FunctionDecl *InnerCallee = Inner ? Inner->getDirectCallee() : nullptr;
    if (InnerCallee && InnerCallee->getDeclName().isIdentifier() &&
        (InnerCallee->getName() == "pthread_self" ||
         InnerCallee->getName() == "thrd_current")) {
      diag(Loc, "thread detaches itself; its owner can no longer wait for it, "
                "stop it or get its result");
    } else {
      diag(Loc, "%0 %1") << model::describeHandle(Handle) << Consequence;
    }
    diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
    return;
  }

  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("setdetachstate")) {
    const auto *State = Result.Nodes.getNodeAs<Expr>("state");
    if (!model::isSpelledAs(State, model::DetachedStateConstant,
                            *Result.Context))
      return;
    const SourceLocation Loc = model::reportLoc(Call->getBeginLoc(), SM);
    if (!firstReportAt(Loc))
      return;
    const auto *Attr = Result.Nodes.getNodeAs<Expr>("attr");
    const ValueDecl *AttrDecl = model::handleDecl(Attr);
    if (AttrDecl && AttrDecl->getDeclName().isIdentifier())
      diag(Loc, "thread attributes '%0' are set to detached; threads started "
                "with them cannot be joined")
          << AttrDecl->getName();
    else
      diag(Loc, "thread attributes are set to detached; threads started with "
                "them cannot be joined");
    diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
  }
}

} // namespace clang::tidy::tether
