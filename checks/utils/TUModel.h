//===--- TUModel.h - what the checks of one run share about one TU --------===//
//
// The per-TU part of the shared model (docs/design.md, "One model per TU"):
// facts every check would otherwise derive again, computed lazily on first
// use and shared by every enabled check of the run, whichever of them asks
// first. One TUModel per ASTContext: TUModel::of() finds or creates it, and
// it is destroyed with its ASTContext, so tools that re-use check instances
// across files (clangd) never see another TU's model.
//
// Thread safety: one TUModel is used by the thread that runs the checks on
// its AST; of() itself may be called from several threads for different
// ASTs (clangd builds ASTs in parallel).
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_TUMODEL_H
#define TETHER_CHECKS_UTILS_TUMODEL_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <memory>
#include <vector>

namespace clang {
class CFG;
class ParentMap;
} // namespace clang

namespace clang::tidy::tether::flow {
class ThrowModel;
} // namespace clang::tidy::tether::flow

namespace clang::tidy::tether::model {

class TUModel {
public:
  /// The model of the TU \p Ctx holds, created on first use.
  static TUModel &of(ASTContext &Ctx);

  /// The innermost function or lambda (its call operator) \p S belongs to,
  /// as the parent map's first chain of parents gives it, or null. Found
  /// without the TU's parent map: the functions of the TU are indexed by
  /// source range from a walk of declarations only, and the one function
  /// whose range holds \p S is walked once, recording the innermost function
  /// of each of its statements. Only a node no indexed function holds (a
  /// global initializer, a default member initializer) takes the parent map.
  const FunctionDecl *enclosingFunction(const Stmt *S);

  /// model::isRecordOf's answer for \p RD (a canonical declaration) and the
  /// class names \p Names, computed by \p Compute on the first question and
  /// then remembered: it asks an AST matcher, and the path analyses ask it
  /// for every destructor and method call they meet (thread-joined-twice on
  /// 3000 threads in one function: issue 21). The answer cannot change once
  /// the TU is parsed, which it is when the checks run.
  bool isRecordOf(const CXXRecordDecl *RD, llvm::ArrayRef<llvm::StringRef> Names,
                  llvm::function_ref<bool()> Compute);

  /// The exception model (which calls may throw) for thread classes
  /// \p ThreadTypes, shared by every check that follows exception paths
  /// with that list: what clang-tidy's ExceptionAnalyzer learns about a
  /// function's body (followed through every call it makes) is learnt once
  /// per TU, not once per check (unjoined-thread, escaping-reference-capture,
  /// exception-escapes-thread and waitgroup-done-missing each analysed the
  /// same 22k-line header again: issue 21). The model keeps its own copy of
  /// the names.
  flow::ThrowModel &throwModel(llvm::ArrayRef<llvm::StringRef> ThreadTypes);

  /// The CFG of \p FD for the path analyses (flow::buildFunctionCFG with
  /// these options), built on the first question and kept for the TU: the
  /// checks that follow one function's paths (unjoined-thread and
  /// escaping-reference-capture through HandleFlow, thread-joined-twice
  /// through DischargeFlow, waitgroup-done-missing through PathCoverage)
  /// share it. Null where buildFunctionCFG gives none.
  const CFG *cfg(const FunctionDecl *FD, bool ExceptionEdges, bool Lifetime);
  /// The parent map of \p FD's body (which must exist), built once.
  const ParentMap &parentMap(const FunctionDecl *FD);

  ~TUModel();

private:
  explicit TUModel(ASTContext &Ctx);
  struct Range {
    unsigned Begin, End; ///< file offsets of the expansion range
    unsigned Order;      ///< walk order: templates before instantiations
    const FunctionDecl *FD;
  };
  /// Indexes the functions of the TU; those declared in system headers only
  /// with \p System (they hold no node the checks ask about, except on LLVM
  /// 19, whose matchers also match there: indexed on the first question
  /// about such a node).
  void indexFunctions(bool System);
  void indexDecl(const Decl *D, bool System);
  void indexFunction(const FunctionDecl *FD);
  const llvm::DenseMap<const Stmt *, const FunctionDecl *> &
  walked(const FunctionDecl *FD);

  ASTContext &Ctx;
  bool Indexed = false;
  bool IndexedSystem = false;
  llvm::DenseMap<FileID, std::vector<Range>> Functions;
  llvm::DenseSet<const FunctionDecl *> IndexedFunctions;
  llvm::DenseMap<const FunctionDecl *,
                 std::unique_ptr<llvm::DenseMap<const Stmt *, const FunctionDecl *>>>
      Walked;
  unsigned NextOrder = 0;
  /// Each distinct list of names by a number (isRecordOf, throwModel).
  unsigned listNumber(llvm::ArrayRef<llvm::StringRef> Names);
  llvm::StringMap<unsigned> NameLists;
  /// throwModel(): one model per list of thread types, and the names it
  /// refers to.
  struct SharedThrowModel;
  llvm::DenseMap<unsigned, std::unique_ptr<SharedThrowModel>> ThrowModels;
  llvm::DenseMap<std::pair<const CXXRecordDecl *, unsigned>, bool> RecordOf;
  /// cfg(): per function and options (bit 0 exception edges, bit 1
  /// lifetime), null kept too.
  llvm::DenseMap<std::pair<const FunctionDecl *, unsigned>, std::unique_ptr<CFG>>
      CFGs;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<ParentMap>> Parents;
};

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_TUMODEL_H
