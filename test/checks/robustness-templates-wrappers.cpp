// RUN: %check_clang_tidy %s 'tether-*' %t -- -- -std=c++20 -isystem %S/Inputs
//
// Hostile input that parses: template recursion and variadic packs that spawn
// threads, macros that stamp out threads, and unusual thread wrappers (arrays,
// unions, aliases, derived classes, placement new, structured bindings,
// coroutine-free generic lambdas, default arguments, threads of threads).
// Every check runs; the findings below are the whole output.

#include <thread>
#include <tether/wait_group.h>

void work();
void work1(int);
bool ready() noexcept;
template <class T> T &&declval();
void *operator new(std::size_t, void *p) noexcept;

// ===================== Template recursion =====================

// A recursive template that starts one thread per level, 64 levels deep.
template <int N> struct Spawner {
  static void run() {
    std::thread t(work);
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: thread 't' may be destroyed while joinable; this calls std::terminate [tether-unjoined-thread]
    Spawner<N - 1>::run();
    t.join();
  }
};
template <> struct Spawner<0> {
  static void run() {}
};
void recurse() { Spawner<64>::run(); }

// A recursive variadic function template: one thread per argument.
inline void spawnEach() {}
template <class F, class... Fs> void spawnEach(F f, Fs... fs) {
  std::thread t(f);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread 't' may be destroyed while joinable; this calls std::terminate [tether-unjoined-thread]
  spawnEach(fs...);
  t.join();
}
void variadic() { spawnEach(work, work, work, work, work, work, work, work); }

// A fold expression over a pack, into a WaitGroup that owns the threads.
template <class... Fs> void foldSpawn(tether::WaitGroup &wg, Fs... fs) {
  (wg.go(fs), ...);
}
void fold() {
  tether::WaitGroup wg;
  foldSpawn(wg, work, work, work);
  wg.wait();
}

// A template whose thread type is a parameter.
template <class Thread> void generic() {
  Thread t(work);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: thread 't' may be destroyed while joinable; this calls std::terminate [tether-unjoined-thread]
  if (ready())
    t.join();
}
void instantiateGeneric() { generic<std::thread>(); }

// ===================== Macros =====================

#define STAMP(name) std::thread name(work); name.join();
#define STAMP_LEAK(name) std::thread name(work);
#define TWICE(M, a, b) M(a) M(b)
void macros() {
  TWICE(STAMP, m1, m2)
  STAMP_LEAK(m3)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 'm3' may be destroyed while joinable; this calls std::terminate [tether-unjoined-thread]
}

// ===================== Unusual wrappers =====================

// An array of threads, joined in a loop: the checks cannot follow elements.
void arrayOfThreads() {
  std::thread pool[4];
  for (auto &t : pool)
    t = std::thread(work);
  for (auto &t : pool)
    t.join();
}

// A thread in a union, started by placement new, joined by hand.
union Slot {
  Slot() {}
  ~Slot() {}
  std::thread t;
};
void unionThread() {
  Slot s;
  new (&s.t) std::thread(work);
  s.t.join();
  s.t.~thread();
}

// Aliases and a derived class.
using Thread = std::thread;
typedef std::thread ThreadT;
struct NamedThread : std::thread {
  using std::thread::thread;
};
void aliases() {
  Thread a(work);
  ThreadT b(work1, 1);
  a.join();
  b.join();
  NamedThread n(work);
  n.join();
}

// A thread returned from a lambda, from a ternary, as a default argument.
std::thread make() { return std::thread(work); }
void consume(std::thread t = std::thread(work)) { t.join(); }
void returned() {
  auto f = [] { return std::thread(work); };
  std::thread t = f();
  t.join();
  std::thread u = ready() ? make() : std::thread(work);
  u.join();
  consume();
}

// Structured bindings over a struct of threads; a thread of threads.
struct Pair {
  std::thread a, b;
};
void bindings() {
  auto [x, y] = Pair{std::thread(work), std::thread(work)};
  x.join();
  y.join();
  std::thread outer([] {
    std::thread inner(work);
    inner.join();
  });
  outer.join();
}

// A generic lambda that spawns whatever it is given.
void genericLambda() {
  auto spawn = [](auto f) { std::thread t(f); t.join(); };
  spawn(work);
  spawn([] {});
}
