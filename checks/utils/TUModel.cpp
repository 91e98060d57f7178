//===--- TUModel.cpp - what the checks of one run share about one TU ------===//

#include "utils/TUModel.h"
#include "utils/FunctionCFG.h"
#include "utils/ThreadModel.h"
#include "utils/ThrowModel.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>
#include <mutex>

namespace clang::tidy::tether::model {

namespace {
/// Every live TUModel by its ASTContext. An entry is removed by the
/// ASTContext's own destructor (AddDeallocation), so a new ASTContext at a
/// reused address never finds the model of a TU that is gone.
struct Registry {
  std::mutex M;
  llvm::DenseMap<const ASTContext *, TUModel *> Models;
};
Registry &registry() {
  static Registry *R = new Registry; // leaked: outlives every ASTContext
  return *R;
}
struct Owned {
  const ASTContext *Ctx;
  TUModel *Model;
};
} // namespace

TUModel &TUModel::of(ASTContext &Ctx) {
  Registry &R = registry();
  std::lock_guard<std::mutex> Lock(R.M);
  TUModel *&Slot = R.Models[&Ctx];
  if (!Slot) {
    Slot = new TUModel(Ctx);
    Ctx.AddDeallocation(
        [](void *P) {
          auto *O = static_cast<Owned *>(P);
          {
            Registry &R = registry();
            std::lock_guard<std::mutex> Lock(R.M);
            R.Models.erase(O->Ctx);
          }
          delete O->Model;
          delete O;
        },
        new Owned{&Ctx, Slot});
  }
  return *Slot;
}

struct TUModel::SharedThrowModel {
  std::vector<std::string> Names;
  std::vector<llvm::StringRef> Refs;
  std::unique_ptr<flow::ThrowModel> Model;
};

TUModel::TUModel(ASTContext &Ctx) : Ctx(Ctx) {}
TUModel::~TUModel() = default;

unsigned TUModel::listNumber(llvm::ArrayRef<llvm::StringRef> Names) {
  return NameLists.try_emplace(nameListKey(Names), NameLists.size())
      .first->second;
}

flow::ThrowModel &
TUModel::throwModel(llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  std::unique_ptr<SharedThrowModel> &Slot =
      ThrowModels[listNumber(ThreadTypes)];
  if (!Slot) {
    Slot = std::make_unique<SharedThrowModel>();
    Slot->Names.assign(ThreadTypes.begin(), ThreadTypes.end());
    Slot->Refs.assign(Slot->Names.begin(), Slot->Names.end());
    Slot->Model = std::make_unique<flow::ThrowModel>(Slot->Refs);
  }
  return *Slot->Model;
}

bool TUModel::isRecordOf(const CXXRecordDecl *RD,
                         llvm::ArrayRef<llvm::StringRef> Names,
                         llvm::function_ref<bool()> Compute) {
  const unsigned List = listNumber(Names);
  auto [It, New] = RecordOf.try_emplace({RD, List}, false);
  if (New)
    It->second = Compute(); // may not touch RecordOf: It stays valid
  return It->second;
}

const CFG *TUModel::cfg(const FunctionDecl *FD, bool ExceptionEdges,
                        bool Lifetime) {
  auto [It, New] = CFGs.try_emplace(
      {FD, unsigned(ExceptionEdges) | (unsigned(Lifetime) << 1)});
  if (New)
    It->second = flow::buildFunctionCFG(FD, Ctx, ExceptionEdges, Lifetime);
  return It->second.get();
}

const ParentMap &TUModel::parentMap(const FunctionDecl *FD) {
  std::unique_ptr<ParentMap> &Slot = Parents[FD];
  if (!Slot)
    Slot = std::make_unique<ParentMap>(FD->getBody());
  return *Slot;
}

// ---- Enclosing functions ---------------------------------------------------

void TUModel::indexFunction(const FunctionDecl *FD) {
  if (!FD->doesThisDeclarationHaveABody() || !FD->getBody() ||
      !IndexedFunctions.insert(FD).second)
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceRange R = FD->getSourceRange();
  if (R.isInvalid())
    return;
  const CharSourceRange E = SM.getExpansionRange(R);
  const std::pair<FileID, unsigned> B = SM.getDecomposedLoc(E.getBegin());
  const std::pair<FileID, unsigned> End = SM.getDecomposedLoc(E.getEnd());
  if (B.first.isInvalid() || B.first != End.first || End.second < B.second)
    return;
  Functions[B.first].push_back({B.second, End.second, NextOrder++, FD});
}

void TUModel::indexDecl(const Decl *D, bool System) {
  if (!System && !isa<TranslationUnitDecl>(D)) {
    const SourceManager &SM = Ctx.getSourceManager();
    const SourceLocation Loc = D->getLocation();
    if (Loc.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(Loc)))
      return;
  }
  if (const auto *FD = dyn_cast<FunctionDecl>(D)) {
    indexFunction(FD); // what it holds is found by walking it
    return;
  }
  if (const auto *FTD = dyn_cast<FunctionTemplateDecl>(D)) {
    indexDecl(FTD->getTemplatedDecl(), System);
    for (const FunctionDecl *Spec : FTD->specializations())
      indexDecl(Spec, System);
    return;
  }
  if (const auto *CTD = dyn_cast<ClassTemplateDecl>(D)) {
    indexDecl(CTD->getTemplatedDecl(), System);
    // Once, from the definition; explicit specializations are declared in
    // their own place.
    if (CTD->isThisDeclarationADefinition())
      for (const ClassTemplateSpecializationDecl *Spec : CTD->specializations())
        if (Spec->getTemplateSpecializationKind() != TSK_ExplicitSpecialization)
          indexDecl(Spec, System);
    return;
  }
  if (const auto *DC = dyn_cast<DeclContext>(D))
    if (!isa<FunctionDecl>(DC))
      for (const Decl *Child : DC->decls())
        indexDecl(Child, System);
}

void TUModel::indexFunctions(bool System) {
  Indexed = true;
  IndexedSystem |= System;
  indexDecl(Ctx.getTranslationUnitDecl(), System);
  for (auto &F : Functions)
    llvm::sort(F.second, [](const Range &A, const Range &B) {
      return A.Begin != B.Begin ? A.Begin < B.Begin : A.Order < B.Order;
    });
}

namespace {
/// Records, for every statement of one function, the innermost function or
/// lambda holding it: what the parent map's first chain of parents reaches
/// first.
class InnermostWalker : public RecursiveASTVisitor<InnermostWalker> {
  using Base = RecursiveASTVisitor<InnermostWalker>;

public:
  explicit InnermostWalker(llvm::DenseMap<const Stmt *, const FunctionDecl *> &Map)
      : Map(Map) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(Decl *D) {
    auto *FD = dyn_cast_or_null<FunctionDecl>(D);
    if (FD)
      Stack.push_back(FD);
    const bool R = Base::TraverseDecl(D);
    if (FD)
      Stack.pop_back();
    return R;
  }
  bool TraverseLambdaExpr(LambdaExpr *L) {
    if (!Stack.empty())
      Map.try_emplace(L, Stack.back());
    Stack.push_back(L->getCallOperator());
    const bool R = Base::TraverseLambdaExpr(L);
    Stack.pop_back();
    return R;
  }
  bool VisitStmt(Stmt *S) {
    if (!Stack.empty())
      Map.try_emplace(S, Stack.back());
    return true;
  }

private:
  llvm::DenseMap<const Stmt *, const FunctionDecl *> &Map;
  llvm::SmallVector<const FunctionDecl *, 8> Stack;
};

/// The parent map's answer: built for the whole TU on first use.
const FunctionDecl *innermostByParents(const Stmt *S, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*S);
  while (!Parents.empty()) {
    const DynTypedNode &P = Parents[0];
    if (const auto *FD = P.get<FunctionDecl>())
      return FD;
    if (const auto *L = P.get<LambdaExpr>())
      return L->getCallOperator();
    Parents = Ctx.getParents(P);
  }
  return nullptr;
}
} // namespace

const llvm::DenseMap<const Stmt *, const FunctionDecl *> &
TUModel::walked(const FunctionDecl *FD) {
  std::unique_ptr<llvm::DenseMap<const Stmt *, const FunctionDecl *>> &M = Walked[FD];
  if (!M) {
    M = std::make_unique<llvm::DenseMap<const Stmt *, const FunctionDecl *>>();
    InnermostWalker(*M).TraverseDecl(const_cast<FunctionDecl *>(FD));
  }
  return *M;
}

const FunctionDecl *TUModel::enclosingFunction(const Stmt *S) {
  if (!S)
    return nullptr;
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = S->getBeginLoc();
  if (Loc.isValid()) {
    const SourceLocation Expansion = SM.getExpansionLoc(Loc);
    if (!Indexed || (!IndexedSystem && SM.isInSystemHeader(Expansion)))
      indexFunctions(/*System=*/SM.isInSystemHeader(Expansion));
    const std::pair<FileID, unsigned> At = SM.getDecomposedLoc(Expansion);
    auto F = Functions.find(At.first);
    if (F != Functions.end()) {
      const std::vector<Range> &V = F->second;
      // The functions whose range holds the location: the last ones that
      // begin before it. Functions do not nest in the index (local classes
      // and lambdas are found by the walk), except for a template and its
      // instantiations, which share a range.
      llvm::SmallVector<const Range *, 4> Candidates;
      auto It = std::upper_bound(
          V.begin(), V.end(), At.second,
          [](unsigned Off, const Range &R) { return Off < R.Begin; });
      while (It != V.begin()) {
        --It;
        if (It->End >= At.second)
          Candidates.push_back(&*It);
        else if (!Candidates.empty())
          break;
      }
      llvm::sort(Candidates, [](const Range *A, const Range *B) {
        return A->Order < B->Order;
      });
      for (const Range *C : Candidates) {
        const auto &M = walked(C->FD);
        auto Found = M.find(S);
        if (Found != M.end())
          return Found->second;
      }
    }
  }
  return innermostByParents(S, Ctx);
}

} // namespace clang::tidy::tether::model
