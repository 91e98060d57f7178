//===--- HandleFlowSolver.cpp - the data-flow pass of HandleFlow ----------===//
//
// One forward may-analysis for every start of a function at once: the state
// of a block is the set of starts whose thread may still be running there,
// unjoined. Events (join, detach, escape, assignment, end of scope; found by
// HandleFlow.cpp) of a handle act on the starts of that handle only; leaks
// are recorded where a running start meets the end of its scope, an
// assignment, a destroying call or an exception that leaves the scope. The
// cost is linear in the size of the CFG times the number of starts divided
// by the word size, where a search per start would be quadratic (a function
// with thousands of threads).
//
//===----------------------------------------------------------------------===//

#include "utils/HandleFlow.h"
#include "utils/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/FoldingSet.h"
#include "llvm/ADT/STLExtras.h"
#include <optional>

namespace clang::tidy::tether::flow {

class HandleFlow::Solver {
public:
  explicit Solver(HandleFlow &Flow)
      : Flow(Flow), N(Flow.Starts.size()),
        NumBlocks(Flow.TheCFG->getNumBlockIDs()), Actions(NumBlocks),
        Normal(N), Exceptional(N), HasExceptional(N), FateOf(N),
        In(NumBlocks, llvm::BitVector(N)), ThrownIn(NumBlocks, nullptr),
        Queued(NumBlocks) {}

  void run() {
    index();
    for (unsigned I = 0; I < N; ++I)
      push(Flow.Starts[I]->Block);
    while (!Work.empty()) {
      const CFGBlock *B = Work.back();
      Work.pop_back();
      Queued.reset(B->getBlockID());
      llvm::BitVector Cur = In[B->getBlockID()];
      transfer(B, Cur);
      // A call that does not return (exit, abort) never destroys the handle.
      if (Cur.any() && !B->hasNoReturnElement())
        successors(B, Cur);
    }
    finish();
  }

private:
  /// What a block does to the starts, in element order: an event of some
  /// handle, or a start (Gen).
  struct Action {
    unsigned Index;
    bool Gen;
    unsigned StartIdx;
    const Event *E;
    const VarDecl *Handle;
  };

  unsigned hashOf(const Expr *E) const {
    llvm::FoldingSetNodeID ID;
    E->Profile(ID, Flow.Ctx, /*Canonical=*/true);
    return ID.ComputeHash();
  }

  /// Each block's actions (the starts after the events at the same element,
  /// as the start's own assignment or declaration does not stop it), and the
  /// starts of each handle, create call, result variable and guard.
  void index() {
    for (unsigned I = 0; I < N; ++I) {
      const Start &S = *Flow.Starts[I];
      OfHandle[S.Handle].push_back(I);
      Actions[S.Block->getBlockID()].push_back(
          {S.Index, true, I, nullptr, S.Handle});
      if (S.CreateCall)
        ByCreateCall[S.CreateCall] = I;
      if (S.ResultVar)
        ByResultVar[S.ResultVar].push_back(I);
      for (const auto &G : S.Guards)
        ByGuardHash[hashOf(G.first)].push_back(I);
    }
    for (const auto &[Key, List] : Flow.Events)
      for (const Event &E : List)
        Actions[Key.second].push_back({E.Index, false, 0, &E, Key.first});
    for (auto &List : Actions)
      llvm::stable_sort(List, [](const Action &A, const Action &B) {
        return A.Index < B.Index || (A.Index == B.Index && !A.Gen && B.Gen);
      });
  }

  /// Applies block \p B's actions to the running set \p Cur.
  void transfer(const CFGBlock *B, llvm::BitVector &Cur) {
    for (const Action &A : Actions[B->getBlockID()]) {
      if (A.Gen) {
        Cur.set(A.StartIdx);
        continue;
      }
      auto H = OfHandle.find(A.Handle);
      if (H == OfHandle.end())
        continue;
      for (unsigned I : H->second) {
        if (!Cur.test(I))
          continue;
        switch (A.E->Kind) {
        case EventKind::Start:
        case EventKind::Join:
          break;
        case EventKind::Detach:
          if (!FateOf[I].DetachAt)
            FateOf[I].DetachAt = A.E->S;
          break;
        case EventKind::Escape:
          if (!FateOf[I].EscapeAt)
            FateOf[I].EscapeAt = A.E->S;
          break;
        case EventKind::Assign:
          reportNormal(I, LeakKind::Overwritten, A.E->S);
          break;
        case EventKind::Destroy:
          reportNormal(I, LeakKind::Destroyed, A.E->S);
          break;
        case EventKind::Exit:
          reportNormal(I, LeakKind::ScopeExit, A.E->S);
          break;
        }
        Cur.reset(I);
      }
    }
  }

  /// Hands what runs at the end of \p B to its successors: per edge of a
  /// two-way branch, pruned where deadEdge() says a running thread cannot
  /// go; exception edges as exceptionEdge() says.
  void successors(const CFGBlock *B, const llvm::BitVector &Cur) {
    llvm::BitVector Edge[2] = {Cur, Cur};
    const bool TwoWay = B->succ_size() == 2 && B->getTerminatorStmt();
    if (TwoWay) {
      llvm::SmallVector<unsigned, 4> Cand;
      prunable(B, Cand);
      for (unsigned I : Cand) {
        if (!Cur.test(I))
          continue;
        const int Dead = Flow.deadEdge(B, *Flow.Starts[I]);
        if (Dead == 0 || Dead == 2)
          Edge[0].reset(I);
        if (Dead == 1 || Dead == 2)
          Edge[1].reset(I);
      }
    }
    const CFGBlock *Exit = &Flow.TheCFG->getExit();
    unsigned EdgeNo = 0;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
      const unsigned E = EdgeNo++;
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next)
        continue;
      const llvm::BitVector &Out = TwoWay && E < 2 ? Edge[E] : Cur;
      if (Out.none())
        continue;
      if (Next != Exit && !tryDispatch(Next)) {
        propagate(Next, Out, nullptr);
        continue;
      }
      // Only exception edges reach the exit or a handler while a handle is
      // alive: every other path passes its scope's end first.
      if (!Flow.MayThrow || (Next == Exit && Flow.EscapeTerminates))
        continue;
      exceptionEdge(B, Next, Out);
    }
  }

  /// The exception edge from \p B to \p Next (the exit, or a try's dispatch
  /// block) with the starts \p Live running: those declared inside the try
  /// (or all, at the exit) leak; the others go on into the handler.
  void exceptionEdge(const CFGBlock *B, const CFGBlock *Next,
                     llvm::BitVector Live) {
    const Stmt *Thrown = tryDispatch(B) ? ThrownIn[B->getBlockID()]
                                        : throwingStmt(B, Flow.Config.Throws);
    if (!Thrown)
      return;
    // If the create call itself throws, no thread was created.
    if (const auto *ThrownExpr = dyn_cast<Expr>(Thrown)) {
      auto C = ByCreateCall.find(ThrownExpr);
      if (C != ByCreateCall.end())
        Live.reset(C->second);
    }
    const CXXTryStmt *Try = tryDispatch(Next);
    if (!Try) {
      reportExceptional(Live, Thrown);
      return;
    }
    const llvm::BitVector &Ins = insideTry(Try);
    llvm::BitVector Leaking = Live;
    Leaking &= Ins;
    reportExceptional(Leaking, Thrown);
    Live.reset(Ins);
    if (Live.any())
      propagate(Next, Live, Thrown);
  }

  /// The starts whose handle is declared inside \p Try's block: an exception
  /// from that block destroys them before any of its handlers runs.
  const llvm::BitVector &insideTry(const CXXTryStmt *Try) {
    auto [It, New] = InsideTry.try_emplace(Try, N);
    if (New) {
      const SourceManager &SM = Flow.Ctx.getSourceManager();
      const SourceRange R = Try->getTryBlock()->getSourceRange();
      const SourceLocation Begin = SM.getExpansionLoc(R.getBegin());
      const SourceLocation End = SM.getExpansionLoc(R.getEnd());
      for (unsigned I = 0; I < N; ++I) {
        const SourceLocation L =
            SM.getExpansionLoc(Flow.Starts[I]->Handle->getLocation());
        if (SM.isBeforeInTranslationUnit(Begin, L) &&
            SM.isBeforeInTranslationUnit(L, End))
          It->second.set(I);
      }
    }
    return It->second;
  }

  /// The starts the two-way branch ending \p B may prune (deadEdge()
  /// decides): those guarded by the same condition, whose handle the
  /// condition asks joinable(), or whose creation result it tests.
  void prunable(const CFGBlock *B, llvm::SmallVectorImpl<unsigned> &Out) const {
    const auto *Cond = dyn_cast_or_null<Expr>(
        const_cast<CFGBlock *>(B)->getTerminatorCondition());
    if (!Cond)
      return;
    Cond = Cond->IgnoreParenImpCasts();
    auto G = ByGuardHash.find(hashOf(Cond));
    if (G != ByGuardHash.end())
      Out.append(G->second.begin(), G->second.end());
    llvm::SmallVector<const Stmt *, 16> Work{Cond};
    while (!Work.empty()) {
      const Stmt *St = Work.pop_back_val();
      if (!St)
        continue;
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(St))
        if (const auto *VD = dyn_cast_or_null<VarDecl>(
                model::handleDecl(MC->getImplicitObjectArgument()))) {
          auto H = OfHandle.find(VD);
          if (H != OfHandle.end())
            Out.append(H->second.begin(), H->second.end());
        }
      if (const auto *DRE = dyn_cast<DeclRefExpr>(St))
        if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
          auto R = ByResultVar.find(VD);
          if (R != ByResultVar.end())
            Out.append(R->second.begin(), R->second.end());
        }
      if (const auto *E = dyn_cast<Expr>(St)) {
        auto C = ByCreateCall.find(E);
        if (C != ByCreateCall.end())
          Out.push_back(C->second);
      }
      for (const Stmt *Child : St->children())
        Work.push_back(Child);
    }
  }

  void push(const CFGBlock *B) {
    if (!Queued.test(B->getBlockID())) {
      Queued.set(B->getBlockID());
      Work.push_back(B);
    }
  }

  void propagate(const CFGBlock *Next, const llvm::BitVector &Bits,
                 const Stmt *Thrown) {
    llvm::BitVector &Into = In[Next->getBlockID()];
    llvm::BitVector New = Bits;
    New.reset(Into);
    if (Thrown && !ThrownIn[Next->getBlockID()])
      ThrownIn[Next->getBlockID()] = Thrown;
    if (New.none())
      return;
    Into |= New;
    push(Next);
  }

  void reportNormal(unsigned I, LeakKind Kind, const Stmt *At) {
    if (!Normal[I])
      Normal[I] = Leak{Flow.Starts[I].get(), Kind, At, exitLoc(At)};
  }

  void reportExceptional(llvm::BitVector Bits, const Stmt *Thrown) {
    Bits.reset(HasExceptional);
    for (unsigned I : Bits.set_bits())
      Exceptional[I] = Leak{Flow.Starts[I].get(), LeakKind::Exception, Thrown,
                            exitLoc(Thrown)};
    HasExceptional |= Bits;
  }

  /// A path that leaves the scope normally makes the better witness.
  void finish() {
    for (unsigned I = 0; I < N; ++I) {
      const Start *S = Flow.Starts[I].get();
      if (Normal[I])
        Flow.Leaks[S] = *Normal[I];
      else if (Exceptional[I])
        Flow.Leaks[S] = *Exceptional[I];
      Flow.Fates[S] = FateOf[I];
    }
  }

  HandleFlow &Flow;
  const unsigned N;
  const unsigned NumBlocks;
  std::vector<llvm::SmallVector<Action, 4>> Actions;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<unsigned, 1>> OfHandle;
  llvm::DenseMap<const Expr *, unsigned> ByCreateCall;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<unsigned, 1>> ByResultVar;
  llvm::DenseMap<unsigned, llvm::SmallVector<unsigned, 1>> ByGuardHash;
  std::vector<std::optional<Leak>> Normal, Exceptional;
  llvm::BitVector HasExceptional;
  std::vector<Fate> FateOf;
  llvm::DenseMap<const CXXTryStmt *, llvm::BitVector> InsideTry;
  std::vector<llvm::BitVector> In;
  std::vector<const Stmt *> ThrownIn;
  llvm::BitVector Queued;
  std::vector<const CFGBlock *> Work;
};

void HandleFlow::solve() {
  if (!Starts.empty())
    Solver(*this).run();
}

} // namespace clang::tidy::tether::flow
