//===--- ChannelClosedByReceiverCheck.cpp - tether-channel-closed-by-receiver ===//

#include "ChannelClosedByReceiverCheck.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/StringSet.h"
#include <functional>

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// ChannelTypes operations.
enum : unsigned { SendOp = 0, RecvOp = 1, CloseOp = 2 };

ChannelClosedByReceiverCheck::ChannelClosedByReceiverCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ChannelTypesOpt) {}

void ChannelClosedByReceiverCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
}

void ChannelClosedByReceiverCheck::registerMatchers(MatchFinder *Finder) {
  for (const model::SyncType &T : ChannelTypes)
    if (T.Ops.size() > CloseOp)
      for (const std::string &N : T.Ops[CloseOp])
        CloseNames.insert(N);
  if (CloseNames.empty())
    return;
  // Every function and lambda with a body; check() looks for close() calls
  // in it. (Matching the close() calls and walking up to their function would
  // build the TU's parent map, which costs more than the whole check.)
  Finder->addMatcher(functionDecl(isDefinition()).bind("fn"), this);
  Finder->addMatcher(lambdaExpr().bind("lambda"), this);
}

namespace {
/// What one function does with one channel.
struct ChannelUse {
  const Stmt *FirstRecv = nullptr;
  bool Sends = false;
  bool Escapes = false;
};
} // namespace

/// True if \p FD is a free function of the qualified name \p Name.
static bool isFunction(const FunctionDecl *FD, llvm::StringRef Name) {
  Name.consume_front("::");
  return FD && FD->getQualifiedNameAsString() == Name;
}

/// True if \p T is a receive-only view: a listed type without send or close
/// methods (tether::Receiver).
static bool isReceiveOnly(QualType T, llvm::ArrayRef<model::SyncType> Types) {
  const model::SyncType *ST = model::syncTypeOf(T, Types);
  return ST && ST->Ops.size() > CloseOp && ST->Ops[SendOp].empty() &&
         ST->Ops[CloseOp].empty();
}

/// Collects what \p Body does with the channel \p Root: receives directly in
/// the function; sends and escapes anywhere, nested lambdas included (a
/// lambda that sends makes its enclosing function a producer too).
static ChannelUse useOf(const Stmt *Body, const ValueDecl *Root,
                        llvm::ArrayRef<model::SyncType> Types) {
  ChannelUse U;
  auto Names = [&](const Expr *E) {
    return E && model::syncRoot(E) == Root;
  };
  std::function<void(const Stmt *, bool)> Walk = [&](const Stmt *S,
                                                     bool Nested) {
    if (!S)
      return;
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      Walk(Lambda->getBody(), true);
      return;
    }
    if (const auto *For = dyn_cast<CXXForRangeStmt>(S)) {
      const Expr *Range = For->getRangeInit();
      if (!Nested && Range && model::syncTypeOf(Range->getType(), Types) &&
          Names(Range) && !U.FirstRecv)
        U.FirstRecv = Range;
      // Not the implicit begin(__range) / end(__range) calls: they are the
      // receive, not an escape.
      Walk(For->getInit(), Nested);
      Walk(Range, Nested);
      Walk(For->getLoopVarStmt(), Nested);
      Walk(For->getBody(), Nested);
      return;
    }
    if (const auto *E = dyn_cast<Expr>(S)) {
      if (std::optional<model::SyncCall> C = model::asSyncCall(E, Types)) {
        if (Names(C->Object)) {
          if (C->Op == SendOp)
            U.Sends = true;
          else if (C->Op == RecvOp && !Nested && !U.FirstRecv)
            U.FirstRecv = C->Call;
        }
      } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
        const FunctionDecl *Callee = Call->getDirectCallee();
        const bool RecvCase = isFunction(Callee, model::ReceiveCaseFunctions);
        const bool SendCase = isFunction(Callee, model::SendCaseFunctions);
        for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
          const Expr *Arg = Call->getArg(I);
          if (!Names(Arg))
            continue;
          if (RecvCase && I == 0) {
            if (!Nested && !U.FirstRecv)
              U.FirstRecv = Call;
          } else if (SendCase && I == 0) {
            U.Sends = true;
          } else if (!(Callee && I < Callee->getNumParams() &&
                       isReceiveOnly(Callee->getParamDecl(I)->getType(),
                                     Types))) {
            // Handed to code that may send on it.
            U.Escapes = true;
          }
        }
      } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
        // std::thread(producer, std::ref(ch)), a Sender built from it, ...
        if (!Construct->getConstructor()->isCopyOrMoveConstructor() &&
            !isReceiveOnly(Construct->getType(), Types))
          for (const Expr *Arg : Construct->arguments())
            if (Names(Arg))
              U.Escapes = true;
      }
    }
    for (const Stmt *Child : S->children())
      Walk(Child, Nested);
  };
  Walk(Body, false);
  return U;
}

/// The calls in \p S named like a close method, not in nested lambdas (they
/// are functions of their own).
static void closeCandidates(const Stmt *S, const llvm::StringSet<> &Names,
                            llvm::SmallVectorImpl<const CallExpr *> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *Call = dyn_cast<CallExpr>(S))
    if (const FunctionDecl *FD = Call->getDirectCallee()) {
      const DeclarationName N = FD->getDeclName();
      if (N.isIdentifier() ? Names.contains(FD->getName())
                           : Names.contains(N.getAsString()))
        Out.push_back(Call);
    }
  for (const Stmt *Child : S->children())
    closeCandidates(Child, Names, Out);
}

void ChannelClosedByReceiverCheck::check(
    const MatchFinder::MatchResult &Result) {
  const FunctionDecl *Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (const auto *Lambda = Result.Nodes.getNodeAs<LambdaExpr>("lambda"))
    Fn = Lambda->getCallOperator();
  if (!Fn || !Fn->getBody() || Fn->isDependentContext() ||
      !Analysed.insert(Fn).second)
    return;
  llvm::SmallVector<const CallExpr *, 4> Closes;
  closeCandidates(Fn->getBody(), CloseNames, Closes);
  for (const CallExpr *Close : Closes)
    checkClose(Close, Fn, Result);
}

void ChannelClosedByReceiverCheck::checkClose(
    const CallExpr *Close, const FunctionDecl *Fn,
    const MatchFinder::MatchResult &Result) {
  const std::optional<model::SyncCall> C =
      model::asSyncCall(Close, ChannelTypes);
  if (!C || C->Op != CloseOp)
    return;
  const ValueDecl *Root = model::syncRoot(C->Object);
  if (!Root)
    return;
  const ChannelUse U = useOf(Fn->getBody(), Root, ChannelTypes);
  if (!U.FirstRecv || U.Sends || U.Escapes)
    return;

  const SourceManager &SM = *Result.SourceManager;
  const SourceLocation Loc = model::reportLoc(Close->getExprLoc(), SM);
  if (!Reported.insert(Loc).second)
    return;
  std::string Who;
  if (isa<CXXMethodDecl>(Fn) && cast<CXXMethodDecl>(Fn)->getParent()->isLambda())
    Who = "the lambda";
  else
    Who = "'" + Fn->getNameAsString() + "'";
  diag(Loc, "channel %0 is closed by %1, which only receives from it; only "
            "its senders may close it")
      << model::rootName(Root) << Who;
  diag(model::reportLoc(U.FirstRecv->getBeginLoc(), SM),
       "%0 is received from here", DiagnosticIDs::Note)
      << model::rootName(Root);
  if (llvm::StringRef(C->Type->Name).starts_with("tether::"))
    diag(Loc,
         "close the channel in the producer after its last send, and give "
         "this code %0.receiver(), which cannot close",
         DiagnosticIDs::Note)
        << Root->getName();
  else
    diag(Loc, "close the channel in the producer after its last send",
         DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
