// RUN: %check_clang_tidy %s tether-detached-thread %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-detached-thread %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-detached-thread.ThreadTypes: '::my::Worker', \
// RUN:             tether-detached-thread.DetachFunctions: '::my_detach'}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <boost/thread.hpp>
#include <coroutine>
#include <memory>
#include <pthread.h>
#include <thread>
#include <threads.h>

void work();
void *routine(void *);
int c11_routine(void *);

namespace my {
// A user thread wrapper, listed in ThreadTypes by the OPT run.
struct Worker {
  void detach();
  void join();
};
} // namespace my
int my_detach(unsigned long);

#ifndef OPTIONS_TEST
// ===================== Positive cases =====================

void localThread() {
  std::thread t(work);
  t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 't' is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  // CHECK-MESSAGES: :[[@LINE-3]]:5: note: use tether::WaitGroup::go, tether::Group or std::jthread so that the owner can wait for the thread and stop it
}

void lambdaThread() {
  int x = 0;
  std::thread t([&x] { ++x; });
  t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 't' is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
}

void temporaryThread() {
  std::thread(work).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: temporary thread is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
  std::thread([] { work(); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: temporary thread is detached; {{.*}} [tether-detached-thread]
}

void jthreadAndBoost() {
  std::jthread j(work);
  j.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 'j' is detached; {{.*}} [tether-detached-thread]
  boost::thread b(work);
  b.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 'b' is detached; {{.*}} [tether-detached-thread]
}

void throughPointers(std::thread *raw, std::thread &ref) {
  raw->detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread 'raw' is detached; {{.*}} [tether-detached-thread]
  ref.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread 'ref' is detached; {{.*}} [tether-detached-thread]
  auto owned = std::make_unique<std::thread>(work);
  owned->detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: thread 'owned' is detached; {{.*}} [tether-detached-thread]
  (*owned).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: thread 'owned' is detached; {{.*}} [tether-detached-thread]
}

std::thread &lookup(int);
void unnamedHandle() {
  lookup(3).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: thread is detached; {{.*}} [tether-detached-thread]
}

class Server {
public:
  void start() {
    listener_ = std::thread(&Server::listen, this);
    listener_.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: thread 'listener_' is detached; {{.*}} [tether-detached-thread]
  }
  void startThroughThis() {
    this->listener_.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: thread 'listener_' is detached; {{.*}} [tether-detached-thread]
  }

private:
  void listen();
  std::thread listener_;
};

// A class derived from a thread type is a thread type.
struct NamedThread : std::thread {
  using std::thread::thread;
};
void derived() {
  NamedThread n(work);
  n.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 'n' is detached; {{.*}} [tether-detached-thread]
}

void pthreads() {
  pthread_t tid;
  pthread_create(&tid, nullptr, routine, nullptr);
  pthread_detach(tid);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 'tid' is detached; {{.*}} [tether-detached-thread]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: use tether::WaitGroup::go, tether::Group or std::jthread so that the owner can wait for the thread and stop it
}

void *selfDetaching(void *) {
  pthread_detach(pthread_self());
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread detaches itself; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
  return nullptr;
}

void detachedAttributes() {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread attributes 'attr' are set to detached; threads started with them cannot be joined [tether-detached-thread]
  pthread_t tid;
  pthread_create(&tid, &attr, routine, nullptr);
}

void c11Threads() {
  thrd_t t;
  thrd_create(&t, c11_routine, nullptr);
  thrd_detach(t);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 't' is detached; {{.*}} [tether-detached-thread]
  thrd_detach(thrd_current());
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread detaches itself; {{.*}} [tether-detached-thread]
}

// Early return and throw do not hide a detach on the other path.
void earlyReturn(bool fast) {
  std::thread t(work);
  if (fast) {
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread 't' is detached; {{.*}} [tether-detached-thread]
    return;
  }
  t.join();
}

void onThrow(bool bad) {
  std::thread t(work);
  if (bad) {
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread 't' is detached; {{.*}} [tether-detached-thread]
    throw 42;
  }
  t.join();
}

// Templates: reported in instantiations, once per source location.
template <class T> void detachAll(T &a, T &b) {
  a.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 'a' is detached; {{.*}} [tether-detached-thread]
  b.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 'b' is detached; {{.*}} [tether-detached-thread]
}
void instantiate(std::thread &x, std::thread &y, std::jthread &z, std::jthread &w) {
  detachAll(x, y);
  detachAll(z, w);
}

template <class T> struct Pool {
  std::thread t_;
  void release() { t_.detach(); }
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: thread 't_' is detached; {{.*}} [tether-detached-thread]
};
template struct Pool<int>;
template struct Pool<long>;

// Macros: reported at the expansion, once per expansion.
#define FIRE_AND_FORGET(f) std::thread(f).detach()
void macros() {
  FIRE_AND_FORGET(work);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: temporary thread is detached; {{.*}} [tether-detached-thread]
  FIRE_AND_FORGET([] {});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: temporary thread is detached; {{.*}} [tether-detached-thread]
}
#define DETACH(t) (t).detach()
void macroArgument(std::thread &t) {
  DETACH(t);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 't' is detached; {{.*}} [tether-detached-thread]
}

// ===================== Negative cases =====================

// detach() on types that are not threads never fires.
struct Subscription {
  void detach();
};
struct Coroutine {
  std::coroutine_handle<> h;
  void detach();
};
struct Node {
  Node *parent;
  void detach() { parent = nullptr; }
};
// Fibers are not threads: boost::fibers::fiber::detach() hands the fiber to
// its scheduler (seen in Boost.Fiber's own examples).
namespace boost::fibers {
struct fiber {
  template <class F> explicit fiber(F f) {}
  void detach();
};
} // namespace boost::fibers
// Copy-on-write containers detach() from shared data (Qt's QString, QList).
struct CowString {
  void detach();
};
void fibersAndCow(CowString &str) {
  boost::fibers::fiber([] {}).detach();
  str.detach();
}

void notThreads(Subscription &s, Coroutine &c, std::unique_ptr<Node> &n,
                std::shared_ptr<Subscription> sp) {
  s.detach();
  c.detach();
  n->detach();
  sp->detach();
  std::coroutine_handle<> h;
  h.destroy();
}

// Joining, moving and querying a thread are not detaching it.
void joins() {
  std::thread t(work);
  if (t.joinable())
    t.join();
  std::jthread j(work);
  std::thread moved(std::move(t));
  moved.join();
}

// A dependent call on a type that is never a thread.
template <class T> void genericDetach(T &x) { x.detach(); }
void instantiateNonThread(Subscription &s) { genericDetach(s); }

// pthread attributes set to joinable, or queried, are fine.
void joinableAttributes() {
  pthread_attr_t attr;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);
  int state;
  pthread_attr_getdetachstate(&attr, &state);
}

// A function merely named like a detach function, in another namespace.
namespace other {
int pthread_detach(unsigned long);
}
void notTheCApi() { other::pthread_detach(0); }

// NOLINT suppresses the finding.
void suppressed() {
  std::thread(work).detach(); // NOLINT(tether-detached-thread)
  // NOLINTNEXTLINE(tether-detached-thread)
  std::thread(work).detach();
}

// ===================== Spawn forms =====================
#include <vector>

void formsDetached(std::vector<std::thread> &pool) {
  pool.emplace_back(work);
  pool.back().detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: {{.*}} [tether-detached-thread]
  for (auto &t : pool)
    t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: {{.*}} [tether-detached-thread]
  std::thread *p = new std::thread(work);
  p->detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: {{.*}} [tether-detached-thread]
  auto u = std::make_unique<std::thread>(work);
  u->detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: {{.*}} [tether-detached-thread]
}

// Negative: a join loop.
void formsJoined(std::vector<std::thread> &pool) {
  pool.emplace_back(work);
  for (auto &t : pool)
    t.join();
}

// ===================== Known limitations =====================

// FIXME: the state is read from a variable, not spelled at the call; the
// attributes are detached but the check does not follow the value.
void stateThroughVariable() {
  pthread_attr_t attr;
  int state = PTHREAD_CREATE_DETACHED;
  pthread_attr_setdetachstate(&attr, state);
}

// FIXME: detach through a pointer to member function is not recognised.
void memberPointer(std::thread &t) {
  void (std::thread::*fn)() = &std::thread::detach;
  (t.*fn)();
}

#else
// ===================== Options =====================

// ThreadTypes replaces the defaults: my::Worker is a thread, std::thread is not.
void userThreadType(my::Worker &w, std::thread &t) {
  w.detach();
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:5: warning: thread 'w' is detached; {{.*}} [tether-detached-thread]
  t.detach();
}

// DetachFunctions replaces the defaults: my_detach is reported,
// pthread_detach is not. Detached attributes are always reported.
void userDetachFunction(pthread_t tid) {
  my_detach(tid);
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:3: warning: thread 'tid' is detached; {{.*}} [tether-detached-thread]
  pthread_detach(tid);
  pthread_attr_t attr;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:3: warning: thread attributes 'attr' are set to detached; {{.*}} [tether-detached-thread]
}
#endif
