//===--- UnjoinedThreadMemberCheck.cpp - tether-unjoined-thread-member ----===//

#include "UnjoinedThreadMemberCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

UnjoinedThreadMemberCheck::UnjoinedThreadMemberCheck(StringRef Name,
                                                     ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::OwnerTypesOpt) {}

void UnjoinedThreadMemberCheck::storeOptions(
    ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
}

void UnjoinedThreadMemberCheck::registerMatchers(MatchFinder *Finder) {
  if (ThreadTypes.empty())
    return;
  const auto ThreadRecord =
      recordType(hasDeclaration(cxxRecordDecl(model::threadClass(ThreadTypes))));
  const auto IsThread = qualType(hasUnqualifiedDesugaredType(ThreadRecord));
  // A thread, an array of threads, or a class template over threads
  // (std::vector<std::thread>, std::unique_ptr<std::thread>, ...); check()
  // sorts out owners and shared pointers.
  const auto HoldsThreads = qualType(hasUnqualifiedDesugaredType(anyOf(
      ThreadRecord, constantArrayType(hasElementType(IsThread)),
      recordType(hasDeclaration(classTemplateSpecializationDecl(
          hasAnyTemplateArgument(refersToType(IsThread))))))));
  Finder->addMatcher(
      cxxRecordDecl(isDefinition(), has(fieldDecl(hasType(HoldsThreads))))
          .bind("class"),
      this);
  // Threads with static storage duration, and every use of them.
  const auto StaticThread =
      varDecl(hasStaticStorageDuration(), hasType(IsThread));
  Finder->addMatcher(StaticThread.bind("static"), this);
  Finder->addMatcher(declRefExpr(to(StaticThread)).bind("static-use"), this);
}

namespace {

/// What one member function does with the class's thread members.
struct MethodUses {
  /// Members joined, detached or handed on, with the first place.
  llvm::DenseMap<const FieldDecl *, const Stmt *> Handled;
  /// The last place it starts each member, and the last place it joins,
  /// detaches or hands on each member (in traversal order, which is source
  /// order): a function whose last start comes before its last join runs
  /// the threads only while it runs.
  llvm::DenseMap<const FieldDecl *, const Stmt *> LastStart, LastHandled;
  /// Member functions of the class it calls on `this`.
  llvm::SmallPtrSet<const CXXMethodDecl *, 4> Calls;
  /// It gives `this` away (a call we cannot follow may do anything).
  bool Opaque = false;
};

/// Members of a container (or of a unique_ptr: reset) that add a thread,
/// and those that neither add, join nor hand one on (the model's
/// ContainerUse). clear() counts as neither: what matters for a member is
/// whether the destructor joins, and clear() alone does not hand the
/// threads to anyone.
bool isAdding(StringRef Name) {
  return model::classifyContainerMethod(Name) == model::ContainerUse::Adds ||
         Name == "reset";
}
bool isNeutralContainerMember(StringRef Name) {
  return model::classifyContainerMethod(Name) == model::ContainerUse::Reads ||
         Name == "clear";
}

/// Walks one function body of the class.
class UseCollector : public RecursiveASTVisitor<UseCollector> {
public:
  UseCollector(const CXXRecordDecl *RD,
               const llvm::DenseMap<const FieldDecl *, model::Holding> &Fields,
               llvm::ArrayRef<StringRef> ThreadTypes, ASTContext &Ctx,
               MethodUses &Uses,
               llvm::DenseMap<const FieldDecl *, const Expr *> &Starts,
               const ParentMap &Parents)
      : RD(RD), Fields(Fields), ThreadTypes(ThreadTypes), Ctx(Ctx),
        Uses(Uses), Starts(Starts), Parents(Parents) {}

  bool VisitCXXThisExpr(CXXThisExpr *This) {
    const Stmt *P = Parents.getParentIgnoreParenImpCasts(This);
    // this->member and calls on this stay inside the class.
    if (isa_and_nonnull<MemberExpr>(P))
      return true;
    Uses.Opaque = true;
    return true;
  }

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const Expr *Obj = Call->getImplicitObjectArgument();
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (Obj && M && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts()) &&
        M->getParent()->getCanonicalDecl() == RD->getCanonicalDecl())
      Uses.Calls.insert(M->getCanonicalDecl());
    return true;
  }

  bool VisitMemberExpr(MemberExpr *ME) {
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    auto It = F ? Fields.find(F) : Fields.end();
    if (It == Fields.end())
      return true;
    const Stmt *P = Parents.getParentIgnoreParenImpCasts(ME);
    if (It->second == model::Holding::Thread)
      visitThreadUse(F, ME, P);
    else
      visitContainerUse(F, ME, P);
    return true;
  }

private:
  void handled(const FieldDecl *F, const Stmt *At) {
    Uses.Handled.try_emplace(F, At);
    if (runsInline(At))
      Uses.LastHandled[F] = At;
  }
  /// False inside a catch handler (it runs only when something threw: a
  /// constructor that joins its threads there still leaves them running
  /// when it succeeds) or a lambda (it runs when called, if ever).
  bool runsInline(const Stmt *S) const {
    for (const Stmt *P = Parents.getParent(S); P; P = Parents.getParent(P))
      if (isa<CXXCatchStmt, LambdaExpr>(P))
        return false;
    return true;
  }
  void started(const FieldDecl *F, const Expr *At) {
    Starts.try_emplace(F, At);
    Uses.LastStart[F] = At;
  }

  void visitThreadUse(const FieldDecl *F, const MemberExpr *ME,
                      const Stmt *P) {
    switch (model::classifyThreadUse(ME, P, ThreadTypes)) {
    case model::HandleUse::Join:
    case model::HandleUse::Detach:
    case model::HandleUse::Escape:
      handled(F, P ? P : ME);
      return;
    case model::HandleUse::Assign: {
      // worker_ = std::thread(f), or a thread moved in: started; a
      // default-constructed thread is not.
      const auto *Op = cast<CXXOperatorCallExpr>(P);
      const Expr *Rhs = Op->getArg(1);
      if (const CXXConstructExpr *C =
              model::startedConstruct(Rhs, ThreadTypes, Ctx))
        started(F, C);
      else if (model::isMoveOf(Rhs) ||
               isa<CallExpr>(Rhs->IgnoreParenImpCasts()->IgnoreImplicit()))
        started(F, Op);
      return;
    }
    case model::HandleUse::Neutral:
      return;
    }
  }

  void visitContainerUse(const FieldDecl *F, const MemberExpr *ME,
                         const Stmt *P) {
    // workers_.emplace_back(...), workers_.size(), ...
    if (const auto *Member = dyn_cast_or_null<MemberExpr>(P)) {
      const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(
          Parents.getParentIgnoreParenImpCasts(const_cast<MemberExpr *>(Member)));
      const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
      const StringRef Name = Method && Method->getDeclName().isIdentifier()
                                 ? Method->getName()
                                 : StringRef();
      if (Call && isAdding(Name) && Call->getNumArgs() >= 1) {
        started(F, Call);
        return;
      }
      if (isNeutralContainerMember(Name))
        return;
      handled(F, P);
      return;
    }
    // workers_ = ..., workers_[i] = std::thread(f), workers_[i].join()
    const Stmt *Element = nullptr;
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(P)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
          Op->getArg(0)->IgnoreParenImpCasts() == ME) {
        if (!isa<InitListExpr>(Op->getArg(1)->IgnoreImplicit()))
          started(F, Op);
        return;
      }
      if (Op->getOperator() == OO_Subscript)
        Element = Op;
    } else if (isa_and_nonnull<ArraySubscriptExpr>(P)) {
      Element = P;
    }
    if (Element) {
      const auto *Assign = dyn_cast_or_null<CXXOperatorCallExpr>(
          Parents.getParentIgnoreParenImpCasts(const_cast<Stmt *>(Element)));
      if (Assign && Assign->getOperator() == OO_Equal &&
          Assign->getArg(0)->IgnoreParenImpCasts() == Element) {
        if (model::startedConstruct(Assign->getArg(1), ThreadTypes, Ctx) ||
            model::isMoveOf(Assign->getArg(1)))
          started(F, Assign);
        return;
      }
    }
    handled(F, P ? P : ME);
  }

  const CXXRecordDecl *RD;
  const llvm::DenseMap<const FieldDecl *, model::Holding> &Fields;
  llvm::ArrayRef<StringRef> ThreadTypes;
  ASTContext &Ctx;
  MethodUses &Uses;
  llvm::DenseMap<const FieldDecl *, const Expr *> &Starts;
  const ParentMap &Parents;
};

/// A container of threads constructed with elements: not empty, and not
/// `pool_(n)`, n default-constructed threads that run nothing.
bool startsContainer(const Expr *E) {
  const auto *C = dyn_cast<CXXConstructExpr>(E->IgnoreImplicit());
  if (!C)
    return false;
  // Written arguments only: vector(size_type n, const Allocator & = {}).
  llvm::SmallVector<const Expr *, 2> Args;
  for (const Expr *A : C->arguments())
    if (!isa<CXXDefaultArgExpr>(A))
      Args.push_back(A);
  if (Args.empty())
    return false;
  return !(Args.size() == 1 &&
           Args[0]->IgnoreImpCasts()->getType()->isIntegralOrEnumerationType());
}

} // namespace

static StringRef consequence(const FieldDecl *F,
                             llvm::ArrayRef<StringRef> ThreadTypes,
                             llvm::ArrayRef<StringRef> OwnerTypes,
                             ASTContext &Ctx) {
  const CXXRecordDecl *Held = nullptr;
  model::holdingOf(F->getType(), ThreadTypes, OwnerTypes, Ctx, &Held);
  return model::terminatesWhenJoinable(Held, Ctx)
             ? "this calls std::terminate"
             : "its owner can no longer wait for it";
}

void UnjoinedThreadMemberCheck::checkClass(const CXXRecordDecl *RD,
                                           ASTContext &Ctx) {
  // Template patterns are checked through their instantiations.
  if (RD->isDependentContext() || RD->isLambda() ||
      !Analysed.insert(RD->getCanonicalDecl()).second)
    return;

  llvm::DenseMap<const FieldDecl *, model::Holding> Fields;
  for (const FieldDecl *F : RD->fields()) {
    const model::Holding H =
        model::holdingOf(F->getType(), ThreadTypes, OwnerTypes, Ctx);
    if (H != model::Holding::None)
      Fields[F] = H;
  }
  if (Fields.empty())
    return;

  // Where the class starts its threads: member initializers, constructor
  // initializer lists, and every member function defined in this TU.
  llvm::DenseMap<const FieldDecl *, const Expr *> Starts;
  // Members started where no function body can join them afterwards.
  llvm::SmallPtrSet<const FieldDecl *, 4> StartedByInitializer;
  for (const auto &[F, H] : Fields)
    if (const Expr *Init = F->getInClassInitializer())
      if (H == model::Holding::Thread
              ? model::startedConstruct(Init, ThreadTypes, Ctx) != nullptr
              : !isa<InitListExpr>(Init->IgnoreImplicit()) ||
                    cast<InitListExpr>(Init->IgnoreImplicit())->getNumInits()) {
        Starts.try_emplace(F, Init);
        StartedByInitializer.insert(F);
      }

  llvm::DenseMap<const CXXMethodDecl *, MethodUses> Methods;
  for (const CXXMethodDecl *M : RD->methods()) {
    const FunctionDecl *Def = nullptr;
    if (!M->isDefined(Def) || !Def->getBody())
      continue;
    MethodUses &Uses = Methods[M->getCanonicalDecl()];
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits()) {
        const FieldDecl *F = Init->getMember();
        auto It = F ? Fields.find(F) : Fields.end();
        if (It == Fields.end() || !Init->isWritten())
          continue;
        const Expr *E = Init->getInit();
        if (It->second == model::Holding::Thread
                ? model::startedConstruct(E, ThreadTypes, Ctx) ||
                      model::isMoveOf(E)
                : startsContainer(E)) {
          Starts.try_emplace(F, E);
          StartedByInitializer.insert(F);
        }
      }
    ParentMap Parents(Def->getBody());
    UseCollector Collector(RD, Fields, ThreadTypes, Ctx, Uses, Starts,
                           Parents);
    Collector.TraverseStmt(Def->getBody());
  }

  // What runs when the object is destroyed: the destructor and the member
  // functions it calls on `this`, transitively.
  const CXXDestructorDecl *Dtor = RD->getDestructor();
  const bool UserDtor = Dtor && Dtor->isUserProvided();
  if (UserDtor && !Dtor->isDefined())
    return; // defined in another translation unit
  llvm::DenseMap<const FieldDecl *, const Stmt *> JoinedOnDestruction;
  llvm::SmallVector<const CXXMethodDecl *, 8> Work;
  if (UserDtor)
    Work.push_back(Dtor->getCanonicalDecl());
  // A GoogleTest fixture is always torn down before it is destroyed: what
  // TearDown() joins is joined in time.
  static const StringRef TestBase[] = {"::testing::Test"};
  if (model::isRecordOf(RD, TestBase, Ctx))
    for (const CXXMethodDecl *M : RD->methods())
      if (M->getDeclName().isIdentifier() && M->getName() == "TearDown" &&
          M->getNumParams() == 0)
        Work.push_back(M->getCanonicalDecl());
  if (!Work.empty()) {
    llvm::SmallPtrSet<const CXXMethodDecl *, 8> Seen(Work.begin(), Work.end());
    while (!Work.empty()) {
      const CXXMethodDecl *M = Work.pop_back_val();
      auto It = Methods.find(M);
      // A callee defined elsewhere, or `this` handed to code we cannot see,
      // may join: no finding for this class.
      if (It == Methods.end() || It->second.Opaque)
        return;
      for (const auto &[F, At] : It->second.Handled)
        JoinedOnDestruction.try_emplace(F, At);
      for (const CXXMethodDecl *Callee : It->second.Calls)
        if (Seen.insert(Callee).second)
          Work.push_back(Callee);
    }
  }

  const SourceManager &SM = Ctx.getSourceManager();
  // Every function that starts F joins (or hands on) F after its last start:
  // a scratch member, `for (...) pool_[i] = std::thread(...); ...;
  // for (auto &t : pool_) t.join();`, whose threads never outlive the call.
  auto JoinedWhereStarted = [&](const FieldDecl *F) {
    if (StartedByInitializer.count(F))
      return false;
    for (const auto &[M, Uses] : Methods) {
      auto Start = Uses.LastStart.find(F);
      if (Start == Uses.LastStart.end())
        continue;
      auto Join = Uses.LastHandled.find(F);
      if (Join == Uses.LastHandled.end() ||
          !SM.isBeforeInTranslationUnit(Start->second->getBeginLoc(),
                                        Join->second->getBeginLoc()))
        return false;
    }
    return true;
  };
  for (const FieldDecl *F : RD->fields()) {
    auto FieldIt = Fields.find(F);
    if (FieldIt == Fields.end() || JoinedOnDestruction.count(F))
      continue;
    auto StartIt = Starts.find(F);
    if (StartIt == Starts.end())
      continue; // the class never starts it: whoever does owns it
    if (JoinedWhereStarted(F))
      continue;
    const SourceLocation Loc = model::reportLoc(F->getLocation(), SM);
    if (!Reported.insert(Loc).second)
      continue;
    if (FieldIt->second == model::Holding::Thread)
      diag(Loc, "thread member '%0' is started but not joined when '%1' is "
                "destroyed; %2")
          << F->getName() << RD->getName()
          << consequence(F, ThreadTypes, OwnerTypes, Ctx);
    else
      diag(Loc, "threads in member '%0' are started but not joined when "
                "'%1' is destroyed; %2")
          << F->getName() << RD->getName()
          << consequence(F, ThreadTypes, OwnerTypes, Ctx);
    diag(model::reportLoc(StartIt->second->getBeginLoc(), SM),
         "thread started here", DiagnosticIDs::Note);
    if (UserDtor)
      diag(model::reportLoc(Dtor->getLocation(), SM),
           "the destructor does not join '%0'", DiagnosticIDs::Note)
          << F->getName();
    else if (Dtor && !Dtor->isImplicit())
      diag(model::reportLoc(Dtor->getLocation(), SM),
           "the defaulted destructor does not join '%0'", DiagnosticIDs::Note)
          << F->getName();
    else
      diag(model::reportLoc(RD->getLocation(), SM),
           "'%0' has no user-provided destructor", DiagnosticIDs::Note)
          << RD->getName();
    // Joined elsewhere: name the member function the destructor should call.
    for (const CXXMethodDecl *M : RD->methods()) {
      auto It = Methods.find(M->getCanonicalDecl());
      if (It == Methods.end() || !It->second.Handled.count(F) ||
          !M->getDeclName().isIdentifier())
        continue;
      diag(model::reportLoc(It->second.Handled.lookup(F)->getBeginLoc(), SM),
           "'%0' joins or hands it on, but the destructor does not call '%0'",
           DiagnosticIDs::Note)
          << M->getName();
      break;
    }
    diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
  }
}

void UnjoinedThreadMemberCheck::noteStaticUse(const DeclRefExpr *Ref,
                                              ASTContext &Ctx) {
  const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
  if (!VD)
    return;
  // The parent, through parentheses and implicit casts.
  const Stmt *Parent = nullptr;
  DynTypedNode Node = DynTypedNode::create(*Ref);
  while (true) {
    const DynTypedNodeList Parents = Ctx.getParents(Node);
    if (Parents.empty())
      break;
    const auto *E = Parents[0].get<Expr>();
    if (E && isa<ParenExpr, ImplicitCastExpr>(E)) {
      Node = Parents[0];
      continue;
    }
    Parent = Parents[0].get<Stmt>();
    break;
  }
  StaticThread &S = Statics[VD->getCanonicalDecl()];
  switch (model::classifyThreadUse(Ref, Parent, ThreadTypes)) {
  case model::HandleUse::Join:
  case model::HandleUse::Detach:
  case model::HandleUse::Escape:
    S.Handled = true;
    return;
  case model::HandleUse::Assign:
    if (const CXXConstructExpr *C = model::startedConstruct(
            cast<CXXOperatorCallExpr>(Parent)->getArg(1), ThreadTypes, Ctx))
      if (!S.Start)
        S.Start = C;
    return;
  case model::HandleUse::Neutral:
    return;
  }
}

void UnjoinedThreadMemberCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
  if (const auto *RD = Result.Nodes.getNodeAs<CXXRecordDecl>("class")) {
    checkClass(RD, *Result.Context);
    return;
  }
  if (const auto *VD = Result.Nodes.getNodeAs<VarDecl>("static")) {
    const CXXRecordDecl *RD = model::recordOf(VD->getType());
    if (model::isRecordOf(RD, OwnerTypes, *Result.Context))
      return;
    // Another translation unit may join a thread it can name.
    if (!VD->isStaticLocal() && VD->isExternallyVisible())
      return;
    StaticThread &S = Statics[VD->getCanonicalDecl()];
    if (VD->getInit() && !S.Start)
      S.Start = model::startedConstruct(VD->getInit(), ThreadTypes,
                                        *Result.Context);
    return;
  }
  if (const auto *Ref = Result.Nodes.getNodeAs<DeclRefExpr>("static-use"))
    noteStaticUse(Ref, *Result.Context);
}

void UnjoinedThreadMemberCheck::onEndOfTranslationUnit() {
  if (Ctx) {
    const SourceManager &SM = Ctx->getSourceManager();
    for (const auto &[VD, S] : Statics) {
      if (!S.Start || S.Handled)
        continue;
      // Only variables that matched as candidates (internal or local).
      if (!VD->isStaticLocal() && VD->isExternallyVisible())
        continue;
      const CXXRecordDecl *RD = model::recordOf(VD->getType());
      if (model::isRecordOf(RD, OwnerTypes, *Ctx))
        continue;
      const SourceLocation Loc = model::reportLoc(VD->getLocation(), SM);
      if (!Reported.insert(Loc).second)
        continue;
      diag(Loc, "thread '%0' with static storage duration is started and "
                "never joined; %1 at exit")
          << VD->getName()
          << (model::terminatesWhenJoinable(RD, *Ctx)
                  ? "this calls std::terminate"
                  : "it is still running");
      const SourceLocation StartLoc =
          model::reportLoc(S.Start->getBeginLoc(), SM);
      if (StartLoc != Loc)
        diag(StartLoc, "thread started here", DiagnosticIDs::Note);
      diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
    }
  }
  Statics.clear();
  Analysed.clear();
  Reported.clear();
  Ctx = nullptr;
}

} // namespace clang::tidy::tether
