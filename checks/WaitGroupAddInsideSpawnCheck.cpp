//===--- WaitGroupAddInsideSpawnCheck.cpp - tether-waitgroup-add-inside-spawn ===//

#include "WaitGroupAddInsideSpawnCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/FixIts.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

/// WaitGroupTypes operations: 0 is add, 1 is done.
static constexpr int AddOp = 0;
static constexpr unsigned DoneOp = 1;

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

namespace {

/// The single parent of \p N, if it has exactly one.
DynTypedNode parentOf(const DynTypedNode &N, ASTContext &Ctx) {
  const DynTypedNodeList Parents = Ctx.getParents(N);
  return Parents.size() == 1 ? Parents[0] : DynTypedNode();
}

/// What the body of the spawned lambda does besides its first and last
/// statement, as far as the rewrite cares: returns (outside nested lambdas
/// and local classes), coroutine statements, and uses of the counter \p WG,
/// directly or through a local alias.
struct TaskBody : RecursiveASTVisitor<TaskBody> {
  explicit TaskBody(const VarDecl *WG) : WG(WG) {}
  const VarDecl *WG;
  unsigned Nested = 0, Refs = 0;
  bool Bad = false;

  bool TraverseLambdaExpr(LambdaExpr *L) {
    ++Nested;
    const bool R = RecursiveASTVisitor::TraverseLambdaExpr(L);
    --Nested;
    return R;
  }
  bool TraverseCXXRecordDecl(CXXRecordDecl *D) {
    ++Nested;
    const bool R = RecursiveASTVisitor::TraverseCXXRecordDecl(D);
    --Nested;
    return R;
  }
  bool VisitReturnStmt(ReturnStmt *) {
    Bad |= Nested == 0;
    return true;
  }
  bool VisitCoreturnStmt(CoreturnStmt *) { return Bad = true, true; }
  bool VisitCoawaitExpr(CoawaitExpr *) { return Bad = true, true; }
  bool VisitCoyieldExpr(CoyieldExpr *) { return Bad = true, true; }
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (Ref->getDecl() == WG)
      ++Refs;
    else if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl()))
      Bad |= model::rootOfDecl(V) == WG; // `auto &r = wg;` then r.done()
    return true;
  }
};

/// True if \p E holds a temporary whose lifetime \p V extends.
bool extendsTemporary(const Stmt *E, const VarDecl *V) {
  if (!E)
    return false;
  if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(E))
    if (MTE->getExtendingDecl() == V)
      return true;
  return llvm::any_of(E->children(),
                      [&](const Stmt *C) { return extendsTemporary(C, V); });
}

/// The call `WG.NAME(...)` that \p S is, through cleanups.
const CXXMemberCallExpr *callOn(const Stmt *S, const VarDecl *WG,
                                StringRef Name, unsigned NumArgs) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  const auto *Call =
      dyn_cast_or_null<CXXMemberCallExpr>(E ? E->IgnoreImplicit() : nullptr);
  if (!Call || Call->getNumArgs() != NumArgs)
    return nullptr;
  const auto *Callee = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
  if (!Callee || Callee->isArrow())
    return nullptr;
  const CXXMethodDecl *M = Call->getMethodDecl();
  const auto *Ref =
      dyn_cast<DeclRefExpr>(Callee->getBase()->IgnoreParenImpCasts());
  if (!M || !M->getDeclName().isIdentifier() || M->getName() != Name || !Ref ||
      Ref->getDecl() != WG)
    return nullptr;
  return Call;
}

} // namespace

/// The edits that turn a std::thread started only to run a lambda that
/// counts itself on a local tether::WaitGroup into `wg.go(...)`, or none
/// (docs: "Fix-it"):
///   std::thread([&] { wg.add(1); BODY wg.done(); }).detach();
///   std::thread t([&] { wg.add(1); BODY wg.done(); }); t.detach();
/// both become `wg.go([&] { BODY });`.
static llvm::SmallVector<FixItHint, 4>
goFixIts(const model::SpawnedTask &Task, const model::SyncCall &Add,
         llvm::ArrayRef<model::SyncType> Types, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  // The counter: a local tether::WaitGroup with automatic storage, named
  // directly (`wg.add(1)`, no pointer, reference or member), so that `wg`
  // names the same object at the spawn. A group with static storage would
  // join at exit, and a member's order against the members the task uses
  // is tether-thread-member-order's question: neither is offered.
  const auto *AddMember = dyn_cast<CXXMemberCallExpr>(Add.Call);
  const Expr *AddObject =
      AddMember ? AddMember->getImplicitObjectArgument() : nullptr;
  const auto *AddRef = dyn_cast_or_null<DeclRefExpr>(
      AddObject ? AddObject->IgnoreParenImpCasts() : nullptr);
  const auto *WG = AddRef ? dyn_cast<VarDecl>(AddRef->getDecl()) : nullptr;
  if (!WG || Add.Type->Name != "tether::WaitGroup" || !WG->hasLocalStorage() ||
      isa<ParmVarDecl>(WG) || WG->isInitCapture() ||
      WG->getType()->isReferenceType())
    return {};
  const CXXRecordDecl *Group = WG->getType()->getAsCXXRecordDecl();
  if (!Group || Group->getQualifiedNameAsString() != "tether::WaitGroup" ||
      Group->lookup(DeclarationName(&Ctx.Idents.get("go"))).empty())
    return {};

  // A std::thread (not a subclass, not jthread) constructed from a lambda
  // written in place, outside templates.
  const model::Spawn &S = Task.S;
  const auto *Construct = dyn_cast<CXXConstructExpr>(S.Site);
  const LambdaExpr *L = Task.Callable.Lambda;
  if (S.Kind != model::SpawnKind::ThreadConstruct ||
      !fixit::isStdThread(S.ThreadClass) || !Construct || !L ||
      Construct->getNumArgs() < 1 ||
      Construct->getArg(0)->IgnoreImplicit() != L)
    return {};
  const FunctionDecl *Fn = model::innermostFunction(Construct, Ctx);
  if (!Fn || !Fn->getBody() || fixit::inTemplate(Fn))
    return {};
  // The lambda takes exactly the arguments given (go() passes them as
  // std::thread does, decay-copied), and its closure and those copies have
  // nothing to destroy: go() joins the thread, so wait() would also wait
  // for their destructors, which the detached thread ran after done().
  const CXXRecordDecl *Closure = L->getLambdaClass();
  const CXXMethodDecl *Op = L->getCallOperator();
  if (!Closure || !Op || Closure->isGenericLambda() || Op->isVariadic() ||
      Op->getNumParams() != Construct->getNumArgs() - 1 ||
      !Closure->hasTrivialDestructor())
    return {};
  for (unsigned I = 1; I < Construct->getNumArgs(); ++I)
    if (Construct->getArg(I)
            ->getType()
            .getNonReferenceType()
            .isDestructedType())
      return {};

  // `wg.add(1);` first, `wg.done();` last, and no other way out of the
  // body: no return (a throw ends the process either way), no other use of
  // wg, no coroutine.
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Op->getBody());
  if (!Body || Body->size() < 2)
    return {};
  const CXXMemberCallExpr *AddCall = callOn(Body->body_front(), WG, "add", 1);
  const CXXMemberCallExpr *DoneCall = callOn(Body->body_back(), WG, "done", 0);
  if (AddCall != Add.Call || !DoneCall)
    return {};
  const auto *One =
      dyn_cast<IntegerLiteral>(AddCall->getArg(0)->IgnoreParenImpCasts());
  const std::optional<model::SyncCall> Done =
      model::asSyncCall(DoneCall, Types);
  if (!One || One->getValue() != 1 || One->getLocation().isMacroID() || !Done ||
      Done->Type != Add.Type || Done->Op != DoneOp)
    return {};
  TaskBody Uses(WG);
  Uses.TraverseStmt(const_cast<CompoundStmt *>(Body));
  if (Uses.Bad || Uses.Refs != 2)
    return {};
  for (const model::SyncCall &C : model::syncCallsIn(Body, Types, -1, true)) {
    const ValueDecl *Root = model::syncRoot(C.Object);
    if (!Root || (Root == WG && C.Call != AddCall && C.Call != DoneCall))
      return {};
  }
  // The body's own locals are destroyed after done() in the original and
  // before it in go(): only where they have nothing to destroy.
  for (const Stmt *St : Body->body())
    if (const auto *DS = dyn_cast<DeclStmt>(St))
      for (const Decl *D : DS->decls())
        if (const auto *V = dyn_cast<VarDecl>(D))
          if (V->getType().isDestructedType() ||
              extendsTemporary(V->getInit(), V))
            return {};

  // The statement around the thread: a temporary detached at once, or a
  // local declared alone, detached by the next statement and used nowhere
  // else.
  SourceLocation Begin, LParen = Construct->getParenOrBraceRange().getBegin(),
                        RParen = Construct->getParenOrBraceRange().getEnd();
  SourceLocation TailEnd;                 // temporary: `.detach()` ends here
  const Stmt *DetachStmt = nullptr;       // local: `t.detach();`
  DynTypedNode Node = DynTypedNode::create(*Construct);
  DynTypedNode P = parentOf(Node, Ctx);
  const auto *Init = P.get<ExprWithCleanups>();
  const auto *T = Init ? parentOf(P, Ctx).get<VarDecl>() : P.get<VarDecl>();
  if (T) {
    if (!T->hasLocalStorage() || isa<ParmVarDecl>(T) || T->hasAttrs() ||
        (T->getInitStyle() != VarDecl::CallInit &&
         T->getInitStyle() != VarDecl::ListInit) ||
        T->getInit()->IgnoreImplicit() != Construct)
      return {};
    const auto *DS = parentOf(DynTypedNode::create(*T), Ctx).get<DeclStmt>();
    const auto *Block =
        DS ? parentOf(DynTypedNode::create(*DS), Ctx).get<CompoundStmt>()
           : nullptr;
    if (!DS || !DS->isSingleDecl() || !Block)
      return {};
    const auto *It = llvm::find(Block->body(), DS);
    if (It == Block->body_end() || std::next(It) == Block->body_end())
      return {};
    DetachStmt = *std::next(It);
    const CXXMemberCallExpr *Detach = callOn(DetachStmt, T, "detach", 0);
    const fixit::LocalUses TUses =
        fixit::localUses(T, Fn->getBody(), {"detach"});
    if (!Detach || !TUses.Alone || !TUses.OnlyMemberCalls ||
        TUses.Calls.size() != 1 || TUses.Calls.front() != Detach)
      return {};
    Begin = DS->getBeginLoc();
  } else {
    // Up through the temporary: `std::thread(...)` is a functional cast
    // (one argument) or a temporary object (more), then `.detach()`.
    const Expr *Thread = Construct;
    while (const auto *E = P.get<Expr>()) {
      if (!isa<CXXBindTemporaryExpr, CXXFunctionalCastExpr,
               MaterializeTemporaryExpr, ImplicitCastExpr>(E))
        break;
      if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E);
          Cast && Cast->getLParenLoc().isValid()) {
        LParen = Cast->getLParenLoc();
        RParen = Cast->getRParenLoc();
      }
      Thread = E;
      Node = P;
      P = parentOf(Node, Ctx);
    }
    const auto *Member = P.get<MemberExpr>();
    const auto *Detach =
        Member ? parentOf(P, Ctx).get<CXXMemberCallExpr>() : nullptr;
    const auto *Method =
        Member ? dyn_cast<CXXMethodDecl>(Member->getMemberDecl()) : nullptr;
    if (!Detach || Member->isArrow() || Detach->getCallee() != Member ||
        Detach->getNumArgs() != 0 || !Method ||
        !Method->getDeclName().isIdentifier() || Method->getName() != "detach")
      return {};
    // A statement of its own (in a block, a branch, a loop body): any
    // place a void call may stand takes `wg.go(...)`, and nothing else in
    // the full expression sees the change.
    DynTypedNode Up = parentOf(DynTypedNode::create(*Detach), Ctx);
    if (Up.get<ExprWithCleanups>())
      Up = parentOf(Up, Ctx);
    const auto *Holder = Up.get<Stmt>();
    if (!Holder || isa<Expr>(Holder))
      return {};
    Begin = Thread->getBeginLoc();
    TailEnd = Detach->getEndLoc();
  }

  // Every place edited or kept is written in one file, outside macros.
  const CharSourceRange RemoveAdd =
      fixit::statementRemoval(Body->body_front(), SM, LO);
  const CharSourceRange RemoveDone =
      fixit::statementRemoval(Body->body_back(), SM, LO);
  const CharSourceRange RemoveDetach =
      DetachStmt ? fixit::statementRemoval(DetachStmt, SM, LO)
                 : CharSourceRange();
  if (RemoveAdd.isInvalid() || RemoveDone.isInvalid() ||
      (DetachStmt && RemoveDetach.isInvalid()) ||
      !fixit::editable({Begin, LParen, RParen, L->getBeginLoc(), L->getEndLoc(),
                        TailEnd.isValid() ? TailEnd : RParen},
                       SM))
    return {};
  const bool Braces = Lexer::getSourceText(CharSourceRange::getTokenRange(
                                               RParen, RParen),
                                           SM, LO) == "}";
  llvm::SmallVector<FixItHint, 4> Fixes;
  Fixes.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getTokenRange(Begin, LParen),
      (WG->getName() + ".go(").str()));
  Fixes.push_back(FixItHint::CreateRemoval(RemoveAdd));
  Fixes.push_back(FixItHint::CreateRemoval(RemoveDone));
  if (TailEnd.isValid())
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(RParen, TailEnd), ")"));
  else if (Braces)
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(RParen, RParen), ")"));
  if (DetachStmt)
    Fixes.push_back(FixItHint::CreateRemoval(RemoveDetach));
  return Fixes;
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
    {
      auto D = diag(Loc, "%0() on %1 inside %2 run by %3 races with wait(); "
                         "wait() may return before the task is counted")
               << Method << Name << Task->Callable.Name << Task->S.Spawner;
      for (const FixItHint &Fix : goFixIts(*Task, Add, WaitGroupTypes, Ctx))
        D << Fix;
    } // emitted here, before its notes
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
