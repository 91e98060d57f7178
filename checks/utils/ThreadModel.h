//===--- ThreadModel.h - the shared thread-ownership model ----------------===//
//
// What starts a thread, what gives it up, which types own threads: written once
// here and asked by every tether check, so that the checks agree with each other
// and with docs/design.md.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_THREADMODEL_H
#define TETHER_CHECKS_UTILS_THREADMODEL_H

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
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

/// Thread types whose destructor joins (or stops and joins) what they run:
/// destroying them while running is correct. Checks add the user's
/// `OwnerTypes` option to these.
inline constexpr llvm::StringLiteral AutoJoiningTypes =
    "::std::jthread;::tether::Group;::tether::WaitGroup";

/// C functions that start a thread and store its handle through their first
/// argument (`pthread_create(&tid, attr, fn, arg)`).
inline constexpr llvm::StringLiteral CreateFunctions =
    "::pthread_create;::thrd_create";

/// C functions that join the thread named by their first argument. The
/// try/timed variants count as joins: the caller is waiting for the thread.
inline constexpr llvm::StringLiteral JoinFunctions =
    "::pthread_join;::pthread_tryjoin_np;::pthread_timedjoin_np;"
    "::pthread_clockjoin_np;::thrd_join";

/// True if \p FD is a C function (global or extern "C") named in \p List
/// (";"-separated, a leading "::" optional): CreateFunctions, JoinFunctions,
/// DefaultDetachFunctions, DetachStateSetter.
bool isCFunction(const FunctionDecl *FD, llvm::StringRef List);

/// True if \p Name (a leading "::" optional) is one of CreateFunctions.
bool isCreateFunctionName(llvm::StringRef Name);

/// \p Names as one string, each followed by a line break (no class or
/// function name holds one): the key of a list of names in the shared
/// model's caches.
std::string nameListKey(llvm::ArrayRef<llvm::StringRef> Names);

/// The calls that can block the calling thread until another thread acts, by
/// unqualified name: one list for every check that asks "does this code wait
/// here?". `Waits` marks the calls that wait for another thread's work (a
/// join, a future, a latch, a semaphore, a condition variable); `Bounded`
/// marks those that return after a timeout on their own.
struct BlockingCall {
  llvm::StringLiteral Name;
  bool Waits;
  bool Bounded;
};
inline constexpr BlockingCall BlockingCalls[] = {
    {"join", true, false},         {"pthread_join", true, false},
    {"wait", true, false},         {"wait_for", true, true},
    {"wait_until", true, true},    {"get", true, false},
    {"acquire", true, false},      {"try_acquire_for", true, true},
    {"try_acquire_until", true, true}, {"arrive_and_wait", true, false},
    {"recv", false, false},        {"recv_for", false, true},
    {"recv_until", false, true},   {"send", false, false},
    {"send_for", false, true},     {"send_until", false, true},
    {"select", false, false},      {"sleep_for", false, true},
    {"sleep_until", false, true},  {"accept", false, false},
    {"read", false, false},
};

/// The entry of BlockingCalls named \p Name, or null.
const BlockingCall *blockingCall(llvm::StringRef Name);

/// The names of the BlockingCalls that pass \p Keep, joined by ';' (an
/// option's default).
std::string blockingCallNames(bool (*Keep)(const BlockingCall &));

/// Members of a thread type that neither join nor give up the thread: using
/// them leaves the joining duty where it was.
inline constexpr llvm::StringLiteral NeutralThreadMethods =
    "joinable;get_id;native_handle;get_stop_source;get_stop_token;"
    "request_stop;hardware_concurrency;interrupt;interruption_requested";

/// The consequences the findings name, one wording for every check: what
/// destroying a joinable std::thread does, and what losing any other thread
/// handle does.
inline constexpr llvm::StringLiteral TerminateConsequence =
    "this calls std::terminate";
inline constexpr llvm::StringLiteral UnwaitableConsequence =
    "its owner can no longer wait for it";

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

/// The constructor call that starts a thread, when \p E (an initializer or
/// the right-hand side of an assignment) constructs a thread of one of
/// \p ThreadTypes from a callable: through parentheses, temporaries,
/// functional casts and elided copies. Default, copy and move construction
/// start nothing and yield null.
const CXXConstructExpr *
startedConstruct(const Expr *E, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                 ASTContext &Ctx);

/// The innermost function or lambda (its call operator) \p S belongs to,
/// as the parent map gives it, from the TU's shared model
/// (TUModel::enclosingFunction): the TU's functions are indexed once by
/// source range and the one holding \p S is walked once; the TU's parent map
/// is built only for a node outside every function body.
const FunctionDecl *innermostFunction(const Stmt *S, ASTContext &Ctx);

/// The function whose body holds lambda \p L (for a lambda in a lambda, the
/// outer lambda's call operator), or null at namespace or class scope. Read
/// from the closure class: unlike innermostFunction(), no parent map.
const FunctionDecl *lambdaFunction(const LambdaExpr *L);

/// Strips what wraps an expression without changing the value or object it
/// denotes: parentheses, implicit casts, cleanups, temporaries, functional
/// casts. For a value on its way to a use.
const Expr *ignoreWrappers(const Expr *E);

/// Strips what does not change which object an expression denotes: parens,
/// no-op, constructor-conversion and derived-to-base casts, temporaries,
/// cleanups and functional casts, but no value-changing implicit cast. For
/// finding the construction an object comes from (startedConstruct(), a
/// discarded `std::thread(f);`).
const Expr *stripTransparent(const Expr *E);

/// True if \p E moves from what it wraps: `std::move(x)`, `std::forward<T>(x)`
/// or a cast to an rvalue reference.
bool isMoveOf(const Expr *E);

/// What a use of a thread handle does to its owner's duty to join it.
enum class HandleUse {
  Neutral, ///< reads it (joinable(), get_id(), a const reference)
  Join,    ///< joins it: the thread has ended
  Detach,  ///< detaches it: nothing is left to join, but the thread runs on
  Assign,  ///< assigns to it: whatever ran in it must be joined before
  Escape,  ///< moves it, or lends it by non-const reference or pointer:
           ///< someone else now owns the duty
};

/// What calling thread method \p Method (join, detach, joinable(), ...) on
/// a handle does to the owner's duty; an unknown non-const method escapes.
HandleUse classifyThreadMethod(const CXXMethodDecl *Method);

/// What a call of a standard container's member, by name, does to the
/// threads the container holds: one vocabulary for HandleFlow (local
/// containers) and the member checks (containers that are class members).
enum class ContainerUse {
  Adds,     ///< push_back, insert, emplace*, try_emplace: a new element
  Reads,    ///< size, empty, capacity, reserve, begin/end, ...: no effect
  Destroys, ///< clear, pop_back, pop_front, erase, resize, assign
  Element,  ///< at, back, front: one element, used by the caller
  Other,    ///< anything else: an escape
};
ContainerUse classifyContainerMethod(llvm::StringRef Name);

/// Classifies the use \p Ref of a thread-typed local variable, given the
/// statement that contains it (\p Parent, through parentheses and no-op
/// casts; null if none). Anything not known to be neutral, a join or an
/// assignment is an escape: an unknown use must never cause a finding.
HandleUse classifyThreadUse(const Expr *Ref, const Stmt *Parent,
                            llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// How a thread's owner gives up its duty to join it: by joining (the thread
/// has ended) or by detaching (it runs on, owned by nobody). A detach is not
/// a kind of join: checks that ask whether a thread can outlive its scope
/// tell them apart.
enum class Discharge { Join, Detach };

/// The discharge \p S is, when it is a join() or detach() call on an object
/// of one of \p ThreadTypes (the receiver's class decides, never the method
/// name alone), with the object it is called on.
std::optional<std::pair<Discharge, const Expr *>>
dischargeCall(const Stmt *S, llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// A join loop: a statement that joins (or detaches) every element of one
/// container.
struct ElementLoop {
  const ValueDecl *Container = nullptr; ///< the variable or member looped over
  Discharge Kind = Discharge::Join;
  const Stmt *Loop = nullptr;           ///< the loop or the std::for_each call
  /// The expression evaluated before every exit of the loop, where the
  /// discharge takes effect for a path analysis: the loop condition, or the
  /// call itself for std::for_each.
  const Stmt *Point = nullptr;
};

/// The container whose every element \p S joins or detaches, when \p S is
///   - `for (auto &t : v) t.join();` (also `if (t.joinable()) t.join();`),
///   - `for (size_t i = 0; i < v.size(); ++i) v[i].join();` (or `v.at(i)`),
///   - `for (auto it = v.begin(); it != v.end(); ++it) it->join();`,
///   - `while (!v.empty()) { v.back().join(); v.pop_back(); }`,
///   - `std::for_each(v.begin(), v.end(), std::mem_fn(&std::thread::join))`
///     or with a lambda that joins its parameter.
/// The container is a local, a parameter or a member of `*this`. Lambdas in
/// the loop's body are not looked into (they do not run there).
std::optional<ElementLoop>
elementLoop(const Stmt *S, llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// Every join loop of \p Body (outside lambdas), in source order.
llvm::SmallVector<ElementLoop, 2>
elementLoopsIn(const Stmt *Body, llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// The part of a branch condition that decides the branch taken from the
/// CFG block it ends: the last operand of a `&&` / `||` chain (the block of
/// the last operand branches on the whole chain), through `!`; \p Negated
/// says whether an odd number of `!` was stripped. For the path analyses'
/// edge pruning (HandleFlow, DischargeFlow).
const Expr *deciderOf(const Expr *Cond, bool &Negated);

/// The object whose `joinable()` \p E calls, or null.
const Expr *joinableReceiver(const Expr *E);

/// True if \p RD is, or derives from, one of \p Names (fully qualified).
bool isRecordOf(const CXXRecordDecl *RD, llvm::ArrayRef<llvm::StringRef> Names,
                ASTContext &Ctx);

/// True if \p T holds a thread handle by value: a class of \p ThreadTypes
/// (or derived from one), or a C thread handle, `pthread_t` or `thrd_t`, known
/// by its typedef name (through further typedefs).
bool isThreadHandleType(QualType T, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                        ASTContext &Ctx);

/// The class of \p T (through references, typedefs and arrays of it), or null.
const CXXRecordDecl *recordOf(QualType T);

/// True for `std::thread` and classes derived from it: destroying or
/// overwriting one while joinable calls std::terminate.
bool terminatesWhenJoinable(const CXXRecordDecl *RD, ASTContext &Ctx);

/// How a type holds threads that must be joined.
enum class Holding {
  None,
  Thread,    ///< a thread object (not an auto-joining owner)
  Container, ///< an array, container or unique_ptr of such threads
};

/// Whether \p T (a field's or variable's type) holds threads of
/// \p ThreadTypes that are not \p OwnerTypes: directly, as an array, or as a
/// template argument of a class that owns its elements (std::vector,
/// std::array, std::unique_ptr, ...; shared and weak pointers excluded).
/// \p Held, if given, receives the thread class held.
Holding holdingOf(QualType T, llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                  llvm::ArrayRef<llvm::StringRef> OwnerTypes, ASTContext &Ctx,
                  const CXXRecordDecl **Held = nullptr);

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_THREADMODEL_H
