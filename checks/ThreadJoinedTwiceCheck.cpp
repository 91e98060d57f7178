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
  if (ThreadTypes.empty() || !getLangOpts().CPlusPlus)
    return;
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(anyOf(
                            model::threadMethod("join", ThreadTypes),
                            model::threadMethod("detach", ThreadTypes)))),
                        on(ignoringParenImpCasts(LocalRef))),
      this);
  // Whether the class has a thread field is asked in check(), once per
  // class: a has(fieldDecl(...)) matcher here was memoised per call and
  // cost seconds on a large TU.
  Finder->addMatcher(cxxMethodDecl(isDefinition()).bind("method"), this);
  Finder->addMatcher(
      cxxMemberCallExpr(on(ignoringParenImpCasts(LocalRef))).bind("call"),
      this);
}

bool ThreadJoinedTwiceCheck::holdsThreadField(const CXXRecordDecl *RD,
                                              ASTContext &Ctx) {
  if (!RD || !RD->hasDefinition())
    return false;
  RD = RD->getDefinition();
  auto [It, New] = ThreadFieldClasses.try_emplace(RD, false);
  if (!New)
    return It->second;
  const bool Holds = llvm::any_of(RD->fields(), [&](const FieldDecl *F) {
    return model::isThreadHandleType(F->getType(), ThreadTypes, Ctx);
  });
  ThreadFieldClasses[RD] = Holds;
  return Holds;
}

void ThreadJoinedTwiceCheck::check(const MatchFinder::MatchResult &Result) {
  ASTContext &Ctx = *Result.Context;
  const FunctionDecl *FD = nullptr;
  if (const auto *M = Result.Nodes.getNodeAs<CXXMethodDecl>("method")) {
    if (!holdsThreadField(M->getParent(), Ctx))
      return;
    FD = M;
  } else if (const auto *Call =
                 Result.Nodes.getNodeAs<CXXMemberCallExpr>("call")) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (!M || !holdsThreadField(M->getParent(), Ctx))
      return;
    // Only a method or a destructor that joins or detaches a field already
    // discharged when it is called can repeat one: the caller is analysed
    // only then (most calls on a local object read or configure it).
    flow::DischargeFlow &F = flowFor(Ctx);
    const CXXDestructorDecl *Dtor = M->getParent()->getDestructor();
    if (F.summaryOf(M).AtEntry.empty() &&
        (!Dtor || F.summaryOf(Dtor).AtEntry.empty()))
      return;
  }
  if (!FD)
    if (const auto *VD = Result.Nodes.getNodeAs<VarDecl>("local"))
      FD = dyn_cast_or_null<FunctionDecl>(VD->getParentFunctionOrMethod());
  if (!FD)
    return;
  const SourceManager &SM = *Result.SourceManager;
  if (SM.isInSystemHeader(SM.getExpansionLoc(FD->getLocation())))
    return;
  checkFunction(FD, Ctx);
}

flow::DischargeFlow &ThreadJoinedTwiceCheck::flowFor(ASTContext &Ctx) {
  if (!Flow || FlowCtx != &Ctx) {
    Flow = std::make_unique<flow::DischargeFlow>(ThreadTypes, Ctx);
    FlowCtx = &Ctx;
  }
  return *Flow;
}

void ThreadJoinedTwiceCheck::checkFunction(const FunctionDecl *FD,
                                           ASTContext &Ctx) {
  if (!FD->hasBody() || !Analysed.insert(FD->getCanonicalDecl()).second)
    return;
  for (const flow::Repeat &R : flowFor(Ctx).repeatsIn(FD))
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
