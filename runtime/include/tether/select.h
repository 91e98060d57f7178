// tether::select: waits on several channel operations, a context and a
// timeout at once and performs exactly one -- Go's select statement.
//
//   std::optional<Job> job;
//   switch (tether::select(tether::recv_case(jobs, job),
//                          tether::done_case(ctx),
//                          tether::timeout_case(1s))) {
//     case 0: ...  // job holds the value, or nullopt if jobs is closed
//     case 1: ...  // ctx cancelled
//     case 2: ...  // nothing happened for 1s
//   }
//
// See docs/runtime.md for the full contract.
#ifndef TETHER_SELECT_H
#define TETHER_SELECT_H

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tether/channel.h"
#include "tether/context.h"
#include "tether/detail/sync.h"
#include "tether/detail/wait_list.h"

namespace tether {

namespace detail {

// Handler that does nothing (a case given without one).
struct NoHandler {
  template <class... A>
  void operator()(A&&...) const noexcept {}
};

std::uint64_t select_random() noexcept;  // per-thread xorshift

// Select cases are non-copyable, non-movable objects living for one select
// call; they hold the wait-queue entries that point back into them.
struct CaseBase {
  CaseBase() = default;
  CaseBase(const CaseBase&) = delete;
  CaseBase& operator=(const CaseBase&) = delete;
  static constexpr bool is_default = false;
  static constexpr bool is_timeout = false;
};

}  // namespace detail

template <class T, class F>
class RecvCase : public detail::CaseBase {
 public:
  template <class G>
  RecvCase(detail::ChannelState<T>* s, G&& f) : state_(s), fn_(std::forward<G>(f)) {}

  // select() internals.
  bool try_now(const detail::Waiter* self) {
    value_.reset();
    return state_->try_recv(value_, self) != ChannelStatus::would_block;
  }
  bool arm(detail::Waiter& w, std::uint32_t token) {
    entry_ = {};
    entry_.waiter = &w;
    entry_.token = token;
    entry_.packet = &packet_;
    packet_.ready.store(detail::Packet<T>::kPending, std::memory_order_relaxed);
    packet_.recv_slot = &value_;
    value_.reset();
    return state_->register_recv(&entry_);
  }
  void disarm() { state_->unregister_recv(&entry_); }
  bool on_selected(const detail::Waiter* self) {
    if (state_->capacity() == 0) {
      packet_.wait();  // kDone: value_ holds it; kClosed: value_ is empty
      return true;
    }
    return try_now(self);
  }
  void fire() {
    if constexpr (std::is_same_v<F, std::optional<T>*>) {
      *fn_ = std::move(value_);
    } else {
      std::invoke(fn_, std::move(value_));
    }
  }

 private:
  detail::ChannelState<T>* state_;
  F fn_;
  std::optional<T> value_;
  detail::WaitEntry entry_;
  detail::Packet<T> packet_;
};

template <class T, class F>
class SendCase : public detail::CaseBase {
 public:
  // Sends *v (moved from only if delivered); `owned` makes the case own a copy.
  template <class G>
  SendCase(detail::ChannelState<T>* s, T* v, G&& f) : state_(s), value_(v), fn_(std::forward<G>(f)) {}
  template <class G>
  SendCase(detail::ChannelState<T>* s, std::in_place_t, T&& v, G&& f)
      : state_(s), owned_(std::move(v)), value_(&*owned_), fn_(std::forward<G>(f)) {}

  bool try_now(const detail::Waiter* self) {
    const ChannelStatus st = state_->try_send(*value_, self);
    if (st == ChannelStatus::would_block) return false;
    sent_ = st == ChannelStatus::ok;
    return true;
  }
  bool arm(detail::Waiter& w, std::uint32_t token) {
    entry_ = {};
    entry_.waiter = &w;
    entry_.token = token;
    entry_.packet = &packet_;
    packet_.ready.store(detail::Packet<T>::kPending, std::memory_order_relaxed);
    packet_.send_value = value_;
    return state_->register_send(&entry_);
  }
  void disarm() { state_->unregister_send(&entry_); }
  bool on_selected(const detail::Waiter* self) {
    if (state_->capacity() == 0) {
      sent_ = packet_.wait() == detail::Packet<T>::kDone;
      return true;
    }
    return try_now(self);
  }
  void fire() {
    if constexpr (std::is_invocable_v<F&, bool>) {
      std::invoke(fn_, sent_);
    } else {
      std::invoke(fn_);
    }
  }

 private:
  detail::ChannelState<T>* state_;
  std::optional<T> owned_;
  T* value_;
  F fn_;
  bool sent_ = false;
  detail::WaitEntry entry_;
  detail::Packet<T> packet_;
};

template <class F>
class DoneCase : public detail::CaseBase {
 public:
  template <class G>
  DoneCase(const Context& ctx, G&& f) : ctx_(ctx), fn_(std::forward<G>(f)) {}

  bool try_now(const detail::Waiter*) const noexcept { return ctx_.cancelled(); }
  bool arm(detail::Waiter& w, std::uint32_t token) {
    registration_.emplace(detail::internal_callback, ctx_, Notify{&w, token});
    return false;
  }
  void disarm() { registration_.reset(); }
  bool on_selected(const detail::Waiter*) const noexcept { return true; }
  void fire() { std::invoke(fn_); }

 private:
  struct Notify {
    detail::Waiter* w;
    std::uint32_t token;
    void operator()() const noexcept { w->try_select_and_wake(token); }
  };
  Context ctx_;
  F fn_;
  std::optional<CancelCallback<Notify>> registration_;
};

template <class F>
class TimeoutCase : public detail::CaseBase {
 public:
  static constexpr bool is_timeout = true;
  template <class G>
  TimeoutCase(std::chrono::steady_clock::time_point deadline, G&& f)
      : deadline_(deadline), fn_(std::forward<G>(f)) {}

  bool try_now(const detail::Waiter*) const noexcept {
    return detail::Clock::now() >= deadline_;
  }
  bool arm(detail::Waiter&, std::uint32_t) noexcept { return false; }
  void disarm() noexcept {}
  bool on_selected(const detail::Waiter*) const noexcept { return true; }
  void fire() { std::invoke(fn_); }
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const noexcept { return deadline_; }

 private:
  std::chrono::steady_clock::time_point deadline_;
  F fn_;
};

template <class F>
class DefaultCase : public detail::CaseBase {
 public:
  static constexpr bool is_default = true;
  template <class G>
  explicit DefaultCase(G&& f) : fn_(std::forward<G>(f)) {}

  bool try_now(const detail::Waiter*) const noexcept { return false; }
  bool arm(detail::Waiter&, std::uint32_t) noexcept { return false; }
  void disarm() noexcept {}
  bool on_selected(const detail::Waiter*) const noexcept { return true; }
  void fire() { std::invoke(fn_); }

 private:
  F fn_;
};

// ---- case factories ----

// Receives from ch. Ready when a value is available or ch is closed; f is
// called with the std::optional<T> received (nullopt: closed and drained).
template <class T, class F>
  requires std::invocable<std::decay_t<F>&, std::optional<T>>
[[nodiscard]] RecvCase<T, std::decay_t<F>> recv_case(const Channel<T>& ch, F&& f) {
  return {detail::ChannelAccess<T>::state(ch), std::forward<F>(f)};
}
template <class T, class F>
  requires std::invocable<std::decay_t<F>&, std::optional<T>>
[[nodiscard]] RecvCase<T, std::decay_t<F>> recv_case(const Receiver<T>& r, F&& f) {
  return {detail::ChannelAccess<T>::state(r), std::forward<F>(f)};
}
// Receives from ch into out (set to nullopt if ch is closed and drained).
template <class T>
[[nodiscard]] RecvCase<T, std::optional<T>*> recv_case(const Channel<T>& ch, std::optional<T>& out) {
  return {detail::ChannelAccess<T>::state(ch), &out};
}
template <class T>
[[nodiscard]] RecvCase<T, std::optional<T>*> recv_case(const Receiver<T>& r, std::optional<T>& out) {
  return {detail::ChannelAccess<T>::state(r), &out};
}

// Sends v on ch. Ready when v can be delivered now or ch is closed; f is
// called with true (delivered) or false (closed), or with no argument. An
// lvalue v is moved from only if delivered; an rvalue is owned by the case.
template <class T, class F = detail::NoHandler>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Channel<T>& ch, std::type_identity_t<T>& v,
                                                     F&& f = {}) {
  return {detail::ChannelAccess<T>::state(ch), &v, std::forward<F>(f)};
}
template <class T, class F = detail::NoHandler>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Channel<T>& ch, std::type_identity_t<T>&& v,
                                                     F&& f = {}) {
  return {detail::ChannelAccess<T>::state(ch), std::in_place, std::move(v), std::forward<F>(f)};
}
template <class T, class F = detail::NoHandler>
  requires std::is_copy_constructible_v<T>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Channel<T>& ch,
                                                     const std::type_identity_t<T>& v, F&& f = {}) {
  return {detail::ChannelAccess<T>::state(ch), std::in_place, T(v), std::forward<F>(f)};
}
template <class T, class F = detail::NoHandler>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Sender<T>& s, std::type_identity_t<T>& v,
                                                     F&& f = {}) {
  return {detail::ChannelAccess<T>::state(s), &v, std::forward<F>(f)};
}
template <class T, class F = detail::NoHandler>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Sender<T>& s, std::type_identity_t<T>&& v,
                                                     F&& f = {}) {
  return {detail::ChannelAccess<T>::state(s), std::in_place, std::move(v), std::forward<F>(f)};
}
template <class T, class F = detail::NoHandler>
  requires std::is_copy_constructible_v<T>
[[nodiscard]] SendCase<T, std::decay_t<F>> send_case(const Sender<T>& s,
                                                     const std::type_identity_t<T>& v, F&& f = {}) {
  return {detail::ChannelAccess<T>::state(s), std::in_place, T(v), std::forward<F>(f)};
}

// Ready when ctx is cancelled (never, for background()).
template <class F = detail::NoHandler>
[[nodiscard]] DoneCase<std::decay_t<F>> done_case(const Context& ctx, F&& f = {}) {
  return {ctx, std::forward<F>(f)};
}

// Ready once d has passed since the case was created (at the select call).
// A duration too large for the clock saturates: the case never fires.
template <class Rep, class Period, class F = detail::NoHandler>
[[nodiscard]] TimeoutCase<std::decay_t<F>> timeout_case(const std::chrono::duration<Rep, Period>& d,
                                                         F&& f = {}) {
  return {detail::deadline_after(d), std::forward<F>(f)};
}
// Ready once the deadline has passed.
template <class F = detail::NoHandler>
[[nodiscard]] TimeoutCase<std::decay_t<F>> deadline_case(std::chrono::steady_clock::time_point t,
                                                          F&& f = {}) {
  return {t, std::forward<F>(f)};
}

// Chosen when no other case is ready at the call: select never blocks.
template <class F = detail::NoHandler>
[[nodiscard]] DefaultCase<std::decay_t<F>> default_case(F&& f = {}) {
  return DefaultCase<std::decay_t<F>>(std::forward<F>(f));
}

namespace detail {

template <class Tuple, class Fn, std::size_t... I>
bool case_at(Tuple& cases, std::size_t i, Fn&& fn, std::index_sequence<I...>) {
  bool result = false;
  ((i == I ? (result = fn(std::get<I>(cases)), void()) : void()), ...);
  return result;
}

}  // namespace detail

// Performs exactly one ready case -- chosen uniformly at random among the
// cases ready at the call -- runs its handler, and returns its index (0-based,
// in argument order). Blocks until a case is ready unless a default_case is
// given.
//
// A receive is ready when a value is available or its channel is closed; a
// send when the value can be delivered now (at capacity 0: a receiver is
// waiting) or its channel is closed; a done_case when its context is
// cancelled; a timeout_case when its time has passed. Exactly one operation
// takes effect: no value is received or sent by a case that was not chosen.
// Handlers run on the calling thread after the choice, outside any lock.
// Thread safety: any number of threads may select on the same channels.
template <class... Cases>
std::size_t select(Cases&&... cases) {
  constexpr std::size_t kN = sizeof...(Cases);
  static_assert(kN > 0, "select needs at least one case");
  static_assert(((std::remove_cvref_t<Cases>::is_default ? 1 : 0) + ... + 0) <= 1,
                "select accepts at most one default_case");
  constexpr std::size_t kDefault = [] {
    std::size_t i = 0, found = kN;
    ((std::remove_cvref_t<Cases>::is_default ? (found = i, ++i) : ++i), ...);
    return found;
  }();
  auto all = std::forward_as_tuple(cases...);
  constexpr auto kIdx = std::make_index_sequence<kN>{};
  auto with_case = [&](std::size_t i, auto&& fn) { return detail::case_at(all, i, fn, kIdx); };

  // The earliest timeout case, if any.
  std::optional<detail::Clock::time_point> deadline;
  std::size_t timeout_index = kN;
  {
    std::size_t i = 0;
    (
        [&](auto& c) {
          if constexpr (std::remove_cvref_t<decltype(c)>::is_timeout) {
            if (!deadline || c.deadline() < *deadline) {
              deadline = c.deadline();
              timeout_index = i;
            }
          }
          ++i;
        }(cases),
        ...);
  }

  std::array<std::size_t, kN> order;
  for (std::size_t i = 0; i < kN; ++i) order[i] = i;
  detail::Waiter waiter;
  for (;;) {
    // Fisher-Yates: every ready case is equally likely to be tried first.
    for (std::size_t i = kN; i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(detail::select_random() % i);
      std::swap(order[i - 1], order[j]);
    }
    for (std::size_t i : order) {
      if (with_case(i, [](auto& c) { return c.try_now(nullptr); })) {
        with_case(i, [](auto& c) { c.fire(); return true; });
        return i;
      }
    }
    if constexpr (kDefault < kN) {
      with_case(kDefault, [](auto& c) { c.fire(); return true; });
      return kDefault;
    }

    // Block: queue on every case, then re-check (a case may have become
    // ready before we were queued) by aborting the wait if one did.
    waiter.reset();
    std::size_t armed = 0;
    bool maybe_ready = false;
    while (armed < kN && !maybe_ready && waiter.selected() == 0) {
      const std::size_t i = armed++;
      maybe_ready = with_case(
          i, [&](auto& c) { return c.arm(waiter, static_cast<std::uint32_t>(i + 1)); });
    }
    if (maybe_ready) {
      bool unused = false;
      waiter.try_select(detail::kAborted, &unused);
    }
    const std::uint32_t token =
        waiter.wait_until(deadline ? detail::as_deadline(*deadline) : std::nullopt);
    for (std::size_t i = 0; i < armed; ++i) {
      with_case(i, [](auto& c) { c.disarm(); return true; });
    }
    if (token == detail::kTimedOut) {
      with_case(timeout_index, [](auto& c) { c.fire(); return true; });
      return timeout_index;
    }
    if (token == detail::kAborted) continue;
    const std::size_t chosen = token - 1;
    if (with_case(chosen, [&](auto& c) { return c.on_selected(&waiter); })) {
      with_case(chosen, [](auto& c) { c.fire(); return true; });
      return chosen;
    }
  }
}

}  // namespace tether

#endif  // TETHER_SELECT_H
