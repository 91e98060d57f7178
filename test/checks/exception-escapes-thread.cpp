// RUN: %check_clang_tidy %s tether-exception-escapes-thread %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-exception-escapes-thread %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-exception-escapes-thread.ThrowingFunctions: '::lib::parse', \
// RUN:             tether-exception-escapes-thread.CatchingSpawnFunctions: ''}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <memory>
#include <optional>
#include <pthread.h>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>
#include <vector>

namespace std {
class exception {
public:
  virtual ~exception();
};
class logic_error : public exception {};
class invalid_argument : public logic_error {};
class runtime_error : public exception {};
} // namespace std

struct ParseError {};
struct BadDigit : ParseError {};

int parseStrict(int c) {
  if (c < 0)
    throw BadDigit();
  return c;
}
int parseLenient(int c) noexcept { return c < 0 ? 0 : c; }
int addOne(int c) { return c + 1; } // visible, cannot throw
void external();                    // not visible: not counted

#ifndef OPTIONS_TEST
// ===================== Positive cases =====================

void throwInLambda() {
  std::thread t([] { throw std::runtime_error(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: exception thrown here can leave the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: catch at the top of the entry and hand the error to the owner (a tether::Channel, a std::promise), or run the work in a tether::Group, whose wait() returns the exception
  t.join();
}

// A call whose body, in the TU, may throw.
void callThatThrows(int c) {
  std::thread t([c] { parseStrict(c); });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:23: note: catch at the top
  t.join();
}

// A handler for another type does not catch it.
void wrongHandler(int c) {
  std::thread t([c] {
    try {
      parseStrict(c);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
    } catch (const std::exception &) {
    }
  });
  // CHECK-MESSAGES: :[[@LINE-7]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-6]]:7: note: catch at the top
  t.join();
}

// A standard function that throws on bad input; several places in one entry
// are one finding.
void standardThrows(std::vector<int> &v, std::optional<int> o) {
  std::thread t([&v, o]() mutable {
    v.at(3) = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'std::vector<int>::at' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
    o.value() = 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: and here
  });
  // CHECK-MESSAGES: :[[@LINE-6]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-6]]:7: note: catch at the top
  t.join();
}

// A rethrow from a handler leaves the entry.
void rethrows() {
  std::thread t([] {
    try {
      external();
    } catch (...) {
      throw;
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: exception thrown here can leave the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
    }
  });
  // CHECK-MESSAGES: :[[@LINE-8]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-5]]:7: note: catch at the top
  t.join();
}

// Every spawn form: in place in a container, on the heap, a member entry
// point, a free function, pthread_create, WaitGroup::go (it aborts).
void throwingWork() { throw 1; }
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: exception thrown here can leave 'throwingWork'; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
void spawnForms(int c) {
  std::vector<std::thread> pool;
  pool.emplace_back(throwingWork);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-6]]:23: note: catch at the top
  pool.emplace_back([c] { parseStrict(c + 1); });
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:27: note: catch at the top
  auto p = std::make_unique<std::thread>([c] { parseStrict(c + 2); });
  // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:12: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:48: note: catch at the top
  p->join();
  for (auto &t : pool)
    t.join();
}

class Poller {
public:
  void start() { t_ = std::thread(&Poller::run, this); }
private:
  void run() { parseStrict(fd_); }
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'parseStrict' may throw out of 'run'; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-4]]:23: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:16: note: catch at the top
  int fd_ = 0;
  std::thread t_;
};

void *pollMain(void *) {
  parseStrict(-1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'parseStrict' may throw out of 'pollMain'; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  return nullptr;
}
void startPoll() {
  pthread_t tid;
  pthread_create(&tid, nullptr, pollMain, nullptr);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: thread started here by pthread_create
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: catch at the top
  pthread_join(tid, nullptr);
}

void waitGroupGo(tether::WaitGroup &wg) {
  wg.go([] { parseStrict(-2); });
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: thread started here by tether::WaitGroup::go
  // CHECK-MESSAGES: :[[@LINE-3]]:14: note: catch at the top
}

// A lambda the entry calls, whose body throws.
void callsLambda() {
  std::thread t([] {
    auto step = [](int c) { return parseStrict(c); };
    step(-4);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: the lambda called here may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-5]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  t.join();
}

// In a template instantiation and through a macro.
template <class T> void spawnT(T v) {
  std::thread t([v] { parseStrict(v); });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'parseStrict' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:23: note: catch at the top
  t.join();
}
void instantiate() { spawnT(1); }

#define SPAWN_THROWING(t) std::thread t([] { throw 2; })
void viaMacro() {
  SPAWN_THROWING(m);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: exception thrown here can leave the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: catch at the top
  m.join();
}

// ===================== Negative cases =====================

// Caught at the top of the entry: by type, by base, by catch (...).
void caught(int c) {
  std::thread a([c] {
    try {
      parseStrict(c);
    } catch (const ParseError &) {
    }
  });
  std::thread b([] {
    try {
      throw std::invalid_argument();
    } catch (const std::logic_error &) {
    }
  });
  std::thread d([](std::vector<int> v) {
    try {
      v.at(1);
    } catch (const std::exception &) {
    }
  }, std::vector<int>());
  std::thread e([] {
    try {
      throwingWork();
    } catch (...) {
    }
  });
  a.join();
  b.join();
  d.join();
  e.join();
}

// Calls that cannot throw, or whose body is not visible.
void cannotThrow(int c) {
  std::thread t([c] {
    parseLenient(c);
    addOne(c);
    external();
  });
  t.join();
}

// tether::Group::go hands the exception to wait().
void inGroup(tether::Group &g) {
  g.go([] { throw 3; });
  g.try_go([] { parseStrict(-3); });
}

// A throw inside a lambda that the entry only creates does not run there.
void nestedLambda() {
  std::thread t([] {
    auto later = [] { throw 4; };
    (void)later;
  });
  t.join();
}

void suppressed() {
  std::thread t([] { throw 5; }); // NOLINT(tether-exception-escapes-thread)
  t.join();
}

// ===================== Known limitations =====================

// The exception walk keeps what it learns of each callee (ExceptionWalk):
// one callee met in several contexts, recursion, and rethrows below a
// handler still give the analyzer's answers.
struct Boom {};
void boomHelper() { throw Boom(); }
void catchesBoom() {
  try {
    boomHelper();
  } catch (const Boom &) {
  }
}
void sameCalleeTwoContexts() {
  std::thread t([] { catchesBoom(); }); // caught below: no warning
  t.join();
  std::thread u([] {
    catchesBoom();
    boomHelper();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'boomHelper' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-5]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  u.join();
}

// Mutual recursion: pong throws, ping catches what pong throws.
void ping(int N);
void pong(int N) {
  if (N > 100)
    throw Boom();
  ping(N - 1);
}
void ping(int N) {
  try {
    pong(N);
  } catch (Boom &) {
  }
}
void recursion() {
  std::thread t([] {
    pong(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'pong' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  t.join();
  std::thread u([] { ping(1); }); // pong's Boom is caught in ping
  u.join();
}

// What a callee's walk yields below a recursive call it cut is not kept:
// yank's walk below yell misses yell's throw, yank's own walk does not.
// (Members, so that every call names the one declaration, as the walk's
// call stack compares them.)
struct Loop {
  static void yell(int N) {
    if (N > 100)
      throw Boom();
    yank(N);
  }
  static void yank(int N) {
    if (N)
      yell(N - 1);
  }
};
void cutNotKept() {
  std::thread t([] {
    Loop::yell(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Loop::yell' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  t.join();
  std::thread u([] {
    Loop::yank(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Loop::yank' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  u.join();
}

// A rethrow in a callee rethrows what its caller's handler caught, and
// nothing where no handler is active.
void rethrowHere() { throw; }
void handlesAndRethrows() {
  try {
    throw Boom();
  } catch (const Boom &) {
    rethrowHere();
  }
}
void rethrowBelowHandler() {
  std::thread t([] {
    handlesAndRethrows();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'handlesAndRethrows' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  });
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: catch at the top
  t.join();
  std::thread u([] { rethrowHere(); }); // no handler active: nothing
  u.join();
}

// FIXME: a function whose body is not in the TU is taken not to throw;
// a function pointer or std::function entry is not resolved.
void (*entryPtr)();
void unresolved() {
  std::thread t(entryPtr);
  t.join();
}

#else
// ===================== Options =====================
namespace lib {
int parse(int);
}
// ThrowingFunctions lists functions without a visible body.
void listed() {
  std::thread t([] { lib::parse(1); });
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:22: warning: 'lib::parse' may throw out of the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES-OPT: :[[@LINE-2]]:15: note: thread started here by std::thread
  // CHECK-MESSAGES-OPT: :[[@LINE-3]]:22: note: catch at the top
  t.join();
}
// With CatchingSpawnFunctions empty, Group::go counts as a thread too.
void groupNotCatching(tether::Group &g) {
  g.go([] { throw 6; });
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:13: warning: exception thrown here can leave the thread's lambda; an exception that leaves a thread's entry calls std::terminate [tether-exception-escapes-thread]
  // CHECK-MESSAGES-OPT: :[[@LINE-2]]:3: note: thread started here by tether::Group::go
  // CHECK-MESSAGES-OPT: :[[@LINE-3]]:13: note: catch at the top
}
#endif
