// tether::WaitGroup: waits for a collection of tasks to finish, and owns the
// threads its go() starts -- Go's sync.WaitGroup with the thread ownership
// made explicit.
//
// See docs/runtime.md for the full contract.
#ifndef TETHER_WAIT_GROUP_H
#define TETHER_WAIT_GROUP_H

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tether/context.h"
#include "tether/detail/sync.h"
#include "tether/detail/thread_set.h"

namespace tether {

// A counter of outstanding tasks that wait() blocks on until it reaches zero.
//
// Requirements: every add(n) with n > 0 that may race with wait() must happen
// before the tasks it counts start (call add() before spawning, never inside
// the spawned task); the counter must never go negative.
// Guarantees: wait() returns after the counter reached zero and after every
// thread started by go() has been joined. ~WaitGroup joins every thread go()
// started (it never detaches); it does not wait for tasks counted with add()
// that it did not start. The group is reusable once wait() returns.
// Misuse: a negative counter aborts with "tether: negative WaitGroup counter".
// An exception escaping a go() task aborts (use tether::Group to collect
// errors).
// Thread safety: all members may be called concurrently.
// Memory ordering: every done() happens-before the return of the wait() it
// releases, like Go's Done "synchronizes before" Wait.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;
  // Joins every thread go() started.
  ~WaitGroup() = default;

  // Adds n (may be negative) to the counter. Lock-free; one atomic RMW.
  void add(int n = 1) noexcept {
    const std::uint64_t delta =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(n)) << 32;
    const std::uint64_t s = state_.fetch_add(delta, std::memory_order_acq_rel) + delta;
    const auto count = static_cast<std::int32_t>(s >> 32);
    if (count < 0) detail::fatal("negative WaitGroup counter");
    if (count == 0 && static_cast<std::uint32_t>(s) != 0) wake_waiters();
  }
  // add(-1).
  void done() noexcept { add(-1); }

  // Blocks until the counter is zero, then joins the threads go() started.
  void wait();
  // As wait(), giving up after the timeout / at the deadline / when ctx is
  // cancelled. Returns true when the counter reached zero (threads are then
  // joined), false otherwise (nothing is joined).
  template <class Rep, class Period>
  [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& d) {
    return wait_until(detail::Clock::now() + std::chrono::ceil<detail::Clock::duration>(d));
  }
  [[nodiscard]] bool wait_until(std::chrono::steady_clock::time_point t);
  [[nodiscard]] bool wait(const Context& ctx);

  // add(1), then runs f() on a new thread owned by this group, calling
  // done() when f returns. The spawn site is recorded for the leak report.
  template <class F>
  void go(F&& f, std::source_location where = std::source_location::current()) {
    static_assert(std::is_invocable_v<std::decay_t<F>&>,
                  "WaitGroup::go: f must be callable with no arguments (or pass the arguments)");
    add(1);
    try {
      threads_.spawn(
          [this, fn = std::forward<F>(f)]() mutable {
            run_task(fn);
            done();
          },
          where, "tether::WaitGroup::go");
    } catch (...) {
      done();
      throw;
    }
  }
  // go() with arguments, decay-copied like std::thread's. The leak report
  // cannot name the spawn site of this overload (C++ cannot default a
  // source_location after a parameter pack); pass a lambda to keep it.
  template <class F, class A0, class... Args>
  void go(F&& f, A0&& a0, Args&&... args) {
    go(
        [fn = std::forward<F>(f),
         tup = std::make_tuple(std::forward<A0>(a0), std::forward<Args>(args)...)]() mutable {
          std::apply(std::move(fn), std::move(tup));
        },
        std::source_location());
  }

 private:
  template <class Fn>
  static void run_task(Fn& fn) noexcept {
    try {
      std::invoke(fn);
    } catch (const std::exception& e) {
      exception_escaped(e.what());
    } catch (...) {
      exception_escaped(nullptr);
    }
  }
  [[noreturn]] static void exception_escaped(const char* what) noexcept;
  void wake_waiters() noexcept;
  bool wait_counter(const std::optional<detail::Clock::time_point>& deadline,
                    const Context* ctx);

  // High 32 bits: the counter (signed); low 32 bits: waiters registered
  // under mu_ (only ever changed with mu_ held).
  std::atomic<std::uint64_t> state_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;  // guarded by mu_
  detail::ThreadSet threads_;     // last: joined first on destruction
};

}  // namespace tether

#endif  // TETHER_WAIT_GROUP_H
