// RUN: %check_clang_tidy %s tether-escaping-reference-capture %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-escaping-reference-capture %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-escaping-reference-capture.ThreadTypes: '::std::thread;::my::Worker', \
// RUN:             tether-escaping-reference-capture.SpawnFunctions: '::tether::WaitGroup::go;::my::Pool::submit', \
// RUN:             tether-escaping-reference-capture.OwnerTypes: '::my::Pool', \
// RUN:             tether-escaping-reference-capture.WaitMethods: 'drain'}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <boost/thread.hpp>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>
#include <vector>

void use(int);
void use(const char *);
void work();
bool ready();
void mayThrow();

namespace my {
// A thread type the OPT run adds to ThreadTypes.
struct Worker {
  template <class F> explicit Worker(F &&f) {}
  ~Worker();
  void join();
  void detach();
};
// An executor the OPT run adds to SpawnFunctions and OwnerTypes; it waits in
// drain(), which the OPT run lists in WaitMethods.
struct Pool {
  template <class F> void submit(F &&f) {}
  void drain();
  ~Pool();
};
} // namespace my

// Stand-ins for a latch and a future: the function waits on them.
struct Latch {
  void count_down();
  void wait();
};

#ifndef OPTIONS_TEST

//===----------------------------------------------------------------------===//
// Positive: detached threads.
//===----------------------------------------------------------------------===//

void detachedTemporary() {
  int counter = 0;
  std::thread([&counter] { use(counter); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: thread lambda captures 'counter' by reference, but the thread can outlive it [tether-escaping-reference-capture]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-3]]:17: note: capture by value (move what the thread needs into the lambda), or join the thread before what it captures goes out of scope
}

// [&] captures only what the body uses; the warning is at the first use.
void detachedDefaultCapture(int param) {
  int a = 1, b = 2;
  std::thread t([&] {
    use(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: thread lambda captures 'a', 'b' and 'param' by reference, but the thread can outlive them
    use(b + param);
  });
  t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-6]]:9: note: capture by value
}

void detachedManyLocals() {
  int a = 0, b = 0, c = 0, d = 0;
  std::thread([&] { use(a + b + c + d); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: thread lambda captures 'a', 'b' and 2 more by reference, but the thread can outlive them
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-3]]:25: note: capture by value
}

// A lambda kept in a local first.
void detachedThroughLocalLambda() {
  const char *name = "job";
  auto task = [&name] { use(name); };
  std::thread t(task);
  // CHECK-MESSAGES: :[[@LINE-2]]:17: warning: thread lambda captures 'name' by reference, but the thread can outlive it
  t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-5]]:17: note: capture by value
}

// Detached on one path only.
void detachedOnSomePath(bool background) {
  int n = 0;
  std::thread t([&n] { use(n); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread lambda captures 'n' by reference
  if (background) {
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: the thread is detached here
    // CHECK-MESSAGES: :[[@LINE-5]]:19: note: capture by value
    return;
  }
  t.join();
}

struct Service {
  int requests = 0;
  std::thread worker;
  tether::Group group;

  void startDetached() {
    std::thread([this] { use(requests); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: thread lambda captures 'this', but the thread can outlive the object
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the thread is detached here
    // CHECK-MESSAGES: :[[@LINE-3]]:18: note: capture by value
  }

  void startDetachedBoth() {
    int local = 0;
    std::thread([&, this] { use(local + requests); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: thread lambda captures 'local' by reference and 'this', but the thread can outlive them
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the thread is detached here
    // CHECK-MESSAGES: :[[@LINE-3]]:21: note: capture by value
  }

  // Stored in a member: the member outlives the function's locals.
  void startStored(int port) {
    worker = std::thread([&port] { use(port); });
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: thread lambda captures 'port' by reference, but the thread can outlive it
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the thread is stored in 'worker' here, which outlives the captured locals
    // CHECK-MESSAGES: :[[@LINE-3]]:28: note: capture by value
  }

  // A task on a member group that this function does not wait for.
  void startOnGroup() {
    int attempt = 3;
    group.go([&attempt] { use(attempt); });
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: thread lambda captures 'attempt' by reference, but the thread can outlive it
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the task runs on 'group', which outlives this function; nothing here waits for it
    // CHECK-MESSAGES: :[[@LINE-3]]:16: note: capture by value
  }
};

// The thread moved out of the function.
std::thread returned() {
  int seed = 42;
  return std::thread([&seed] { use(seed); });
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: thread lambda captures 'seed' by reference, but the thread can outlive it
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is returned here; the captured locals are destroyed when the function returns
  // CHECK-MESSAGES: :[[@LINE-3]]:24: note: capture by value
}

std::thread returnedLocal() {
  int seed = 42;
  std::thread t([&seed] { use(seed); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread lambda captures 'seed' by reference
  return t;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the thread is returned here
  // CHECK-MESSAGES: :[[@LINE-4]]:19: note: capture by value
}

std::vector<std::thread> Pool;
void storedInGlobalContainer() {
  int job = 7;
  Pool.emplace_back([&job] { use(job); });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: thread lambda captures 'job' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is stored in 'Pool' here, which outlives the captured locals
  // CHECK-MESSAGES: :[[@LINE-3]]:23: note: capture by value
  std::thread t([&job] { use(job); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread lambda captures 'job' by reference
  Pool.push_back(std::move(t));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the thread is stored in 'Pool' here
  // CHECK-MESSAGES: :[[@LINE-4]]:19: note: capture by value
}

// Constructor parameters die when the constructor returns.
struct Listener {
  std::thread thread;
  explicit Listener(int fd) : thread([&fd] { use(fd); }) {}
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: thread lambda captures 'fd' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: the thread is stored in 'thread' here
  // CHECK-MESSAGES: :[[@LINE-3]]:40: note: capture by value
};

// A group passed by reference lives longer than this function.
void submitTo(tether::Group &g, tether::WaitGroup *wg) {
  int local = 0;
  g.go([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: thread lambda captures 'local' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the task runs on 'g', which outlives this function; nothing here waits for it
  // CHECK-MESSAGES: :[[@LINE-3]]:10: note: capture by value
  wg->go([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: thread lambda captures 'local' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the task runs on 'wg', which outlives this function
  // CHECK-MESSAGES: :[[@LINE-3]]:12: note: capture by value
}

// A local owner declared before the captured local is destroyed after it.
void ownerDeclaredFirst() {
  tether::WaitGroup wg;
  int total = 0;
  wg.go([&total] { use(total); });
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: thread lambda captures 'total' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the task runs on 'wg', which is declared before the captured locals and so is destroyed after them; nothing waits for it before they are
  // CHECK-MESSAGES: :[[@LINE-3]]:11: note: capture by value
}

void jthreadDeclaredFirst() {
  std::jthread t;
  int total = 0;
  t = std::jthread([&total] { use(total); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: thread lambda captures 'total' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the task runs on 't', which is declared before the captured locals
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: capture by value
}

// The wait is in an inner scope that ends after the captured local's.
void waitTooLate() {
  tether::WaitGroup wg;
  {
    int inner = 0;
    wg.go([&inner] { use(inner); });
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: thread lambda captures 'inner' by reference
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the task runs on 'wg'
    // CHECK-MESSAGES: :[[@LINE-3]]:13: note: capture by value
  }
  wg.wait();
}

// Templates: reported once, in the instantiation's terms.
template <class T> void detachTemplate(T value) {
  T copy = value;
  std::thread([&copy] { use(copy); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: thread lambda captures 'copy' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-3]]:17: note: capture by value
}
void instantiate() {
  detachTemplate(1);
  detachTemplate(2L);
}

// Macros: reported at the expansion, in the user's code.
#define RUN_DETACHED(body) std::thread([&] { body; }).detach()
void macro() {
  int hits = 0;
  RUN_DETACHED(use(hits));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread lambda captures 'hits' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: capture by value
}

// Other thread types: boost::thread.
void boostDetached() {
  int n = 0;
  boost::thread([&n] { use(n); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread lambda captures 'n' by reference
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-3]]:19: note: capture by value
}

//===----------------------------------------------------------------------===//
// Negative.
//===----------------------------------------------------------------------===//

// Joined before the scope ends, on every path the capture is used.
void joined() {
  int counter = 0;
  std::thread t([&counter] { use(counter); });
  t.join();
}

// Joined on an exception path too: still no escape.
void joinedOnThrow() {
  int counter = 0;
  std::thread t([&] { use(counter); });
  try {
    mayThrow();
  } catch (...) {
    t.join();
    throw;
  }
  t.join();
}

// Captured by value, or nothing captured.
void byValue() {
  int counter = 0;
  std::thread([counter] { use(counter); }).detach();
  std::thread([=] { use(counter); }).detach();
  std::thread([] { work(); }).detach();
  std::thread(work).detach();
}

// Statics and globals live until exit; a reference names an object whose
// lifetime is not this function's.
int Global;
void longLived(int &ref) {
  static int hits = 0;
  std::thread([&] { use(hits + Global + ref); }).detach();
}

// A detached thread the function waits for by other means.
void detachedButWaited() {
  int result = 0;
  Latch done;
  std::thread([&] {
    use(result);
    done.count_down();
  }).detach();
  done.wait();
}

// An owner declared after the captured locals is destroyed (and joins) first.
void ownerDeclaredLast() {
  int total = 0;
  tether::WaitGroup wg;
  wg.go([&total] { use(total); });
  tether::Group g;
  g.go([&] {
    use(total);
    return std::error_code();
  });
  std::jthread t([&total] { use(total); });
}

// The owner is declared first but waited for in time.
void ownerWaited() {
  tether::WaitGroup wg;
  int total = 0;
  wg.go([&total] { use(total); });
  wg.wait();
}

struct Server {
  tether::Group group;
  tether::WaitGroup pending;
  std::vector<std::thread> workers;
  std::thread loop;
  int state = 0;

  void drain();

  // `this` is the object that owns the member: the member's owner waits.
  void start() {
    group.go([this] { use(state); });
    loop = std::thread([this] { use(state); });
    workers.emplace_back([this] { use(state); });
  }

  // A member group waited for before the function returns.
  void runAll() {
    int batch = 1;
    pending.go([&batch] { use(batch); });
    pending.wait();
  }

  // A member function that may wait is called after the spawn.
  void runThenDrain() {
    int batch = 1;
    group.go([&batch] { use(batch); });
    drain();
  }
};

// A local container of threads, joined later: not known to outlive.
void localContainer() {
  int n = 0;
  std::vector<std::thread> threads;
  threads.emplace_back([&n] { use(n); });
  for (std::thread &t : threads)
    t.join();
}

// Handed to a function: what it does with the thread is not known here.
void consume(std::thread t);
void handedOn() {
  int n = 0;
  std::thread t([&n] { use(n); });
  consume(std::move(t));
}

// A jthread in scope joins on destruction.
void jthreadScoped() {
  int n = 0;
  std::jthread t([&n] { use(n); });
}

// Captures of an enclosing function's locals, seen from a nested lambda, are
// that function's business.
void nested() {
  int outer = 0;
  std::thread t([&outer] {
    std::thread([&outer] { use(outer); }).join();
  });
  t.join();
}

// FIXME: a jthread local that is detached is not followed.
void jthreadDetached() {
  int n = 0;
  std::jthread t([&n] { use(n); });
  t.detach();
}

// FIXME: init-captures of a reference to a local are not followed.
void initCapture() {
  int n = 0;
  std::thread([&r = n] { use(r); }).detach();
}

// FIXME: the wait search goes by source order, not by path: a wait on one
// branch is taken to cover both.
void waitOnOneBranch(bool b) {
  tether::WaitGroup wg;
  int n = 0;
  wg.go([&n] { use(n); });
  if (b)
    wg.wait();
}

// ===================== Spawn forms =====================
#include <memory>

// Positive: a heap thread stored in a global, a raw heap thread detached, a
// local container of threads detached element by element.
std::unique_ptr<std::thread> GlobalWorker;
void heapStoredInGlobal() {
  int x = 0;
  GlobalWorker = std::make_unique<std::thread>([&x] { use(x); });
  // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: thread lambda captures 'x' by reference, but the thread can outlive it [tether-escaping-reference-capture]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: the thread is stored in 'GlobalWorker' here, which outlives the captured locals
  // CHECK-MESSAGES: :[[@LINE-3]]:50: note: capture by value
}
void rawHeapDetached() {
  int x = 0;
  std::thread *p = new std::thread([&x] { use(x); });
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: thread lambda captures 'x' by reference, but the thread can outlive it [tether-escaping-reference-capture]
  p->detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-4]]:38: note: capture by value
}
void localPoolDetached() {
  int x = 0;
  std::vector<std::thread> pool;
  pool.emplace_back([&x] { use(x); });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: thread lambda captures 'x' by reference, but the thread can outlive it [tether-escaping-reference-capture]
  for (auto &t : pool)
    t.detach();
  // CHECK-MESSAGES: :[[@LINE-2]]:16: note: the thread is detached here
  // CHECK-MESSAGES: :[[@LINE-5]]:23: note: capture by value
}

// Negative: threads stored in the caller's container, all joined by a join
// loop and cleared before the captured locals die (a large project's worker
// code); a local pool joined; a heap thread joined.
void fillAndJoin(std::vector<std::thread> &out) {
  int x = 0;
  out.emplace_back([&x] { use(x); });
  out.emplace_back([&x] { use(x); });
  for (auto &t : out)
    t.join();
  out.clear();
}
void localPoolJoined() {
  int x = 0;
  std::vector<std::thread> pool;
  pool.emplace_back([&x] { use(x); });
  for (auto &t : pool)
    t.join();
}
void heapJoined() {
  int x = 0;
  auto p = std::make_unique<std::thread>([&x] { use(x); });
  p->join();
}

#else // OPTIONS_TEST

void userThreadType() {
  int n = 0;
  my::Worker([&n] { use(n); }).detach();
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:16: warning: thread lambda captures 'n' by reference, but the thread can outlive it
  // CHECK-MESSAGES-OPT: :[[@LINE-2]]:3: note: the thread is detached here
  // CHECK-MESSAGES-OPT: :[[@LINE-3]]:16: note: capture by value
}

void userPool(my::Pool &pool) {
  int n = 0;
  pool.submit([&n] { use(n); });
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:17: warning: thread lambda captures 'n' by reference
  // CHECK-MESSAGES-OPT: :[[@LINE-2]]:3: note: the task runs on 'pool', which outlives this function
  // CHECK-MESSAGES-OPT: :[[@LINE-3]]:17: note: capture by value
}

void userPoolDrained(my::Pool &pool) {
  int n = 0;
  pool.submit([&n] { use(n); });
  pool.drain();
}

// WaitMethods replaces the default: wait() no longer counts.
void waitNotListed() {
  tether::WaitGroup wg;
  int n = 0;
  wg.go([&n] { use(n); });
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:11: warning: thread lambda captures 'n' by reference
  // CHECK-MESSAGES-OPT: :[[@LINE-2]]:3: note: the task runs on 'wg'
  // CHECK-MESSAGES-OPT: :[[@LINE-3]]:11: note: capture by value
  wg.wait();
}

// A local user owner declared after the capture joins first.
void userOwnerLocal() {
  int n = 0;
  my::Pool pool;
  pool.submit([&n] { use(n); });
}

#endif
