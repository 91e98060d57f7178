#include "tether/wait_group.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace tether {

void WaitGroup::exception_escaped(const char* what) noexcept {
  std::fprintf(stderr,
               "tether: exception escaped a WaitGroup::go task%s%s; use tether::Group "
               "to collect errors from tasks\n",
               what != nullptr ? ": " : "", what != nullptr ? what : "");
  std::fflush(stderr);
  std::abort();
}

bool WaitGroup::wait_counter(const std::optional<detail::Clock::time_point>& deadline,
                             const Context* ctx) {
  // Acquire: pairs with the release of the done() that reached zero.
  std::uint64_t s = state_.load(std::memory_order_acquire);
  if ((s >> 32) == 0) return true;
  // Enter: count ourselves as a waiter, so that the done() reaching zero
  // bumps the sequence we sleep on.
  for (;;) {
    if ((s >> 32) == 0) return true;
    if ((s & kWaiterMask) == kWaiterMask) detail::fatal("too many WaitGroup waiters");
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      break;
    }
  }
  std::atomic<bool> cancelled{false};
  // Runs while we are inside (the registration is reset before we leave), so
  // it may touch the group: it bumps the sequence so our sleep ends.
  auto on_cancel_fn = [this, &cancelled]() noexcept {
    cancelled.store(true, std::memory_order_release);
    std::uint64_t cur = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(cur, bump_sequence(cur), std::memory_order_release,
                                         std::memory_order_relaxed)) {
    }
    detail::futex_wake_all_low(&state_);
  };
  std::optional<CancelCallback<decltype(on_cancel_fn)>> registration;
  if (ctx != nullptr) registration.emplace(detail::internal_callback, *ctx, on_cancel_fn);

  bool zero = false;
  for (;;) {
    s = state_.load(std::memory_order_acquire);
    if ((s >> 32) == 0) {
      zero = true;
      break;
    }
    if (cancelled.load(std::memory_order_acquire)) break;
    if (deadline && detail::Clock::now() >= *deadline) break;
    detail::futex_wait_low(state_, static_cast<std::uint32_t>(s), deadline);
  }
  registration.reset();
  // Leave. A wait that gave up still reports a counter that reached zero
  // meanwhile.
  s = state_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  return zero || (s >> 32) == 0;
}

void WaitGroup::wait() {
  // Joining go() threads first makes the common go()+wait() a single sleep.
  threads_.join_all();
  wait_counter(std::nullopt, nullptr);
  threads_.join_all();
}

bool WaitGroup::wait_until(std::chrono::steady_clock::time_point t) {
  if (!wait_counter(detail::as_deadline(t), nullptr)) return false;
  threads_.join_all();
  return true;
}

bool WaitGroup::wait(const Context& ctx) {
  if (!wait_counter(std::nullopt, &ctx)) return false;
  threads_.join_all();
  return true;
}

}  // namespace tether
