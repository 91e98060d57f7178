// Parking primitives: Linux futex, with a portable striped mutex/condvar
// fallback elsewhere.
#include "tether/detail/sync.h"

#include <bit>
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

std::uint32_t Waiter::wait_until(
    const std::optional<Clock::time_point>& deadline) noexcept {
  Backoff backoff;
  while (!backoff.completed()) {
    if (std::uint32_t s = selected()) return s;
    backoff.snooze();
  }
  for (;;) {
    std::uint32_t cur = state_.load(std::memory_order_acquire);
    if ((cur & ~kSleeping) != 0) return cur & ~kSleeping;
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
    futex_wait(state_, kSleeping, deadline);
  }
}

}  // namespace tether::detail
