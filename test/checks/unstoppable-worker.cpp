// RUN: %check_clang_tidy %s tether-unstoppable-worker %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-unstoppable-worker %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-unstoppable-worker.StopSignalFunctions: '::check_shutdown', \
// RUN:             tether-unstoppable-worker.MaxCallDepth: 0}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <pthread.h>
#include <tether/context.h>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>

void process();
bool readChunk(char *buf);
void check_shutdown();
struct Item {};
Item pop();
void handle(Item);

#ifndef OPTIONS_TEST
// ===================== Positive cases =====================

void endlessLambda() {
  std::thread t([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; its owner can never stop it or join it [tether-unstoppable-worker]
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: loop has no condition that can become false and no exit
      handle(pop());
    }
  });
  // CHECK-MESSAGES: :[[@LINE-7]]:15: note: take a std::stop_token or tether::Context and check it each iteration, or receive from a channel the owner closes
  t.join();
}

// The classic: a jthread whose callable takes no stop_token.
void jthreadIgnoringStop() {
  std::jthread worker([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: thread runs a loop that no stop signal can end; ~jthread requests stop and then waits for it forever [tether-unstoppable-worker]
    while (true)
      process();
  });
  // CHECK-MESSAGES: :[[@LINE-5]]:16: note: take the std::stop_token that std::jthread passes and check stop_requested() each iteration
}

// A flag captured by value can never change.
void flagByValue() {
  bool running = true;
  std::thread t([running] {
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
    while (running)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: loop condition reads only 'running', which is captured by value: no other thread can change it
      process();
  });
  running = false;
  t.join();
}

// A by-value parameter of the thread function, likewise.
void spinWhile(bool active) {
  while (active)
    process();
}
void parameterFlag() {
  std::thread t(spinWhile, true);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
  // CHECK-MESSAGES: :[[@LINE-6]]:3: note: loop condition reads only 'active', which nothing changes while the loop runs
  t.join();
}

// Member functions, followed through direct calls.
class Server {
public:
  void start() {
    acceptor_ = std::thread(&Server::serve, this);
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: thread runs a loop that no stop signal can end; {{.*}}
    // CHECK-MESSAGES: :[[@LINE+8]]:5: note: the thread calls 'Server::acceptLoop' here
    // CHECK-MESSAGES: :[[@LINE+11]]:5: note: loop has no condition that can become false and no exit
  }
  ~Server() { acceptor_.join(); }

private:
  void serve() {
    setUp();
    acceptLoop();
  }
  void setUp();
  void acceptLoop() {
    do {
      handle(pop());
    } while (1);
  }
  std::thread acceptor_;
};

// pthread start routines, WaitGroup::go and Group::go.
void *pollForever(void *) {
  for (;;)
    process();
}
void cThread() {
  pthread_t tid;
  pthread_create(&tid, nullptr, pollForever, nullptr);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread runs a loop that no stop signal can end; {{.*}}
  pthread_join(tid, nullptr);
}
void tetherSpawns() {
  tether::WaitGroup wg;
  wg.go([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread runs a loop that no stop signal can end; {{.*}}
    for (;;)
      process();
  });
  tether::Group g;
  g.go([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread runs a loop that no stop signal can end; {{.*}}
    while (true)
      process();
    return std::error_code();
  });
}

// Macros: reported at the expansion.
#define FOREVER for (;;)
void macroLoop() {
  std::thread t([] { FOREVER process(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
  t.join();
}

// Templates: reported in the instantiation, once.
template <class F> void runForever(F f) {
  while (true)
    f();
}
void templates() {
  std::thread a(runForever<void (*)()>, process);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
  a.join();
}

// A failed assert() or abort() is a crash, not a way out (leveldb's
// background thread has an assert in its endless loop).
extern "C" [[noreturn]] void __assert_fail(const char *, const char *, unsigned, const char *);
extern "C" [[noreturn]] void abort();
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, ""))
void backgroundMain() {
  while (true) {
    Item item = pop();
    assert(&item != nullptr);
    if (!readChunk(nullptr))
      abort();
    handle(item);
  }
}
void assertsAreNoExit() {
  std::thread t(backgroundMain);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
  t.join();
}

// A break in an inner loop or switch does not leave the outer loop.
void innerBreak() {
  std::thread t([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
    for (;;) {
      for (int i = 0; i < 10; ++i)
        if (i == 3)
          break;
      switch (pop(), 1) {
      case 1:
        break;
      }
    }
  });
  t.join();
}

// ===================== Negative cases =====================

void stopToken() {
  std::jthread worker([](std::stop_token st) {
    while (!st.stop_requested())
      process();
  });
}

void contextQuery(tether::Context ctx) {
  std::thread t([ctx] {
    while (!ctx.cancelled())
      process();
  });
  t.join();
}

// A member flag or a by-reference capture can be written by the owner.
class Poller {
public:
  void start() {
    t_ = std::thread([this] {
      while (running_)
        process();
    });
  }
  void stop() {
    running_ = false;
    t_.join();
  }

private:
  bool running_ = true;
  std::thread t_;
};
void byReference() {
  bool stop = false;
  std::thread t([&stop] {
    while (!stop)
      process();
  });
  stop = true;
  t.join();
}

// Loops that end on data: I/O results, a counter, a queue that reports closing.
void ioLoop() {
  std::thread t([] {
    char buf[64];
    for (;;) {
      if (!readChunk(buf))
        break;
      process();
    }
    int n = 0;
    while (n < 10)
      ++n;
    bool more = true;
    while (more)
      more = readChunk(buf);
  });
  t.join();
}

// Exits: return, throw, goto, noreturn calls.
[[noreturn]] void fatal();
void exits() {
  std::thread a([] {
    for (;;)
      if (readChunk(nullptr))
        return;
  });
  std::thread b([] {
    while (true)
      if (readChunk(nullptr))
        throw 1;
  });
  std::thread c([] {
    for (;;) {
      if (readChunk(nullptr))
        goto done;
    }
  done:
    return;
  });
  std::thread d([] {
    for (;;)
      if (readChunk(nullptr))
        fatal();
  });
  a.join();
  b.join();
  c.join();
  d.join();
}

// pthread cancellation points end a loop from outside.
void *cancellable(void *) {
  for (;;) {
    pthread_testcancel();
    process();
  }
}
void cancel() {
  pthread_t tid;
  pthread_create(&tid, nullptr, cancellable, nullptr);
  pthread_cancel(tid);
  pthread_join(tid, nullptr);
}

// Endless loops outside spawned work are not this check's business.
int main() {
  for (;;)
    process();
}

// Unresolvable callables are never reported.
void unresolved(void (*fp)()) {
  std::thread t(fp);
  t.join();
}

// NOLINT suppresses the finding.
void suppressed() {
  std::thread t([] { for (;;) process(); }); // NOLINT(tether-unstoppable-worker)
  t.join();
}

// ===================== Spawn forms =====================
#include <vector>
#include <memory>

// Positive: the pool idiom, a member entry point, a thread on the heap.
void formsInPlace(std::vector<std::thread> &pool) {
  pool.emplace_back([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread runs a loop that no stop signal can end; its owner can never stop it or join it [tether-unstoppable-worker]
    while (true)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: loop has no condition that can become false and no exit
      handle(pop());
  });
}

struct MemberPoller {
  std::vector<std::thread> threads_;
  void run();
  void start() { threads_.emplace_back(&MemberPoller::run, this); }
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: thread runs a loop that no stop signal can end; its owner can never stop it or join it [tether-unstoppable-worker]
};
void MemberPoller::run() {
  for (;;)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: loop has no condition that can become false and no exit
    handle(pop());
}

std::unique_ptr<std::thread> formsOnHeap() {
  return std::make_unique<std::thread>([] {
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: thread runs a loop that no stop signal can end; its owner can never stop it or join it [tether-unstoppable-worker]
    for (;;)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: loop has no condition that can become false and no exit
      handle(pop());
  });
}

// Negative: a member entry point that checks its stop token; a container of
// user objects that wrap a thread.
struct StoppablePoller {
  std::vector<std::jthread> threads_;
  void run(std::stop_token st) {
    while (!st.stop_requested())
      handle(pop());
  }
  void start() { threads_.emplace_back(&StoppablePoller::run, this); }
};
struct Job {
  template <class F> explicit Job(F f);
};
void userElements(std::vector<Job> &jobs) {
  jobs.emplace_back([] { for (;;) handle(pop()); });
}
// Recursion through member entry points stays bounded.
struct Recursive {
  std::vector<std::thread> ts;
  void a() { b(); }
  void b() { a(); }
  void start() { ts.emplace_back(&Recursive::a, this); }
};

// ===================== Known limitations =====================

// FIXME: a loop whose only exit is guarded by a frozen value still counts as
// stoppable (any exit does); the flag captured by value never changes.
void frozenExit() {
  bool quit = false;
  std::thread t([quit] {
    for (;;)
      if (quit)
        break;
  });
  t.join();
}

#else
// ===================== Options =====================

// StopSignalFunctions: a call to check_shutdown() ends the loop from outside.
void userStopSignal() {
  std::thread t([] {
    for (;;) {
      check_shutdown();
      process();
    }
  });
  t.join();
}

// MaxCallDepth 0: the loop two calls down is not followed.
void deepLoop() {
  for (;;)
    process();
}
void callsDeep() { deepLoop(); }
void depth() {
  std::thread t(callsDeep);
  t.join();
  std::thread u(deepLoop);
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:15: warning: thread runs a loop that no stop signal can end; {{.*}}
  u.join();
}
#endif
