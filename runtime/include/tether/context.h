// tether::Context: a cancellation signal and optional deadline that flows down
// a tree of contexts, the C++ counterpart of Go's context.Context.
//
// See docs/runtime.md for the full contract.
#ifndef TETHER_CONTEXT_H
#define TETHER_CONTEXT_H

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>

#include "tether/detail/sync.h"

namespace tether {

// Why a context ended. Compare with `ctx.err() == ContextError::canceled`.
enum class ContextError : int {
  canceled = 1,           // "context canceled"
  deadline_exceeded = 2,  // "context deadline exceeded"
};

// The error category of ContextError; name() is "tether.context".
const std::error_category& context_category() noexcept;

inline std::error_code make_error_code(ContextError e) noexcept {
  return {static_cast<int>(e), context_category()};
}

}  // namespace tether

template <>
struct std::is_error_code_enum<tether::ContextError> : std::true_type {};

namespace tether {

class Context;
class CancelFunc;

namespace detail {

struct ContextState;
struct ContextAccess;

// A registered on_cancel callback. Lives inside a CancelCallback<F>.
//
// state: kIdle -> kListed (add_callback, under the context's mu) -> kRunning
// (popped by a canceller, under mu) -> kDone (release store by the runner
// after the callback returned; remove_callback acquires it), or kListed ->
// kIdle (remove_callback, under mu). `runner` and `destroyed` are written
// under mu when the node is popped.
struct CallbackNode {
  enum : std::uint32_t { kIdle = 0, kListed = 1, kRunning = 2, kDone = 3 };
  void (*invoke)(void* arg) noexcept = nullptr;
  void* arg = nullptr;
  CallbackNode* prev = nullptr;
  CallbackNode* next = nullptr;
  std::atomic<std::uint32_t> state{kIdle};
  std::thread::id runner;
  // While running: the runner's flag, set by remove_callback when the
  // callback destroys its own registration (std::stop_callback's rule), so
  // that the runner no longer touches the node.
  bool* destroyed = nullptr;
  // A runtime waker (a blocked wait's wake-up): runs on the cancelling
  // thread even for deadlines. User callbacks of a deadline run on the
  // callback thread instead, so that they cannot hold up the timer.
  bool internal = false;
};

// Tag for the runtime's own wake-up callbacks (see CallbackNode::internal).
struct InternalCallback {
  explicit InternalCallback() = default;
};
inline constexpr InternalCallback internal_callback{};

// Shared state of one context. Children are linked into their parent's list
// (guarded by the parent's mutex) and unlinked when they are cancelled or
// destroyed, so dropped children cost no memory.
struct ContextState : std::enable_shared_from_this<ContextState> {
  ContextState() noexcept;
  ContextState(const ContextState&) = delete;
  ContextState& operator=(const ContextState&) = delete;
  ~ContextState();

  // 0 while live, else the ContextError value. Written once, under mu_.
  std::atomic<int> err{0};
  bool cancellable = false;  // false only for background()
  std::optional<Clock::time_point> deadline;
  std::shared_ptr<ContextState> parent;  // keeps the chain alive

  std::mutex mu;
  ContextState* first_child = nullptr;  // guarded by mu
  CallbackNode* callbacks = nullptr;    // guarded by mu: user callbacks
  CallbackNode* wakers = nullptr;       // guarded by mu: internal ones
  std::unique_ptr<std::stop_source> stop_source;  // guarded by mu
  // Sibling links and `linked`, guarded by parent->mu.
  ContextState* prev_sibling = nullptr;
  ContextState* next_sibling = nullptr;
  bool linked = false;
  bool has_timer = false;  // immutable after construction

  // Cancels this context and its descendants with `reason` (if still live):
  // first marks the whole subtree cancelled, then wakes blocked waits, then
  // runs the on_cancel callbacks and stop callbacks (ancestors first) --
  // here, or on the callback thread when `from_timer` -- and unlinks this
  // context from its parent.
  void cancel(int reason, bool from_timer = false) noexcept;
  // Registers a callback; runs it inline (and returns false) if already
  // cancelled.
  bool add_callback(CallbackNode* node) noexcept;
  // Unregisters; waits for a callback running on another thread.
  void remove_callback(CallbackNode* node) noexcept;
};

const std::shared_ptr<ContextState>& background_state() noexcept;
// Number of context nodes alive in the process (for tests of memory use).
std::size_t live_context_count() noexcept;

}  // namespace detail

// A handle to a node of the context tree. Copies refer to the same context.
//
// Guarantees: once cancelled() returns true it stays true and err() never
// changes again; a cancel of any ancestor reaches every descendant.
// Thread safety: every member is safe to call concurrently.
// Memory ordering: cancelled() == true (and err() != {}) synchronises with the
// cancel that caused it: writes before cancel() are visible after.
// Lifetime: the context stays valid as long as any handle to it exists; it is
// never cancelled merely because handles are dropped (its CancelFunc is what
// cancels on destruction).
class Context {
 public:
  // The background context: never cancelled, no deadline.
  Context() noexcept : state_(detail::background_state()) {}

  // True once this context is cancelled or its deadline passed. One atomic
  // load with acquire ordering.
  [[nodiscard]] bool cancelled() const noexcept {
    return state_->err.load(std::memory_order_acquire) != 0;
  }
  // {} while live, then ContextError::canceled or
  // ContextError::deadline_exceeded, forever.
  [[nodiscard]] std::error_code err() const noexcept {
    int e = state_->err.load(std::memory_order_acquire);
    if (e == 0) return {};
    return make_error_code(static_cast<ContextError>(e));
  }
  // The effective deadline (the earliest of this context and its ancestors).
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline()
      const noexcept {
    return state_->deadline;
  }

  // Blocks until cancelled. Blocking on background() blocks forever.
  void wait() const;
  // Blocks until cancelled or the timeout passes; returns cancelled(). A
  // duration too large for the clock saturates to "never" (as does
  // time_point::max()).
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& d) const {
    return wait_until(detail::deadline_after(d));
  }
  bool wait_until(std::chrono::steady_clock::time_point t) const;

  // A std::stop_token that is stop-requested when this context is cancelled:
  // use it with std::condition_variable_any, std::stop_callback or code
  // written for std::jthread. For background() stop_possible() is false.
  [[nodiscard]] std::stop_token stop_token() const;

  friend bool operator==(const Context& a, const Context& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  friend class CancelFunc;
  friend struct detail::ContextAccess;
  friend std::pair<Context, CancelFunc> with_deadline_impl(
      const Context&, std::optional<std::chrono::steady_clock::time_point>);
  explicit Context(std::shared_ptr<detail::ContextState> s) noexcept
      : state_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> state_;
};

namespace detail {
struct ContextAccess {
  static ContextState* state(const Context& c) noexcept { return c.state_.get(); }
  static Context make(std::shared_ptr<ContextState> s) noexcept {
    return Context(std::move(s));
  }
};
}  // namespace detail

// The root of every context tree: never cancelled, no deadline.
[[nodiscard]] inline Context background() noexcept { return Context(); }

// Cancels the context it was created with. Move-only.
//
// Calling it (cancel() or operator()()) cancels the context with
// ContextError::canceled if it is still live; further calls do nothing. The
// destructor cancels too, so a forgotten cancel cannot leak the context: it
// also unlinks the context from its parent.
// Thread safety: cancel() may race with itself and with anything else.
class [[nodiscard]] CancelFunc {
 public:
  CancelFunc() noexcept = default;
  CancelFunc(CancelFunc&&) noexcept = default;
  CancelFunc& operator=(CancelFunc&& other) noexcept {
    if (this != &other) {
      cancel();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  CancelFunc(const CancelFunc&) = delete;
  CancelFunc& operator=(const CancelFunc&) = delete;
  ~CancelFunc() { cancel(); }

  void cancel() noexcept {
    if (state_) state_->cancel(static_cast<int>(ContextError::canceled));
  }
  void operator()() noexcept { cancel(); }

 private:
  friend std::pair<Context, CancelFunc> with_deadline_impl(
      const Context&, std::optional<std::chrono::steady_clock::time_point>);
  explicit CancelFunc(std::shared_ptr<detail::ContextState> s) noexcept
      : state_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> state_;
};

std::pair<Context, CancelFunc> with_deadline_impl(
    const Context& parent, std::optional<std::chrono::steady_clock::time_point> t);

// A child of `parent` cancelled by the returned CancelFunc or by the parent.
//   auto [ctx, cancel] = tether::with_cancel(parent);
[[nodiscard]] inline std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  return with_deadline_impl(parent, std::nullopt);
}

// A child that is also cancelled with ContextError::deadline_exceeded at `t`.
// Deadlines are served by one shared timer thread; a deadline no earlier than
// the parent's costs nothing (the child inherits the parent's).
// time_point::max() is "no deadline".
[[nodiscard]] inline std::pair<Context, CancelFunc> with_deadline(
    const Context& parent, std::chrono::steady_clock::time_point t) {
  return with_deadline_impl(parent, t);
}

// with_deadline(parent, now + d). A duration too large for the clock
// (hours::max()) saturates to "no deadline" instead of overflowing.
template <class Rep, class Period>
[[nodiscard]] std::pair<Context, CancelFunc> with_timeout(
    const Context& parent, const std::chrono::duration<Rep, Period>& d) {
  return with_deadline_impl(parent, detail::deadline_after(d));
}

// Runs a callback once when a context is cancelled: the counterpart of Go's
// context.AfterFunc and of std::stop_callback.
//
// Guarantees: f runs exactly once if the context is cancelled while this
// object is registered, and never after the destructor returns. Where: inline
// in the constructor when the context already is cancelled; on the thread
// that calls cancel() (a CancelFunc, a failing Group task); for a deadline,
// on the runtime's callback thread (never the timer thread, so a slow f
// cannot delay other deadlines). Order: a cancel first marks the context and
// every descendant cancelled, then runs callbacks, ancestors' before
// descendants', so f sees (and may wait for) its descendants cancelled.
// The destructor unregisters; when f is running on another thread, it waits
// for f to return. f may destroy this object (as with std::stop_callback):
// the destructor then returns at once and the runtime does not touch the
// object again; f must not use its own captures after that.
// Requirements: f must not throw (an escaping exception terminates). Keep f
// short: it delays the canceller (for deadlines: later deadlines' callbacks).
template <class F>
class [[nodiscard]] CancelCallback {
 public:
  template <class G>
  CancelCallback(const Context& ctx, G&& g)
      : fn_(std::forward<G>(g)), ctx_(ctx) {
    node_.invoke = &CancelCallback::run;
    node_.arg = this;
    detail::ContextState* s = detail::ContextAccess::state(ctx_);
    registered_ = s->cancellable && s->add_callback(&node_);
  }
  // The runtime's own wake-ups of blocked waits (see CallbackNode::internal).
  template <class G>
  CancelCallback(detail::InternalCallback, const Context& ctx, G&& g)
      : fn_(std::forward<G>(g)), ctx_(ctx) {
    node_.invoke = &CancelCallback::run;
    node_.arg = this;
    node_.internal = true;
    detail::ContextState* s = detail::ContextAccess::state(ctx_);
    registered_ = s->cancellable && s->add_callback(&node_);
  }
  CancelCallback(const CancelCallback&) = delete;
  CancelCallback& operator=(const CancelCallback&) = delete;
  ~CancelCallback() {
    if (registered_) detail::ContextAccess::state(ctx_)->remove_callback(&node_);
  }

 private:
  static void run(void* self) noexcept { static_cast<CancelCallback*>(self)->fn_(); }
  F fn_;
  Context ctx_;  // keeps the context alive while registered
  bool registered_ = false;
  detail::CallbackNode node_;
};

template <class G>
CancelCallback(const Context&, G&&) -> CancelCallback<std::decay_t<G>>;
template <class G>
CancelCallback(detail::InternalCallback, const Context&, G&&) -> CancelCallback<std::decay_t<G>>;

// Registers f to run once when ctx is cancelled; see CancelCallback.
//   auto reg = tether::on_cancel(ctx, [&] { cv.notify_all(); });
template <class G>
[[nodiscard]] CancelCallback<std::decay_t<G>> on_cancel(const Context& ctx, G&& f) {
  return CancelCallback<std::decay_t<G>>(ctx, std::forward<G>(f));
}

}  // namespace tether

#endif  // TETHER_CONTEXT_H
