//===--- FixIts.h - What the fix-its of every check need to prove ---------===//
//
// The conditions fix-its share (docs/integration.md, "Fixing findings"):
// where an edit may be made (one file, outside macros and system headers,
// not in a template), how a local handle is used, and the source range that
// deletes a whole statement. A check decides what its rewrite means; these
// helpers only answer the questions that do not depend on it.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_FIXITS_H
#define TETHER_CHECKS_UTILS_FIXITS_H

#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceLocation.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace clang::tidy::tether::fixit {

/// True if \p FD is, or lies in, a template instantiation or a dependent
/// context: one spelling serves every instantiation, which may differ in
/// what the thread runs.
bool inTemplate(const FunctionDecl *FD);

/// True if \p RD is `std::thread` itself (not a class derived from it).
bool isStdThread(const CXXRecordDecl *RD);

/// True if every location in \p Locs is written in the file of the first
/// one, outside macro expansions, and that file is not a system header:
/// the only places a fix-it may edit.
bool editable(llvm::ArrayRef<SourceLocation> Locs, const SourceManager &SM);

/// How a function body uses local variable \p VD.
struct LocalUses {
  /// \p VD's declaration declares nothing else (`std::thread a(f), b(g);`
  /// does).
  bool Alone = false;
  /// Every reference to \p VD is the object of a call of one of the
  /// methods asked for, and none is inside a lambda (or captured by one).
  bool OnlyMemberCalls = false;
  /// Those calls, in source order.
  llvm::SmallVector<const CXXMemberCallExpr *, 4> Calls;
};

/// The uses of \p VD in \p Body, where \p Methods are the member calls that
/// count as harmless (the rest of \p VD's uses are as what it is: moved,
/// swapped, assigned, lent, captured, passed, named in `sizeof`).
LocalUses localUses(const VarDecl *VD, const Stmt *Body,
                    llvm::ArrayRef<llvm::StringRef> Methods);

/// The characters that delete statement \p S and the `;` that ends it: its
/// whole lines (indentation and one line break included) when nothing else
/// is written on them, else the statement and the blanks after it (`{ a();
/// b(); }` loses "a(); "). Invalid when \p S is not editable() or has no `;`.
CharSourceRange statementRemoval(const Stmt *S, const SourceManager &SM,
                                 const LangOptions &LangOpts);

} // namespace clang::tidy::tether::fixit

#endif // TETHER_CHECKS_UTILS_FIXITS_H
