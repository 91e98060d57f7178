//===--- ThrowModel.cpp - which calls may throw, for the path analyses ----===//

#include "utils/ThrowModel.h"
#include "utils/SpawnModel.h"
#include "utils/ThreadModel.h"
#include "clang-tidy/utils/ExceptionAnalyzer.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
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

// ---- A shortcut past ExceptionAnalyzer's walk -------------------------------
//
// utils::ExceptionAnalyzer caches its answer per analysed function, but not
// the answers for the functions it walks into: every top-level question walks
// the whole call tree below it again (every simple path of the call graph),
// which on a 22k-line header (cpp-httplib) made most of the checks' time
// (issue 21). reaches() answers "yes" only when that walk is sure to find
// what is asked, so the analyzer is asked only when it says "not shown":
//
// The analyzer walks every statement of a body; at a call (or a
// construction) it walks the callee's body, unless the callee is on its
// call stack (recursion) or, below the top, provably cannot throw by its
// exception specification; a callee with no body is Unknown; a `throw`
// registers its type. Results merge upwards and are only filtered by a
// try's handlers and, at the top, by the ignored types (std::bad_alloc).
// So if, from the function asked about, a chain of calls (none inside a
// try, a handler, a lambda, an unevaluated operand or a call's arguments;
// each callee's specification allowing a throw) leads to a `throw` of a
// type other than bad_alloc, the analyzer's answer is Throwing; if it leads
// to a call of a non-builtin function with no body whose specification
// allows a throw, the answer is Throwing or Unknown. Any such chain contains
// a chain that repeats no function (cut the loop out), which the analyzer
// walks, as it walks every chain that repeats none. A cycle met here is
// taken as "not shown", which can only send the question on to the
// analyzer.

/// The analyzer's canThrow() (a callee below the top of its walk): only a
/// specification that certainly allows a throw counts here.
static bool specAllowsThrow(const FunctionDecl *FD) {
  if (FD->isConsteval() || FD->getBuiltinID() != 0 ||
      FD->hasAttr<NoThrowAttr>())
    return false;
  const auto *FPT = FD->getType()->getAs<FunctionProtoType>();
  return FPT && FPT->canThrow() == CT_Can;
}

static bool isBadAlloc(QualType T) {
  const auto *RD = T->getAsCXXRecordDecl();
  return !RD || !RD->getIdentifier() || RD->getName() == "bad_alloc";
}

static const FunctionDecl *withBody(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  return FD && FD->getBody(Def) && Def ? Def : nullptr;
}

const ThrowModel::Summary &ThrowModel::summaryOf(const FunctionDecl *Def) {
  std::unique_ptr<Summary> &Slot = Summaries[Def];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<Summary>();
  Summary &Sum = *Slot;
  // Any callee, for mayReachThrow().
  auto Any = [&](const FunctionDecl *FD) {
    if (!FD)
      return;
    if (const FunctionDecl *D = withBody(FD)) {
      Sum.AnyCallees.push_back(D);
      return;
    }
    if (const auto *FPT = FD->getType()->getAs<FunctionProtoType>())
      if (FPT->getExceptionSpecType() == EST_Dynamic &&
          FPT->getNumExceptions() > 0)
        Sum.AnySource = true;
  };
  // A callee on a chain for reaches().
  auto OnChain = [&](const FunctionDecl *Callee) {
    if (!Callee || !specAllowsThrow(Callee))
      return;
    const FunctionDecl *CalleeDef = nullptr;
    if (!Callee->getBody(CalleeDef) || !CalleeDef)
      Sum.CallsUnknown = true;
    else if (!CalleeDef->isDependentContext() && !CalleeDef->isInvalidDecl())
      Sum.Callees.push_back(CalleeDef);
  };
  // Each statement with whether reaches() follows it (OnPath).
  llvm::SmallVector<std::pair<const Stmt *, bool>, 32> Work{
      {Def->getBody(), true}};
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      Work.push_back({Init->getInit(), false});
  while (!Work.empty()) {
    auto [S, OnPath] = Work.pop_back_val();
    if (!S)
      continue;
    if (const auto *Throw = dyn_cast<CXXThrowExpr>(S)) {
      Sum.AnySource = true;
      const Expr *Sub = Throw->getSubExpr();
      if (OnPath && Sub && !Sub->getType()->isDependentType() &&
          !isBadAlloc(Sub->getType()))
        Sum.Throws = true;
      continue; // nothing below a throw matters to either
    }
    if (isa<CXXTryStmt, LambdaExpr, BlockExpr, CoroutineBodyStmt,
            UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, CXXTypeidExpr,
            CXXDefaultInitExpr, CXXDefaultArgExpr>(S))
      OnPath = false;
    bool Args = OnPath; // a call's arguments are off the path
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      Any(Call->getDirectCallee());
      if (OnPath)
        OnChain(Call->getDirectCallee());
      Args = false;
    } else if (const auto *C = dyn_cast<CXXConstructExpr>(S)) {
      Any(C->getConstructor());
      if (OnPath)
        OnChain(C->getConstructor());
      Args = false;
    } else if (const auto *C = dyn_cast<CXXInheritedCtorInitExpr>(S))
      Any(C->getConstructor());
    else if (const auto *L = dyn_cast<LambdaExpr>(S))
      Any(L->getCallOperator());
    else if (const auto *A = dyn_cast<CXXDefaultArgExpr>(S))
      Work.push_back({A->getExpr(), false});
    else if (const auto *I = dyn_cast<CXXDefaultInitExpr>(S))
      Work.push_back({I->getExpr(), false});
    else if (const auto *N = dyn_cast<CXXNewExpr>(S)) {
      Any(N->getOperatorNew());
      Any(N->getOperatorDelete());
    } else if (const auto *D = dyn_cast<CXXDeleteExpr>(S)) {
      Any(D->getOperatorDelete());
      if (const CXXRecordDecl *RD = D->getDestroyedType()
                                        ->getBaseElementTypeUnsafe()
                                        ->getAsCXXRecordDecl())
        if (RD->hasDefinition())
          Any(RD->getDestructor());
    } else if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(S))
      Any(B->getTemporary()->getDestructor());
    for (const Stmt *Child : S->children())
      Work.push_back({Child, Args});
  }
  return Sum;
}

bool ThrowModel::reaches(const FunctionDecl *Def, bool UnknownCounts) {
  llvm::DenseMap<const FunctionDecl *, uint8_t> &Memo = Reach[UnknownCounts ? 1 : 0];
  enum : uint8_t { Yes = 1, No = 2, Open = 3 };
  if (uint8_t State = Memo.lookup(Def))
    return State == Yes;
  // Depth first, without recursion (call chains can be deep).
  struct Frame {
    const FunctionDecl *FD;
    unsigned Next;
  };
  llvm::SmallVector<Frame, 16> Stack;
  auto Enter = [&](const FunctionDecl *FD) {
    const Summary &L = summaryOf(FD);
    if (L.Throws || (UnknownCounts && L.CallsUnknown)) {
      Memo[FD] = Yes;
      return true;
    }
    Memo[FD] = Open;
    Stack.push_back({FD, 0});
    return false;
  };
  bool Found = Enter(Def);
  while (!Stack.empty()) {
    Frame &F = Stack.back();
    const Summary &L = summaryOf(F.FD);
    if (Found) {
      // A chain was found below: every open function on it reaches too.
      Memo[F.FD] = Yes;
      Stack.pop_back();
      continue;
    }
    if (F.Next == L.Callees.size()) {
      Memo[F.FD] = No;
      Stack.pop_back();
      continue;
    }
    const FunctionDecl *Callee = L.Callees[F.Next++];
    switch (Memo.lookup(Callee)) {
    case Yes:
      Found = true;
      break;
    case 0:
      Found = Enter(Callee);
      break;
    default: // No, or open (a cycle): not shown through it
      break;
    }
  }
  return Memo.lookup(Def) == Yes;
}

// The converse shortcut: the analyzer answers Throwing only after meeting a
// `throw` (a rethrow registers what its handler caught, which was met as a
// `throw` first) or a function without a body that declares a dynamic
// exception specification (`throw(X)`). summaryOf() also follows more than the
// analyzer could: every statement, every callee whatever its specification,
// the arguments, default arguments and member initialisers, lambdas' bodies,
// constructor initialisers, the operators of new and delete and the
// destructors of temporaries and deleted objects. If no function reachable
// that way holds such a source, the analyzer cannot answer Throwing.

bool ThrowModel::mayReachThrow(const FunctionDecl *Def) {
  llvm::DenseMap<const FunctionDecl *, uint8_t> &ThrowReach = Reach[2];
  enum : uint8_t { Yes = 1, No = 2 };
  if (uint8_t State = ThrowReach.lookup(Def))
    return State == Yes;
  // Everything reachable from Def, skipping what is known to reach none.
  llvm::DenseSet<const FunctionDecl *> Seen{Def};
  llvm::SmallVector<const FunctionDecl *, 32> Work{Def};
  bool Found = false;
  while (!Work.empty() && !Found) {
    const FunctionDecl *FD = Work.pop_back_val();
    const Summary &O = summaryOf(FD);
    if (O.AnySource) {
      Found = true;
      break;
    }
    for (const FunctionDecl *C : O.AnyCallees) {
      const uint8_t State = ThrowReach.lookup(C);
      if (State == Yes) {
        Found = true;
        break;
      }
      if (State != No && Seen.insert(C).second)
        Work.push_back(C);
    }
  }
  if (Found) {
    ThrowReach[Def] = Yes;
    return true;
  }
  // Whatever was reached reaches nothing either.
  for (const FunctionDecl *FD : Seen)
    ThrowReach[FD] = No;
  return false;
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
  if (reaches(Def, /*UnknownCounts=*/true))
    return true; // what the analyzer would answer, without its walk
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
    // Outside every try, which types does not matter: only whether the
    // analyzer's answer is Throwing, which reaches() may show without it.
    if (Tries.empty() && reaches(CalleeDef, /*UnknownCounts=*/false)) {
      Types.push_back({nullptr, false, /*Unknown=*/true});
      return;
    }
    if (!mayReachThrow(CalleeDef)) {
      return; // the analyzer cannot answer Throwing
    }
    const utils::ExceptionAnalyzer::ExceptionInfo Info =
        Analyzer->analyze(CalleeDef);
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
