//===--- DischargeFlow.cpp - discharges that repeat an earlier one --------===//
//
// One forward pass per function. The state of a block, per followed handle:
// may it be discharged already (some path), must it (every path), and one
// witness of the discharge. A join or detach while "may" holds is a repeat;
// a re-assignment, a hand-on (move, non-const reference) or the true edge of
// `h.joinable()` clears the handle; a declaration starts it afresh (a loop
// body's local is a new object each iteration). Method calls on `*this` or
// on a local object apply the callee's summary; so does a local object's
// destructor at its scope exit.
//
//===----------------------------------------------------------------------===//

#include "utils/DischargeFlow.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/BitVector.h"
#include <memory>
#include <optional>

namespace llvm {
template <> struct DenseMapInfo<clang::tidy::tether::flow::HandleKey> {
  using Key = clang::tidy::tether::flow::HandleKey;
  static Key getEmptyKey() {
    return {DenseMapInfo<const clang::ValueDecl *>::getEmptyKey(), nullptr};
  }
  static Key getTombstoneKey() {
    return {DenseMapInfo<const clang::ValueDecl *>::getTombstoneKey(), nullptr};
  }
  static unsigned getHashValue(const Key &K) {
    return hash_combine(K.Base, K.Field);
  }
  static bool isEqual(const Key &A, const Key &B) { return A == B; }
};
} // namespace llvm

namespace clang::tidy::tether::flow {

namespace {

/// Summaries are read this deep at most; deeper calls are unknown.
constexpr unsigned MaxSummaryDepth = 4;

/// A witness: an index into the pass's sites, or one of these.
constexpr int NoWitness = -1;
constexpr int EntryWitness = -2;

const VarDecl *followedLocal(const Expr *E) {
  const auto *DRE = dyn_cast_or_null<DeclRefExpr>(E);
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD || !VD->hasLocalStorage() || VD->getType()->isReferenceType() ||
      VD->getType()->isPointerType())
    return nullptr;
  return VD;
}

/// The handle \p E names, if the pass follows it.
std::optional<HandleKey> keyOf(const Expr *E) {
  if (!E)
    return std::nullopt;
  E = E->IgnoreParenImpCasts();
  if (const VarDecl *VD = followedLocal(E))
    return HandleKey{VD, nullptr};
  const auto *ME = dyn_cast<MemberExpr>(E);
  if (!ME)
    return std::nullopt;
  const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
  if (!FD || FD->getType()->isReferenceType() || FD->getType()->isPointerType())
    return std::nullopt;
  const Expr *Base = ME->getBase()->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(Base))
    return HandleKey{nullptr, FD};
  if (!ME->isArrow())
    if (const VarDecl *VD = followedLocal(Base))
      return HandleKey{VD, FD};
  return std::nullopt;
}

/// The object a method call is made on, as a base for the callee's fields:
/// `*this` (null) or a local object. False if neither.
bool callBase(const CXXMemberCallExpr *MC, const ValueDecl *&Base) {
  const Expr *Obj = MC->getImplicitObjectArgument();
  if (!Obj)
    return false;
  Obj = Obj->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(Obj)) {
    Base = nullptr;
    return true;
  }
  if (const VarDecl *VD = followedLocal(Obj)) {
    Base = VD;
    return true;
  }
  return false;
}

bool isCHandleDischarge(const CallExpr *Call, model::Discharge &Kind) {
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || Call->getNumArgs() < 1)
    return false;
  if (model::isCFunction(Callee, model::JoinFunctions)) {
    Kind = model::Discharge::Join;
    return true;
  }
  if (model::isCFunction(Callee, model::DefaultDetachFunctions)) {
    Kind = model::Discharge::Detach;
    return true;
  }
  return false;
}

} // namespace

class DischargePass {
public:
  DischargePass(DischargeFlow &Flow, const FunctionDecl *FD, bool EntryMode)
      : Flow(Flow), FD(FD), EntryMode(EntryMode) {}

  /// Runs the pass; false if the function has no CFG to analyse. With
  /// \p Screen, a first pass follows the may/must bits alone, and the
  /// witnesses are followed (a second pass) only if a discharge may repeat
  /// an earlier one: the bits decide every repeat (a handle has a witness
  /// exactly when its "may" bit is set) and which blocks are visited, so
  /// the second pass is the pass without screening. A function with many
  /// handles and no repeat (3000 threads in one function: issue 21) then
  /// keeps no per-block vector of witnesses, one int per handle and block.
  /// summarise() reads the witnesses at the exit: no screening there.
  bool run(bool Screen = true) {
    model::TUModel &Model = model::TUModel::of(Flow.Ctx);
    TheCFG = Model.cfg(FD, /*ExceptionEdges=*/false, /*Lifetime=*/false);
    if (!TheCFG)
      return false;
    Parents = &Model.parentMap(FD);
    collectKeys();
    if (Keys.empty())
      return true;
    if (Screen) {
      Witnesses = false;
      solve();
      if (!MayRepeat)
        return true;
      Witnesses = true;
    }
    solve();
    return true;
  }

  std::vector<Repeat> Repeats;

  /// Summary mode results: the state at the normal exit.
  void summarise(DischargeFlow::Summary &Out) const {
    if (Keys.empty())
      return; // no handle followed: the pass did not run
    const CFGBlock &Exit = TheCFG->getExit();
    const std::optional<State> &S = In[Exit.getBlockID()];
    for (const auto &[K, I] : Index) {
      if (K.Base)
        continue;
      if (S && S->Must.test(I) && S->Witness[I] >= 0)
        Out.Must.push_back({K.Field, Sites[S->Witness[I]]});
      else
        Out.Touched.push_back(K.Field);
    }
  }

  /// Entry mode results: discharges of fields discharged before the call.
  void atEntry(DischargeFlow::Summary &Out) const {
    for (const Repeat &R : Repeats)
      if (!R.Key.Base && !R.First.At)
        Out.AtEntry.push_back({R.Key.Field, R.Second});
  }

private:
  struct State {
    llvm::BitVector May, Must;
    std::vector<int> Witness;
  };

  unsigned keyIndex(HandleKey K) {
    auto [It, New] = Index.try_emplace(K, Keys.size());
    if (New) {
      KeysOfBase[K.Base].push_back(Keys.size());
      Keys.push_back(K);
    }
    return It->second;
  }

  const DischargeFlow::Summary *summaryFor(const CXXMethodDecl *M) {
    if (!M || !M->getParent() || M->getParent()->isLambda() ||
        model::isRecordOf(M->getParent(), Flow.ThreadTypes, Flow.Ctx))
      return nullptr;
    return &Flow.summaryOf(M);
  }

  void collectKeys() {
    if (EntryMode)
      for (const auto *Field : fieldsOfThis())
        keyIndex({nullptr, Field});
    forEachElement([&](const CFGElement &E) {
      if (std::optional<CFGStmt> CS = E.getAs<CFGStmt>()) {
        const Stmt *S = CS->getStmt();
        if (auto D = model::dischargeCall(S, Flow.ThreadTypes)) {
          if (std::optional<HandleKey> K = keyOf(D->second))
            keyIndex(*K);
          return;
        }
        model::Discharge Kind;
        if (const auto *Call = dyn_cast<CallExpr>(S);
            Call && isCHandleDischarge(Call, Kind)) {
          if (std::optional<HandleKey> K = keyOf(Call->getArg(0)))
            keyIndex(*K);
          return;
        }
        if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
          const ValueDecl *Base = nullptr;
          if (callBase(MC, Base))
            if (const DischargeFlow::Summary *Sum =
                    summaryFor(MC->getMethodDecl()))
              addSummaryKeys(*Sum, Base);
        }
        // A thread handle re-assigned or handed on: a summary must say
        // that its state after the call is unknown.
        if (const auto *Ref = dyn_cast<Expr>(S);
            Ref && (isa<DeclRefExpr>(Ref) || isa<MemberExpr>(Ref)))
          if (std::optional<HandleKey> K = keyOf(Ref))
            if (model::isThreadHandleType(Ref->getType(), Flow.ThreadTypes, Flow.Ctx) &&
                !useKeepsState(Ref, Parents->getParentIgnoreParenImpCasts(
                                        const_cast<Expr *>(Ref))))
              keyIndex(*K);
      } else if (std::optional<CFGAutomaticObjDtor> D =
                     E.getAs<CFGAutomaticObjDtor>()) {
        if (const DischargeFlow::Summary *Sum = dtorSummary(D->getVarDecl()))
          addSummaryKeys(*Sum, D->getVarDecl());
      }
    });
  }

  /// The fields of `*this` a method's own discharges name: in entry mode,
  /// every field is taken as discharged when the method is called.
  llvm::SmallVector<const FieldDecl *, 4> fieldsOfThis() {
    llvm::SmallVector<const FieldDecl *, 4> Out;
    forEachElement([&](const CFGElement &E) {
      std::optional<CFGStmt> CS = E.getAs<CFGStmt>();
      if (!CS)
        return;
      const Expr *Obj = nullptr;
      if (auto D = model::dischargeCall(CS->getStmt(), Flow.ThreadTypes))
        Obj = D->second;
      model::Discharge Kind;
      if (const auto *Call = dyn_cast<CallExpr>(CS->getStmt());
          Call && isCHandleDischarge(Call, Kind))
        Obj = Call->getArg(0);
      if (std::optional<HandleKey> K = keyOf(Obj))
        if (!K->Base && !llvm::is_contained(Out, K->Field))
          Out.push_back(K->Field);
      // Fields discharged by the methods this one calls on *this.
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CS->getStmt())) {
        const ValueDecl *Base = nullptr;
        if (callBase(MC, Base) && !Base)
          if (const DischargeFlow::Summary *Sum = summaryFor(MC->getMethodDecl()))
            for (const auto &[F, Site] : Sum->AtEntry)
              if (!llvm::is_contained(Out, F))
                Out.push_back(F);
      }
    });
    return Out;
  }

  const DischargeFlow::Summary *dtorSummary(const VarDecl *VD) {
    const CXXRecordDecl *RD = VD ? VD->getType()->getAsCXXRecordDecl() : nullptr;
    if (!RD || !RD->hasDefinition() ||
        model::isRecordOf(RD, Flow.ThreadTypes, Flow.Ctx))
      return nullptr;
    const CXXDestructorDecl *Dtor = RD->getDestructor();
    if (!Dtor || !Dtor->isUserProvided())
      return nullptr;
    return summaryFor(Dtor);
  }

  void addSummaryKeys(const DischargeFlow::Summary &Sum, const ValueDecl *Base) {
    for (const auto &P : Sum.Must)
      keyIndex({Base, P.first});
    for (const FieldDecl *F : Sum.Touched)
      keyIndex({Base, F});
    for (const auto &P : Sum.AtEntry)
      keyIndex({Base, P.first});
  }

  template <class Fn> void forEachElement(Fn F) {
    for (const CFGBlock *B : *TheCFG)
      for (const CFGElement &E : *B)
        F(E);
  }

  State initial() const {
    State S{llvm::BitVector(Keys.size()), llvm::BitVector(Keys.size()),
            std::vector<int>(Witnesses ? Keys.size() : 0, NoWitness)};
    if (EntryMode)
      for (unsigned I = 0; I < Keys.size(); ++I)
        if (!Keys[I].Base) {
          S.May.set(I);
          S.Must.set(I);
          setWitness(S, I, EntryWitness);
        }
    return S;
  }

  /// The witness of handle \p I in \p S: NoWitness exactly when its "may"
  /// bit is clear, and a site or EntryWitness otherwise (a screening pass
  /// keeps none and answers EntryWitness for a discharged handle).
  int witness(const State &S, unsigned I) const {
    if (!Witnesses)
      return S.May.test(I) ? EntryWitness : NoWitness;
    return S.Witness[I];
  }

  void setWitness(State &S, unsigned I, int W) const {
    if (Witnesses)
      S.Witness[I] = W;
  }

  /// Merges \p From into block \p To's entry state; true if it changed.
  bool merge(unsigned To, const State &From) {
    std::optional<State> &Into = In[To];
    if (!Into) {
      Into = From;
      return true;
    }
    // A handle has a witness exactly when its "may" bit is set (every
    // transfer sets or clears both): the witnesses to take are those of the
    // handles \p From may have discharged and \p To's state may not, so
    // the merge costs words of bits, not handles.
    llvm::BitVector Gained = From.May;
    Gained.reset(Into->May);
    llvm::BitVector Must = Into->Must;
    Must &= From.Must;
    bool Changed = Gained.any() || Must != Into->Must;
    if (Witnesses)
      for (unsigned I : Gained.set_bits()) {
        assert(Into->Witness[I] == NoWitness && From.Witness[I] != NoWitness);
        Into->Witness[I] = From.Witness[I];
      }
    Into->May |= From.May;
    Into->Must = std::move(Must);
    return Changed;
  }

  void solve() {
    In.assign(TheCFG->getNumBlockIDs(), std::nullopt);
    Sites.clear();
    Repeats.clear();
    MayRepeat = false;
    const CFGBlock &Entry = TheCFG->getEntry();
    In[Entry.getBlockID()] = initial();
    // Blocks are taken in reverse post-order (the lowest pending number
    // first), so that a join point is processed after both of its branches:
    // a stack order re-ran everything after each of N diamonds in a row,
    // quadratic in N.
    std::vector<unsigned> Order(TheCFG->getNumBlockIDs(), 0);
    std::vector<const CFGBlock *> ByOrder = reversePostOrder();
    for (unsigned I = 0; I < ByOrder.size(); ++I)
      Order[ByOrder[I]->getBlockID()] = I;
    llvm::BitVector Pending(ByOrder.size());
    Pending.set(Order[Entry.getBlockID()]);
    // Each block's state only grows in May and shrinks in Must: this ends;
    // the bound is a guard against a CFG this reasoning got wrong.
    unsigned Budget = 64 * TheCFG->getNumBlockIDs() * (Keys.size() + 1) + 1024;
    for (int Next = Pending.find_first(); Next >= 0 && Budget--;
         Next = Pending.find_first()) {
      Pending.reset(Next);
      const CFGBlock *B = ByOrder[Next];
      State S = *In[B->getBlockID()];
      transfer(B, S, /*Report=*/false);
      propagate(B, S, [&](const CFGBlock *Succ) {
        Pending.set(Order[Succ->getBlockID()]);
      });
    }
    // One last sweep with the final states reports each repeat once.
    for (const CFGBlock *B : *TheCFG) {
      if (!In[B->getBlockID()])
        continue;
      State S = *In[B->getBlockID()];
      transfer(B, S, /*Report=*/true);
    }
  }

  /// The blocks reachable from the entry in reverse post-order. Written
  /// here rather than with llvm::ReversePostOrderTraversal, whose graph
  /// traits follow a CFG's null (unreachable) successor edges and crash.
  std::vector<const CFGBlock *> reversePostOrder() const {
    std::vector<const CFGBlock *> Post;
    llvm::BitVector Seen(TheCFG->getNumBlockIDs());
    llvm::SmallVector<std::pair<const CFGBlock *, CFGBlock::const_succ_iterator>,
                      32>
        Stack;
    const CFGBlock *Entry = &TheCFG->getEntry();
    Seen.set(Entry->getBlockID());
    Stack.push_back({Entry, Entry->succ_begin()});
    while (!Stack.empty()) {
      auto &[B, It] = Stack.back();
      if (It == B->succ_end()) {
        Post.push_back(B);
        Stack.pop_back();
        continue;
      }
      const CFGBlock *Next = It->getReachableBlock();
      ++It;
      if (Next && !Seen.test(Next->getBlockID())) {
        Seen.set(Next->getBlockID());
        Stack.push_back({Next, Next->succ_begin()});
      }
    }
    return {Post.rbegin(), Post.rend()};
  }

  template <class PushFn>
  void propagate(const CFGBlock *B, const State &S, PushFn Push) {
    std::optional<unsigned> JoinableKey;
    int TrueEdge = 0;
    joinableTest(B, JoinableKey, TrueEdge);
    unsigned EdgeNo = 0;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
      const unsigned E = EdgeNo++;
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next)
        continue;
      if (JoinableKey && static_cast<int>(E) == TrueEdge) {
        State T = S;
        clear(T, *JoinableKey);
        if (merge(Next->getBlockID(), T))
          Push(Next);
        continue;
      }
      if (merge(Next->getBlockID(), S))
        Push(Next);
    }
  }

  /// If \p B branches on `h.joinable()` (possibly negated, or last in a
  /// `&&` / `||` chain), the handle and the edge on which it is joinable.
  void joinableTest(const CFGBlock *B, std::optional<unsigned> &Key,
                    int &TrueEdge) const {
    if (B->succ_size() != 2 || !B->getTerminatorStmt())
      return;
    const auto *Cond = dyn_cast_or_null<Expr>(
        const_cast<CFGBlock *>(B)->getTerminatorCondition());
    if (!Cond)
      return;
    bool Negated = false;
    std::optional<HandleKey> K =
        keyOf(model::joinableReceiver(model::deciderOf(Cond, Negated)));
    if (!K)
      return;
    auto It = Index.find(*K);
    if (It == Index.end())
      return;
    Key = It->second;
    TrueEdge = Negated ? 1 : 0;
  }

  void clear(State &S, unsigned I) const {
    S.May.reset(I);
    S.Must.reset(I);
    setWitness(S, I, NoWitness);
  }

  void clearBase(State &S, const ValueDecl *Base) const {
    auto It = KeysOfBase.find(Base);
    if (It != KeysOfBase.end())
      for (unsigned I : It->second)
        clear(S, I);
  }

  int addSite(const DischargeSite &Site) {
    if (!Witnesses)
      return EntryWitness; // a screening pass keeps no sites
    Sites.push_back(Site);
    return static_cast<int>(Sites.size()) - 1;
  }

  /// A repeat found while reporting: a screening pass only notes that
  /// there is one.
  bool reportRepeat(const State &S, unsigned I, bool Report) {
    if (!Report || !S.May.test(I) || witness(S, I) == NoWitness)
      return false;
    MayRepeat = true;
    return Witnesses;
  }

  void discharge(State &S, unsigned I, const DischargeSite &Site, bool CHandle,
                 bool Report) {
    if (reportRepeat(S, I, Report)) {
      Repeat R;
      R.Key = Keys[I];
      R.Second = Site;
      if (S.Witness[I] >= 0)
        R.First = Sites[S.Witness[I]];
      R.CHandle = CHandle;
      Repeats.push_back(R);
    }
    S.May.set(I);
    S.Must.set(I);
    const int W = witness(S, I);
    if (W == NoWitness || W == EntryWitness)
      setWitness(S, I, addSite(Site));
  }

  void applySummary(State &S, const DischargeFlow::Summary &Sum,
                    const ValueDecl *Base, const Stmt *Via,
                    const FunctionDecl *ViaFn, bool Report) {
    if (!Sum.Known) {
      clearBase(S, Base);
      return;
    }
    for (const auto &[F, Site] : Sum.AtEntry) {
      auto It = Index.find({Base, F});
      if (It == Index.end())
        continue;
      DischargeSite Through = Site;
      Through.Via = Via;
      Through.ViaFn = ViaFn;
      if (reportRepeat(S, It->second, Report)) {
        Repeat R;
        R.Key = {Base, F};
        R.Second = Through;
        if (S.Witness[It->second] >= 0)
          R.First = Sites[S.Witness[It->second]];
        R.CHandle = !F->getType()->getAsCXXRecordDecl();
        Repeats.push_back(R);
      }
    }
    for (const FieldDecl *F : Sum.Touched) {
      auto It = Index.find({Base, F});
      if (It != Index.end())
        clear(S, It->second);
    }
    for (const auto &[F, Site] : Sum.Must) {
      auto It = Index.find({Base, F});
      if (It == Index.end())
        continue;
      DischargeSite Through = Site;
      Through.Via = Via;
      Through.ViaFn = ViaFn;
      S.May.set(It->second);
      S.Must.set(It->second);
      const int W = witness(S, It->second);
      if (W == NoWitness || W == EntryWitness)
        setWitness(S, It->second, addSite(Through));
    }
  }

  void transfer(const CFGBlock *B, State &S, bool Report) {
    // Sites are appended while transferring; a block seen again reuses
    // nothing, which only costs memory bounded by the budget.
    for (const CFGElement &E : *B) {
      if (std::optional<CFGAutomaticObjDtor> D = E.getAs<CFGAutomaticObjDtor>()) {
        const VarDecl *VD = D->getVarDecl();
        if (const DischargeFlow::Summary *Sum = dtorSummary(VD))
          applySummary(S, *Sum, VD, D->getTriggerStmt(),
                       VD->getType()->getAsCXXRecordDecl()->getDestructor(),
                       Report);
        clearBase(S, VD);
        continue;
      }
      std::optional<CFGStmt> CS = E.getAs<CFGStmt>();
      if (!CS)
        continue;
      transferStmt(CS->getStmt(), S, Report);
    }
  }

  void transferStmt(const Stmt *St, State &S, bool Report) {
    // A declaration makes a new object (a loop body's local, each time).
    if (const auto *DS = dyn_cast<DeclStmt>(St)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D))
          clearBase(S, VD);
      return;
    }
    if (auto D = model::dischargeCall(St, Flow.ThreadTypes)) {
      if (std::optional<HandleKey> K = keyOf(D->second)) {
        auto It = Index.find(*K);
        if (It != Index.end())
          discharge(S, It->second, {St, D->first, nullptr, nullptr},
                    /*CHandle=*/false, Report);
      }
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(St)) {
      model::Discharge Kind;
      if (isCHandleDischarge(Call, Kind)) {
        if (std::optional<HandleKey> K = keyOf(Call->getArg(0))) {
          auto It = Index.find(*K);
          if (It != Index.end())
            discharge(S, It->second, {St, Kind, nullptr, nullptr},
                      /*CHandle=*/true, Report);
        }
        return;
      }
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
        const ValueDecl *Base = nullptr;
        if (callBase(MC, Base))
          if (const DischargeFlow::Summary *Sum = summaryFor(MC->getMethodDecl()))
            applySummary(S, *Sum, Base, MC, MC->getMethodDecl(), Report);
      }
      return;
    }
    // Any other use of a followed handle: a re-assignment or a hand-on
    // clears it (its state is then unknown, and unknown never reports).
    const auto *Ref = dyn_cast<Expr>(St);
    if (!Ref || !(isa<DeclRefExpr>(Ref) || isa<MemberExpr>(Ref)))
      return;
    std::optional<HandleKey> K = keyOf(Ref);
    if (!K)
      return;
    auto It = Index.find(*K);
    if (It == Index.end())
      return;
    const Stmt *Parent = Parents->getParentIgnoreParenImpCasts(const_cast<Expr *>(Ref));
    if (!useKeepsState(Ref, Parent))
      clear(S, It->second);
  }

  /// True if the use \p Ref of a followed handle leaves its state alone.
  bool useKeepsState(const Expr *Ref, const Stmt *Parent) const {
    const ValueDecl *D = isa<DeclRefExpr>(Ref) ? cast<DeclRefExpr>(Ref)->getDecl()
                                               : cast<MemberExpr>(Ref)->getMemberDecl();
    if (D->getType()->getAsCXXRecordDecl()) {
      // A member expression `c.t_` whose base is the local: the field key
      // is decided at the member expression, not at `c`.
      if (isa_and_nonnull<MemberExpr>(Parent) && isa<DeclRefExpr>(Ref) &&
          isa<FieldDecl>(cast<MemberExpr>(Parent)->getMemberDecl()))
        return true;
      switch (model::classifyThreadUse(Ref, Parent, Flow.ThreadTypes)) {
      case model::HandleUse::Neutral:
      case model::HandleUse::Join:
      case model::HandleUse::Detach:
        return true;
      default:
        return false;
      }
    }
    // A C handle: pthread_t, thrd_t. Passing it by value uses it; taking
    // its address (pthread_create(&tid, ...)) or assigning to it does not.
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Parent))
      return UO->getOpcode() != UO_AddrOf;
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Parent))
      return !(BO->isAssignmentOp() && BO->getLHS()->IgnoreParenImpCasts() == Ref);
    return true;
  }

  DischargeFlow &Flow;
  const FunctionDecl *FD;
  const bool EntryMode;
  const CFG *TheCFG = nullptr;        ///< the TU model's (TUModel::cfg)
  const ParentMap *Parents = nullptr; ///< the TU model's
  std::vector<HandleKey> Keys;
  llvm::DenseMap<HandleKey, unsigned> Index;
  /// The followed handles of each base (a local, or null for `*this`): a
  /// declaration or a destructor clears them without a scan of every key.
  llvm::DenseMap<const ValueDecl *, llvm::SmallVector<unsigned, 1>> KeysOfBase;
  std::vector<std::optional<State>> In;
  std::vector<DischargeSite> Sites;
  /// False in a screening pass: bits only (run()).
  bool Witnesses = true;
  /// Set by a pass that met a discharge that may repeat an earlier one.
  bool MayRepeat = false;
};

const DischargeFlow::Summary &DischargeFlow::summaryOf(const FunctionDecl *FD) {
  FD = FD->getCanonicalDecl();
  auto It = Summaries.find(FD);
  if (It != Summaries.end())
    return It->second;
  // Unknown until computed: a recursive call sees an unknown summary.
  Summaries[FD] = Summary();
  const FunctionDecl *Def = nullptr;
  const auto *M = dyn_cast<CXXMethodDecl>(FD);
  const bool Overridable = M && M->isVirtual() && !M->hasAttr<FinalAttr>() &&
                           !M->getParent()->hasAttr<FinalAttr>() &&
                           !isa<CXXDestructorDecl>(M);
  if (Depth >= MaxSummaryDepth) {
    // Cut by depth, not by what the method is: unknown here, but read
    // again when it is reached from nearer the top.
    Summaries.erase(FD);
    static const Summary Unknown;
    return Unknown;
  }
  if (Overridable || !FD->hasBody(Def) || !Def)
    return Summaries[FD];
  ++Depth;
  Summary S;
  DischargePass Plain(*this, Def, /*EntryMode=*/false);
  DischargePass Entry(*this, Def, /*EntryMode=*/true);
  if (Plain.run(/*Screen=*/false) && Entry.run()) {
    Plain.summarise(S);
    Entry.atEntry(S);
    S.Known = true;
  }
  --Depth;
  Summaries[FD] = S;
  return Summaries[FD];
}

std::vector<Repeat> DischargeFlow::repeatsIn(const FunctionDecl *FD) {
  DischargePass Pass(*this, FD, /*EntryMode=*/false);
  if (!Pass.run())
    return {};
  std::vector<Repeat> Out;
  for (Repeat &R : Pass.Repeats)
    if (R.First.At)
      Out.push_back(R);
  return Out;
}

} // namespace clang::tidy::tether::flow
