//===--- ThreadMemberOrderCheck.cpp - tether-thread-member-order ----------===//

#include "ThreadMemberOrderCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

ThreadMemberOrderCheck::ThreadMemberOrderCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::OwnerTypesOpt) {}

void ThreadMemberOrderCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
}

void ThreadMemberOrderCheck::registerMatchers(MatchFinder *Finder) {
  const auto OwnerRecord =
      recordType(hasDeclaration(cxxRecordDecl(model::threadClass(OwnerTypes))));
  const auto IsOwner = qualType(hasUnqualifiedDesugaredType(OwnerRecord));
  // An owner, an array of owners, or a class template over owners
  // (std::vector<std::jthread>, std::unique_ptr<tether::Group>, ...).
  const auto HoldsOwner = qualType(hasUnqualifiedDesugaredType(anyOf(
      OwnerRecord, constantArrayType(hasElementType(IsOwner)),
      recordType(hasDeclaration(classTemplateSpecializationDecl(
          hasAnyTemplateArgument(refersToType(IsOwner))))))));
  Finder->addMatcher(
      cxxRecordDecl(isDefinition(), has(fieldDecl(hasType(HoldsOwner))))
          .bind("class"),
      this);
}

namespace {

/// Members of \p RD that code reached from a thread's callable reads or
/// writes through `this`, following calls to member functions of \p RD
/// defined in the TU to a bounded depth.
class FieldUseCollector : public RecursiveASTVisitor<FieldUseCollector> {
public:
  explicit FieldUseCollector(const CXXRecordDecl *RD) : RD(RD) {}

  void collect(const Stmt *Body, unsigned Depth) {
    if (!Body || Depth > 4)
      return;
    const unsigned Saved = CurDepth;
    CurDepth = Depth;
    TraverseStmt(const_cast<Stmt *>(Body));
    CurDepth = Saved;
  }

  bool VisitMemberExpr(MemberExpr *ME) {
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (F && F->getParent()->getCanonicalDecl() == RD->getCanonicalDecl() &&
        isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      Uses.try_emplace(F, ME);
    return true;
  }

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const Expr *Obj = Call->getImplicitObjectArgument();
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (!Obj || !M || !isa<CXXThisExpr>(Obj->IgnoreParenImpCasts()))
      return true;
    followMethod(M);
    return true;
  }

  void followMethod(const CXXMethodDecl *M) {
    const FunctionDecl *Def = nullptr;
    if (M->getParent()->getCanonicalDecl() != RD->getCanonicalDecl() ||
        !M->isDefined(Def) || !Seen.insert(Def).second)
      return;
    collect(Def->getBody(), CurDepth + 1);
  }

  /// First use of each member, in traversal order.
  llvm::MapVector<const FieldDecl *, const MemberExpr *> Uses;

private:
  const CXXRecordDecl *RD;
  unsigned CurDepth = 0;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
};

/// The code a callable passed to an owner runs: a lambda's body, or the
/// member function named by `&C::f`.
void collectCallable(const Expr *Callable, FieldUseCollector &Collector) {
  const Expr *E = Callable->IgnoreParenImpCasts();
  if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(E))
    E = MTE->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    if (Construct->getNumArgs() == 1)
      E = Construct->getArg(0)->IgnoreParenImpCasts();
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    Collector.collect(Lambda->getBody(), 0);
    return;
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      if (const auto *DRE = dyn_cast<DeclRefExpr>(UO->getSubExpr()))
        if (const auto *M = dyn_cast<CXXMethodDecl>(DRE->getDecl()))
          Collector.followMethod(M);
}

/// The callables given to the owner by \p Start: the arguments of a
/// constructor, of go() / try_go(), of emplace_back() and friends.
void collectStart(const Expr *Start, FieldUseCollector &Collector) {
  const Expr *E = Start->IgnoreImplicit();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    E = Cast->getSubExpr()->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    for (const Expr *Arg : Construct->arguments())
      collectCallable(Arg, Collector);
    return;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E))
    for (const Expr *Arg : Call->arguments())
      collectCallable(Arg, Collector);
}

/// An owner's go() / try_go(), or a container member that adds an element
/// (the model's ContainerUse::Adds).
bool isStartingMember(StringRef Name) {
  return Name == "go" || Name == "try_go" ||
         model::classifyContainerMethod(Name) == model::ContainerUse::Adds;
}

/// Walks a member function body for starts of the owner members, and for
/// uses that join them (in the destructor).
class OwnerUseCollector : public RecursiveASTVisitor<OwnerUseCollector> {
public:
  OwnerUseCollector(
      const llvm::DenseMap<const FieldDecl *, model::Holding> &Owners,
      const ParentMap &Parents)
      : Owners(Owners), Parents(Parents) {}

  bool VisitMemberExpr(MemberExpr *ME) {
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!F || !Owners.count(F))
      return true;
    const Stmt *P = Parents.getParentIgnoreParenImpCasts(ME);
    if (const auto *Member = dyn_cast_or_null<MemberExpr>(P)) {
      const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
      const StringRef Name = Method && Method->getDeclName().isIdentifier()
                                 ? Method->getName()
                                 : StringRef();
      const auto *Call = dyn_cast_or_null<CallExpr>(
          Parents.getParentIgnoreParenImpCasts(const_cast<MemberExpr *>(Member)));
      if (Call && isStartingMember(Name)) {
        Starts[F].push_back(Call);
        return true;
      }
      // Reading the owner does not wait for its threads.
      if (Method && (Method->isConst() ||
                     llvm::is_contained({"request_stop", "get_stop_source",
                                         "get_stop_token", "set_limit", "add",
                                         "done", "reserve"},
                                        Name)))
        return true;
      Joins.try_emplace(F, Member);
      return true;
    }
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(P)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
          Op->getArg(0)->IgnoreParenImpCasts() == ME) {
        // worker_ = std::jthread(f): starts the new thread, and joins the
        // old one.
        Starts[F].push_back(Op->getArg(1));
        Joins.try_emplace(F, Op);
        return true;
      }
    }
    // Anything else (moves, loops over a container, passing it on) may
    // join: prefer a missed finding.
    Joins.try_emplace(F, P ? P : ME);
    return true;
  }

  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<const Expr *, 2>> Starts;
  llvm::DenseMap<const FieldDecl *, const Stmt *> Joins;
  llvm::SmallPtrSet<const CXXMethodDecl *, 4> Calls;
  bool Opaque = false;

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const Expr *Obj = Call->getImplicitObjectArgument();
    if (Obj && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts()) &&
        Call->getMethodDecl())
      Calls.insert(Call->getMethodDecl()->getCanonicalDecl());
    return true;
  }
  bool VisitCXXThisExpr(CXXThisExpr *This) {
    if (!isa_and_nonnull<MemberExpr>(Parents.getParentIgnoreParenImpCasts(This)))
      Opaque = true;
    return true;
  }

private:
  const llvm::DenseMap<const FieldDecl *, model::Holding> &Owners;
  const ParentMap &Parents;
};

} // namespace

void ThreadMemberOrderCheck::checkClass(const CXXRecordDecl *RD,
                                        ASTContext &Ctx) {
  if (RD->isDependentContext() || RD->isLambda() ||
      !Analysed.insert(RD->getCanonicalDecl()).second)
    return;
  llvm::DenseMap<const FieldDecl *, model::Holding> Owners;
  for (const FieldDecl *F : RD->fields())
    if (model::holdingOf(F->getType(), OwnerTypes, {}, Ctx) !=
        model::Holding::None)
      Owners[F] = model::holdingOf(F->getType(), OwnerTypes, {}, Ctx);
  if (Owners.empty())
    return;

  // Starts: member initializers, constructor initializer lists, and member
  // functions; joins: what the destructor (and what it calls) does.
  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<const Expr *, 2>> Starts;
  for (const auto &[F, H] : Owners)
    if (const Expr *Init = F->getInClassInitializer())
      Starts[F].push_back(Init);
  llvm::DenseMap<const CXXMethodDecl *, std::unique_ptr<OwnerUseCollector>>
      Methods;
  std::vector<std::unique_ptr<ParentMap>> ParentMaps;
  for (const CXXMethodDecl *M : RD->methods()) {
    const FunctionDecl *Def = nullptr;
    if (!M->isDefined(Def) || !Def->getBody())
      continue;
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getMember() && Owners.count(Init->getMember()) &&
            Init->isWritten())
          Starts[Init->getMember()].push_back(Init->getInit());
    ParentMaps.push_back(std::make_unique<ParentMap>(Def->getBody()));
    auto Collector =
        std::make_unique<OwnerUseCollector>(Owners, *ParentMaps.back());
    Collector->TraverseStmt(Def->getBody());
    for (auto &[F, List] : Collector->Starts)
      Starts[F].append(List.begin(), List.end());
    Methods[M->getCanonicalDecl()] = std::move(Collector);
  }

  // Owners the destructor joins (or may join) before the members die.
  llvm::SmallPtrSet<const FieldDecl *, 4> JoinedFirst;
  const CXXDestructorDecl *Dtor = RD->getDestructor();
  if (Dtor && Dtor->isUserProvided()) {
    if (!Dtor->isDefined())
      return; // defined elsewhere: it may join
    llvm::SmallPtrSet<const CXXMethodDecl *, 8> Seen{Dtor->getCanonicalDecl()};
    llvm::SmallVector<const CXXMethodDecl *, 8> Work{Dtor->getCanonicalDecl()};
    while (!Work.empty()) {
      const CXXMethodDecl *M = Work.pop_back_val();
      auto It = Methods.find(M);
      if (It == Methods.end() || It->second->Opaque)
        return; // code we cannot see may join
      for (const auto &[F, At] : It->second->Joins)
        JoinedFirst.insert(F);
      for (const CXXMethodDecl *Callee : It->second->Calls)
        if (Callee->getParent()->getCanonicalDecl() ==
                RD->getCanonicalDecl() &&
            Seen.insert(Callee).second)
          Work.push_back(Callee);
    }
  }

  const SourceManager &SM = Ctx.getSourceManager();
  for (const FieldDecl *Owner : RD->fields()) {
    if (!Owners.count(Owner) || JoinedFirst.count(Owner))
      continue;
    auto StartIt = Starts.find(Owner);
    if (StartIt == Starts.end())
      continue;
    FieldUseCollector Uses(RD);
    for (const Expr *Start : StartIt->second)
      collectStart(Start, Uses);
    // The first member declared after the owner that the threads use, and
    // whose destruction does something.
    const FieldDecl *Victim = nullptr;
    const MemberExpr *UseSite = nullptr;
    for (const auto &[F, ME] : Uses.Uses) {
      if (F == Owner || F->getFieldIndex() < Owner->getFieldIndex() ||
          !F->getType().isDestructedType())
        continue;
      if (!Victim || F->getFieldIndex() < Victim->getFieldIndex()) {
        Victim = F;
        UseSite = ME;
      }
    }
    if (!Victim)
      continue;
    const SourceLocation Loc = model::reportLoc(Owner->getLocation(), SM);
    if (!Reported.insert(Loc).second)
      continue;
    diag(Loc, "'%0' is declared before '%1', which its threads use; '%1' is "
              "destroyed first, while they may still run")
        << Owner->getName() << Victim->getName();
    diag(model::reportLoc(UseSite->getMemberLoc(), SM),
         "'%0' is used by the thread here", DiagnosticIDs::Note)
        << Victim->getName();
    diag(model::reportLoc(Victim->getLocation(), SM),
         "'%0' is declared here, after '%1'", DiagnosticIDs::Note)
        << Victim->getName() << Owner->getName();
    diag(Loc,
         "declare '%0' last, so that it stops and joins its threads before "
         "the members they use are destroyed",
         DiagnosticIDs::Note)
        << Owner->getName();
  }
}

void ThreadMemberOrderCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *RD = Result.Nodes.getNodeAs<CXXRecordDecl>("class"))
    checkClass(RD, *Result.Context);
}

} // namespace clang::tidy::tether
