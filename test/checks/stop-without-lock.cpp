// RUN: %check_clang_tidy %s tether-stop-without-lock %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-stop-without-lock %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-stop-without-lock.LockTypes: '::my::Guard', \
// RUN:             tether-stop-without-lock.ConditionVariableTypes: '::my::Event'}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

void process();
bool poll();
struct Task {
  Task();
  template <class F> Task(F f) {}
  void operator()();
};

#ifndef OPTIONS_TEST
// ===================== Positive cases =====================

// A thread pool with a stop_ member, set without the queue's mutex.
class Pool {
public:
  explicit Pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    stop_ = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop_' is set without holding 'mu_', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
    // CHECK-MESSAGES: :[[@LINE+12]]:7: note: the waiter checks 'stop_' under 'mu_' here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: set 'stop_' while holding 'mu_', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    cv_.notify_all();
    for (auto &t : workers_)
      t.join();
  }

private:
  void loop() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (stop_)
        return;
      tasks_.pop_front();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// The lost wake-up happens with std::atomic too; a timed wait sleeps until
// its timeout.
class LogSink {
public:
  void start() { t_ = std::thread(&LogSink::run, this); }
  void stop() {
    done_.store(true);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'done_' is set without holding 'mu_', under which a waiter's predicate reads it; the waiter can miss the notify and sleep until its timeout [tether-stop-without-lock]
    // CHECK-MESSAGES: :[[@LINE+11]]:7: note: the waiter checks 'done_' under 'mu_' here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: set 'done_' while holding 'mu_', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    cv_.notify_one();
    t_.join();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_.load())
      cv_.wait_for(lock, 100, [this] { return done_.load() || pending_ > 0; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> done_{false};
  int pending_ = 0;
  std::thread t_;
};

// A local captured by reference: the worker sets it and notifies; an unlock
// before the write does not count.
void captureByReference() {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;
  std::thread t([&] {
    std::unique_lock<std::mutex> lock(m);
    process();
    lock.unlock();
    ready = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'ready' is set without holding 'm', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
    // CHECK-MESSAGES: :[[@LINE+6]]:3: note: the waiter checks 'ready' under 'm' here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: set 'ready' while holding 'm', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return ready; });
  t.join();
}

// Templates: reported in the instantiation.
template <class T> class Queue {
public:
  void stop() {
    closed_ = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'closed_' is set without holding 'mu_', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
    // CHECK-MESSAGES: :[[@LINE+7]]:5: note: the waiter checks 'closed_' under 'mu_' here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: set 'closed_' while holding 'mu_', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    cv_.notify_all();
  }
  T pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return closed_; });
    return T();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
};
void useQueue() {
  Queue<int> q;
  std::thread t([&q] { q.pop(); });
  q.stop();
  t.join();
}

// Behind a macro: reported at the expansion.
#define REQUEST_STOP(s) ((s).quit = true)
struct Shared {
  std::mutex m;
  std::condition_variable cv;
  bool quit = false;
};
void waiter(Shared &s) {
  std::unique_lock<std::mutex> lock(s.m);
  s.cv.wait(lock, [&s] { return s.quit; });
}
void stopper(Shared &s) {
  REQUEST_STOP(s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'quit' is set without holding 'm', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the waiter checks 'quit' under 'm' here
  // CHECK-MESSAGES: :[[@LINE+2]]:3: note: the notify here can come between the waiter's check and its sleep
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: set 'quit' while holding 'm', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
  s.cv.notify_all();
}

// ===================== Negative cases =====================

// The write under the mutex: RAII locks of every kind, or lock()/unlock().
class Guarded {
public:
  void stopA() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }
  void stopB() {
    std::unique_lock<std::mutex> lock(mu_);
    stop_ = true;
    lock.unlock();
    cv_.notify_all();
  }
  void stopC() {
    mu_.lock();
    stop_ = true;
    mu_.unlock();
    cv_.notify_all();
  }
  void stopD() {
    std::scoped_lock lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// The accepted idiom: an empty critical section between the write and the
// notify.
class EmptySection {
public:
  void stop() {
    stop_.store(true);
    { std::lock_guard<std::mutex> lock(mu_); }
    cv_.notify_all();
  }
  void stopAgain() {
    stop_ = true;
    mu_.lock();
    mu_.unlock();
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_.load(); });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};

// condition_variable_any with a stop_token is woken by the token; waits
// without a predicate are out of scope.
class Tokened {
public:
  void stop() {
    stop_ = true;
    cv_.notify_all();
  }
  void wait(std::stop_token st) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, st, [this] { return stop_; });
  }
  void poll() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_)
      plain_.wait_for(lock, 10);
  }
  void stopPlain() {
    stop_ = true;
    plain_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable plain_;
  bool stop_ = false;
};

// Another condition variable, another flag, no notify after the write, or a
// write in the constructor.
class Unrelated {
public:
  Unrelated() {
    stop_ = false;
    cv_.notify_all();
  }
  void other() {
    stop_ = true;
    other_.notify_all();
  }
  void reset() {
    count_ = 0;
    cv_.notify_all();
  }
  void later() {
    cv_.notify_all();
    stop_ = true;
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_, other_;
  bool stop_ = false;
  int count_ = 0;
};

// A write in a lambda that no spawn runs (a callback, a task for the
// waiter's own queue) may run on the waiter's thread: not reported.
class Active {
public:
  void stop() {
    post([this] {
      done_ = true;
      cv_.notify_all();
    });
  }
  void post(Task t);
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// NOLINT silences the finding at the write.
class Suppressed {
public:
  void stop() {
    stop_ = true; // NOLINT(tether-stop-without-lock)
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// ===================== Known limitations =====================

// FIXME: a write in a helper that its callers call with the mutex held is
// reported: locks held by the callers are not known.
class CallerLocks {
public:
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopLocked();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  void stopLocked() {
    stop_ = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop_' is set without holding 'mu_', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
    // CHECK-MESSAGES: :[[@LINE-7]]:5: note: the waiter checks 'stop_' under 'mu_' here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: set 'stop_' while holding 'mu_', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// FIXME: a notify in another function than the write is not followed.
class SplitNotify {
public:
  void stop() {
    stop_ = true;
    wake();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  void wake() { cv_.notify_all(); }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

#else
// ===================== Options =====================

namespace my {
template <class M> class Guard {
public:
  explicit Guard(M &m);
  ~Guard();
};
class Event {
public:
  void notify_all();
  template <class L, class P> void wait(L &lock, P pred);
};
} // namespace my

// A user condition variable type, and a user lock type that makes the write
// safe.
class UserTypes {
public:
  void stop() {
    stop_ = true;
    // CHECK-MESSAGES-OPT: :[[@LINE-1]]:5: warning: 'stop_' is set without holding 'mu_', under which a waiter's predicate reads it; the waiter can miss the notify and block forever [tether-stop-without-lock]
    // CHECK-MESSAGES-OPT: :[[@LINE+12]]:5: note: the waiter checks 'stop_' under 'mu_' here
    // CHECK-MESSAGES-OPT: :[[@LINE+2]]:5: note: the notify here can come between the waiter's check and its sleep
    // CHECK-MESSAGES-OPT: :[[@LINE-4]]:5: note: set 'stop_' while holding 'mu_', or wait with std::condition_variable_any::wait(lock, stop_token, pred)
    ev_.notify_all();
  }
  void stopLocked() {
    my::Guard<std::mutex> g(mu_);
    done_ = true;
    ev_.notify_all();
  }
  void wait() {
    my::Guard<std::mutex> g(mu_);
    ev_.wait(g, [this] { return stop_ || done_; });
  }

private:
  std::mutex mu_;
  my::Event ev_;
  bool stop_ = false;
  bool done_ = false;
};

// std::condition_variable is no longer in ConditionVariableTypes.
class StdNotListed {
public:
  void stop() {
    stop_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};
#endif
