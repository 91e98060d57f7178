// RUN: %check_clang_tidy %s tether-waitgroup-done-missing %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-waitgroup-done-missing %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-waitgroup-done-missing.WaitGroupTypes: '::tether::WaitGroup;::util::Latch,Add,Done|CountDown', \
// RUN:             tether-waitgroup-done-missing.SpawnFunctions: '::Pool::submit;::Runner::spawn;::tether::Group::go', \
// RUN:             tether-waitgroup-done-missing.CatchingSpawnFunctions: '::Pool::submit', \
// RUN:             tether-waitgroup-done-missing.ThreadTypes: '::std::thread'}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST
// RUN: %check_clang_tidy -check-suffix=NOEXC %s tether-waitgroup-done-missing %t-noexc -- \
// RUN:   -config="{CheckOptions: {tether-waitgroup-done-missing.ExceptionPaths: false}}" \
// RUN:   -- -isystem %S/Inputs -DNO_EXCEPTION_PATHS_TEST

#include <boost/thread.hpp>
#include <pthread.h>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>

void work();
void quiet() noexcept;
bool ready();
bool valid() noexcept;
void log();
[[noreturn]] void fatal();
void finish(tether::WaitGroup &wg);
template <class F> struct Finally {
  F f;
  ~Finally() { f(); }
};
template <class F> Finally<F> finally(F f) { return {f}; }

namespace util {
struct Latch {
  void Add(int n);
  void Done();
  void CountDown();
};
} // namespace util

struct Pool {
  template <class F> void submit(F &&f) {}
};
struct Runner {
  template <class F> void spawn(F &&f) {}
};

#if !defined(OPTIONS_TEST) && !defined(NO_EXCEPTION_PATHS_TEST)
// ===================== Positive cases =====================

// Early return.
void earlyReturn() {
  tether::WaitGroup wg;
  wg.add(1);
  std::thread t([&] {
    if (!ready())
      return;
    work();
    wg.done();
    // CHECK-NOTES: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; the owner's wait() may never return [tether-waitgroup-done-missing]
    // CHECK-NOTES: :[[@LINE-4]]:7: note: this return skips done()
    // CHECK-NOTES: :[[@LINE-7]]:17: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:8: note: start the task with wg.go(f), which calls done() however it ends, or call done() from a scope guard
  });
  wg.wait();
  t.join();
}

// done() on one branch only: the task ends without it.
void oneBranch(bool b) {
  tether::WaitGroup wg;
  wg.add(1);
  std::thread t([&] {
    if (b)
      wg.done();
    // CHECK-NOTES: :[[@LINE-1]]:10: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES: :[[@LINE+3]]:3: note: the lambda ends here without calling done()
    // CHECK-NOTES: :[[@LINE-5]]:17: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:10: note: start the task with wg.go(f), {{.*}}
  });
  t.join();
}

// A callee whose body is in the TU and cannot throw adds no exception path.
int counter() noexcept;
void tally() {
  for (int i = 0; i < 3; ++i)
    counter();
}
void visibleNoThrowInTry() {
  tether::WaitGroup wg;
  wg.add(1);
  std::thread t([&] {
    try {
      tally();
      wg.done();
    } catch (...) {
      log();
    }
  });
  wg.wait();
  t.join();
}

// An exception caught inside the task skips done().
void caughtException() {
  tether::WaitGroup wg;
  wg.add(2);
  std::thread t([&] {
    try {
      work();
      wg.done();
      // CHECK-NOTES: :[[@LINE-1]]:10: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
      // CHECK-NOTES: :[[@LINE-3]]:7: note: an exception from this call is caught inside the task and skips done()
      // CHECK-NOTES: :[[@LINE-6]]:17: note: the lambda is started here
      // CHECK-NOTES: :[[@LINE-4]]:10: note: start the task {{.*}}
    } catch (...) {
      log();
    }
  });
  std::thread u([&] {
    try {
      if (!valid())
        throw 1;
      wg.done();
      // CHECK-NOTES: :[[@LINE-1]]:10: warning: done() on 'wg' {{.*}}
      // CHECK-NOTES: :[[@LINE-3]]:9: note: the exception thrown here is caught inside the task and skips done()
      // CHECK-NOTES: :[[@LINE-7]]:17: note: the lambda is started here
      // CHECK-NOTES: :[[@LINE-4]]:10: note: start the task {{.*}}
    } catch (int) {
    }
  });
  wg.wait();
  t.join();
  u.join();
}

// A tether::Group task: the group catches what the task throws and runs on.
void groupTask() {
  tether::WaitGroup wg;
  tether::Group g;
  wg.add(1);
  g.go([&] {
    work();
    wg.done();
    // CHECK-NOTES: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES: :[[@LINE-3]]:5: note: an exception from this call leaves the task without done(); tether::Group::go may catch it and run on
    // CHECK-NOTES: :[[@LINE-5]]:8: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:8: note: start the task {{.*}}
  });
  wg.wait();
}

// A function and a member function.
void worker(tether::WaitGroup *wg, bool b) {
  if (b)
    return;
  wg->done();
  // CHECK-NOTES: :[[@LINE-1]]:7: warning: done() on 'wg' is not called on every path of 'worker'; {{.*}}
  // CHECK-NOTES: :[[@LINE-3]]:5: note: this return skips done()
  // CHECK-NOTES: :[[@LINE+6]]:17: note: 'worker' is started here
  // CHECK-NOTES: :[[@LINE-4]]:7: note: start the task with wg->go(f), {{.*}}
}
void functions() {
  tether::WaitGroup wg;
  wg.add(1);
  std::thread t(worker, &wg, true);
  wg.wait();
  t.join();
}

struct Server {
  tether::WaitGroup inflight_;
  bool stopping_;
  void handle() {
    if (stopping_)
      return;
    work();
    inflight_.done();
    // CHECK-NOTES: :[[@LINE-1]]:15: warning: done() on 'inflight_' is not called on every path of 'handle'; {{.*}}
    // CHECK-NOTES: :[[@LINE-4]]:7: note: this return skips done()
    // CHECK-NOTES: :[[@LINE+5]]:17: note: 'handle' is started here
    // CHECK-NOTES: :[[@LINE-4]]:15: note: start the task with inflight_.go(f), {{.*}}
  }
  void serve() {
    inflight_.add(1);
    std::thread(&Server::handle, this).join();
  }
};

// pthread start routine.
void *routine(void *arg) {
  auto *wg = static_cast<tether::WaitGroup *>(arg);
  if (!ready())
    return nullptr;
  wg->done();
  // CHECK-NOTES: :[[@LINE-1]]:7: warning: done() on 'arg' is not called on every path of 'routine'; {{.*}}
  // CHECK-NOTES: :[[@LINE-3]]:5: note: this return skips done()
  // CHECK-NOTES: :[[@LINE+7]]:33: note: 'routine' is started here
  // CHECK-NOTES: :[[@LINE-4]]:7: note: start the task with WaitGroup::go(f), {{.*}}
  return nullptr;
}
void cThreads(tether::WaitGroup &wg) {
  pthread_t tid;
  wg.add(1);
  pthread_create(&tid, nullptr, routine, &wg);
  pthread_join(tid, nullptr);
}

// Templates: reported in the instantiation, once.
template <class WG> void spawnWith(WG &wg) {
  std::thread t([&] {
    if (ready())
      return;
    wg.done();
    // CHECK-NOTES: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES: :[[@LINE-3]]:7: note: this return skips done()
    // CHECK-NOTES: :[[@LINE-6]]:17: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:8: note: start the task {{.*}}
  });
  t.join();
}
struct NotAWaitGroup {
  void done();
};
void instantiate() {
  tether::WaitGroup wg;
  spawnWith(wg);
  spawnWith(wg);
  NotAWaitGroup other;
  spawnWith(other);
}

// Macros: reported at the expansion.
#define DONE(wg) (wg).done()
void macros(bool b) {
  tether::WaitGroup wg;
  boost::thread t([&] {
    if (b)
      return;
    DONE(wg);
    // CHECK-NOTES: :[[@LINE-1]]:5: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES: :[[@LINE-3]]:7: note: this return skips done()
    // CHECK-NOTES: :[[@LINE-6]]:19: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:5: note: start the task {{.*}}
  });
  t.join();
}

// ===================== Negative cases =====================

// done() on every path.
void everyPath(bool b) {
  tether::WaitGroup wg;
  wg.add(2);
  std::thread t([&] {
    if (b) {
      wg.done();
      return;
    }
    work();
    wg.done();
  });
  // A call that may throw before done(): std::thread terminates on an
  // escaping exception, nobody is left waiting.
  std::thread u([&] {
    work();
    wg.done();
  });
  wg.wait();
  t.join();
  u.join();
}

// A scope guard, or handing the counter to a function, discharges the task.
void guards(bool b) {
  tether::WaitGroup wg;
  wg.add(2);
  std::thread t([&] {
    auto guard = finally([&] { wg.done(); });
    if (b)
      return;
    work();
  });
  std::thread u([&] {
    if (b) {
      finish(wg);
      return;
    }
    wg.done();
  });
  t.join();
  u.join();
}

// wg.go() calls done() itself.
void viaGo() {
  tether::WaitGroup wg;
  wg.go([&] { work(); });
  wg.wait();
}

// A call that does not return ends no task normally; a noexcept call has no
// exception edge.
void noReturn(bool b) {
  tether::WaitGroup wg;
  wg.add(1);
  std::thread t([&] {
    if (b)
      fatal();
    try {
      quiet();
      wg.done();
    } catch (...) {
    }
  });
  t.join();
}

// done() per item in a loop counts items, not the task.
void perItem(int n) {
  tether::WaitGroup wg;
  wg.add(n);
  std::thread t([&] {
    for (int i = 0; i < n; ++i) {
      if (!ready())
        continue;
      wg.done();
    }
  });
  t.join();
}

// A counter the task owns is not its owner's.
void ownCounter() {
  std::thread t([] {
    tether::WaitGroup local;
    if (ready())
      return;
    local.done();
  });
  t.join();
}

// A member counter whose done() is in a method the task calls.
struct Session {
  tether::WaitGroup wg_;
  void finish() { wg_.done(); }
  void run() {
    if (!ready()) {
      finish();
      return;
    }
    wg_.done();
  }
  void start() { std::thread(&Session::run, this).join(); }
};

// NOLINT suppresses the finding.
void suppressed(bool b) {
  tether::WaitGroup wg;
  std::thread t([&] {
    if (b)
      return;
    wg.done(); // NOLINT(tether-waitgroup-done-missing)
  });
  t.join();
}

// ===================== Spawn forms =====================
#include <vector>

void formsInPlace(std::vector<std::thread> &pool) {
  tether::WaitGroup wg;
  wg.add(1);
  pool.emplace_back([&wg] {
    if (!ready())
      return;
    wg.done();
    // CHECK-NOTES: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; the owner's wait() may never return [tether-waitgroup-done-missing]
    // CHECK-NOTES: :[[@LINE-3]]:7: note: this return skips done()
    // CHECK-NOTES: :[[@LINE-6]]:21: note: the lambda is started here
    // CHECK-NOTES: :[[@LINE-4]]:8: note: start the task with wg.go(f), which calls done() however it ends, or call done() from a scope guard
  });
  wg.wait();
}

// Negative: done() on every path of an entry spawned in place.
void formsAlwaysDone(std::vector<std::thread> &pool) {
  tether::WaitGroup wg;
  wg.add(1);
  pool.emplace_back([&wg] {
    if (ready())
      quiet();
    wg.done();
  });
  wg.wait();
}

// ===================== Known limitations =====================

// FIXME: a done() inside a loop is never reported, even when the loop is not
// per item and a path skips it.
void loopDone(bool b) {
  tether::WaitGroup wg;
  std::thread t([&] {
    while (true) {
      if (b)
        return;
      wg.done();
      break;
    }
  });
  t.join();
}

// FIXME: a task that calls done() twice on one path (a negative counter) is
// another bug, not reported here.
void twice() {
  tether::WaitGroup wg;
  std::thread t([&] {
    wg.done();
    wg.done();
  });
  t.join();
}

#elif defined(OPTIONS_TEST)
// ===================== Options =====================

// WaitGroupTypes: a counter with other method names; either done method
// discharges.
void latch(bool b) {
  util::Latch latch;
  std::thread t([&] {
    if (b)
      return;
    latch.Done();
    // CHECK-NOTES-OPT: :[[@LINE-1]]:11: warning: Done() on 'latch' is not called on every path of the lambda; the owner's wait() may never return [tether-waitgroup-done-missing]
    // CHECK-NOTES-OPT: :[[@LINE-3]]:7: note: this return skips Done()
    // CHECK-NOTES-OPT: :[[@LINE-6]]:17: note: the lambda is started here
    // CHECK-NOTES-OPT: :[[@LINE-4]]:11: note: call Done() from a scope guard that runs on every path
  });
  std::thread u([&] {
    if (b) {
      latch.CountDown();
      return;
    }
    latch.Done();
  });
  t.join();
  u.join();
}

// SpawnFunctions and CatchingSpawnFunctions: an executor's submit may catch
// what the task throws.
void pool(Pool &p) {
  tether::WaitGroup wg;
  wg.add(1);
  p.submit([&] {
    work();
    wg.done();
    // CHECK-NOTES-OPT: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES-OPT: :[[@LINE-3]]:5: note: an exception from this call leaves the task without done(); Pool::submit may catch it and run on
    // CHECK-NOTES-OPT: :[[@LINE-5]]:12: note: the lambda is started here
    // CHECK-NOTES-OPT: :[[@LINE-4]]:8: note: start the task with wg.go(f), {{.*}}
  });
  wg.wait();
}

// A spawn function not in CatchingSpawnFunctions terminates on an escaping
// exception (a coroutine library, say): only its normal paths count; nor does
// tether::Group::go catch any more, as CatchingSpawnFunctions replaces it.
void runner(Runner &r, bool b) {
  tether::WaitGroup wg;
  tether::Group g;
  r.spawn([&] {
    work();
    wg.done();
  });
  g.go([&] {
    work();
    wg.done();
  });
}

// ThreadTypes: boost::thread is no longer a thread type.
void notSpawns(bool b) {
  tether::WaitGroup wg;
  boost::thread t([&] {
    if (b)
      return;
    wg.done();
  });
  t.join();
}

#else
// ===================== ExceptionPaths: false =====================

// Exceptions are not followed: neither the caught one nor the one the
// group catches; early returns still are.
void noExceptionPaths(bool b) {
  tether::WaitGroup wg;
  tether::Group g;
  std::thread t([&] {
    try {
      work();
      wg.done();
    } catch (...) {
    }
  });
  g.go([&] {
    work();
    wg.done();
  });
  g.go([&] {
    if (b)
      return;
    wg.done();
    // CHECK-NOTES-NOEXC: :[[@LINE-1]]:8: warning: done() on 'wg' is not called on every path of the lambda; {{.*}}
    // CHECK-NOTES-NOEXC: :[[@LINE-3]]:7: note: this return skips done()
    // CHECK-NOTES-NOEXC: :[[@LINE-6]]:8: note: the lambda is started here
    // CHECK-NOTES-NOEXC: :[[@LINE-4]]:8: note: start the task {{.*}}
  });
  t.join();
}
#endif
