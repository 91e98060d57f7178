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
  // The function of every join() or detach() on a thread class (the
  // receiver's class decides, never the method name alone) is analysed once.
  if (!ThreadTypes.empty() && getLangOpts().CPlusPlus) {
    Finder->addMatcher(
        cxxMemberCallExpr(callee(cxxMethodDecl(anyOf(
                              model::threadMethod("join", ThreadTypes),
                              model::threadMethod("detach", ThreadTypes)))))
            .bind("discharge"),
        this);
    // c.stop() on a local object of a class with thread fields: stop() may
    // join a field that c's destructor joins again at the scope exit.
    Finder->addMatcher(
        cxxMemberCallExpr(
            on(declRefExpr(to(varDecl(hasLocalStorage())))),
            callee(cxxMethodDecl(ofClass(cxxRecordDecl(has(fieldDecl(
                hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(
                    cxxRecordDecl(model::threadClass(ThreadTypes)))))))))))))
            .bind("discharge"),
        this);
  }
  // pthread_join(t, ...), pthread_detach(t), thrd_join, thrd_detach.
  std::vector<StringRef> CNames =
      utils::options::parseStringList(model::JoinFunctions);
  for (StringRef N : utils::options::parseStringList(model::DefaultDetachFunctions))
    CNames.push_back(N);
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyName(CNames))), argumentCountAtLeast(1))
          .bind("discharge"),
      this);
}

void ThreadJoinedTwiceCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Call = Result.Nodes.getNodeAs<Stmt>("discharge");
  if (!Call)
    return;
  const SourceManager &SM = *Result.SourceManager;
  if (SM.isInSystemHeader(SM.getExpansionLoc(Call->getBeginLoc())))
    return;
  if (const FunctionDecl *FD = model::innermostFunction(Call, *Result.Context))
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
