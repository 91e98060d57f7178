//===--- SyncModel.h - WaitGroup-like counters and channels ---------------===//
//
// The synchronisation part of the shared model (docs/design.md): which
// types are WaitGroup-like counters (add / done) and channels (send / receive /
// close), given by the `WaitGroupTypes` and `ChannelTypes` options; which
// call is which operation; and which variable or field an operation's object
// is, followed through local references, pointers and copies of the handle.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_SYNCMODEL_H
#define TETHER_CHECKS_UTILS_SYNCMODEL_H

#include "utils/SpawnModel.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::tether::model {

/// Default for the `WaitGroupTypes` option. Entry syntax:
/// `type[,add-methods[,done-methods]]`, methods separated by `|`; omitted
/// method lists are `add` and `done`.
inline constexpr llvm::StringLiteral DefaultWaitGroupTypes =
    "::tether::WaitGroup";
/// The method lists a WaitGroupTypes entry takes when it names none.
inline constexpr llvm::StringLiteral DefaultWaitGroupOps[] = {"add", "done"};

/// Default for the `ChannelTypes` option. Entry syntax:
/// `type,send-methods,receive-methods,close-methods`, methods separated by
/// `|`, an empty list for none; an entry with the type alone takes tether's
/// method names. Operators are written `operator<<`; a binary operator listed
/// as both send and receive sends when the channel is its left operand and
/// receives when it is the right one.
inline constexpr llvm::StringLiteral DefaultChannelTypes =
    "::tether::Channel,send|try_send|send_for|send_until,"
    "recv|try_recv|recv_for|recv_until,close;"
    "::tether::Sender,send|try_send|send_for|send_until,,close;"
    "::tether::Receiver,,recv|try_recv|recv_for|recv_until,";
inline constexpr llvm::StringLiteral DefaultChannelOps[] = {
    "send|try_send|send_for|send_until", "recv|try_recv|recv_for|recv_until",
    "close"};

/// Free functions that receive from (or send to) the channel given as their
/// first argument: tether's select cases.
inline constexpr llvm::StringLiteral ReceiveCaseFunctions = "::tether::recv_case";
inline constexpr llvm::StringLiteral SendCaseFunctions = "::tether::send_case";

/// One entry of WaitGroupTypes or ChannelTypes: a class and, per operation
/// (add / done, or send / receive / close), the names of its methods.
struct SyncType {
  std::string Name; ///< fully qualified, without the leading "::"
  llvm::SmallVector<llvm::SmallVector<std::string, 4>, 3> Ops;
  /// True if \p Method is one of the names of operation \p Op.
  bool isOp(unsigned Op, llvm::StringRef Method) const;
};

/// Parses an option value of the syntax above; \p DefaultOps gives, per
/// operation, the `|`-separated names an entry with the type alone takes.
std::vector<SyncType> parseSyncTypes(llvm::StringRef Option,
                                     llvm::ArrayRef<llvm::StringLiteral> DefaultOps);

/// The entry of \p Types the class of \p T (through references, pointers and
/// typedefs) is, or derives from; null if none.
const SyncType *syncTypeOf(QualType T, llvm::ArrayRef<SyncType> Types);

/// One call that performs an operation of a SyncType.
struct SyncCall {
  const CallExpr *Call = nullptr;
  const Expr *Object = nullptr; ///< the counter or channel operated on
  const SyncType *Type = nullptr;
  unsigned Op = 0; ///< index into SyncType::Ops
};

/// The operation \p E performs, if it is a call to a listed method of a
/// listed type: `wg.add(1)`, `p->done()`, `ch << v` (operators by position,
/// see DefaultChannelTypes). Dependent calls are not operations.
std::optional<SyncCall> asSyncCall(const Expr *E, llvm::ArrayRef<SyncType> Types);

/// The variable or field a counter or channel expression denotes: through
/// parentheses, casts, `*p`, `p->`, `&x`, smart-pointer `->` and `*`, and the
/// initializers of local references, pointers and copies of the handle
/// (`auto &in = ch;`, `Channel<int> c = ch;`, `auto r = ch.receiver();`).
/// Null when it cannot be told (an element of a container, a call result).
const ValueDecl *syncRoot(const Expr *E);

/// The root of a declaration as syncRoot follows it: a local alias (a
/// reference, pointer or copy of a handle) yields what its initializer
/// denotes; anything else is its own root.
const ValueDecl *rootOfDecl(const ValueDecl *D);

/// The calls in \p Body that perform operation \p Op (any, if negative) of
/// \p Types, in source order. Nested lambdas, blocks and local classes are
/// entered only with \p EnterLambdas: they run when called or spawned.
llvm::SmallVector<SyncCall, 4> syncCallsIn(const Stmt *Body,
                                           llvm::ArrayRef<SyncType> Types,
                                           int Op, bool EnterLambdas = false);

/// A spawned task whose body the TU shows, and what it does with counters.
struct SpawnedTask {
  Spawn S;
  ResolvedCallable Callable;
  const FunctionDecl *Body = nullptr; ///< the definition the task enters
  /// The calls of the asked operation in the body (nested lambdas excluded).
  llvm::SmallVector<SyncCall, 4> Calls;
  /// For `wg.go(f)` and other spawn methods of a listed counter type: that
  /// counter's root (may be null if it cannot be told), else unset.
  bool SpawnedByCounter = false;
  const ValueDecl *SpawnerRoot = nullptr;
};

/// The task \p Site spawns, when it is a spawn (see asSpawn()), its callable
/// resolves to a non-dependent body, and that body performs operation \p Op
/// of \p Types at least once; else none.
std::optional<SpawnedTask>
spawnedTask(const Expr *Site, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
            llvm::ArrayRef<llvm::StringRef> SpawnFunctions,
            llvm::ArrayRef<SyncType> Types, unsigned Op);

/// Describes a root for a diagnostic: "'wg'", "'wg_'".
std::string rootName(const ValueDecl *Root);

/// Spells a call of \p Method on \p Root for a note: "wg.go(f)", "p->go(f)";
/// "WaitGroup::go(f)" when the root is not itself a listed type (a `void *`
/// argument).
std::string spellCall(const ValueDecl *Root, llvm::StringRef Method,
                      llvm::ArrayRef<SyncType> Types);

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_SYNCMODEL_H
