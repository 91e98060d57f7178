//===--- ThrowModel.cpp - which calls may throw, for the path analyses ----===//

#include "utils/ThrowModel.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang-tidy/utils/ExceptionAnalyzer.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include <functional>
#include <optional>
#include <string>

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

utils::ExceptionAnalyzer::ExceptionInfo
ThrowModel::analyze(const FunctionDecl *Def) {
  if (std::optional<utils::ExceptionAnalyzer::ExceptionInfo> Known =
          Walker.analyze(Def))
    return *Known;
  return Analyzer->analyze(Def);
}

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
  return analyze(Def).getBehaviour() !=
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

namespace {

/// The name a ThrowingFunctions entry uses for \p FD: its qualified name,
/// with a class template's member named through the template.
std::string listedName(const FunctionDecl *FD) {
  if (const auto *M = dyn_cast<CXXMethodDecl>(FD)) {
    const CXXRecordDecl *RD = M->getParent();
    std::string Owner;
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
      Owner = Spec->getSpecializedTemplate()->getQualifiedNameAsString();
    else
      Owner = RD->getQualifiedNameAsString();
    return Owner + "::" + M->getNameAsString();
  }
  if (const FunctionTemplateDecl *T = FD->getPrimaryTemplate())
    return T->getQualifiedNameAsString();
  return FD->getQualifiedNameAsString();
}

/// The thrown types of one escape: a type, or one of these.
struct Thrown {
  const Type *T = nullptr;
  /// A standard function's exception: std::exception or one derived from
  /// it, caught by `catch (...)` and by a handler of a class of namespace
  /// std (std::exception, std::logic_error, std::out_of_range, ...).
  bool StdException = false;
  /// A rethrow: only `catch (...)` is known to catch it.
  bool Unknown = false;
};

const Type *bareType(QualType T) {
  T = T.getNonReferenceType().getUnqualifiedType().getCanonicalType();
  return T.getTypePtr();
}

/// True if handler \p H catches \p E.
bool catches(const CXXCatchStmt *H, const Thrown &E) {
  if (!H->getExceptionDecl())
    return true; // catch (...)
  const QualType HT = H->getCaughtType();
  if (HT.isNull() || HT->isDependentType())
    return true; // decided in the instantiation: no guess
  const Type *Caught = bareType(HT);
  const CXXRecordDecl *CaughtRD = Caught->getAsCXXRecordDecl();
  if (E.Unknown)
    return false;
  if (E.StdException)
    return CaughtRD && CaughtRD->isInStdNamespace();
  if (!E.T)
    return false;
  if (E.T == Caught)
    return true;
  // A pointer handler catches pointers to derived classes too; a class
  // handler catches derived classes.
  const Type *Thrown = E.T;
  if (Thrown->isPointerType() && Caught->isPointerType()) {
    Thrown = bareType(Thrown->getPointeeType());
    Caught = bareType(Caught->getPointeeType());
    if (Thrown == Caught)
      return true;
    CaughtRD = Caught->getAsCXXRecordDecl();
  }
  const CXXRecordDecl *ThrownRD = Thrown->getAsCXXRecordDecl();
  return ThrownRD && CaughtRD && ThrownRD->hasDefinition() &&
         ThrownRD->isDerivedFrom(CaughtRD);
}

} // namespace

llvm::SmallVector<ThrowModel::Escape, 2>
ThrowModel::escapesOf(const FunctionDecl *FD,
                      llvm::ArrayRef<llvm::StringRef> ThrowingFunctions) {
  llvm::SmallVector<Escape, 2> Out;
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || !Def || Def->isInvalidDecl() ||
      Def->isDependentContext())
    return Out;
  llvm::SmallVector<const CXXTryStmt *, 4> Tries;
  // What \p At throws escapes unless an enclosing try catches all of it.
  auto Escapes = [&](llvm::ArrayRef<Thrown> Types) {
    for (const Thrown &E : Types) {
      bool Caught = false;
      for (const CXXTryStmt *Try : llvm::reverse(Tries)) {
        for (unsigned I = 0; I < Try->getNumHandlers() && !Caught; ++I)
          Caught = catches(Try->getHandler(I), E);
        if (Caught)
          break;
      }
      if (!Caught)
        return true;
    }
    return false;
  };
  auto IsListed = [&](const FunctionDecl *Callee) {
    const std::string Name = listedName(Callee);
    for (llvm::StringRef L : ThrowingFunctions)
      if (L.ltrim(':') == Name)
        return true;
    return false;
  };
  // The types a call may throw, or none.
  auto CallThrows = [&](const FunctionDecl *Callee,
                        llvm::SmallVectorImpl<Thrown> &Types) {
    if (!Callee || Callee->isInvalidDecl())
      return;
    if (IsListed(Callee)) {
      Types.push_back({nullptr, /*StdException=*/true, false});
      return;
    }
    if (const auto *FPT = Callee->getType()->getAs<FunctionProtoType>())
      if (FPT->isNothrow())
        return;
    const FunctionDecl *CalleeDef = nullptr;
    if (!Callee->hasBody(CalleeDef) || !CalleeDef ||
        CalleeDef->isDependentContext())
      return;
    if (const auto *M = dyn_cast<CXXMethodDecl>(CalleeDef))
      if (M->isVirtual() && !M->hasAttr<FinalAttr>() &&
          !M->getParent()->hasAttr<FinalAttr>())
        return;
    const utils::ExceptionAnalyzer::ExceptionInfo Info = analyze(CalleeDef);
    if (Info.getBehaviour() != utils::ExceptionAnalyzer::State::Throwing)
      return;
// LLVM 22 keeps where each type is thrown; LLVM 19 only the types.
#if TETHER_LLVM_MAJOR >= 22
    for (const auto &Entry : Info.getExceptions())
      Types.push_back({Entry.first, false, false});
#else
    for (const Type *T : Info.getExceptionTypes())
      Types.push_back({T, false, false});
#endif
    if (Types.empty())
      Types.push_back({nullptr, false, /*Unknown=*/true});
  };
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S || isa<LambdaExpr>(S) || isa<BlockExpr>(S))
      return;
    if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      Tries.push_back(Try);
      Walk(Try->getTryBlock());
      Tries.pop_back();
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        Walk(Try->getHandler(I)->getHandlerBlock());
      return;
    }
    llvm::SmallVector<Thrown, 2> Types;
    const FunctionDecl *Callee = nullptr;
    if (const auto *Throw = dyn_cast<CXXThrowExpr>(S)) {
      if (const Expr *Sub = Throw->getSubExpr()) {
        if (!Sub->getType()->isDependentType())
          Types.push_back({bareType(Sub->getType()), false, false});
      } else {
        Types.push_back({nullptr, false, /*Unknown=*/true});
      }
    } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
      Callee = Call->getDirectCallee();
      CallThrows(Callee, Types);
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
      Callee = Construct->getConstructor();
      CallThrows(Callee, Types);
    }
    if (!Types.empty() && Escapes(Types))
      Out.push_back({S, Callee});
    for (const Stmt *Child : S->children())
      Walk(Child);
  };
  Walk(Def->getBody());
  return Out;
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
