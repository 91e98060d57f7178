//===--- PathCoverage.cpp - does every path through a function do X -------===//

#include "utils/PathCoverage.h"
#include "utils/HandleFlow.h"
#include "utils/TUModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::tether::flow {

static const Stmt *lastStmt(const CFGBlock *B) {
  for (auto It = B->rbegin(), End = B->rend(); It != End; ++It)
    if (std::optional<CFGStmt> CS = It->getAs<CFGStmt>())
      return CS->getStmt();
  return nullptr;
}

/// True if successor \p Index of \p B is the exception edge the CFG adds
/// after a throw, or after a call that may throw (its second successor).
static bool isExceptionEdge(const CFGBlock *B, unsigned Index) {
  const Stmt *Last = lastStmt(B);
  if (isa_and_nonnull<CXXThrowExpr>(Last))
    return true;
  return !B->getTerminatorStmt() && B->succ_size() == 2 && Index == 1 &&
         isa_and_nonnull<CallExpr>(Last);
}

std::optional<Skip>
findUncoveredPath(const FunctionDecl *FD, ASTContext &Ctx,
                  llvm::function_ref<bool(const Stmt *)> Covers,
                  const CoverageConfig &Config) {
  const CFG *TheCFG = model::TUModel::of(Ctx).cfg(FD, Config.ExceptionPaths,
                                                  /*Lifetime=*/false);
  if (!TheCFG)
    return std::nullopt;
  const Stmt *Body = FD->getBody();

  struct Item {
    const CFGBlock *Block;
    const Stmt *LastReturn; ///< the last return passed on this path
    const Stmt *Thrown;     ///< the exception being dispatched, if any
    const Stmt *Caught;     ///< an exception caught earlier on this path
  };
  const CFGBlock *Exit = &TheCFG->getExit();
  llvm::BitVector Visited(TheCFG->getNumBlockIDs());
  llvm::SmallVector<Item, 16> Work;
  const CFGBlock *Entry = &TheCFG->getEntry();
  Work.push_back({Entry, nullptr, nullptr, nullptr});
  Visited.set(Entry->getBlockID());

  std::optional<Skip> Normal, Caught, Escaped;
  SourceLocation End = Body->getEndLoc();
  if (const auto *CS = dyn_cast<CompoundStmt>(Body))
    End = CS->getRBracLoc();

  while (!Work.empty() && !Normal) {
    const Item It = Work.pop_back_val();
    const CFGBlock *B = It.Block;
    const Stmt *LastReturn = It.LastReturn;
    bool Covered = false;
    for (const CFGElement &E : *B) {
      std::optional<CFGStmt> CS = E.getAs<CFGStmt>();
      if (!CS)
        continue;
      if (Covers(CS->getStmt())) {
        Covered = true;
        break;
      }
      if (isa<ReturnStmt>(CS->getStmt()))
        LastReturn = CS->getStmt();
    }
    // A call that does not return (exit, abort) ends no task normally.
    if (Covered || B->hasNoReturnElement())
      continue;

    unsigned Index = 0;
    for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
      const unsigned I = Index++;
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next)
        continue;
      const Stmt *Thrown = nullptr;
      const Stmt *CaughtNow = It.Caught;
      if (It.Thrown) {
        // Leaving a try's dispatch block: into a handler, the exception is
        // caught; anywhere else it goes on unwinding.
        if (isa_and_nonnull<CXXCatchStmt>(Next->getLabel()))
          CaughtNow = It.Thrown;
        else
          Thrown = It.Thrown;
      } else if (tryDispatch(Next) ||
                 (Next == Exit && isExceptionEdge(B, I))) {
        Thrown = throwingStmt(B, Config.Throws);
        if (!Thrown)
          continue; // the call cannot throw
      }

      if (Next == Exit) {
        if (Thrown) {
          if (Config.EscapeCounts && !Escaped)
            Escaped = Skip{SkipKind::Exception, Thrown, Thrown->getBeginLoc()};
          continue;
        }
        if (CaughtNow) {
          if (!Caught)
            Caught = Skip{SkipKind::CaughtException, CaughtNow,
                          CaughtNow->getBeginLoc()};
          continue;
        }
        if (LastReturn)
          Normal = Skip{SkipKind::Return, LastReturn, LastReturn->getBeginLoc()};
        else
          Normal = Skip{SkipKind::FallOff, nullptr, End};
        break;
      }
      if (Visited.test(Next->getBlockID()))
        continue;
      Visited.set(Next->getBlockID());
      Work.push_back({Next, Thrown ? It.LastReturn : LastReturn, Thrown,
                      CaughtNow});
    }
  }
  if (Normal)
    return Normal;
  if (Caught)
    return Caught;
  return Escaped;
}

} // namespace clang::tidy::tether::flow
