//===--- ThrowModel.cpp - which calls may throw, for the path analyses ----===//

#include "utils/ThrowModel.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang-tidy/utils/ExceptionAnalyzer.h"
#include "clang/AST/ExprCXX.h"
#include <optional>

namespace clang::tidy::tether::flow {

bool isNoThrow(const FunctionDecl *FD) {
  const auto *FPT = FD->getType()->getAs<FunctionProtoType>();
  if (!FPT)
    return false;
  if (isa<CXXDestructorDecl>(FD) &&
      (FPT->getExceptionSpecType() == EST_Unevaluated ||
       FPT->getExceptionSpecType() == EST_Uninstantiated ||
       FPT->getExceptionSpecType() == EST_None))
    return true; // implicitly noexcept
  return FPT->isNothrow();
}

ThrowModel::ThrowModel(llvm::ArrayRef<llvm::StringRef> ThreadTypes)
    : Analyzer(std::make_unique<utils::ExceptionAnalyzer>()),
      ThreadTypes(ThreadTypes) {
  Analyzer->ignoreBadAlloc(true);
}
ThrowModel::~ThrowModel() = default;

bool ThrowModel::bodyMayThrow(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  if (!FD->hasBody(Def) || !Def)
    return true;
  // An override may throw what the called declaration's body does not.
  if (const auto *Method = dyn_cast<CXXMethodDecl>(Def))
    if (Method->isVirtual() && !Method->hasAttr<FinalAttr>() &&
        !Method->getParent()->hasAttr<FinalAttr>())
      return true;
  if (Def->isInvalidDecl() || Def->isDependentContext())
    return true;
  return Analyzer->analyze(Def).getBehaviour() !=
         utils::ExceptionAnalyzer::State::NotThrowing;
}

bool ThrowModel::createsThread(const CallExpr *Call) const {
  if (ThreadTypes.empty())
    return false;
  if (std::optional<model::Spawn> Sp = model::asSpawn(Call, ThreadTypes, {}))
    return Sp->Kind == model::SpawnKind::InPlace ||
           Sp->Kind == model::SpawnKind::MakeOwned;
  // v.push_back(std::thread(f)): the container adds a thread it is given.
  const auto *MC = dyn_cast<CXXMemberCallExpr>(Call);
  const CXXMethodDecl *M = MC ? MC->getMethodDecl() : nullptr;
  if (!M || !M->getDeclName().isIdentifier() ||
      model::classifyContainerMethod(M->getName()) != model::ContainerUse::Adds)
    return false;
  for (const Expr *Arg : MC->arguments())
    if (const Expr *Bare = model::stripTransparent(Arg))
      if (std::optional<model::Spawn> Sp = model::asSpawn(Bare, ThreadTypes, {}))
        if (Sp->Kind == model::SpawnKind::ThreadConstruct)
          return true;
  return false;
}

bool mayThrow(const Stmt *S, ThrowModel *Throws) {
  if (isa<CXXThrowExpr>(S))
    return true;
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call)
    return false;
  const Decl *Callee = Call->getCalleeDecl();
  if (const auto *FD = dyn_cast_or_null<FunctionDecl>(Callee)) {
    if (FD->getBuiltinID() != 0)
      return false;
    if (model::isCFunction(FD, model::JoinFunctions))
      return false;
    // std::this_thread::sleep_for and friends: only a broken clock throws.
    if (const auto *NS = dyn_cast<NamespaceDecl>(FD->getDeclContext()))
      if (NS->getDeclName().isIdentifier() && NS->getName() == "this_thread" &&
          NS->getParent()->isStdNamespace())
        return false;
    if (const auto *Method = dyn_cast<CXXMethodDecl>(FD))
      if (Method->getDeclName().isIdentifier() &&
          (Method->getName() == "join" || Method->getName() == "detach") &&
          Method->getNumParams() == 0)
        return false;
    if (const auto *FPT = FD->getType()->getAs<FunctionProtoType>())
      if (FPT->isNothrow())
        return false;
    if (Throws && Throws->createsThread(Call))
      return false;
    return !Throws || Throws->bodyMayThrow(FD);
  }
  return true;
}

const Stmt *throwingStmt(const CFGBlock *B, ThrowModel *Throws) {
  for (auto It = B->rbegin(), End = B->rend(); It != End; ++It)
    if (std::optional<CFGStmt> CS = It->getAs<CFGStmt>())
      if (isa<CallExpr, CXXThrowExpr>(CS->getStmt()))
        return mayThrow(CS->getStmt(), Throws) ? CS->getStmt() : nullptr;
  return nullptr;
}

const CXXTryStmt *tryDispatch(const CFGBlock *B) {
  return dyn_cast_or_null<CXXTryStmt>(B->getTerminatorStmt());
}

} // namespace clang::tidy::tether::flow
