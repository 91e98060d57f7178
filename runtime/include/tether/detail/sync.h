// Internal parking and selection primitives shared by Context, Channel and
// select. Not part of the public API: names in tether::detail may change.
#ifndef TETHER_DETAIL_SYNC_H
#define TETHER_DETAIL_SYNC_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace tether::detail {

using Clock = std::chrono::steady_clock;

// Prints "tether: <msg>" to stderr and aborts. Used for misuse only.
[[noreturn]] void fatal(const char* msg) noexcept;

// The deadline `d` from now, saturated: a duration too large for the clock
// (hours::max(), nanoseconds::max(), a huge or infinite floating duration,
// NaN) gives Clock::time_point::max(), which every wait treats as "no
// deadline"; a zero or negative duration gives now. Computed in long double
// seconds, so no conversion can overflow (adding d to now in the clock's
// integer nanoseconds is signed overflow for anything beyond ~292 years).
template <class Rep, class Period>
[[nodiscard]] Clock::time_point deadline_after(const std::chrono::duration<Rep, Period>& d) noexcept {
  using Seconds = std::chrono::duration<long double>;
  const Clock::time_point now = Clock::now();
  const Seconds want(d);
  // One second of margin absorbs long double rounding near the limit.
  const Seconds room = Seconds(Clock::time_point::max() - now) - Seconds(1);
  if (!(want < room)) return Clock::time_point::max();  // also NaN
  if (!(want > Seconds::zero())) return now;
  return now + std::chrono::ceil<Clock::duration>(d);
}

// A deadline as the waits take it: time_point::max() is "never" (nullopt).
[[nodiscard]] inline std::optional<Clock::time_point> as_deadline(Clock::time_point t) noexcept {
  if (t == Clock::time_point::max()) return std::nullopt;
  return t;
}

// Blocks while `word` holds `expected`, until woken or `deadline` passes.
// Spurious returns are allowed; callers re-check their condition.
void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::optional<Clock::time_point>& deadline) noexcept;
// Wakes threads blocked in futex_wait on `word`. Never reads `word`, so it is
// safe to call after the object holding `word` may have been destroyed.
void futex_wake_one(const std::atomic<std::uint32_t>* word) noexcept;
void futex_wake_all(const std::atomic<std::uint32_t>* word) noexcept;
// The same on the low 32 bits of a 64-bit atomic (WaitGroup's state word:
// its counter and waiters change in one read-modify-write, and waiters sleep
// on the half that the last done() changes). The wake never reads the word.
void futex_wait_low(const std::atomic<std::uint64_t>& word, std::uint32_t expected_low,
                    const std::optional<Clock::time_point>& deadline) noexcept;
void futex_wake_all_low(const std::atomic<std::uint64_t>* word) noexcept;

// CPU relax hint for spin loops.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Exponential backoff in the style of crossbeam's Backoff: spin() for
// contended retries, snooze() while waiting for another thread to make
// progress (spins, then yields).
class Backoff {
 public:
  void spin() noexcept {
    for (std::uint32_t i = 0; i < (1u << (step_ < kSpinLimit ? step_ : kSpinLimit)); ++i) cpu_relax();
    if (step_ <= kSpinLimit) ++step_;
  }
  void snooze() noexcept;
  [[nodiscard]] bool completed() const noexcept { return step_ > kYieldLimit; }
  // True once snooze() would yield rather than spin.
  [[nodiscard]] bool yielding() const noexcept { return step_ > kSpinLimit; }
  void reset() noexcept { step_ = 0; }

 private:
  static constexpr std::uint32_t kSpinLimit = 6;
  static constexpr std::uint32_t kYieldLimit = 10;
  std::uint32_t step_ = 0;
};

// A mutex in one 32-bit word (Drepper's "Futexes Are Tricky", mutex 3:
// 0 unlocked, 1 locked, 2 locked with possible sleepers), so that a
// channel's lock, closed flag and wait lists share one cache line. Lock
// acquires, unlock releases. Not recursive. unlock() wakes a sleeper through
// the word's address only.
class Lock {
 public:
  void lock() noexcept {
    std::uint32_t c = 0;
    if (!word_.compare_exchange_strong(c, 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      lock_slow();
    }
  }
  void unlock() noexcept {
    if (word_.exchange(0, std::memory_order_release) == 2) futex_wake_one(&word_);
  }

 private:
  void lock_slow() noexcept;
  std::atomic<std::uint32_t> word_{0};
};

// Whether spinning before parking currently pays on this machine: most
// recent waits ended while spinning (see Waiter::wait_until). False on an
// oversubscribed machine, where a blocked thread should park at once and
// leave the core to the thread it waits for.
[[nodiscard]] bool spinning_pays() noexcept;

// Selection tokens. A Waiter is selected exactly once per blocking round:
// with the token of the case that fired (1..kMaxCase), or one of these.
inline constexpr std::uint32_t kMaxCase = 0x0fffffffu;
inline constexpr std::uint32_t kAborted = 0x7ffffff0u;   // re-check needed
inline constexpr std::uint32_t kTimedOut = 0x7ffffff1u;  // deadline passed
inline constexpr std::uint32_t kCancelled = 0x7ffffff2u; // context cancelled

// One blocked operation (a send, a receive, a select, a context wait). Other
// threads pick it with try_select(token) -- only the first succeeds -- and
// then wake() it. The owner parks in wait_until().
class Waiter {
 public:
  Waiter() = default;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // Prepares a new blocking round. Only the owner calls this, while the
  // waiter is registered nowhere.
  void reset() noexcept { state_.store(0, std::memory_order_relaxed); }

  // Tries to select this waiter with `token`. On success, returns true and
  // sets *needs_wake when the owner is (or may be) asleep; the caller must
  // then call wake(waiter) once it has finished any hand-off.
  bool try_select(std::uint32_t token, bool* needs_wake) noexcept {
    std::uint32_t cur = state_.load(std::memory_order_relaxed);
    for (;;) {
      if ((cur & ~kSleeping) != 0) return false;
      // A parked owner learns how long its wake-up took from this stamp
      // (written before the selection, while the owner cannot return).
      if ((cur & kSleeping) != 0) selected_at_.store(clock_ns32(), std::memory_order_relaxed);
      if (state_.compare_exchange_weak(cur, token, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
        *needs_wake = (cur & kSleeping) != 0;
        return true;
      }
    }
  }
  // Convenience: select and wake immediately (no hand-off).
  bool try_select_and_wake(std::uint32_t token) noexcept {
    bool wake_needed = false;
    if (!try_select(token, &wake_needed)) return false;
    if (wake_needed) wake(this);
    return true;
  }
  // Wakes the owner. Does not touch the waiter's memory.
  static void wake(const Waiter* w) noexcept;

  // The selected token, or 0 while still waiting.
  [[nodiscard]] std::uint32_t selected() const noexcept {
    return state_.load(std::memory_order_acquire) & ~kSleeping;
  }

  // Spins for an adaptive budget (see spin_budget_ns() in sync.cpp), then
  // parks until selected. When `deadline` passes, the waiter selects itself
  // with kTimedOut (which fails if another thread won the race, whose token
  // is then returned). Never returns 0.
  std::uint32_t wait_until(const std::optional<Clock::time_point>& deadline) noexcept;

  // The low 32 bits of steady_clock in nanoseconds (differences of up to
  // 4 s are exact modulo 2^32).
  static std::uint32_t clock_ns32() noexcept {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
  }

 private:
  static constexpr std::uint32_t kSleeping = 0x80000000u;
  std::atomic<std::uint32_t> state_{0};
  std::atomic<std::uint32_t> selected_at_{0};  // clock_ns32() of a selection while parked
};

}  // namespace tether::detail

#endif  // TETHER_DETAIL_SYNC_H
