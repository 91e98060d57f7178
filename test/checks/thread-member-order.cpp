// RUN: %check_clang_tidy %s tether-thread-member-order %t -- -- -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=OPT %s tether-thread-member-order %t-opt -- \
// RUN:   -config="{CheckOptions: {tether-thread-member-order.OwnerTypes: '::my::Runner'}}" \
// RUN:   -- -isystem %S/Inputs -DOPTIONS_TEST

#include <map>
#include <memory>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>
#include <vector>

void work();

// Members with destructors that do something.
struct Queue {
  ~Queue();
  void push(int);
  int pop();
};
struct Buffer {
  ~Buffer();
  void flush();
};

namespace my {
// A user type that joins in its destructor, listed in OwnerTypes by the OPT
// run.
struct Runner {
  template <class F> explicit Runner(F &&f);
  ~Runner();
};
} // namespace my

#ifndef OPTIONS_TEST
// ===================== Positive cases =====================

// A jthread declared before the queue its lambda uses.
class Consumer {
public:
  Consumer() : worker_([this] { loop(); }) {}

private:
  void loop() {
    for (;;)
      queue_.pop();
  }
  std::jthread worker_;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'worker_' is declared before 'queue_', which its threads use; 'queue_' is destroyed first, while they may still run [tether-thread-member-order]
  // CHECK-MESSAGES: :[[@LINE-4]]:7: note: 'queue_' is used by the thread here
  // CHECK-MESSAGES: :[[@LINE+3]]:9: note: 'queue_' is declared here, after 'worker_'
  // CHECK-MESSAGES: :[[@LINE-4]]:16: note: declare 'worker_' last, so that it stops and joins its threads before the members they use are destroyed
  int count_ = 0;
  Queue queue_;
};

// A member function pointer as the callable; the first member used after the
// owner is named.
class Flusher {
public:
  void start() { thread_ = std::jthread(&Flusher::run, this); }

private:
  void run() {
    buffer_.flush();
    queue_.push(1);
  }
  std::jthread thread_;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'thread_' is declared before 'queue_', which its threads use; 'queue_' is destroyed first, while they may still run [tether-thread-member-order]
  Queue queue_;
  Buffer buffer_;
};

// tether::WaitGroup and tether::Group own the threads their go() starts.
class Crawler {
public:
  void crawl() {
    wg_.go([this] { results_.push(1); });
    group_.go([this] { results_.push(2); });
  }

private:
  tether::WaitGroup wg_;
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'wg_' is declared before 'results_', which its threads use; {{.*}} [tether-thread-member-order]
  tether::Group group_;
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'group_' is declared before 'results_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue results_;
};

// A container of jthreads, started in a loop; a default member initializer.
class Pool {
public:
  explicit Pool(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] { tasks_.pop(); });
  }

private:
  std::vector<std::jthread> workers_;
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: 'workers_' is declared before 'tasks_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue tasks_;
};
// A map of jthreads keyed by name, started by try_emplace (any member that
// adds an element starts one: the model's ContainerUse::Adds).
class NamedPool {
public:
  void start(int id) {
    workers_.try_emplace(id, [this] { tasks_.pop(); });
  }

private:
  std::map<int, std::jthread> workers_;
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'workers_' is declared before 'tasks_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue tasks_;
};
struct Ticker {
  std::jthread tick_{[this] { log_.flush(); }};
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'tick_' is declared before 'log_', which its threads use; {{.*}} [tether-thread-member-order]
  Buffer log_;
};

// Class templates: reported through an instantiation, once.
template <class T> class Background {
public:
  Background() : t_([this] { q_.pop(); }) {}

private:
  std::jthread t_;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 't_' is declared before 'q_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue q_;
};
Background<int> b1;
Background<long> b2;

// A destructor that does not join the owner does not help.
class StopsOnly {
public:
  StopsOnly() : t_([this] { q_.pop(); }) {}
  ~StopsOnly() { t_.request_stop(); }

private:
  std::jthread t_;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 't_' is declared before 'q_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue q_;
};

// Macros: reported at the expansion of the member.
#define OWNER(name) std::jthread name
class Macro {
public:
  Macro() : t_([this] { q_.pop(); }) {}

private:
  OWNER(t_);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 't_' is declared before 'q_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue q_;
};

// ===================== Negative cases =====================

// The owner is declared last.
class Good {
public:
  Good() : worker_([this] { queue_.pop(); }) {}

private:
  Queue queue_;
  std::jthread worker_;
};

// The destructor stops and joins first.
class JoinsFirst {
public:
  JoinsFirst() : worker_([this] { queue_.pop(); }) {}
  ~JoinsFirst() {
    worker_.request_stop();
    worker_.join();
  }

private:
  std::jthread worker_;
  Queue queue_;
};
class WaitsFirst {
public:
  void go() { wg_.go([this] { q_.pop(); }); }
  ~WaitsFirst() { shutdown(); }

private:
  void shutdown() { wg_.wait(); }
  tether::WaitGroup wg_;
  Queue q_;
};

// The destructor is defined elsewhere: it may join.
class Elsewhere {
public:
  Elsewhere() : worker_([this] { queue_.pop(); }) {}
  ~Elsewhere();

private:
  std::jthread worker_;
  Queue queue_;
};

// Members without destructor work (ints, pointers) die without harm.
class Trivial {
public:
  Trivial() : worker_([this] { ++count_; }) {}

private:
  std::jthread worker_;
  int count_ = 0;
  Queue *queue_ = nullptr;
};

// The thread uses only members declared before it, or none.
class UsesEarlier {
public:
  UsesEarlier() : worker_([this] { q_.pop(); }), other_(work) {}

private:
  Queue q_;
  std::jthread worker_;
  std::jthread other_;
  Buffer late_;
};

// std::thread members are tether-unjoined-thread-member's business.
class PlainThread {
public:
  PlainThread() : t_([this] { q_.pop(); }) {}
  ~PlainThread() { t_.join(); }

private:
  std::thread t_;
  Queue q_;
};

// NOLINT suppresses the finding.
class Suppressed {
public:
  Suppressed() : t_([this] { q_.pop(); }) {}

private:
  std::jthread t_; // NOLINT(tether-thread-member-order)
  Queue q_;
};

// ===================== Known limitations =====================

// FIXME: members used through a functor object or a free function that gets
// `this` are not seen.
struct Job {
  class WithFunctor *self;
  void operator()();
};
class WithFunctor {
public:
  WithFunctor() : t_(Job{this}) {}
  Queue q_;

private:
  std::jthread t_;
  Buffer b_;
};

// FIXME: members used through a local reference or pointer captured by the
// lambda (`[&q = q_]`) are not seen.
class CapturedReference {
public:
  CapturedReference() : t_([&q = q_] { q.pop(); }) {}

private:
  std::jthread t_;
  Queue q_;
};

#else
// ===================== Options =====================

// OwnerTypes adds my::Runner.
class UserOwner {
public:
  UserOwner() : r_([this] { q_.pop(); }) {}

private:
  my::Runner r_;
  // CHECK-MESSAGES-OPT: :[[@LINE-1]]:14: warning: 'r_' is declared before 'q_', which its threads use; {{.*}} [tether-thread-member-order]
  Queue q_;
};
#endif
