//===--- LockModel.cpp - mutexes held, shared flags, waits and notifies ---===//
//
// One RecursiveASTVisitor pass over the translation unit (template
// instantiations included, template patterns and system headers skipped)
// records writes, escapes, predicated waits, notifies and lock acquisitions
// with the function they are in. heldAt() then answers from a ParentMap of
// that one function's body: it walks up from the statement and replays, from
// the outermost block inwards, the lock and unlock statements that precede it
// in each enclosing block. Locks inside a preceding nested block have ended;
// a lock taken in a branch (`if (c) m.lock();`) is not counted: a missed
// lock means a finding may be missed elsewhere, never that one is made up
// here.
//
//===----------------------------------------------------------------------===//

#include "LockModel.h"
#include "SyncModel.h"
#include "ThreadModel.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>

namespace clang::tidy::tether::model {

const ValueDecl *flagOf(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DRE->getDecl());
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return dyn_cast<FieldDecl>(ME->getMemberDecl());
  return nullptr;
}

bool writerThreadKnown(
    const FlagWrite &W,
    const llvm::DenseSet<const FunctionDecl *> &SpawnedEntries) {
  const auto *M = dyn_cast_or_null<CXXMethodDecl>(W.Fn);
  if (!M || !M->getParent()->isLambda())
    return W.Fn != nullptr;
  return SpawnedEntries.count(W.Fn);
}

llvm::SmallVector<const ValueDecl *, 2> fieldPath(const Expr *E) {
  llvm::SmallVector<const ValueDecl *, 2> Path;
  for (unsigned Guard = 0; E && Guard < 16; ++Guard) {
    const auto *ME = dyn_cast<MemberExpr>(E->IgnoreParenImpCasts());
    if (!ME)
      break;
    Path.insert(Path.begin(), ME->getMemberDecl());
    E = ME->getBase();
  }
  return Path;
}

std::string declName(const ValueDecl *D) {
  return D ? "'" + D->getNameAsString() + "'" : std::string("the mutex");
}

static bool isNamed(const NamedDecl *D, llvm::StringRef Name) {
  return D && D->getDeclName().isIdentifier() && D->getName() == Name;
}

// By the class's own name: no option, the writes they take are fixed.
bool isAtomicType(QualType T) {
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD || !RD->getDeclName().isIdentifier())
    return false;
  const llvm::StringRef N = RD->getName();
  return (N == "atomic" || N == "atomic_flag" || N == "atomic_ref") &&
         (RD->isInStdNamespace() || RD->getQualifiedNameAsString().find(
                                        "boost::") == 0);
}

static bool isDeferLock(const Expr *E) {
  const CXXRecordDecl *RD = E->getType()->getAsCXXRecordDecl();
  return RD && (isNamed(RD, "defer_lock_t") || isNamed(RD, "try_to_lock_t"));
}

/// The lock object (a variable of a lock class) \p E names, or null.
static const VarDecl *lockVarOf(const Expr *E, const LockIndex &Index) {
  if (!E)
    return nullptr;
  const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  return VD && Index.isLockType(VD->getType()) ? VD : nullptr;
}

bool LockIndex::isOf(QualType T, llvm::ArrayRef<llvm::StringRef> Names,
                     llvm::DenseMap<const Decl *, bool> &Cache) const {
  const CXXRecordDecl *RD = recordOf(T.getNonReferenceType());
  if (!RD || !RD->hasDefinition())
    return false;
  auto It = Cache.find(RD->getCanonicalDecl());
  if (It != Cache.end())
    return It->second;
  // A class template specialisation is named by its template.
  const bool R = isRecordOf(RD, Names, Ctx);
  Cache[RD->getCanonicalDecl()] = R;
  return R;
}

bool LockIndex::isLockType(QualType T) const {
  return isOf(T, LockTypes, LockCache);
}
bool LockIndex::isConditionVariable(QualType T) const {
  return isOf(T, CVTypes, CVCache);
}

const ValueDecl *LockIndex::mutexOfLock(const VarDecl *Lock) const {
  if (!Lock || !Lock->getInit())
    return nullptr;
  const auto *C = dyn_cast<CXXConstructExpr>(ignoreWrappers(Lock->getInit()));
  if (!C || C->getNumArgs() == 0)
    return nullptr;
  return syncRoot(C->getArg(0));
}

/// True if the lock object \p Lock holds its mutex once constructed.
static bool locksOnConstruction(const VarDecl *Lock) {
  const auto *C = Lock->getInit()
                      ? dyn_cast<CXXConstructExpr>(ignoreWrappers(Lock->getInit()))
                      : nullptr;
  if (!C || C->getNumArgs() == 0)
    return false;
  for (const Expr *Arg : C->arguments())
    if (isDeferLock(Arg))
      return false;
  return true;
}

class LockIndex::Collector : public RecursiveASTVisitor<Collector> {
public:
  Collector(LockIndex &Index) : Index(Index), SM(Index.Ctx.getSourceManager()) {}
  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D)) {
      const SourceLocation Loc = D->getLocation();
      if (Loc.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(Loc)))
        return true;
    }
    if (const auto *DC = dyn_cast<DeclContext>(D))
      if (DC->isDependentContext())
        return true; // decided in the instantiations
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (FD && FD->doesThisDeclarationHaveABody()) {
      Fns.push_back(FD);
      bool R = RecursiveASTVisitor<Collector>::TraverseDecl(D);
      Fns.pop_back();
      return R;
    }
    return RecursiveASTVisitor<Collector>::TraverseDecl(D);
  }

  bool TraverseLambdaExpr(LambdaExpr *L) {
    Fns.push_back(L->getCallOperator());
    bool R = RecursiveASTVisitor<Collector>::TraverseLambdaExpr(L);
    Fns.pop_back();
    return R;
  }

  bool VisitExpr(Expr *E) {
    if (!Fns.empty() && !Index.Wanted.empty() && Index.Wanted.count(E))
      Index.Owners[E] = Fns.back();
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->isAssignmentOp())
      write(BO->getLHS(), BO);
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *U) {
    if (U->isIncrementDecrementOp())
      write(U->getSubExpr(), U);
    else if (U->getOpcode() == UO_AddrOf)
      if (const ValueDecl *D = flagOf(U->getSubExpr()))
        Index.Escaping.insert(D);
    return true;
  }

  bool VisitCXXOperatorCallExpr(CXXOperatorCallExpr *Op) {
    const OverloadedOperatorKind K = Op->getOperator();
    if (Op->getNumArgs() >= 1 &&
        (K == OO_Equal || K == OO_PlusEqual || K == OO_MinusEqual ||
         K == OO_AmpEqual || K == OO_PipeEqual || K == OO_CaretEqual ||
         K == OO_PlusPlus || K == OO_MinusMinus) &&
        isAtomicType(Op->getArg(0)->getType()))
      write(Op->getArg(0), Op);
    return true;
  }

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    const Expr *Obj = Call->getImplicitObjectArgument();
    if (!M || !Obj || !M->getDeclName().isIdentifier() || Fns.empty())
      return true;
    const llvm::StringRef Name = M->getName();
    const QualType ObjT = Obj->getType()->isPointerType()
                              ? Obj->getType()->getPointeeType()
                              : Obj->getType();
    if (isAtomicType(ObjT)) {
      static constexpr llvm::StringLiteral Stores[] = {
          "store", "exchange", "fetch_add", "fetch_sub", "fetch_and",
          "fetch_or", "fetch_xor", "test_and_set", "clear",
          "compare_exchange_weak", "compare_exchange_strong"};
      if (llvm::is_contained(Stores, Name))
        write(Obj, Call);
      return true;
    }
    if (Index.isConditionVariable(ObjT)) {
      const ValueDecl *CV = syncRoot(Obj);
      if (!CV)
        return true;
      if (Name == "notify_one" || Name == "notify_all") {
        Index.Notifies.push_back({Call, CV, Fns.back()});
        return true;
      }
      // wait(lk, pred), wait_for(lk, d, pred), wait_until(lk, t, pred); the
      // forms with a stop_token (one argument more) are woken by the token.
      const unsigned N = Call->getNumArgs();
      const bool Pred = (Name == "wait" && N == 2) ||
                        ((Name == "wait_for" || Name == "wait_until") && N == 3);
      if (!Pred)
        return true;
      const VarDecl *Lock = lockVarOf(Call->getArg(0), Index);
      const ValueDecl *Mutex = Index.mutexOfLock(Lock);
      if (Mutex)
        Index.Waits.push_back(
            {Call, CV, Mutex, Call->getArg(N - 1), Fns.back(), Name != "wait"});
      return true;
    }
    if (Name == "lock" && Call->getNumArgs() == 0) {
      const VarDecl *Lock = lockVarOf(Obj, Index);
      const ValueDecl *Mutex = Lock ? Index.mutexOfLock(Lock) : syncRoot(Obj);
      if (Mutex)
        Index.Acquires.push_back({Call, Mutex, Fns.back()});
    }
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    // An argument bound to a non-const reference: the callee may write it.
    if (isa<CXXOperatorCallExpr>(Call))
      return true;
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD)
      return true;
    for (unsigned I = 0, E = std::min(Call->getNumArgs(), FD->getNumParams());
         I < E; ++I) {
      const QualType P = FD->getParamDecl(I)->getType();
      if (P->isReferenceType() && !P.getNonReferenceType().isConstQualified())
        if (const ValueDecl *D = flagOf(Call->getArg(I)))
          Index.Escaping.insert(D);
    }
    return true;
  }

  bool VisitVarDecl(VarDecl *VD) {
    if (VD->getType()->isReferenceType() && VD->getInit() &&
        !VD->getType().getNonReferenceType().isConstQualified())
      if (const ValueDecl *D = flagOf(VD->getInit()))
        Index.Escaping.insert(D);
    if (!Fns.empty() && Index.isLockType(VD->getType()) &&
        locksOnConstruction(VD))
      if (const ValueDecl *Mutex = Index.mutexOfLock(VD))
        Index.Acquires.push_back({VD->getInit(), Mutex, Fns.back()});
    return true;
  }

private:
  void write(const Expr *Target, const Expr *At) {
    if (Fns.empty())
      return;
    const ValueDecl *D = flagOf(Target);
    if (!D)
      return;
    const SourceLocation Loc = At->getBeginLoc();
    if (Loc.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(Loc)))
      return;
    Index.Writes[D].push_back({At, Target, Fns.back()});
  }

  LockIndex &Index;
  const SourceManager &SM;
  llvm::SmallVector<const FunctionDecl *, 8> Fns;
};

LockIndex::LockIndex(ASTContext &Ctx, llvm::ArrayRef<llvm::StringRef> Locks,
                     llvm::ArrayRef<llvm::StringRef> CVs,
                     llvm::ArrayRef<const Stmt *> Placed)
    : Ctx(Ctx), LockTypes(Locks.begin(), Locks.end()),
      CVTypes(CVs.begin(), CVs.end()), Wanted(Placed.begin(), Placed.end()) {
  Collector C(*this);
  C.TraverseDecl(Ctx.getTranslationUnitDecl());
}

LockIndex::~LockIndex() = default;

llvm::ArrayRef<FlagWrite> LockIndex::writesOf(const ValueDecl *D) const {
  auto It = Writes.find(D);
  if (It == Writes.end())
    return {};
  return It->second;
}

ParentMap &LockIndex::parents(const FunctionDecl *Fn) {
  std::unique_ptr<ParentMap> &PM = Parents[Fn];
  if (!PM)
    PM = std::make_unique<ParentMap>(Fn->getBody());
  return *PM;
}

llvm::SmallVector<const ValueDecl *, 2>
LockIndex::heldAt(const Stmt *S, const FunctionDecl *Fn) {
  llvm::SmallVector<const ValueDecl *, 2> Held;
  if (!S || !Fn || !Fn->getBody())
    return Held;
  ParentMap &PM = parents(Fn);
  // The statements that precede S in each enclosing block, innermost block
  // first; a wait's lock around its predicate is an outer "statement" too.
  struct Level {
    const CompoundStmt *Block = nullptr;
    const Stmt *Upto = nullptr;
    const ValueDecl *WaitMutex = nullptr;
  };
  llvm::SmallVector<Level, 8> Levels;
  const Stmt *Cur = S;
  for (unsigned Guard = 0; Cur && Guard < 256; ++Guard) {
    const Stmt *P = PM.getParent(Cur);
    if (!P)
      break;
    if (const auto *CS = dyn_cast<CompoundStmt>(P)) {
      Levels.push_back({CS, Cur, nullptr});
    } else if (const auto *L = dyn_cast<LambdaExpr>(P)) {
      // The lambda runs where it is called: only a wait's predicate runs here,
      // under the wait's lock.
      const PredicatedWait *W = nullptr;
      for (const PredicatedWait &Wt : Waits)
        if (ignoreWrappers(Wt.Predicate) == L)
          W = &Wt;
      if (!W)
        break;
      Levels.push_back({nullptr, nullptr, W->Mutex});
      Cur = W->Call;
      continue;
    }
    Cur = P;
  }
  // Outermost first, so that an unlock in an inner block undoes a lock of an
  // outer one.
  for (const Level &L : llvm::reverse(Levels)) {
    if (L.WaitMutex) {
      if (!llvm::is_contained(Held, L.WaitMutex))
        Held.push_back(L.WaitMutex);
      continue;
    }
    for (const Stmt *C : L.Block->body()) {
      if (C == L.Upto)
        break;
      if (const auto *DS = dyn_cast<DeclStmt>(C)) {
        for (const Decl *D : DS->decls())
          if (const auto *VD = dyn_cast<VarDecl>(D))
            if (isLockType(VD->getType()) && locksOnConstruction(VD))
              if (const ValueDecl *M = mutexOfLock(VD))
                Held.push_back(M);
        continue;
      }
      const auto *E = dyn_cast<Expr>(C);
      if (!E)
        continue;
      const auto *Call = dyn_cast<CXXMemberCallExpr>(ignoreWrappers(E));
      const CXXMethodDecl *M = Call ? Call->getMethodDecl() : nullptr;
      if (!M || Call->getNumArgs() != 0 ||
          !(isNamed(M, "lock") || isNamed(M, "unlock")))
        continue;
      const Expr *Obj = Call->getImplicitObjectArgument();
      const VarDecl *Lock = lockVarOf(Obj, *this);
      const ValueDecl *Mutex = Lock ? mutexOfLock(Lock) : syncRoot(Obj);
      if (!Mutex)
        continue;
      if (isNamed(M, "lock"))
        Held.push_back(Mutex);
      else
        Held.erase(std::remove(Held.begin(), Held.end(), Mutex), Held.end());
    }
  }
  // Unique, in order.
  llvm::SmallVector<const ValueDecl *, 2> Out;
  for (const ValueDecl *M : Held)
    if (!llvm::is_contained(Out, M))
      Out.push_back(M);
  return Out;
}

} // namespace clang::tidy::tether::model
