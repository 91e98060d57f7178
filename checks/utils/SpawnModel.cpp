//===--- SpawnModel.cpp - what starts a thread, and what it runs ----------===//

#include "utils/SpawnModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "utils/ThreadModel.h"
#include "llvm/ADT/StringMap.h"
#include <memory>
#include <mutex>

namespace clang::tidy::tether::model {

/// Fully qualified name with a leading "::", as the options spell it.
static std::string qualified(const NamedDecl *D) {
  return "::" + D->getQualifiedNameAsString();
}

static bool inList(const NamedDecl *D, llvm::ArrayRef<llvm::StringRef> Names) {
  if (!D)
    return false;
  const std::string Q = qualified(D);
  for (llvm::StringRef N : Names) {
    if (N == Q || ("::" + N.str()) == Q)
      return true;
  }
  return false;
}

/// True if \p RD is one of \p Names or derives from one of them.
static bool isClassIn(const CXXRecordDecl *RD,
                      llvm::ArrayRef<llvm::StringRef> Names) {
  if (!RD || !RD->hasDefinition())
    return RD && inList(RD, Names);
  if (inList(RD, Names))
    return true;
  return RD->getDefinition()->forallBases(
             [&](const CXXRecordDecl *Base) { return !inList(Base, Names); }) ==
         false;
}

/// The standard class templates whose elements are their first template
/// argument, and those whose elements are their second (the mapped type).
static constexpr llvm::StringLiteral FirstArgContainers[] = {
    "std::vector", "std::deque",        "std::list",
    "std::forward_list", "std::array", "std::optional"};
static constexpr llvm::StringLiteral MappedContainers[] = {
    "std::map", "std::multimap", "std::unordered_map",
    "std::unordered_multimap"};

/// The class template specialization \p T names (through references,
/// typedefs and pointers to it), or null.
static const ClassTemplateSpecializationDecl *specializationOf(QualType T) {
  if (T.isNull() || T->isDependentType())
    return nullptr;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T->getAsCXXRecordDecl());
}

/// The class of template argument \p I of \p Spec, when it is a type.
static const CXXRecordDecl *typeArgClass(const ClassTemplateSpecializationDecl *Spec,
                                         unsigned I) {
  const TemplateArgumentList &Args = Spec->getTemplateArgs();
  if (Args.size() <= I || Args[I].getKind() != TemplateArgument::Type)
    return nullptr;
  return Args[I].getAsType()->getAsCXXRecordDecl();
}

const CXXRecordDecl *
elementThreadClass(QualType T, llvm::ArrayRef<llvm::StringRef> ThreadTypes) {
  const ClassTemplateSpecializationDecl *Spec = specializationOf(T);
  if (!Spec)
    return nullptr;
  const std::string Name = Spec->getQualifiedNameAsString();
  const CXXRecordDecl *Elem = nullptr;
  if (llvm::is_contained(FirstArgContainers, Name))
    Elem = typeArgClass(Spec, 0);
  else if (llvm::is_contained(MappedContainers, Name))
    Elem = typeArgClass(Spec, 1);
  return Elem && isClassIn(Elem, ThreadTypes) ? Elem : nullptr;
}

/// True if \p E is (a reference to) an object of class \p RD or a class
/// derived from it: an argument that moves or copies a thread into place
/// rather than constructing one from a callable.
static bool isObjectOf(const Expr *E, const CXXRecordDecl *RD) {
  const CXXRecordDecl *Arg = E->getType().getNonReferenceType()->getAsCXXRecordDecl();
  if (!Arg || !RD)
    return false;
  if (Arg->getCanonicalDecl() == RD->getCanonicalDecl())
    return true;
  return Arg->hasDefinition() && Arg->isDerivedFrom(RD);
}

/// `v.emplace_back(f, args...)` and the other in-place insertions: the index
/// of the argument that becomes the thread's callable, or -1.
static int inPlaceCallableIndex(const CXXMemberCallExpr *Call,
                                const ClassTemplateSpecializationDecl *Spec) {
  const CXXMethodDecl *M = Call->getMethodDecl();
  if (!M || !M->getDeclName().isIdentifier())
    return -1;
  const llvm::StringRef Name = M->getName();
  const std::string Cls = Spec->getQualifiedNameAsString();
  const bool Mapped = llvm::is_contained(MappedContainers, Cls);
  int Index = -1;
  if (Mapped) {
    // m.try_emplace(k, f), m.emplace(k, f), m.emplace_hint(h, k, f)
    if (Name == "try_emplace" || Name == "emplace")
      Index = 1;
    else if (Name == "emplace_hint")
      Index = 2;
  } else if (Cls == "std::optional") {
    if (Name == "emplace")
      Index = 0;
  } else if (Name == "emplace_back" || Name == "emplace_front") {
    Index = 0;
  } else if (Name == "emplace" || Name == "emplace_after") {
    Index = 1; // v.emplace(pos, f)
  }
  if (Index < 0 || static_cast<unsigned>(Index) >= Call->getNumArgs())
    return -1;
  return Index;
}

std::optional<Spawn> asSpawn(const Expr *E,
                             llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                             llvm::ArrayRef<llvm::StringRef> SpawnFunctions) {
  if (!E)
    return std::nullopt;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    const CXXConstructorDecl *Ctor = Construct->getConstructor();
    if (!Ctor || Construct->getNumArgs() == 0 ||
        Ctor->isCopyOrMoveConstructor() ||
        isa<CXXDefaultArgExpr>(Construct->getArg(0)))
      return std::nullopt;
    const CXXRecordDecl *RD = Ctor->getParent();
    if (!isClassIn(RD, ThreadTypes))
      return std::nullopt;
    Spawn S{SpawnKind::ThreadConstruct, Construct, Construct->getArg(0),
            RD->getQualifiedNameAsString()};
    S.ThreadClass = RD;
    return S;
  }
  // v.emplace_back(f, args...): the container constructs the thread in a
  // library header, from these arguments.
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (const ClassTemplateSpecializationDecl *Spec =
            Obj ? specializationOf(Obj->getType()) : nullptr) {
      if (const CXXRecordDecl *Elem =
              elementThreadClass(Obj->getType(), ThreadTypes)) {
        const int I = inPlaceCallableIndex(MC, Spec);
        if (I < 0 || isObjectOf(MC->getArg(I), Elem) ||
            isa<CXXDefaultArgExpr>(MC->getArg(I)))
          return std::nullopt;
        Spawn S{SpawnKind::InPlace, MC, MC->getArg(I),
                Elem->getQualifiedNameAsString()};
        S.Container = Obj;
        S.ThreadClass = Elem;
        return S;
      }
    }
  }
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call)
    return std::nullopt;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->getDeclName().isIdentifier())
    return std::nullopt;
  // std::make_unique<std::thread>(f), std::make_shared<std::thread>(f),
  // std::allocate_shared<std::thread>(alloc, f).
  if (Callee->isInStdNamespace() &&
      (Callee->getName() == "make_unique" ||
       Callee->getName() == "make_shared" ||
       Callee->getName() == "allocate_shared")) {
    const TemplateArgumentList *Args = Callee->getTemplateSpecializationArgs();
    const unsigned I = Callee->getName() == "allocate_shared" ? 1 : 0;
    if (!Args || Args->size() == 0 ||
        Args->get(0).getKind() != TemplateArgument::Type ||
        Call->getNumArgs() <= I)
      return std::nullopt;
    const CXXRecordDecl *RD = Args->get(0).getAsType()->getAsCXXRecordDecl();
    if (!RD || !isClassIn(RD, ThreadTypes) || isObjectOf(Call->getArg(I), RD))
      return std::nullopt;
    Spawn S{SpawnKind::MakeOwned, Call, Call->getArg(I),
            RD->getQualifiedNameAsString()};
    S.ThreadClass = RD;
    return S;
  }
  // pthread_create(&t, attr, start, arg) and thrd_create(&t, start, arg).
  if (Callee->isExternC() || Callee->getDeclContext()->isTranslationUnit()) {
    if (Callee->getName() == "pthread_create" && Call->getNumArgs() == 4)
      return Spawn{SpawnKind::CCreate, Call, Call->getArg(2), "pthread_create"};
    if (Callee->getName() == "thrd_create" && Call->getNumArgs() == 3)
      return Spawn{SpawnKind::CCreate, Call, Call->getArg(1), "thrd_create"};
  }
  if (Call->getNumArgs() == 0)
    return std::nullopt;
  // wg.go(f, args...): the callable is the first argument after the object.
  const Expr *First = Call->getArg(0);
  if (isa<CXXOperatorCallExpr>(Call))
    return std::nullopt;
  const FunctionDecl *Named = Callee;
  if (const FunctionTemplateDecl *Primary = Callee->getPrimaryTemplate())
    Named = Primary->getTemplatedDecl();
  if (const auto *Method = dyn_cast<CXXMethodDecl>(Named)) {
    // A method named in the list, or inherited from a listed class.
    for (llvm::StringRef N : SpawnFunctions) {
      llvm::StringRef Cls, Fn;
      std::tie(Cls, Fn) = N.rsplit("::");
      if (Fn != Method->getName())
        continue;
      if (inList(Method, {N}) || isClassIn(Method->getParent(), {Cls}))
        return Spawn{SpawnKind::SpawnCall, Call, First,
                     Method->getQualifiedNameAsString()};
    }
    return std::nullopt;
  }
  if (inList(Named, SpawnFunctions))
    return Spawn{SpawnKind::SpawnCall, Call, First,
                 Named->getQualifiedNameAsString()};
  return std::nullopt;
}

namespace {
/// The spawn-site matchers of one MatchFinder, shared by every check that
/// asks for them (issue 21): one matcher per node kind and per distinct pair
/// of lists (ThreadTypes, SpawnFunctions), whatever the number of checks, so
/// that the TU's constructions and calls are offered once, not once per
/// check. A match is handed to each subscribed check in the order they
/// subscribed, as the check's own matcher would have been.
class SpawnHub {
public:
  struct Subscriber {
    ast_matchers::MatchFinder::MatchCallback *Check;
    bool CCreate;
  };
  /// The checks that share one pair of lists, and the matchers for them.
  struct Group : ast_matchers::MatchFinder::MatchCallback {
    std::vector<Subscriber> Subscribers;
    /// True if the SpawnFunctions name a C create function themselves.
    bool ListsCreate = false;
    void run(const ast_matchers::MatchFinder::MatchResult &Result) override {
      // A check registered without CCreate never saw pthread_create.
      std::optional<bool> IsCreate;
      for (const Subscriber &S : Subscribers) {
        if (!S.CCreate && !ListsCreate) {
          if (!IsCreate) {
            const auto *Call = Result.Nodes.getNodeAs<CallExpr>("spawn");
            const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
            // What hasAnyName(CreateFunctions) matched: global functions.
            IsCreate = FD && FD->getDeclName().isIdentifier() &&
                       isCreateFunctionName(FD->getName()) &&
                       FD->getDeclContext()->getRedeclContext()->isTranslationUnit();
          }
          if (*IsCreate)
            continue;
        }
        S.Check->run(Result);
      }
    }
    llvm::StringRef getID() const override { return "model.spawn-sites"; }
  };
  llvm::StringMap<std::unique_ptr<Group>> Groups;
  /// Set once the MatchFinder has run (its onEndOfTranslationUnit): a later
  /// MatchFinder at the same address gets a new hub.
  bool Finished = false;
  struct EndMarker : ast_matchers::MatchFinder::MatchCallback {
    SpawnHub *Hub = nullptr;
    void run(const ast_matchers::MatchFinder::MatchResult &) override {}
    void onEndOfTranslationUnit() override;
    llvm::StringRef getID() const override { return "model.spawn-sites"; }
  } End;
};

struct HubRegistry {
  std::mutex M;
  llvm::DenseMap<const ast_matchers::MatchFinder *, std::weak_ptr<SpawnHub>>
      Hubs;
};
HubRegistry &hubRegistry() {
  static HubRegistry *R = new HubRegistry; // leaked: outlives every check
  return *R;
}

void SpawnHub::EndMarker::onEndOfTranslationUnit() {
  std::lock_guard<std::mutex> Lock(hubRegistry().M);
  Hub->Finished = true;
}

/// The hub of \p Finder, created on the first call for it.
std::shared_ptr<SpawnHub> hubOf(ast_matchers::MatchFinder &Finder,
                                bool &Created) {
  HubRegistry &R = hubRegistry();
  std::lock_guard<std::mutex> Lock(R.M);
  std::weak_ptr<SpawnHub> &Slot = R.Hubs[&Finder];
  std::shared_ptr<SpawnHub> Hub = Slot.lock();
  Created = !Hub || Hub->Finished;
  if (Created) {
    Hub = std::make_shared<SpawnHub>();
    Hub->End.Hub = Hub.get();
    Slot = Hub;
  }
  // Forget finders whose checks are gone.
  if (R.Hubs.size() > 64)
    for (auto It = R.Hubs.begin(); It != R.Hubs.end();)
      if (It->second.expired())
        R.Hubs.erase(It++);
      else
        ++It;
  return Hub;
}
} // namespace

void SpawnSiteMatchers::add(ast_matchers::MatchFinder &Finder,
                            ast_matchers::MatchFinder::MatchCallback *Check,
                            llvm::ArrayRef<llvm::StringRef> ThreadTypes,
                            llvm::ArrayRef<llvm::StringRef> SpawnFunctions,
                            bool CCreate) {
  using namespace ast_matchers;
  bool Created = false;
  std::shared_ptr<SpawnHub> Hub = hubOf(Finder, Created);
  // A matcher that never matches: it makes the MatchFinder call the hub
  // and the check at the start and the end of the TU (the check's own
  // onEndOfTranslationUnit, once, as for any callback it knows).
  const auto Never = translationUnitDecl(unless(anything()));
  if (Created) // the hub learns when this finder's run ends
    Finder.addMatcher(Never, &Hub->End);
  Finder.addMatcher(Never, Check);
  Keep = Hub;
  std::string Key = nameListKey(ThreadTypes);
  Key += '\0';
  Key += nameListKey(SpawnFunctions);
  std::unique_ptr<SpawnHub::Group> &G = Hub->Groups[Key];
  if (G) {
    G->Subscribers.push_back({Check, CCreate});
    return;
  }
  G = std::make_unique<SpawnHub::Group>();
  G->Subscribers.push_back({Check, CCreate});
  std::vector<llvm::StringRef> Calls(SpawnFunctions.begin(),
                                     SpawnFunctions.end());
  G->ListsCreate = llvm::any_of(SpawnFunctions, isCreateFunctionName);
  // Every group matches the C create functions; a check that did not ask
  // for them is not handed them (Group::run).
  llvm::SmallVector<llvm::StringRef, 2> Create;
  llvm::StringRef(CreateFunctions).split(Create, ';', -1, false);
  Calls.insert(Calls.end(), Create.begin(), Create.end());
  // hasAnyName() with no names matches nothing, as wanted.
  Calls.push_back("::std::make_unique");
  Calls.push_back("::std::make_shared");
  Calls.push_back("::std::allocate_shared");
  // Spawns written in system headers are library internals (the thread a
  // std::make_unique or emplace_back instantiation constructs): the user's
  // call is the spawn site. LLVM 19 matches inside system headers, 22 not.
  // The node's own properties are tested before its location, which is
  // dear.
  if (!ThreadTypes.empty())
    Finder.addMatcher(
        cxxConstructExpr(hasDeclaration(cxxConstructorDecl(
                             ofClass(threadClass(ThreadTypes)))),
                         argumentCountAtLeast(1),
                         unless(isExpansionInSystemHeader()))
            .bind("spawn"),
        G.get());
  Finder.addMatcher(
      callExpr(argumentCountAtLeast(1),
               anyOf(callee(functionDecl(hasAnyName(Calls))),
                     // In-place insertion into a container; asSpawn() asks
                     // the element type.
                     cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyName(
                         "emplace_back", "emplace_front", "emplace",
                         "emplace_after", "emplace_hint", "try_emplace"))))),
               unless(isExpansionInSystemHeader()))
          .bind("spawn"),
      G.get());
}

/// Strips what wraps a callable argument: parentheses, implicit casts,
/// temporaries, elidable copies, `&f`, `std::move(f)`.
static const Expr *stripCallable(const Expr *E) {
  while (E) {
    E = ignoreWrappers(E);
    if (const auto *C = dyn_cast<CXXConstructExpr>(E)) {
      if (C->getNumArgs() == 1 && C->getConstructor()->isCopyOrMoveConstructor()) {
        E = C->getArg(0);
        continue;
      }
      return E;
    }
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_AddrOf) {
        E = U->getSubExpr();
        continue;
      }
      return E;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // std::move(f) / std::forward<F>(f)
      const FunctionDecl *FD = Call->getDirectCallee();
      if (FD && Call->getNumArgs() == 1 && FD->isInStdNamespace() &&
          FD->getDeclName().isIdentifier() &&
          (FD->getName() == "move" || FD->getName() == "forward")) {
        E = Call->getArg(0);
        continue;
      }
      return E;
    }
    return E;
  }
  return E;
}

/// The single non-template operator() of a class, or null.
static const CXXMethodDecl *callOperator(const CXXRecordDecl *RD) {
  if (!RD || !RD->hasDefinition())
    return nullptr;
  const CXXMethodDecl *Found = nullptr;
  for (const auto *D : RD->getDefinition()->decls()) {
    if (isa<FunctionTemplateDecl>(D) &&
        cast<FunctionTemplateDecl>(D)->getTemplatedDecl()->getOverloadedOperator() ==
            OO_Call)
      return nullptr; // generic: the instantiation is not named here
    const auto *M = dyn_cast<CXXMethodDecl>(D);
    if (!M || M->getOverloadedOperator() != OO_Call)
      continue;
    if (Found)
      return nullptr; // overloaded: which one runs depends on the arguments
    Found = M;
  }
  return Found;
}

ResolvedCallable resolveCallable(const Expr *Callable) {
  ResolvedCallable R;
  const Expr *E = stripCallable(Callable);
  if (!E)
    return R;
  // A local variable initialised with a lambda: auto task = [&] {...};
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *Var = dyn_cast<VarDecl>(DRE->getDecl())) {
      if (Var->isLocalVarDecl() && Var->getInit() &&
          isa<LambdaExpr>(stripCallable(Var->getInit())))
        E = stripCallable(Var->getInit());
    }
  }
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    R.Lambda = Lambda;
    R.Function = Lambda->getCallOperator();
    R.Name = "the lambda";
    return R;
  }
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl())) {
      R.Function = FD;
      R.Name = "'" + FD->getNameAsString() + "'";
      return R;
    }
    // A functor object: its operator() runs.
    if (const auto *Var = dyn_cast<VarDecl>(DRE->getDecl()))
      if (const CXXMethodDecl *Op =
              callOperator(Var->getType()->getAsCXXRecordDecl())) {
        R.Function = Op;
        R.Name = "'" + Var->getNameAsString() + "'";
        return R;
      }
    return R;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (const auto *FD = dyn_cast<FunctionDecl>(ME->getMemberDecl())) {
      R.Function = FD;
      R.Name = "'" + FD->getNameAsString() + "'";
    }
    return R;
  }
  // A temporary functor: std::thread(Worker{...}).
  if (const CXXMethodDecl *Op = callOperator(E->getType()->getAsCXXRecordDecl())) {
    R.Function = Op;
    R.Name = "'" + Op->getParent()->getNameAsString() + "'";
  }
  return R;
}

const FunctionDecl *definitionOf(const ResolvedCallable &C) {
  const FunctionDecl *Def = nullptr;
  if (!C.Function || !C.Function->hasBody(Def))
    return nullptr;
  return Def;
}

} // namespace clang::tidy::tether::model
