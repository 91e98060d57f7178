//===--- SpawnModel.h - what starts a thread, and what it runs ------------===//
//
// The "spawn" part of the shared ownership model (docs/design.md):
// constructing a thread type, pthread_create / thrd_create, and spawn methods
// such as tether::WaitGroup::go and tether::Group::go; and the callable each
// one runs, resolved to its body when it is visible in the translation unit.
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_SPAWNMODEL_H
#define TETHER_CHECKS_UTILS_SPAWNMODEL_H

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <optional>
#include <string>

namespace clang::tidy::tether::model {

/// Default for the `SpawnFunctions` option: methods and functions whose first
/// argument is a callable that runs on a thread the callee owns.
inline constexpr llvm::StringLiteral DefaultSpawnFunctions =
    "::tether::WaitGroup::go;::tether::Group::go;::tether::Group::try_go";

/// Default for the `CatchingSpawnFunctions` option: spawn functions whose
/// tasks may throw without ending the process (the exception is caught and
/// reaches the owner, as `tether::Group::wait()` returns it).
inline constexpr llvm::StringLiteral DefaultCatchingSpawnFunctions =
    "::tether::Group::go;::tether::Group::try_go";

/// How a thread was started.
enum class SpawnKind {
  ThreadConstruct, ///< std::thread t(f, args...), std::jthread(f),
                   ///< new std::thread(f), v.push_back(std::thread(f)), ...
  InPlace,  ///< v.emplace_back(f, args...), m.try_emplace(k, f): a container
            ///< of threads constructs the thread from the arguments
  MakeOwned, ///< std::make_unique<std::thread>(f), std::make_shared<...>(f)
  CCreate,   ///< pthread_create(&t, attr, f, arg), thrd_create(&t, f, arg)
  SpawnCall, ///< wg.go(f, args...), group.go(f), user SpawnFunctions
};

/// One place that starts a thread.
struct Spawn {
  SpawnKind Kind;
  const Expr *Site;      ///< the construct expression or the call
  const Expr *Callable;  ///< the expression naming what the thread runs
  std::string Spawner;   ///< "std::thread", "tether::WaitGroup::go", ...
  /// InPlace: the container expression (`v` of `v.emplace_back(f)`).
  const Expr *Container = nullptr;
  /// ThreadConstruct, InPlace, MakeOwned: the thread class started.
  const CXXRecordDecl *ThreadClass = nullptr;
};

/// The thread class a standard container (or std::optional) of \p T holds
/// as its elements, when it is one of \p ThreadTypes: `std::vector<T>`,
/// `std::deque<T>`, `std::list<T>`, `std::forward_list<T>`, `std::array<T,
/// N>`, `std::optional<T>`, and the mapped type of `std::map`,
/// `std::unordered_map` and their multi forms. Null otherwise, and for
/// dependent or incomplete types.
const CXXRecordDecl *elementThreadClass(QualType T,
                                        llvm::ArrayRef<llvm::StringRef> ThreadTypes);

/// The body a callable resolves to, when the TU shows it.
struct ResolvedCallable {
  const FunctionDecl *Function = nullptr; ///< the function the thread enters
  const LambdaExpr *Lambda = nullptr;     ///< set when the callable is a lambda
  std::string Name;                       ///< "'fetch'", "lambda", ...
  explicit operator bool() const { return Function != nullptr; }
};

/// The spawn \p E performs, if any: \p ThreadTypes name thread classes,
/// \p SpawnFunctions name spawn methods and functions (fully qualified).
std::optional<Spawn> asSpawn(const Expr *E,
                             llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                             llvm::ArrayRef<llvm::StringRef> SpawnFunctions);

/// A check's share of the spawn-site matchers: add() registers, for
/// \p Check, the expressions that may start a thread, bound to "spawn"
/// (asSpawn() decides in check()): constructions of \p ThreadTypes from
/// arguments, calls to \p SpawnFunctions, std::make_unique / make_shared,
/// in-place insertion into a container, and, with \p CCreate,
/// pthread_create / thrd_create; none in system headers. One matcher per
/// node kind (a construction, a call), so that the other expressions of the
/// TU are never offered to them: an `expr(anyOf(...))` matcher ran on every
/// expression, 0.6 s per check on a 1.5M-element array initialiser. And one
/// set of matchers per MatchFinder and pair of lists, shared by every check
/// that adds them (issue 21): the TU's expressions are offered once however
/// many checks are enabled, and each match is handed to the checks in turn
/// (`--enable-check-profile` shows that time as `model.spawn-sites`).
/// The object keeps the shared matchers alive: make it a member of the
/// check, which the MatchFinder calls.
class SpawnSiteMatchers {
public:
  void add(ast_matchers::MatchFinder &Finder,
           ast_matchers::MatchFinder::MatchCallback *Check,
           llvm::ArrayRef<llvm::StringRef> ThreadTypes,
           llvm::ArrayRef<llvm::StringRef> SpawnFunctions, bool CCreate);

private:
  std::shared_ptr<void> Keep;
};

/// Resolves the callable expression of a spawn: a lambda (also through a
/// local variable initialised with one), a function or a pointer to one, a
/// pointer to member function, or an object with a single non-template
/// operator(). Anything else (std::bind, a function pointer parameter, a
/// generic functor) yields an empty result: no finding may rest on a guess.
ResolvedCallable resolveCallable(const Expr *Callable);

/// The definition of the function \p C enters, when the TU has its body;
/// else null.
const FunctionDecl *definitionOf(const ResolvedCallable &C);

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_SPAWNMODEL_H
