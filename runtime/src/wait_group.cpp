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

void WaitGroup::wake_waiters() noexcept {
  {
    std::lock_guard lock(mu_);
    const std::uint64_t s = state_.load(std::memory_order_acquire);
    const auto waiters = static_cast<std::uint32_t>(s);
    // Someone may have added again, or the waiters already left.
    if ((s >> 32) != 0 || waiters == 0) return;
    state_.fetch_sub(waiters, std::memory_order_acq_rel);
    ++generation_;
  }
  cv_.notify_all();
}

bool WaitGroup::wait_counter(const std::optional<detail::Clock::time_point>& deadline,
                             const Context* ctx) {
  if ((state_.load(std::memory_order_acquire) >> 32) == 0) return true;
  bool cancelled = false;
  auto on_cancel_fn = [this, &cancelled]() noexcept {
    {
      std::lock_guard lock(mu_);
      cancelled = true;
    }
    cv_.notify_all();
  };
  // Registered before mu_ is taken: it may run inline, and it takes mu_.
  std::optional<CancelCallback<decltype(on_cancel_fn)>> registration;
  if (ctx != nullptr) registration.emplace(*ctx, on_cancel_fn);

  std::unique_lock lock(mu_);
  std::uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((s >> 32) == 0) return true;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      break;
    }
  }
  const std::uint64_t generation = generation_;
  while (generation_ == generation && !cancelled) {
    if (deadline) {
      if (cv_.wait_until(lock, *deadline) == std::cv_status::timeout) break;
    } else {
      cv_.wait(lock);
    }
  }
  if (generation_ != generation) return true;
  // Leave: withdraw our waiter registration (still counted, under mu_).
  s = state_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  return (s >> 32) == 0;
}

void WaitGroup::wait() {
  // Joining go() threads first makes the common go()+wait() a single sleep.
  threads_.join_all();
  wait_counter(std::nullopt, nullptr);
  threads_.join_all();
}

bool WaitGroup::wait_until(std::chrono::steady_clock::time_point t) {
  if (!wait_counter(t, nullptr)) return false;
  threads_.join_all();
  return true;
}

bool WaitGroup::wait(const Context& ctx) {
  if (!wait_counter(std::nullopt, &ctx)) return false;
  threads_.join_all();
  return true;
}

}  // namespace tether
