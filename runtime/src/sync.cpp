// Parking primitives: Linux futex, with a portable striped mutex/condvar
// fallback elsewhere.
#include "tether/detail/sync.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <climits>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace tether::detail {

void fatal(const char* msg) noexcept {
  std::fprintf(stderr, "tether: %s\n", msg);
  std::fflush(stderr);
  std::abort();
}

#if defined(__linux__)

// The absolute CLOCK_MONOTONIC time FUTEX_WAIT_BITSET takes for \p deadline
// (steady_clock is CLOCK_MONOTONIC on Linux), in \p ts; null for none.
static timespec* to_timespec(const std::optional<Clock::time_point>& deadline,
                      timespec& ts) noexcept {
  if (!deadline) return nullptr;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                deadline->time_since_epoch())
                .count();
  if (ns < 0) ns = 0;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return &ts;
}

void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::optional<Clock::time_point>& deadline) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  // steady_clock is CLOCK_MONOTONIC on Linux; FUTEX_WAIT_BITSET takes an
  // absolute CLOCK_MONOTONIC time.
  timespec ts{};
  timespec* tsp = to_timespec(deadline, ts);
  syscall(SYS_futex, const_cast<std::atomic<std::uint32_t>*>(&word),
          FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, tsp, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void futex_wake_one(const std::atomic<std::uint32_t>* word) noexcept {
  syscall(SYS_futex, const_cast<std::atomic<std::uint32_t>*>(word),
          FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr, nullptr, 0);
}

void futex_wake_all(const std::atomic<std::uint32_t>* word) noexcept {
  syscall(SYS_futex, const_cast<std::atomic<std::uint32_t>*>(word),
          FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, nullptr, nullptr, 0);
}

namespace {
// The address of the low half of a 64-bit word, as the kernel sees it.
std::uint32_t* low_half(const std::atomic<std::uint64_t>* word) noexcept {
  static_assert(sizeof(std::atomic<std::uint64_t>) == sizeof(std::uint64_t));
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  auto* bytes = reinterpret_cast<char*>(const_cast<std::atomic<std::uint64_t>*>(word));
  if constexpr (std::endian::native == std::endian::big) bytes += 4;
  return reinterpret_cast<std::uint32_t*>(bytes);
}
}  // namespace

void futex_wait_low(const std::atomic<std::uint64_t>& word, std::uint32_t expected_low,
                    const std::optional<Clock::time_point>& deadline) noexcept {
  timespec ts{};
  timespec* tsp = to_timespec(deadline, ts);
  syscall(SYS_futex, low_half(&word), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected_low, tsp,
          nullptr, FUTEX_BITSET_MATCH_ANY);
}

void futex_wake_all_low(const std::atomic<std::uint64_t>* word) noexcept {
  syscall(SYS_futex, low_half(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, nullptr, nullptr,
          0);
}

#else  // portable fallback

namespace {
struct Stripe {
  std::mutex mu;
  std::condition_variable cv;
};
Stripe& stripe_for(const void* addr) {
  static Stripe* stripes = new Stripe[64];
  auto h = reinterpret_cast<std::uintptr_t>(addr);
  return stripes[(h >> 4) % 64];
}
}  // namespace

void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::optional<Clock::time_point>& deadline) noexcept {
  Stripe& s = stripe_for(&word);
  std::unique_lock lock(s.mu);
  if (word.load(std::memory_order_acquire) != expected) return;
  if (deadline) {
    s.cv.wait_until(lock, *deadline);
  } else {
    s.cv.wait(lock);
  }
}

void futex_wake_one(const std::atomic<std::uint32_t>* word) noexcept {
  futex_wake_all(word);
}

void futex_wake_all(const std::atomic<std::uint32_t>* word) noexcept {
  Stripe& s = stripe_for(word);
  { std::lock_guard lock(s.mu); }
  s.cv.notify_all();
}

void futex_wait_low(const std::atomic<std::uint64_t>& word, std::uint32_t expected_low,
                    const std::optional<Clock::time_point>& deadline) noexcept {
  Stripe& s = stripe_for(&word);
  std::unique_lock lock(s.mu);
  if (static_cast<std::uint32_t>(word.load(std::memory_order_acquire)) != expected_low) return;
  if (deadline) {
    s.cv.wait_until(lock, *deadline);
  } else {
    s.cv.wait(lock);
  }
}

void futex_wake_all_low(const std::atomic<std::uint64_t>* word) noexcept {
  Stripe& s = stripe_for(word);
  { std::lock_guard lock(s.mu); }
  s.cv.notify_all();
}

#endif

void Backoff::snooze() noexcept {
  if (step_ <= kSpinLimit) {
    for (std::uint32_t i = 0; i < (1u << step_); ++i) cpu_relax();
  } else {
    std::this_thread::yield();
  }
  if (step_ <= kYieldLimit) ++step_;
}

void Lock::lock_slow() noexcept {
  // Spin, then yield a few times (Backoff::snooze): the holder only moves
  // a value and a few pointers.
  Backoff backoff;
  while (!backoff.completed()) {
    std::uint32_t c = 0;
    if (word_.compare_exchange_weak(c, 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      return;
    }
    backoff.snooze();
  }
  while (word_.exchange(2, std::memory_order_acquire) != 0) futex_wait(word_, 2, std::nullopt);
}

// How long a Waiter spins before it parks.
//
// Parking costs two system calls and a context switch on each side (the
// futex wait, the peer's futex wake, the scheduler bringing the owner back),
// and on a virtual machine the wake-up of an idle vCPU can take tens of
// microseconds. Spinning costs only this core's time. So a waiter spins as
// long as the wait is likely to end soon, measured rather than assumed:
// - the hand-off time: an average of the waits that ended while spinning
//   (the time a peer takes to answer on this machine, with these caches);
//   the budget is four times it, so the slow tail of hand-offs still ends
//   in the spin;
// - the wake latency: an average, measured by parked waiters, from their
//   selection to their running again. A thread that has just woken a parked
//   peer spins for twice that before it parks itself, since the peer's
//   answer cannot come sooner; otherwise both sides of a ping-pong park in
//   turn and every round trip pays a wake-up.
// Both are bounded by multiples of the cost of one futex system call,
// calibrated once per process (`syscall`): at least 4x (spinning less than
// parking costs is never worth it) and at most 256x for the hand-off (1024x
// after waking a peer). Past that minimum the waiter yields between spins,
// so that on an oversubscribed machine the peer it waits for can run on
// this core; and it spins past the minimum only while spinning pays: an
// average of how often a spin ended in a selection rather than a park
// (`pays`, out of 1024) must stay at least one half. On a machine with more
// runnable threads than cores the peer is often not running, spins fail,
// and waiters park after the minimum, as a mutex and condition variable
// would at once.
namespace {

std::atomic<std::uint32_t> g_handoff_ns{0};
std::atomic<std::uint32_t> g_wake_ns{0};
std::atomic<std::uint32_t> g_spin_pays{1024};
thread_local bool t_woke_sleeper = false;

void count_spin(bool paid) noexcept {
  const std::int64_t old = g_spin_pays.load(std::memory_order_relaxed);
  const std::int64_t next = old + ((paid ? 1024 : 0) - old) / 16;
  g_spin_pays.store(static_cast<std::uint32_t>(next), std::memory_order_relaxed);
}

void average_in(std::atomic<std::uint32_t>& avg, std::uint64_t sample) noexcept {
  if (sample > UINT32_MAX) sample = UINT32_MAX;
  const std::int64_t old = avg.load(std::memory_order_relaxed);
  const std::int64_t next =
      old == 0 ? static_cast<std::int64_t>(sample) : old + (static_cast<std::int64_t>(sample) - old) / 8;
  avg.store(static_cast<std::uint32_t>(next), std::memory_order_relaxed);
}

std::uint64_t syscall_ns() noexcept {
  static const std::uint64_t cost = [] {
    std::atomic<std::uint32_t> word{0};
    std::uint64_t best = UINT64_MAX;
    for (int i = 0; i < 8; ++i) {
      const auto start = Clock::now();
      futex_wake_one(&word);
      const auto ns = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
      if (ns < best) best = ns;
    }
    return best < 50 ? std::uint64_t{50} : best;
  }();
  return cost;
}

std::uint64_t spin_budget_ns() noexcept {
  const std::uint64_t unit = syscall_ns();
  const bool woke_sleeper = t_woke_sleeper;
  t_woke_sleeper = false;
  if (g_spin_pays.load(std::memory_order_relaxed) < 512) return 4 * unit;
  std::uint64_t budget = 4 * std::uint64_t{g_handoff_ns.load(std::memory_order_relaxed)};
  if (budget < 4 * unit) budget = 4 * unit;
  if (budget > 256 * unit) budget = 256 * unit;
  if (woke_sleeper) {
    std::uint64_t after_wake = 2 * std::uint64_t{g_wake_ns.load(std::memory_order_relaxed)};
    if (after_wake > 1024 * unit) after_wake = 1024 * unit;
    if (after_wake > budget) budget = after_wake;
  }
  return budget;
}

std::uint64_t since(Clock::time_point start) noexcept {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

}  // namespace

bool spinning_pays() noexcept { return g_spin_pays.load(std::memory_order_relaxed) >= 512; }

void Waiter::wake(const Waiter* w) noexcept {
  t_woke_sleeper = true;
  futex_wake_one(&w->state_);
}

std::uint32_t Waiter::wait_until(
    const std::optional<Clock::time_point>& deadline) noexcept {
  if (std::uint32_t s = selected()) return s;
  const Clock::time_point start = Clock::now();
  Clock::time_point spin_end = start + std::chrono::nanoseconds(spin_budget_ns());
  if (deadline && *deadline < spin_end) spin_end = *deadline;
  const Clock::time_point yield_from = start + std::chrono::nanoseconds(4 * syscall_ns());
  for (std::uint32_t i = 1;; ++i) {
    if (std::uint32_t s = selected()) {
      average_in(g_handoff_ns, since(start));
      count_spin(true);
      return s;
    }
    cpu_relax();
    if ((i & 7) == 0) {
      const Clock::time_point now = Clock::now();
      if (now >= spin_end) {
        count_spin(false);
        break;
      }
      if (now >= yield_from) std::this_thread::yield();
    }
  }
  bool slept = false;
  for (;;) {
    std::uint32_t cur = state_.load(std::memory_order_acquire);
    if ((cur & ~kSleeping) != 0) {
      // The selection replaced kSleeping, and stamped the time when it saw
      // the bit.
      if (slept) {
        average_in(g_wake_ns,
                   static_cast<std::uint32_t>(clock_ns32() -
                                              selected_at_.load(std::memory_order_relaxed)));
      }
      return cur & ~kSleeping;
    }
    if (deadline && Clock::now() >= *deadline) {
      bool unused = false;
      if (try_select(kTimedOut, &unused)) return kTimedOut;
      continue;
    }
    if ((cur & kSleeping) == 0 &&
        !state_.compare_exchange_weak(cur, kSleeping, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      continue;
    }
    slept = true;
    futex_wait(state_, kSleeping, deadline);
  }
}

}  // namespace tether::detail
