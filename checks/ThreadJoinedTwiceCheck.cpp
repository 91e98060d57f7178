//===--- ThreadJoinedTwiceCheck.cpp - tether-thread-joined-twice ----------===//

#include "ThreadJoinedTwiceCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/FunctionCFG.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

ThreadJoinedTwiceCheck::ThreadJoinedTwiceCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Shared(Options, model::ThreadTypesOpt) {}

void ThreadJoinedTwiceCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
}

void ThreadJoinedTwiceCheck::registerMatchers(MatchFinder *Finder) {
  // The function to analyse is found from declarations, never through the
  // parent map of the TU (building it cost 1.5 s on cpp-httplib's test.cc):
  //  - a join or detach on a local: the local's function;
  //  - a method of a class with a thread field: every such method;
  //  - c.stop() on a local object of such a class: the local's function
  //    (stop() may join a field that c's destructor joins again).
  const auto LocalRef = declRefExpr(to(varDecl(hasLocalStorage()).bind("local")));
  std::vector<StringRef> CNames =
      utils::options::parseStringList(model::JoinFunctions);
  for (StringRef N : utils::options::parseStringList(model::DefaultDetachFunctions))
    CNames.push_back(N);
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyName(CNames))), argumentCountAtLeast(1),
               hasArgument(0, ignoringParenImpCasts(LocalRef))),
      this);
  const auto CHandleField = fieldDecl(hasType(qualType(hasDeclaration(
      typedefNameDecl(hasAnyName("pthread_t", "thrd_t"))))));
  if (ThreadTypes.empty() || !getLangOpts().CPlusPlus)
    return;
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(anyOf(
                            model::threadMethod("join", ThreadTypes),
                            model::threadMethod("detach", ThreadTypes)))),
                        on(ignoringParenImpCasts(LocalRef))),
      this);
  const auto ThreadField = fieldDecl(hasType(hasUnqualifiedDesugaredType(
      recordType(hasDeclaration(cxxRecordDecl(model::threadClass(ThreadTypes)))))));
  const auto WithThreadField =
      cxxRecordDecl(anyOf(has(ThreadField), has(CHandleField)));
  Finder->addMatcher(
      cxxMethodDecl(isDefinition(), ofClass(WithThreadField)).bind("method"),
      this);
  Finder->addMatcher(
      cxxMemberCallExpr(on(ignoringParenImpCasts(LocalRef)),
                        callee(cxxMethodDecl(ofClass(WithThreadField)))),
      this);
}

void ThreadJoinedTwiceCheck::check(const MatchFinder::MatchResult &Result) {
  const FunctionDecl *FD = Result.Nodes.getNodeAs<CXXMethodDecl>("method");
  if (!FD)
    if (const auto *VD = Result.Nodes.getNodeAs<VarDecl>("local"))
      FD = dyn_cast_or_null<FunctionDecl>(VD->getParentFunctionOrMethod());
  if (!FD)
    return;
  const SourceManager &SM = *Result.SourceManager;
  if (SM.isInSystemHeader(SM.getExpansionLoc(FD->getLocation())))
    return;
  checkFunction(FD, *Result.Context);
}

void ThreadJoinedTwiceCheck::checkFunction(const FunctionDecl *FD,
                                           ASTContext &Ctx) {
  if (!FD->hasBody() || !Analysed.insert(FD->getCanonicalDecl()).second)
    return;
  if (!Flow || FlowCtx != &Ctx) {
    Flow = std::make_unique<flow::DischargeFlow>(ThreadTypes, Ctx);
    FlowCtx = &Ctx;
  }
  for (const flow::Repeat &R : Flow->repeatsIn(FD))
    report(R, Ctx);
}

/// "thread 't'", "thread 'worker_'", "thread 'c.worker_'".
static std::string handleName(const flow::HandleKey &K) {
  std::string Name;
  if (K.Base)
    Name = K.Base->getName().str();
  if (K.Field)
    Name += (Name.empty() ? "" : ".") + K.Field->getName().str();
  return "thread '" + Name + "'";
}

static StringRef verb(model::Discharge D) {
  return D == model::Discharge::Join ? "joined" : "detached";
}

/// "'stop'", "'~Worker'".
static std::string fnName(const FunctionDecl *FD) {
  return FD ? "'" + FD->getNameAsString() + "'" : std::string("a call");
}

void ThreadJoinedTwiceCheck::report(const flow::Repeat &R, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = model::reportLoc(R.Second.At->getBeginLoc(), SM);
  if (Loc.isInvalid() || SM.isInSystemHeader(Loc) || !Reported.insert(Loc).second)
    return;
  diag(Loc, "%0 may be %1 after it was already %2; %3")
      << handleName(R.Key) << verb(R.Second.Kind) << verb(R.First.Kind)
      << (R.CHandle ? "this is undefined behaviour"
                    : "this throws std::system_error");
  if (R.First.Via)
    diag(model::reportLoc(flow::exitLoc(R.First.Via), SM),
         "it was %0 here, by %1", DiagnosticIDs::Note)
        << verb(R.First.Kind) << fnName(R.First.ViaFn);
  else
    diag(model::reportLoc(R.First.At->getBeginLoc(), SM),
         R.First.At == R.Second.At && !R.Second.Via
             ? "it was %0 here on an earlier iteration of the loop"
             : "it was %0 here",
         DiagnosticIDs::Note)
        << verb(R.First.Kind);
  if (R.Second.Via)
    diag(model::reportLoc(flow::exitLoc(R.Second.Via), SM),
         "and is %0 again here, by %1", DiagnosticIDs::Note)
        << verb(R.Second.Kind) << fnName(R.Second.ViaFn);
  diag(Loc,
       R.CHandle ? "join or detach each thread handle once, or own the thread "
                   "with std::jthread or tether::WaitGroup"
                 : "test joinable() first, or own the thread with std::jthread "
                   "or tether::WaitGroup",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
