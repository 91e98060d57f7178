//===--- ThreadModel.h - the shared thread-ownership model ----------------===//
//
// What starts a thread, what gives it up, which types own threads: written once
// here and asked by every tether check, so that the checks agree with each other
// and with ../shared/DESIGN.md ("Shared ownership model").
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_THREADMODEL_H
#define TETHER_CHECKS_UTILS_THREADMODEL_H

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::tether::model {

/// Default for the `ThreadTypes` option: classes whose objects are thread
/// handles (they have join() / detach()).
inline constexpr llvm::StringLiteral DefaultThreadTypes =
    "::std::thread;::std::jthread;::boost::thread";

/// Default for the `DetachFunctions` option: C APIs that detach the thread
/// named by their first argument.
inline constexpr llvm::StringLiteral DefaultDetachFunctions =
    "::pthread_detach;::thrd_detach";

/// Functions that set a thread-attribute object to "detached" when their
/// second argument is the named constant, as
/// pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED).
inline constexpr llvm::StringLiteral DetachStateSetter =
    "::pthread_attr_setdetachstate";
inline constexpr llvm::StringLiteral DetachedStateConstant =
    "PTHREAD_CREATE_DETACHED";

/// The remedy every "a thread was given up" finding names.
inline constexpr llvm::StringLiteral OwnerRemedy =
    "use tether::WaitGroup::go, tether::Group or std::jthread so that the "
    "owner can wait for the thread and stop it";

/// Matches a class that is one of \p Names, or derives from one of them.
ast_matchers::internal::Matcher<CXXRecordDecl>
threadClass(llvm::ArrayRef<llvm::StringRef> Names);

/// Matches a C++ method named \p Method declared by a thread class: the
/// receiver's class decides, never the method name alone.
ast_matchers::DeclarationMatcher
threadMethod(llvm::StringRef Method, llvm::ArrayRef<llvm::StringRef> Names);

/// Describes a thread-handle expression for a diagnostic: "thread 't'",
/// "thread 'Worker'" (a field), "thread 'p'" (through a pointer), "temporary
/// thread" (a prvalue), or "thread" (any other expression).
std::string describeHandle(const Expr *Handle);

/// The variable a handle expression names (through parentheses, implicit casts,
/// `*p`, `&t`), or null.
const ValueDecl *handleDecl(const Expr *Handle);

/// Where the thread a handle names was started, when the handle is a local
/// variable whose initializer constructs a running thread; else null.
const Expr *localStartSite(const Expr *Handle,
                           llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// The location to report at: the expansion site for code written inside a
/// macro, so that a finding lands in the user's code, once per use.
SourceLocation reportLoc(SourceLocation Loc, const SourceManager &SM);

/// True if \p E is spelled as \p Name: the enumerator or variable itself, or a
/// macro of that name (PTHREAD_CREATE_DETACHED is either, depending on libc).
bool isSpelledAs(const Expr *E, llvm::StringRef Name, const ASTContext &Ctx);

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_THREADMODEL_H
