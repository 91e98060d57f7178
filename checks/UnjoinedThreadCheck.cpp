//===--- UnjoinedThreadCheck.cpp - tether-unjoined-thread -----------------===//

#include "UnjoinedThreadCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/FixIts.h"
#include "utils/HandleFlow.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "utils/ThrowModel.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

UnjoinedThreadCheck::UnjoinedThreadCheck(StringRef Name,
                                         ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Shared(Options, model::ThreadTypesOpt | model::OwnerTypesOpt |
                          model::ExceptionPathsOpt),
      Inserter(Options.getLocalOrGlobal("IncludeStyle",
                                        utils::IncludeSorter::IS_LLVM),
               areDiagsSelfContained()) {}

void UnjoinedThreadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Shared.store(Options, Opts);
  Options.store(Opts, "IncludeStyle", Inserter.getStyle());
}

void UnjoinedThreadCheck::registerPPCallbacks(const SourceManager &,
                                              Preprocessor *PP,
                                              Preprocessor *) {
  Inserter.registerPreprocessor(PP);
}

void UnjoinedThreadCheck::registerMatchers(MatchFinder *Finder) {
  if (!ThreadTypes.empty() && getLangOpts().CPlusPlus) {
    const auto ThreadRecord = recordType(
        hasDeclaration(cxxRecordDecl(model::threadClass(ThreadTypes))));
    const auto ThreadArg = templateArgument(
        refersToType(hasUnqualifiedDesugaredType(ThreadRecord)));
    // A local thread object, a local container of threads (vector<thread>,
    // ...), a smart or raw pointer to a thread: its function is analysed
    // once, path by path (HandleFlow decides what it holds).
    Finder->addMatcher(
        varDecl(hasLocalStorage(),
                // a by-value parameter may never have been started
                unless(parmVarDecl()),
                hasType(hasUnqualifiedDesugaredType(anyOf(
                    ThreadRecord,
                    pointerType(pointee(hasUnqualifiedDesugaredType(ThreadRecord))),
                    recordType(hasDeclaration(classTemplateSpecializationDecl(
                        hasAnyTemplateArgument(ThreadArg))))))))
            .bind("local"),
        this);
    // A thread constructed from a callable as a temporary whose value is
    // discarded: found from the statements that discard values, looking
    // down, so that no parent map of the TU is needed.
    // One matcher per statement kind, so that no other node is offered to
    // them (a stmt(anyOf(...)) ran on every expression of the TU).
    Finder->addMatcher(compoundStmt().bind("holder"), this);
    Finder->addMatcher(ifStmt().bind("holder"), this);
    Finder->addMatcher(forStmt().bind("holder"), this);
    Finder->addMatcher(whileStmt().bind("holder"), this);
    Finder->addMatcher(doStmt().bind("holder"), this);
    Finder->addMatcher(cxxForRangeStmt().bind("holder"), this);
    Finder->addMatcher(labelStmt().bind("holder"), this);
    Finder->addMatcher(switchCase().bind("holder"), this);
  }
  // pthread_create(&tid, ...), thrd_create(&tid, ...): the function is the
  // one that declares tid (check() asks the variable, not the parent map).
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyName(utils::options::parseStringList(
                   model::CreateFunctions)))),
               argumentCountAtLeast(1))
          .bind("create"),
      this);
}

bool UnjoinedThreadCheck::firstReportAt(SourceLocation Loc) {
  return Reported.insert(Loc).second;
}

void UnjoinedThreadCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *VD = Result.Nodes.getNodeAs<VarDecl>("local")) {
    if (const auto *FD =
            dyn_cast_or_null<FunctionDecl>(VD->getParentFunctionOrMethod()))
      checkFunction(FD, *Result.Context);
    return;
  }
  if (const auto *Create = Result.Nodes.getNodeAs<CallExpr>("create")) {
    // Only a local handle is followed: pthread_create(&tid, ...).
    const auto *VD =
        dyn_cast_or_null<VarDecl>(model::handleDecl(Create->getArg(0)));
    if (VD && VD->hasLocalStorage())
      if (const auto *FD =
              dyn_cast_or_null<FunctionDecl>(VD->getParentFunctionOrMethod()))
        checkFunction(FD, *Result.Context);
    return;
  }
  if (const auto *Holder = Result.Nodes.getNodeAs<Stmt>("holder"))
    checkTemporaries(Holder, *Result.Context);
}

/// Names the handle for a message: "thread 't'", "threads in 'v'",
/// "thread owned by 'p'".
static std::string handleName(const flow::Start &S) {
  const std::string Name = S.Handle->getName().str();
  switch (S.Kind) {
  case flow::HandleKind::Container:
    return "threads in '" + Name + "'";
  case flow::HandleKind::Owned:
    return "thread owned by '" + Name + "'";
  default:
    return "thread '" + Name + "'";
  }
}

/// The thread class a start's handle holds.
static const CXXRecordDecl *
threadClassOf(const flow::Start &S, llvm::ArrayRef<StringRef> ThreadTypes) {
  if (const auto *C = dyn_cast<CXXConstructExpr>(S.Site))
    return C->getConstructor()->getParent();
  if (const std::optional<model::Spawn> Sp =
          model::asSpawn(S.Site, ThreadTypes, {}))
    return Sp->ThreadClass;
  return model::recordOf(S.Handle->getType());
}

StringRef UnjoinedThreadCheck::consequence(const flow::Start &S,
                                           ASTContext &Ctx) const {
  return model::terminatesWhenJoinable(threadClassOf(S, ThreadTypes), Ctx)
             ? model::TerminateConsequence
             : model::UnwaitableConsequence;
}

/// True if a thread running \p Callable with \p NumArgs further arguments
/// cannot be handed a std::stop_token first, judged by its type: a lambda
/// without parameters (and no arguments), or a function, a pointer or a
/// reference to one, with exactly \p NumArgs parameters and no `...`.
/// Anything else (a functor, std::bind, a generic lambda) may accept one:
/// std::jthread would then pass it and change what runs.
static bool takesNoStopToken(const Expr *Callable, unsigned NumArgs) {
  QualType T = Callable->IgnoreImplicit()->getType().getNonReferenceType();
  if (const auto *P = T->getAs<PointerType>())
    T = P->getPointeeType();
  if (const auto *FT = T->getAs<FunctionProtoType>())
    return !FT->isVariadic() && FT->getNumParams() == NumArgs;
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->isLambda() || RD->isGenericLambda() || NumArgs != 0)
    return false;
  const CXXMethodDecl *Call = RD->getLambdaCallOperator();
  return Call && Call->getNumParams() == 0 && !Call->isVariadic();
}

bool UnjoinedThreadCheck::jthreadFixable(
    const flow::Start &S, const flow::HandleFlow &Flow, const FunctionDecl *FD,
    ASTContext &Ctx, std::unique_ptr<flow::HandleFlow> &NormalOnly) const {
  const VarDecl *VD = S.Handle;
  if (!getLangOpts().CPlusPlus20 || S.Kind != flow::HandleKind::Object ||
      !FD->getBody() || fixit::inTemplate(FD) || !VD->getTypeSourceInfo() ||
      VD->getType().hasQualifiers())
    return false;
  // Exactly std::thread, the only start of the handle, constructed from a
  // callable in the declaration: `std::thread t(f, args...);` or `{...}`.
  const auto *Construct = dyn_cast<CXXConstructExpr>(S.Site);
  if (!Construct || isa<CXXTemporaryObjectExpr>(Construct) ||
      !VD->getInit() || VD->getInit()->IgnoreImplicit() != Construct ||
      (VD->getInitStyle() != VarDecl::CallInit &&
       VD->getInitStyle() != VarDecl::ListInit))
    return false;
  const CXXRecordDecl *RD = Construct->getConstructor()->getParent();
  if (!fixit::isStdThread(RD) || model::recordOf(VD->getType()) != RD)
    return false;
  if (llvm::count_if(Flow.starts(), [&](const std::unique_ptr<flow::Start> &O) {
        return O->Handle == VD;
      }) != 1)
    return false;
  // Spelled `std::thread` (or `::std::thread`) in the main file, outside
  // macros: no typedef, alias, `auto` or `using std::thread`.
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceRange TypeRange =
      VD->getTypeSourceInfo()->getTypeLoc().getSourceRange();
  if (TypeRange.isInvalid() || TypeRange.getBegin().isMacroID() ||
      TypeRange.getEnd().isMacroID() || !SM.isInMainFile(TypeRange.getBegin()))
    return false;
  std::string Spelled =
      Lexer::getSourceText(CharSourceRange::getTokenRange(TypeRange), SM,
                           getLangOpts())
          .str();
  llvm::erase_if(Spelled, [](char C) { return isspace(C); });
  if (Spelled != "std::thread" && Spelled != "::std::thread")
    return false;
  // The callable cannot take a std::stop_token first.
  const std::optional<model::Spawn> Sp = model::asSpawn(Construct, ThreadTypes, {});
  if (!Sp || !Sp->Callable ||
      !takesNoStopToken(Sp->Callable, Construct->getNumArgs() - 1))
    return false;
  // Used only through join(), joinable(), get_id(), native_handle(), and
  // declared alone.
  const fixit::LocalUses Uses = fixit::localUses(
      VD, FD->getBody(), {"join", "joinable", "get_id", "native_handle"});
  if (!Uses.Alone || !Uses.OnlyMemberCalls)
    return false;
  // Joined on every normal path: the same flow without exception edges
  // leaks nothing.
  if (!NormalOnly)
    NormalOnly = std::make_unique<flow::HandleFlow>(FD, Ctx, NormalPaths);
  if (!NormalOnly->valid())
    return false;
  for (const std::unique_ptr<flow::Start> &O : NormalOnly->starts())
    if (O->Handle == VD && O->Site == S.Site)
      return NormalOnly->leakOf(*O) == nullptr;
  return false;
}

void UnjoinedThreadCheck::checkFunction(const FunctionDecl *FD,
                                        ASTContext &Ctx) {
  if (!FD->hasBody() || !Analysed.insert(FD->getCanonicalDecl()).second)
    return;
  const flow::FlowConfig Config{
      ThreadTypes, OwnerTypes, ExceptionPaths,
      &model::TUModel::of(Ctx).throwModel(ThreadTypes)};
  const flow::HandleFlow Flow(FD, Ctx, Config);
  if (!Flow.valid())
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  std::unique_ptr<flow::HandleFlow> NormalOnly;
  for (const std::unique_ptr<flow::Start> &S : Flow.starts()) {
    const flow::Leak *L = Flow.leakOf(*S);
    if (!L)
      continue;
    const VarDecl *VD = S->Handle;
    const bool C = S->Kind == flow::HandleKind::CHandle;
    const bool Elements = S->Kind == flow::HandleKind::Container;
    std::string JoinName = "join()";
    if (C)
      JoinName = cast<CallExpr>(S->CreateCall)
                             ->getDirectCallee()
                             ->getName()
                             .starts_with("thrd_")
                     ? "thrd_join()"
                     : "pthread_join()";
    else if (Elements)
      JoinName = "joining the threads in '" + VD->getName().str() + "'";

    SourceLocation WarnLoc;
    if (C) {
      WarnLoc = model::reportLoc(S->Site->getBeginLoc(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be neither joined nor detached; nobody can wait "
                    "for it any more")
          << handleName(*S);
    } else if (L->Kind == flow::LeakKind::Overwritten) {
      WarnLoc = model::reportLoc(L->At->getBeginLoc(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be overwritten while joinable; %1")
          << handleName(*S) << consequence(*S, Ctx);
    } else if (L->Kind == flow::LeakKind::Destroyed) {
      WarnLoc = model::reportLoc(flow::exitLoc(L->At), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be %select{destroyed|deleted}1 here while "
                    "joinable; %2")
          << handleName(*S) << isa<CXXDeleteExpr>(L->At)
          << consequence(*S, Ctx);
    } else {
      WarnLoc = model::reportLoc(VD->getLocation(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      auto D = diag(WarnLoc, "%0 may be destroyed while joinable; %1")
               << handleName(*S) << consequence(*S, Ctx);
      // std::thread -> std::jthread where only exception paths change.
      if (jthreadFixable(*S, Flow, FD, Ctx, NormalOnly)) {
        const SourceLocation Name =
            VD->getTypeSourceInfo()->getTypeLoc().getEndLoc();
        D << FixItHint::CreateReplacement(
            CharSourceRange::getTokenRange(Name, Name), "jthread");
        if (std::optional<FixItHint> Include =
                Inserter.createMainFileIncludeInsertion("<thread>"))
          D << *Include;
      }
    }

    const SourceLocation StartLoc =
        model::reportLoc(S->Site->getBeginLoc(), SM);
    if (StartLoc != WarnLoc)
      diag(StartLoc, "thread started here", DiagnosticIDs::Note);
    const SourceLocation ExitLoc = model::reportLoc(L->Loc, SM);
    switch (L->Kind) {
    case flow::LeakKind::ScopeExit:
      diag(ExitLoc, "scope exits here without %0", DiagnosticIDs::Note)
          << JoinName;
      break;
    case flow::LeakKind::Exception:
      if (isa<CXXThrowExpr>(L->At))
        diag(ExitLoc, "the exception thrown here leaves the scope without %0",
             DiagnosticIDs::Note)
            << JoinName;
      else
        diag(ExitLoc, "an exception from this call leaves the scope without %0",
             DiagnosticIDs::Note)
            << JoinName;
      break;
    case flow::LeakKind::Overwritten:
      if (C)
        diag(ExitLoc, "the handle is overwritten here without %0",
             DiagnosticIDs::Note)
            << JoinName;
      break;
    case flow::LeakKind::Destroyed:
      break;
    }
    diag(WarnLoc, model::OwnerRemedy, DiagnosticIDs::Note);
  }
}

/// The expressions whose value statement \p S discards: the statements of a
/// block and the bodies of if, loops, labels and cases; through a cast to
/// void and both sides of a comma.
static void discardedExprs(const Stmt *S,
                           llvm::SmallVectorImpl<const Expr *> &Out) {
  auto Add = [&Out](const Stmt *Child) {
    llvm::SmallVector<const Expr *, 2> Work;
    if (const auto *E = dyn_cast_or_null<Expr>(Child))
      Work.push_back(E);
    while (!Work.empty()) {
      const Expr *E = Work.pop_back_val()->IgnoreParens();
      if (const auto *EWC = dyn_cast<ExprWithCleanups>(E))
        E = EWC->getSubExpr()->IgnoreParens();
      if (const auto *Cast = dyn_cast<CastExpr>(E))
        if (Cast->getType()->isVoidType()) {
          Work.push_back(Cast->getSubExpr());
          continue;
        }
      if (const auto *BO = dyn_cast<BinaryOperator>(E))
        if (BO->getOpcode() == BO_Comma) {
          Work.push_back(BO->getLHS());
          Work.push_back(BO->getRHS());
          continue;
        }
      Out.push_back(E);
    }
  };
  if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
    for (const Stmt *Child : CS->body())
      Add(Child);
  } else if (const auto *If = dyn_cast<IfStmt>(S)) {
    Add(If->getThen());
    Add(If->getElse());
  } else if (const auto *For = dyn_cast<ForStmt>(S)) {
    Add(For->getBody());
    Add(For->getInc());
  } else if (const auto *While = dyn_cast<WhileStmt>(S)) {
    Add(While->getBody());
  } else if (const auto *Do = dyn_cast<DoStmt>(S)) {
    Add(Do->getBody());
  } else if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
    Add(Range->getBody());
  } else if (const auto *Label = dyn_cast<LabelStmt>(S)) {
    Add(Label->getSubStmt());
  } else if (const auto *Case = dyn_cast<SwitchCase>(S)) {
    Add(Case->getSubStmt());
  }
}

/// The thread construction a discarded expression is, through temporaries
/// and functional casts: `std::thread(f);`. Null otherwise.
static const CXXConstructExpr *discardedConstruct(const Expr *E) {
  return dyn_cast_or_null<CXXConstructExpr>(model::stripTransparent(E));
}

void UnjoinedThreadCheck::checkTemporaries(const Stmt *Holder,
                                           ASTContext &Ctx) {
  llvm::SmallVector<const Expr *, 8> Discarded;
  discardedExprs(Holder, Discarded);
  for (const Expr *E : Discarded)
    if (const CXXConstructExpr *Construct = discardedConstruct(E))
      checkTemporary(Construct, Ctx);
}

void UnjoinedThreadCheck::checkTemporary(const CXXConstructExpr *Construct,
                                         ASTContext &Ctx) {
  if (!model::startedConstruct(Construct, ThreadTypes, Ctx) ||
      model::isRecordOf(Construct->getConstructor()->getParent(), OwnerTypes,
                        Ctx))
    return;
  const SourceLocation Loc =
      model::reportLoc(Construct->getBeginLoc(), Ctx.getSourceManager());
  if (!firstReportAt(Loc))
    return;
  const bool Terminates = model::terminatesWhenJoinable(
      Construct->getConstructor()->getParent(), Ctx);
  diag(Loc, "temporary thread is destroyed while joinable; %0")
      << (Terminates ? model::TerminateConsequence
                     : model::UnwaitableConsequence);
  diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
