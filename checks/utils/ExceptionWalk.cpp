//===--- ExceptionWalk.cpp - ExceptionAnalyzer's answers, memoised --------===//
//
// The walk is utils::ExceptionAnalyzer's, statement by statement, for the
// installed version (the two differ: 22 walks a call's arguments and not a
// lambda's body, 19 the reverse; 22 rethrows from a handler what it caught,
// 19 the handler's type). What is new is the cache below the top:
//
// The analyzer cuts a recursive call (a callee already on its call stack)
// as "throws nothing", so what a callee's walk yields can depend on the
// functions above it. Here the walk of a callee at depth D records the least
// depth at which it cut a call; if that is below D, the result depends on the
// stack and is not kept. Otherwise every cut was of the callee itself or of a
// function it entered, so the result is the callee's own: what a question
// about it gives. It is kept per (callee, caught types): a rethrow below
// reads what the handler above caught.
//
// A kept result may be met again below a function on the stack that its
// walk entered; the analyzer would cut there and get less. What it would cut
// adds nothing at the top: a type thrown in that function and carried round
// the cycle passed the same handlers in the function itself and more on the
// way (handlers only remove types, `catch (...)` also the unknown), so the
// function's own walk above has it already. The one case this does not
// cover is a bare `throw;` reached round such a cycle under another handler
// than the function's own; no answer differed in the comparison with the
// analyzer (docs/design.md).
//
//===----------------------------------------------------------------------===//

#include "utils/ExceptionWalk.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>

namespace clang::tidy::tether::flow {

namespace {
using State = utils::ExceptionAnalyzer::State;

#if TETHER_LLVM_MAJOR >= 22
const ExceptionWalk::Info::Throwables &typesOf(const ExceptionWalk::Info &I) {
  return I.getExceptions();
}
void registerType(ExceptionWalk::Info &I, const Type *T) {
  I.registerException(T, {});
}
#else
const ExceptionWalk::Info::Throwables &typesOf(const ExceptionWalk::Info &I) {
  return I.getExceptionTypes();
}
void registerType(ExceptionWalk::Info &I, const Type *T) {
  I.registerException(T);
}
#endif

// An entry of Throwables: a type (19's set) or a type and where (22's map).
[[maybe_unused]] const Type *typeOfEntry(const Type *T) { return T; }
template <typename Pair> const Type *typeOfEntry(const Pair &P) {
  return P.first;
}

/// A handler's type as the analyzer matches it: sugar and a reference off.
const Type *handlerType(const CXXCatchStmt *Catch) {
  const Type *T = Catch->getCaughtType()->getUnqualifiedDesugaredType();
  if (T->isReferenceType())
    T = T->castAs<ReferenceType>()
            ->getPointeeType()
            ->getUnqualifiedDesugaredType();
  return T;
}
} // namespace

ExceptionWalk::CaughtKey ExceptionWalk::keyOf(const Throwables &Caught) {
  CaughtKey Key;
  for (const auto &Entry : Caught)
    Key.push_back(typeOfEntry(Entry));
  llvm::sort(Key);
  return Key;
}

bool ExceptionWalk::canThrow(const FunctionDecl *Func) {
  if (Func->isConsteval())
    return false;
  const auto *FPT = Func->getType()->getAs<FunctionProtoType>();
  if (!FPT)
    return true;
  // Not yet resolved: asking FunctionProtoType::canThrow() is not allowed,
  // and the analyzer's versions answer differently. Leave it to it.
  if (FPT->getExceptionSpecType() == EST_Unevaluated ||
      FPT->getExceptionSpecType() == EST_Unparsed) {
    Unsure = true;
    return true;
  }
  switch (FPT->canThrow()) {
  case CT_Cannot:
    return false;
  case CT_Dependent: {
    const Expr *NoexceptExpr = FPT->getNoexceptExpr();
    if (!NoexceptExpr || NoexceptExpr->isValueDependent())
      return true;
    bool Value = false;
    if (!NoexceptExpr->EvaluateAsBooleanCondition(Value, Func->getASTContext(),
                                                  /*InConstantContext=*/true))
      return true;
    return !Value;
  }
  default:
    return true;
  }
}

ExceptionWalk::Info ExceptionWalk::walk(const FunctionDecl *Func,
                                        const Throwables &Caught) {
  if (!Func)
    return Info::createNonThrowing();
  if (auto It = OnStack.find(Func); It != OnStack.end()) {
    CutDepth = std::min(CutDepth, It->second);
    return Info::createNonThrowing();
  }
  if (!OnStack.empty() && !canThrow(Func))
    return Info::createNonThrowing();
  const Stmt *Body = Func->getBody();
  if (!Body) {
    Info Result = Info::createUnknown();
    if (const auto *FPT = Func->getType()->getAs<FunctionProtoType>())
      for (const QualType &Ex : FPT->exceptions())
        registerType(Result, Ex.getTypePtr());
    return Result;
  }
  std::pair<const FunctionDecl *, CaughtKey> Key{Func, keyOf(Caught)};
  if (auto It = Callees.find(Key); It != Callees.end())
    return It->second;

  const unsigned Depth = OnStack.size();
  const unsigned OuterCut = CutDepth;
  CutDepth = ~0u;
  OnStack[Func] = Depth;
  Info Result = walk(Body, Caught);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Func))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      Result.merge(walk(Init->getInit(), Caught));
  OnStack.erase(Func);
  if (CutDepth >= Depth && !Unsure)
    Callees.emplace(std::move(Key), Result);
  CutDepth = std::min(OuterCut, CutDepth);
  return Result;
}

ExceptionWalk::Info ExceptionWalk::walk(const Stmt *S,
                                        const Throwables &Caught) {
  Info Results = Info::createNonThrowing();
  if (!S || Unsure)
    return Results;
  if (const auto *Throw = dyn_cast<CXXThrowExpr>(S)) {
    if (const Expr *Thrown = Throw->getSubExpr())
      registerType(Results, Thrown->getType()->getUnqualifiedDesugaredType());
    else
      Results.registerExceptions(Caught); // a rethrow: what was caught
    return Results;
  }
  if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
    Info Uncaught = walk(Try->getTryBlock(), Caught);
    for (unsigned I = 0; I < Try->getNumHandlers(); ++I) {
      const CXXCatchStmt *Catch = Try->getHandler(I);
      if (!Catch->getExceptionDecl()) { // catch (...)
        Results.merge(walk(Catch->getHandlerBlock(), typesOf(Uncaught)));
        Uncaught.clear();
        continue;
      }
      const Type *Handler = handlerType(Catch);
      const ASTContext &Ctx = Catch->getExceptionDecl()->getASTContext();
#if TETHER_LLVM_MAJOR >= 22
      const Throwables Filtered = Uncaught.filterByCatch(Handler, Ctx);
      if (!Filtered.empty())
        Results.merge(walk(Catch->getHandlerBlock(), Filtered));
#else
      if (Uncaught.filterByCatch(Handler, Ctx)) {
        Throwables Handled;
        Handled.insert(Handler);
        Results.merge(walk(Catch->getHandlerBlock(), Handled));
      }
#endif
    }
    Results.merge(Uncaught);
    return Results;
  }
  if (const auto *DefaultInit = dyn_cast<CXXDefaultInitExpr>(S)) {
    Results.merge(walk(DefaultInit->getExpr(), Caught));
    return Results;
  }
  if (isa<CoroutineBodyStmt>(S)) {
    Unsure = true; // the analyzer's coroutine rules are not repeated here
    return Results;
  }
#if TETHER_LLVM_MAJOR >= 22
  // 22: a lambda's captures are initialised here, its body runs elsewhere;
  // a call's arguments are evaluated, then the callee runs.
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const Expr *Init : Lambda->capture_inits())
      Results.merge(walk(Init, Caught));
    return Results;
  }
  for (const Stmt *Child : S->children())
    Results.merge(walk(Child, Caught));
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (const FunctionDecl *Func = Call->getDirectCallee())
      Results.merge(walk(Func, Caught));
  } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
    Results.merge(walk(Construct->getConstructor(), Caught));
  }
#else
  // 19: a call is its callee alone; anything else is its children, a
  // lambda's body included.
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (const FunctionDecl *Func = Call->getDirectCallee())
      Results.merge(walk(Func, Caught));
    return Results;
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
    Results.merge(walk(Construct->getConstructor(), Caught));
    return Results;
  }
  for (const Stmt *Child : S->children())
    Results.merge(walk(Child, Caught));
#endif
  return Results;
}

std::optional<ExceptionWalk::Info>
ExceptionWalk::analyze(const FunctionDecl *Func) {
  if (auto It = Answers.find(Func); It != Answers.end())
    return It->second;
  std::optional<Info> Answer;
  if (Func && Func->getBody()) {
    Unsure = false;
    CutDepth = ~0u;
    Info Result = walk(Func, Throwables());
    if (!Unsure) {
      // As the analyzer: a Throwing result loses the ignored types.
      if (Result.getBehaviour() == State::Throwing)
        Result.filterIgnoredExceptions({}, /*IgnoreBadAlloc=*/true);
      Answer = std::move(Result);
    }
    Unsure = false;
  }
  Answers.try_emplace(Func, Answer);
  return Answer;
}

} // namespace clang::tidy::tether::flow
