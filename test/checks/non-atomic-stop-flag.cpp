// RUN: %check_clang_tidy %s tether-non-atomic-stop-flag %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-non-atomic-stop-flag %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-non-atomic-stop-flag.LockTypes: '::my::Guard', \
// RUN:             tether-non-atomic-stop-flag.MaxCallDepth: 0}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <tether/context.h>
#include <tether/wait_group.h>
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

// A class with start()/stop(): the worker polls a plain bool member.
class Poller {
public:
  void start() {
    running_ = true;
    worker_ = std::thread(&Poller::run, this);
  }
  void stop() {
    running_ = false;
    worker_.join();
  }

private:
  void run() {
    while (running_)
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: loop exits on non-atomic flag 'running_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES: :[[@LINE-8]]:5: note: another thread writes 'running_' here
    // CHECK-MESSAGES: :[[@LINE-12]]:15: note: the worker is started here
    // CHECK-MESSAGES: :[[@LINE-4]]:12: note: declare 'running_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      process();
  }
  bool running_ = false;
  std::thread worker_;
};

// A thread pool with a stop_ member: the loop reads it without the lock that
// stop() takes to write it.
class Pool {
public:
  explicit Pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto &t : workers_)
      t.join();
  }

private:
  void loop() {
    while (!stop_) {
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: loop exits on non-atomic flag 'stop_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES: :[[@LINE-11]]:7: note: another thread writes 'stop_' here, holding 'mu_', which the read does not hold
    // CHECK-MESSAGES: :[[@LINE-17]]:7: note: the worker is started here
    // CHECK-MESSAGES: :[[@LINE-4]]:13: note: declare 'stop_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      Task task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty())
          continue;
        task = tasks_.front();
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// A lambda capturing a local flag by reference; volatile does not help.
void captureByReference() {
  volatile bool done = false;
  std::thread t([&] {
    while (!done)
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: loop exits on non-atomic flag 'done', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES: :[[@LINE+5]]:3: note: another thread writes 'done' here
    // CHECK-MESSAGES: :[[@LINE-4]]:15: note: the worker is started here
    // CHECK-MESSAGES: :[[@LINE-4]]:13: note: declare 'done' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      process();
  });
  done = true;
  t.join();
}

// A global counter-like flag, and an exit through `if (...) break;`.
int g_quit = 0;
void globalFlag() {
  tether::WaitGroup wg;
  wg.go([] {
    for (;;) {
      if (g_quit)
      // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: loop exits on non-atomic flag 'g_quit', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
      // CHECK-MESSAGES: :[[@LINE+7]]:3: note: another thread writes 'g_quit' here
      // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the worker is started here
      // CHECK-MESSAGES: :[[@LINE-4]]:11: note: declare 'g_quit' as std::atomic<int>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
        break;
      process();
    }
  });
  g_quit = 1;
}

// A getter in the loop condition, followed into its body.
class Sink {
public:
  void start() { t_ = std::thread([this] { while (!stopped()) process(); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: loop exits on non-atomic flag 'quit_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
  // CHECK-MESSAGES: :[[@LINE+4]]:5: note: another thread writes 'quit_' here
  // CHECK-MESSAGES: :[[@LINE-3]]:23: note: the worker is started here
  // CHECK-MESSAGES: :[[@LINE-4]]:52: note: declare 'quit_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
  void shutdown() {
    quit_ = true;
    t_.join();
  }

private:
  bool stopped() const { return quit_; }
  bool quit_ = false;
  std::thread t_;
};

// Templates: reported in the instantiation.
template <class T> class Queue {
public:
  void start() { t_ = std::thread(&Queue::run, this); }
  void stop() {
    done_ = true;
    t_.join();
  }

private:
  void run() {
    while (!done_)
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: loop exits on non-atomic flag 'done_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES: :[[@LINE-8]]:5: note: another thread writes 'done_' here
    // CHECK-MESSAGES: :[[@LINE-11]]:23: note: the worker is started here
    // CHECK-MESSAGES: :[[@LINE-4]]:13: note: declare 'done_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      process();
  }
  bool done_ = false;
  std::thread t_;
};
void useQueue() {
  Queue<int> q;
  q.start();
  q.stop();
}

// A flag written behind a macro, read through a macro: reported at the
// expansions.
#define SHOULD_RUN(x) (!(x).halt_)
#define HALT(x) ((x).halt_ = true)
struct Job {
  bool halt_ = false;
};
void macros(Job &job) {
  std::jthread t([&job] {
    while (SHOULD_RUN(job))
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: loop exits on non-atomic flag 'halt_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES: :[[@LINE+5]]:3: note: another thread writes 'halt_' here
    // CHECK-MESSAGES: :[[@LINE-4]]:16: note: the worker is started here
    // CHECK-MESSAGES: :[[@LINE-4]]:12: note: declare 'halt_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      process();
  });
  HALT(job);
}

// ===================== Negative cases =====================

// std::atomic, std::atomic_flag, stop tokens and tether::Context.
class AtomicPoller {
public:
  void start() { t_ = std::thread([this] { while (running_) process(); }); }
  void stop() {
    running_ = false;
    t_.join();
  }

private:
  std::atomic<bool> running_{true};
  std::thread t_;
};
void stopToken() {
  std::jthread t([](std::stop_token st) {
    while (!st.stop_requested())
      process();
  });
}
void context(tether::Context ctx) {
  std::thread t([ctx] {
    while (!ctx.cancelled())
      process();
  });
  t.join();
}

// Read and written under the same mutex.
class LockedFlag {
public:
  void start() { t_ = std::thread(&LockedFlag::run, this); }
  void stop() {
    mu_.lock();
    stop_ = true;
    mu_.unlock();
    t_.join();
  }

private:
  void run() {
    for (;;) {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_)
        return;
    }
  }
  std::mutex mu_;
  bool stop_ = false;
  std::thread t_;
};

// A getter that takes the writer's lock.
class LockedGetter {
public:
  void start() { t_ = std::thread([this] { while (!stopped()) process(); }); }
  void stop() {
    std::scoped_lock lock(mu_);
    stop_ = true;
  }
  ~LockedGetter() { t_.join(); }

private:
  bool stopped() {
    std::unique_lock<std::mutex> lock(mu_);
    return stop_;
  }
  std::mutex mu_;
  bool stop_ = false;
  std::thread t_;
};

// Written only before the thread starts (constructor, or before the spawn).
class Configured {
public:
  explicit Configured(int n) : limit_(n) { verbose_ = n > 1; }
  void start() {
    limit_ = 10;
    t_ = std::thread([this] {
      for (int i = 0; i < limit_ && verbose_; ++i)
        process();
    });
  }
  ~Configured() { t_.join(); }

private:
  int limit_;
  bool verbose_;
  std::thread t_;
};

// Local to the worker, captured by value, or written by the worker itself.
void localFlags() {
  bool once = true;
  std::thread t([once] {
    bool more = true;
    while (more && once)
      more = poll();
  });
  t.join();
}
class SelfStopping {
public:
  void start() { t_ = std::thread(&SelfStopping::run, this); }
  ~SelfStopping() { t_.join(); }

private:
  void run() {
    while (!finished_)
      step();
  }
  void step() { finished_ = poll(); }
  bool finished_ = false;
  std::thread t_;
};

// A field of an object of the worker's own (a local, a by-value capture),
// polled directly or through its getter, whatever another object's method
// writes (the runtime's Channel::block polls a local Backoff this way).
class Backoff {
public:
  void spin() { ++step_; }
  void snooze(); // defined in another TU
  bool completed() const { return step_ > 10; }
  int step_ = 0;
};
void localObject(Backoff shared) {
  std::thread t([shared] {
    Backoff backoff;
    for (;;) {
      if (backoff.completed() || shared.step_ > 3)
        break;
      backoff.snooze();
    }
  });
  t.join();
}

// An active object: the write is a task sent to the worker's own queue, so
// the worker itself runs it (g3log's kjellkod::Active). A lambda that no spawn
// runs may run on any thread: its writes do not count.
class Active {
public:
  static Active *create() {
    Active *a = new Active();
    a->thd_ = std::thread(&Active::run, a);
    return a;
  }
  ~Active() {
    send([this] { done_ = true; });
    thd_.join();
  }
  void send(Task msg);

private:
  void run() {
    while (!done_) {
      Task func = pop();
      func();
    }
  }
  Task pop();
  bool done_ = false;
  std::thread thd_;
};

// A flag whose address escapes, or that is bound to a reference: someone may
// write it through an alias the check does not follow.
void setFlag(bool &f);
void aliased() {
  bool stop = false;
  std::thread t([&stop] {
    while (!stop)
      process();
  });
  setFlag(stop);
  t.join();
}

// sig_atomic_t belongs to signal handlers.
typedef int sig_atomic_t;
volatile sig_atomic_t g_signalled = 0;
void onSignal(int) { g_signalled = 1; }
void signalFlag() {
  std::thread t([] {
    while (!g_signalled)
      process();
  });
  t.join();
}

// Loops that end on something else; reads that do not exit the loop.
class Counter {
public:
  void start() {
    t_ = std::thread([this] {
      while (poll())
        if (verbose_)
          process();
    });
  }
  void quiet() { verbose_ = false; }
  ~Counter() { t_.join(); }

private:
  bool verbose_ = true;
  std::thread t_;
};

// The same field of another object: the worker tests its own copy of an
// entry (a member), the stop path marks an element of the buffer, under the
// lock the worker copies under (llama.cpp's common_log).
struct Entry {
  bool is_end = false;
};
class Log {
public:
  void resume() {
    t_ = std::thread([this] {
      while (true) {
        {
          std::unique_lock<std::mutex> lock(mu_);
          cur_ = entries_[head_];
        }
        if (cur_.is_end)
          break;
      }
    });
  }
  void pause() {
    std::lock_guard<std::mutex> lock(mu_);
    Entry &entry = entries_[tail_];
    entry.is_end = true;
  }
  ~Log() { t_.join(); }

private:
  std::mutex mu_;
  Entry entries_[8];
  Entry cur_;
  unsigned head_ = 0, tail_ = 0;
  std::thread t_;
};

// A bound is not a stop flag: a counted loop over a field another thread
// changes, a configuration value compared in a getter (cpp-httplib's
// should_reconnect), a large function called in the condition (taskflow's
// _wait_for_task).
struct Node {
  unsigned count_ = 0;
};
class Graph {
public:
  void start(Node *n) {
    t_ = std::thread([this, n] {
      for (unsigned i = 0; i < n->count_; ++i)
        process();
      int attempts = 0;
      while (shouldRetry(attempts))
        ++attempts;
      while (waitForTask())
        process();
    });
  }
  void grow(Node *n) { ++n->count_; }
  void setRetries(int n) { maxRetries_ = n; }
  void shutdown() { done_ = true; }
  ~Graph() { t_.join(); }

private:
  bool shouldRetry(int n) const { return maxRetries_ == 0 || n < maxRetries_; }
  bool waitForTask() {
    process();
    process();
    process();
    return !done_;
  }
  int maxRetries_ = 0;
  bool done_ = false;
  std::thread t_;
};

// NOLINT silences the finding at the read.
class Suppressed {
public:
  void start() { t_ = std::thread(&Suppressed::run, this); }
  void stop() {
    stop_ = true;
    t_.join();
  }

private:
  void run() {
    while (!stop_) // NOLINT(tether-non-atomic-stop-flag)
      process();
  }
  bool stop_ = false;
  std::thread t_;
};

// ===================== Known limitations =====================

// FIXME: a flag written through a pointer or reference alias is not followed
// (the alias makes the check give up on the flag: no finding either way).
void pointerAlias() {
  bool stop = false;
  bool *p = &stop;
  std::thread t([&stop] {
    while (!stop)
      process();
  });
  *p = true;
  t.join();
}

// FIXME: a write in a function the TU only declares is not seen.
class External {
public:
  void start() { t_ = std::thread([this] { while (!stop_) process(); }); }
  void stop(); // sets stop_ in another TU
  ~External() { t_.join(); }

private:
  bool stop_ = false;
  std::thread t_;
};

#else
// ===================== Options =====================

namespace my {
template <class M> class Guard {
public:
  explicit Guard(M &m);
  ~Guard();
};
} // namespace my

// A user lock type in LockTypes protects the read and the write.
class UserLock {
public:
  void start() { t_ = std::thread(&UserLock::run, this); }
  void stop() {
    my::Guard<std::mutex> g(mu_);
    stop_ = true;
  }
  ~UserLock() { t_.join(); }

private:
  void run() {
    for (;;) {
      my::Guard<std::mutex> g(mu_);
      if (stop_)
        break;
    }
  }
  std::mutex mu_;
  bool stop_ = false;
  std::thread t_;
};

// With MaxCallDepth 0 only the entry itself is looked at.
class Deep {
public:
  void start() { t_ = std::thread(&Deep::run, this); }
  void stop() {
    stop_ = true;
    t_.join();
  }

private:
  void run() { loop(); }
  void loop() {
    while (!stop_)
      process();
  }
  bool stop_ = false;
  std::thread t_;
};

// The entry itself is still looked at.
class Shallow {
public:
  void start() { t_ = std::thread(&Shallow::run, this); }
  void stop() {
    stop_ = true;
    t_.join();
  }

private:
  void run() {
    while (!stop_)
    // CHECK-MESSAGES-OPT: :[[@LINE-1]]:13: warning: loop exits on non-atomic flag 'stop_', which another thread writes; the read is a data race and the loop may never see the write [tether-non-atomic-stop-flag]
    // CHECK-MESSAGES-OPT: :[[@LINE-8]]:5: note: another thread writes 'stop_' here
    // CHECK-MESSAGES-OPT: :[[@LINE-11]]:23: note: the worker is started here
    // CHECK-MESSAGES-OPT: :[[@LINE-4]]:13: note: declare 'stop_' as std::atomic<bool>, or stop the worker with std::jthread and std::stop_token, or a tether::Context
      process();
  }
  bool stop_ = false;
  std::thread t_;
};
#endif
