//===--- FunctionCFG.h - the CFG of one function, for the path analyses -*- C++ -*-===//
//
// How the path analyses (HandleFlow, PathCoverage) build a function's CFG and
// point at its exits. See docs/design.md, "Where the model lives".
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_FUNCTIONCFG_H
#define TETHER_CHECKS_UTILS_FUNCTIONCFG_H

#include "clang/AST/Decl.h"
#include "clang/Analysis/CFG.h"
#include <memory>

namespace clang::tidy::tether::flow {

/// The CFG of \p FD's body for the path analyses, or null when there is none
/// to analyse: no body, a coroutine, a dependent context, an invalid
/// declaration, or compile errors in the TU (CFG::buildCFG can crash on the
/// recovery AST of code that did not compile; found by tether-checks-fuzzer,
/// test/checks/fuzz-crash-24663c5c.test). Adds implicit destructors and, with
/// \p ExceptionEdges and C++ exceptions on, exception edges.
std::unique_ptr<CFG> buildFunctionCFG(const FunctionDecl *FD, ASTContext &Ctx,
                                      bool ExceptionEdges, bool Lifetime);

/// Where to point for a leak's exit: the closing brace of a block, the
/// return / break / goto, the assignment, or the call that may throw.
SourceLocation exitLoc(const Stmt *At);

} // namespace clang::tidy::tether::flow

#endif // TETHER_CHECKS_UTILS_FUNCTIONCFG_H
