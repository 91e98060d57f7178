//===--- SyncModel.cpp - WaitGroup-like counters and channels -------------===//

#include "utils/SyncModel.h"
#include "utils/ThreadModel.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/STLExtras.h"
#include "clang/Basic/OperatorKinds.h"

namespace clang::tidy::tether::model {

bool SyncType::isOp(unsigned Op, llvm::StringRef Method) const {
  if (Op >= Ops.size())
    return false;
  for (const std::string &N : Ops[Op])
    if (N == Method)
      return true;
  return false;
}

static llvm::SmallVector<std::string, 4> splitOps(llvm::StringRef List) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  List.split(Parts, '|', -1, /*KeepEmpty=*/false);
  llvm::SmallVector<std::string, 4> Out;
  for (llvm::StringRef P : Parts)
    if (!P.trim().empty())
      Out.push_back(P.trim().str());
  return Out;
}

std::vector<SyncType>
parseSyncTypes(llvm::StringRef Option,
               llvm::ArrayRef<llvm::StringLiteral> DefaultOps) {
  std::vector<SyncType> Types;
  llvm::SmallVector<llvm::StringRef, 4> Entries;
  Option.split(Entries, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Entry : Entries) {
    Entry = Entry.trim();
    if (Entry.empty())
      continue;
    llvm::SmallVector<llvm::StringRef, 4> Fields;
    Entry.split(Fields, ',', -1, /*KeepEmpty=*/true);
    SyncType T;
    llvm::StringRef Name = Fields[0].trim();
    Name.consume_front("::");
    T.Name = Name.str();
    const bool TypeOnly = Fields.size() == 1;
    for (unsigned I = 0; I < DefaultOps.size(); ++I) {
      if (TypeOnly)
        T.Ops.push_back(splitOps(DefaultOps[I]));
      else if (I + 1 < Fields.size())
        T.Ops.push_back(splitOps(Fields[I + 1]));
      else
        T.Ops.push_back({});
    }
    Types.push_back(std::move(T));
  }
  return Types;
}

static const SyncType *entryNamed(const CXXRecordDecl *RD,
                                  llvm::ArrayRef<SyncType> Types) {
  if (!RD)
    return nullptr;
  const std::string Q = RD->getQualifiedNameAsString();
  for (const SyncType &T : Types)
    if (T.Name == Q)
      return &T;
  return nullptr;
}

const SyncType *syncTypeOf(QualType T, llvm::ArrayRef<SyncType> Types) {
  if (T.isNull() || Types.empty())
    return nullptr;
  T = T.getNonReferenceType();
  if (const auto *PT = T->getAs<PointerType>())
    T = PT->getPointeeType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return nullptr;
  if (const SyncType *Found = entryNamed(RD, Types))
    return Found;
  if (!RD->hasDefinition())
    return nullptr;
  const SyncType *Found = nullptr;
  RD->getDefinition()->forallBases([&](const CXXRecordDecl *Base) {
    if (!Found)
      Found = entryNamed(Base, Types);
    return true;
  });
  return Found;
}

/// The name a call's callee is listed under: "close", "operator<<".
static std::string calleeName(const FunctionDecl *FD) {
  if (FD->getDeclName().isIdentifier())
    return FD->getName().str();
  if (FD->isOverloadedOperator())
    return std::string("operator") +
           getOperatorSpelling(FD->getOverloadedOperator());
  return "";
}

std::optional<SyncCall> asSyncCall(const Expr *E,
                                   llvm::ArrayRef<SyncType> Types) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call || Types.empty())
    return std::nullopt;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return std::nullopt;
  const std::string Name = calleeName(Callee);
  if (Name.empty())
    return std::nullopt;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!Obj)
      return std::nullopt;
    const SyncType *T = syncTypeOf(Obj->getType(), Types);
    if (!T)
      return std::nullopt;
    for (unsigned Op = 0; Op < T->Ops.size(); ++Op)
      if (T->isOp(Op, Name))
        return SyncCall{Call, Obj, T, Op};
    return std::nullopt;
  }
  // ch << v, ch >> v (member or free operators) and v << ch.
  const auto *OpCall = dyn_cast<CXXOperatorCallExpr>(Call);
  if (!OpCall || OpCall->getNumArgs() < 1)
    return std::nullopt;
  if (const SyncType *T = syncTypeOf(OpCall->getArg(0)->getType(), Types)) {
    for (unsigned Op = 0; Op < T->Ops.size(); ++Op)
      if (T->isOp(Op, Name))
        return SyncCall{Call, OpCall->getArg(0), T, Op};
    return std::nullopt;
  }
  if (OpCall->getNumArgs() != 2)
    return std::nullopt;
  if (const SyncType *T = syncTypeOf(OpCall->getArg(1)->getType(), Types)) {
    for (unsigned Op = T->Ops.size(); Op-- > 0;)
      if (T->isOp(Op, Name))
        return SyncCall{Call, OpCall->getArg(1), T, Op};
  }
  return std::nullopt;
}

/// True for a local variable whose initializer names the handle it aliases:
/// a reference, a pointer, or a class-typed copy.
static const Expr *aliasInit(const VarDecl *VD) {
  if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage() || !VD->getInit())
    return nullptr;
  QualType T = VD->getType();
  if (T->isReferenceType() || T->isPointerType() || T->isRecordType())
    return VD->getInit();
  return nullptr;
}

static const ValueDecl *syncRootImpl(const Expr *E, unsigned Depth);

static const ValueDecl *rootOfDeclImpl(const ValueDecl *D, unsigned Depth) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  if (const Expr *Init = aliasInit(VD))
    if (const ValueDecl *Root = syncRootImpl(Init, Depth + 1))
      return Root;
  return D;
}

const ValueDecl *rootOfDecl(const ValueDecl *D) { return rootOfDeclImpl(D, 0); }

static const ValueDecl *syncRootImpl(const Expr *E, unsigned Depth) {
  while (E && Depth < 8) {
    E = ignoreWrappers(E);
    if (const auto *C = dyn_cast<CXXConstructExpr>(E)) {
      // A copy of the handle, or a view built from it (Sender(ch)).
      if (C->getNumArgs() == 1 && C->getArg(0)->getType()->isRecordType()) {
        E = C->getArg(0);
        continue;
      }
      return nullptr;
    }
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E)) {
      E = Cast->getSubExpr();
      continue;
    }
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf) {
        E = U->getSubExpr();
        continue;
      }
      return nullptr;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      // smart_ptr->, *smart_ptr
      if ((Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
          Op->getNumArgs() == 1) {
        E = Op->getArg(0);
        continue;
      }
      return nullptr;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      // ch.receiver(), ch.sender(), ptr.get(): the same channel or counter.
      const CXXMethodDecl *M = MC->getMethodDecl();
      if (M && MC->getNumArgs() == 0 && M->getDeclName().isIdentifier() &&
          (M->getName() == "receiver" || M->getName() == "sender" ||
           M->getName() == "get")) {
        E = MC->getImplicitObjectArgument();
        continue;
      }
      return nullptr;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // std::ref(ch), std::move(ch)
      const FunctionDecl *FD = Call->getDirectCallee();
      if (FD && Call->getNumArgs() == 1 && FD->isInStdNamespace() &&
          FD->getDeclName().isIdentifier() &&
          (FD->getName() == "ref" || FD->getName() == "cref" ||
           FD->getName() == "move" || FD->getName() == "addressof")) {
        E = Call->getArg(0);
        continue;
      }
      return nullptr;
    }
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return rootOfDeclImpl(DRE->getDecl(), Depth);
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (isa<FieldDecl>(ME->getMemberDecl()))
        return ME->getMemberDecl();
      return nullptr;
    }
    return nullptr;
  }
  return nullptr;
}

const ValueDecl *syncRoot(const Expr *E) { return syncRootImpl(E, 0); }

static void collectSyncCalls(const Stmt *S, llvm::ArrayRef<SyncType> Types,
                             int Op, bool EnterLambdas,
                             llvm::SmallVector<SyncCall, 4> &Out) {
  if (!S)
    return;
  if (!EnterLambdas &&
      (isa<LambdaExpr>(S) || isa<BlockExpr>(S) ||
       (isa<DeclStmt>(S) &&
        llvm::any_of(cast<DeclStmt>(S)->decls(),
                     [](const Decl *D) { return isa<CXXRecordDecl>(D); }))))
    return;
  if (const auto *E = dyn_cast<Expr>(S))
    if (std::optional<SyncCall> C = asSyncCall(E, Types))
      if (Op < 0 || static_cast<int>(C->Op) == Op)
        Out.push_back(*C);
  for (const Stmt *Child : S->children())
    collectSyncCalls(Child, Types, Op, EnterLambdas, Out);
}

llvm::SmallVector<SyncCall, 4> syncCallsIn(const Stmt *Body,
                                           llvm::ArrayRef<SyncType> Types,
                                           int Op, bool EnterLambdas) {
  llvm::SmallVector<SyncCall, 4> Out;
  if (const auto *Lambda = dyn_cast_or_null<LambdaExpr>(Body))
    Body = Lambda->getBody();
  collectSyncCalls(Body, Types, Op, EnterLambdas, Out);
  return Out;
}

std::optional<SpawnedTask>
spawnedTask(const Expr *Site, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
            llvm::ArrayRef<llvm::StringRef> SpawnFunctions,
            llvm::ArrayRef<SyncType> Types, unsigned Op) {
  std::optional<Spawn> S = asSpawn(Site, ThreadTypes, SpawnFunctions);
  if (!S)
    return std::nullopt;
  SpawnedTask T{*S, resolveCallable(S->Callable), nullptr, {}, false, nullptr};
  T.Body = definitionOf(T.Callable);
  if (!T.Body || T.Body->isDependentContext())
    return std::nullopt;
  T.Calls = syncCallsIn(T.Body->getBody(), Types, static_cast<int>(Op));
  if (T.Calls.empty())
    return std::nullopt;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S->Site)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (Obj && syncTypeOf(Obj->getType(), Types)) {
      T.SpawnedByCounter = true;
      T.SpawnerRoot = syncRoot(Obj);
    }
  }
  return T;
}

std::string rootName(const ValueDecl *Root) {
  if (!Root || !Root->getDeclName().isIdentifier())
    return "";
  return ("'" + Root->getName() + "'").str();
}

std::string spellCall(const ValueDecl *Root, llvm::StringRef Method,
                      llvm::ArrayRef<SyncType> Types) {
  const SyncType *T = Root ? syncTypeOf(Root->getType(), Types) : nullptr;
  if (!T || !Root->getDeclName().isIdentifier()) {
    llvm::StringRef Short = T ? llvm::StringRef(T->Name) : "WaitGroup";
    Short = Short.rsplit("::").second.empty() ? Short : Short.rsplit("::").second;
    return (Short + "::" + Method + "(f)").str();
  }
  const bool Pointer = Root->getType().getNonReferenceType()->isPointerType();
  return (Root->getName() + (Pointer ? "->" : ".") + Method + "(f)").str();
}

} // namespace clang::tidy::tether::model
