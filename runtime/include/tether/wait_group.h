// tether::WaitGroup: waits for a collection of tasks to finish, and owns the
// threads its go() starts -- Go's sync.WaitGroup with the thread ownership
// made explicit.
//
// See docs/runtime.md for the full contract.
#ifndef TETHER_WAIT_GROUP_H
#define TETHER_WAIT_GROUP_H

#include <atomic>
#include <chrono>
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
// Lifetime: the group may be destroyed as soon as a wait that saw the
// counter at zero has returned (and no other member call is in progress):
// the done() that reached zero touches the group in one atomic operation
// and then only wakes sleepers by address (Go's rule).
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;
  // Joins every thread go() started.
  ~WaitGroup() = default;

  // Adds n (may be negative) to the counter. Lock-free: one atomic RMW
  // (n < 0: one successful compare-exchange).
  void add(int n = 1) noexcept {
    const std::uint64_t delta = static_cast<std::uint64_t>(static_cast<std::int64_t>(n)) << 32;
    if (n >= 0) {
      // Acq_rel as every counter change: a positive add cannot reach zero.
      const std::uint64_t s = state_.fetch_add(delta, std::memory_order_acq_rel) + delta;
      if (static_cast<std::int32_t>(s >> 32) < 0) detail::fatal("negative WaitGroup counter");
      return;
    }
    // The change that reaches zero with waiters also bumps the wake sequence
    // (the futex word) in the same compare-exchange, so it is the last access
    // to *this: a waiter may return and free the group right after it, and
    // futex_wake_all_low() only passes the address to the kernel.
    // Release (of acq_rel): pairs with the waiters' acquire loads, so every
    // done() -- each one an RMW, continuing the release sequence -- happens
    // before the wait that sees zero returns.
    std::uint64_t s = state_.load(std::memory_order_relaxed);
    for (;;) {
      std::uint64_t next = s + delta;
      const auto count = static_cast<std::int32_t>(next >> 32);
      if (count < 0) detail::fatal("negative WaitGroup counter");
      const bool wake = count == 0 && (s & kWaiterMask) != 0;
      if (wake) next = bump_sequence(next);
      if (state_.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
        if (wake) detail::futex_wake_all_low(&state_);
        return;
      }
    }
  }
  // add(-1).
  void done() noexcept { add(-1); }

  // Blocks until the counter is zero, then joins the threads go() started.
  void wait();
  // As wait(), giving up after the timeout / at the deadline / when ctx is
  // cancelled. Returns true when the counter reached zero (threads are then
  // joined), false otherwise (nothing is joined). A duration too large for
  // the clock saturates to "never" (as does time_point::max()).
  template <class Rep, class Period>
  [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& d) {
    return wait_until(detail::deadline_after(d));
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
      // done() is the task's completion hook: the thread set calls it as the
      // task leaves the leak registry (atomically with it, which keeps the
      // counter right in a forked child), and in a forked child for a task
      // that was running in the parent.
      threads_.spawn([fn = std::forward<F>(f)]() mutable { run_task(fn); }, where,
                     "tether::WaitGroup::go", detail::TaskHooks{&WaitGroup::task_done,
                                                                &WaitGroup::task_done, this});
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
  static void task_done(void* self) noexcept { static_cast<WaitGroup*>(self)->done(); }
  static std::uint64_t bump_sequence(std::uint64_t s) noexcept {
    return (s & ~kSequenceMask) | ((s + kSequenceOne) & kSequenceMask);
  }
  bool wait_counter(const std::optional<detail::Clock::time_point>& deadline,
                    const Context* ctx);

  // state_: bits 63..32 the counter (signed); bits 31..16 a wake sequence;
  // bits 15..0 the number of threads inside a wait. Waiters sleep on the low
  // 32 bits (futex_wait_low), which change when the counter reaches zero
  // with waiters (the sequence is bumped) and when a cancelled wait(ctx) is
  // poked, so no wake-up is lost.
  static constexpr std::uint64_t kWaiterMask = 0xffffu;
  static constexpr std::uint64_t kSequenceOne = 0x10000u;
  static constexpr std::uint64_t kSequenceMask = 0xffff0000u;
  std::atomic<std::uint64_t> state_{0};
  detail::ThreadSet threads_;  // last: joined first on destruction
};

}  // namespace tether

#endif  // TETHER_WAIT_GROUP_H
