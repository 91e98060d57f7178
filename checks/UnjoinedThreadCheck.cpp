//===--- UnjoinedThreadCheck.cpp - tether-unjoined-thread -----------------===//

#include "UnjoinedThreadCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "utils/HandleFlow.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::tether {

UnjoinedThreadCheck::UnjoinedThreadCheck(StringRef Name,
                                         ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      ThreadTypes(utils::options::parseStringList(
          Options.get("ThreadTypes", model::DefaultThreadTypes))),
      OwnerTypesOption(Options.get("OwnerTypes", "")),
      ExceptionPaths(Options.get("ExceptionPaths", true)) {
  OwnerTypes = utils::options::parseStringList(model::AutoJoiningTypes);
  for (StringRef T : utils::options::parseStringList(OwnerTypesOption))
    OwnerTypes.push_back(T);
}

void UnjoinedThreadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ThreadTypes",
                utils::options::serializeStringList(ThreadTypes));
  Options.store(Opts, "OwnerTypes", OwnerTypesOption);
  Options.store(Opts, "ExceptionPaths", ExceptionPaths);
}

void UnjoinedThreadCheck::registerMatchers(MatchFinder *Finder) {
  if (!ThreadTypes.empty() && getLangOpts().CPlusPlus) {
    const auto ThreadRecord = recordType(
        hasDeclaration(cxxRecordDecl(model::threadClass(ThreadTypes))));
    // A local thread object: its function is analysed once, path by path.
    Finder->addMatcher(
        varDecl(hasLocalStorage(),
                // a by-value parameter may never have been started
                unless(parmVarDecl()),
                hasType(hasUnqualifiedDesugaredType(ThreadRecord)))
            .bind("local"),
        this);
    // A thread constructed from a callable: a temporary when its value is
    // discarded.
    Finder->addMatcher(
        cxxConstructExpr(
            argumentCountAtLeast(1),
            hasDeclaration(cxxConstructorDecl(
                ofClass(model::threadClass(ThreadTypes)),
                // copies and moves start nothing
                unless(isCopyConstructor()), unless(isMoveConstructor()))))
            .bind("construct"),
        this);
  }
  // pthread_create(&tid, ...), thrd_create(&tid, ...)
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyName(utils::options::parseStringList(
                   model::CreateFunctions)))),
               forFunction(functionDecl().bind("fn")))
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
  if (const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn")) {
    checkFunction(FD, *Result.Context);
    return;
  }
  if (const auto *Construct =
          Result.Nodes.getNodeAs<CXXConstructExpr>("construct"))
    checkTemporary(Construct, *Result.Context);
}

/// Names the handle for a message: "thread 't'".
static std::string handleName(const VarDecl *VD) {
  return ("thread '" + VD->getName() + "'").str();
}

static StringRef consequence(const VarDecl *VD, ASTContext &Ctx) {
  return model::terminatesWhenJoinable(model::recordOf(VD->getType()), Ctx)
             ? "this calls std::terminate"
             : "its owner can no longer wait for it";
}

void UnjoinedThreadCheck::checkFunction(const FunctionDecl *FD,
                                        ASTContext &Ctx) {
  if (!FD->hasBody() || !Analysed.insert(FD->getCanonicalDecl()).second)
    return;
  const flow::FlowConfig Config{ThreadTypes, OwnerTypes, ExceptionPaths};
  const flow::HandleFlow Flow(FD, Ctx, Config);
  if (!Flow.valid())
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const std::unique_ptr<flow::Start> &S : Flow.starts()) {
    const flow::Leak *L = Flow.leakOf(*S);
    if (!L)
      continue;
    const VarDecl *VD = S->Handle;
    const bool C = S->Kind == flow::HandleKind::CHandle;
    StringRef JoinName = "join()";
    if (C)
      JoinName = cast<CallExpr>(S->CreateCall)
                             ->getDirectCallee()
                             ->getName()
                             .starts_with("thrd_")
                     ? "thrd_join()"
                     : "pthread_join()";

    SourceLocation WarnLoc;
    if (C) {
      WarnLoc = model::reportLoc(S->Site->getBeginLoc(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be neither joined nor detached; nobody can wait "
                    "for it any more")
          << handleName(VD);
    } else if (L->Kind == flow::LeakKind::Overwritten) {
      WarnLoc = model::reportLoc(L->At->getBeginLoc(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be overwritten while joinable; %1")
          << handleName(VD) << consequence(VD, Ctx);
    } else {
      WarnLoc = model::reportLoc(VD->getLocation(), SM);
      if (!firstReportAt(WarnLoc))
        continue;
      diag(WarnLoc, "%0 may be destroyed while joinable; %1")
          << handleName(VD) << consequence(VD, Ctx);
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
    }
    diag(WarnLoc, model::OwnerRemedy, DiagnosticIDs::Note);
  }
}

/// True if the value of \p E is discarded: `std::thread(f);` as a statement,
/// or cast to void.
static bool isDiscarded(const Expr *E, ASTContext &Ctx) {
  DynTypedNode Node = DynTypedNode::create(*E);
  while (true) {
    const DynTypedNodeList Parents = Ctx.getParents(Node);
    if (Parents.size() != 1)
      return false;
    const DynTypedNode &P = Parents[0];
    if (const auto *PE = P.get<Expr>()) {
      if (isa<ParenExpr, ExprWithCleanups, MaterializeTemporaryExpr,
              CXXBindTemporaryExpr, CXXFunctionalCastExpr>(PE)) {
        Node = P;
        continue;
      }
      if (const auto *Cast = dyn_cast<CastExpr>(PE)) {
        if (Cast->getType()->isVoidType() ||
            Cast->getCastKind() == CK_NoOp ||
            Cast->getCastKind() == CK_ConstructorConversion) {
          Node = P;
          continue;
        }
        return false;
      }
      // the left operand of a comma
      if (const auto *BO = dyn_cast<BinaryOperator>(PE))
        return BO->getOpcode() == BO_Comma &&
               BO->getLHS()->IgnoreParens() == Node.get<Expr>();
      return false;
    }
    // A statement holding the expression as a statement of its own (a
    // compound statement, the body of an if or a loop) discards its value.
    const auto *PS = P.get<Stmt>();
    if (!PS)
      return false;
    if (const auto *If = dyn_cast<IfStmt>(PS))
      return If->getThen() == Node.get<Stmt>() ||
             If->getElse() == Node.get<Stmt>();
    return isa<CompoundStmt, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt,
               LabelStmt, CaseStmt, DefaultStmt>(PS) &&
           !(isa<ForStmt>(PS) && cast<ForStmt>(PS)->getCond() == Node.get<Stmt>()) &&
           !(isa<WhileStmt>(PS) && cast<WhileStmt>(PS)->getCond() == Node.get<Stmt>()) &&
           !(isa<DoStmt>(PS) && cast<DoStmt>(PS)->getCond() == Node.get<Stmt>());
  }
}

void UnjoinedThreadCheck::checkTemporary(const CXXConstructExpr *Construct,
                                         ASTContext &Ctx) {
  if (!model::startedConstruct(Construct, ThreadTypes, Ctx) ||
      model::isRecordOf(Construct->getConstructor()->getParent(), OwnerTypes,
                        Ctx) ||
      !isDiscarded(Construct, Ctx))
    return;
  const SourceLocation Loc =
      model::reportLoc(Construct->getBeginLoc(), Ctx.getSourceManager());
  if (!firstReportAt(Loc))
    return;
  const bool Terminates = model::terminatesWhenJoinable(
      Construct->getConstructor()->getParent(), Ctx);
  diag(Loc, "temporary thread is destroyed while joinable; %0")
      << (Terminates ? "this calls std::terminate"
                     : "its owner can no longer wait for it");
  diag(Loc, model::OwnerRemedy, DiagnosticIDs::Note);
}

} // namespace clang::tidy::tether
