// Context tree, cancellation, on_cancel callbacks and the shared deadline
// timer.
#include "tether/context.h"

#include <condition_variable>
#include <set>
#include <string>
#include <vector>

namespace tether {
namespace {

class ContextCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tether.context"; }
  std::string message(int ev) const override {
    switch (static_cast<ContextError>(ev)) {
      case ContextError::canceled:
        return "context canceled";
      case ContextError::deadline_exceeded:
        return "context deadline exceeded";
    }
    return "unknown context error";
  }
  std::error_condition default_error_condition(int ev) const noexcept override {
    switch (static_cast<ContextError>(ev)) {
      case ContextError::canceled:
        return std::errc::operation_canceled;
      case ContextError::deadline_exceeded:
        return std::errc::timed_out;
    }
    return {ev, *this};
  }
};

// One process-wide timer thread serves every deadline. It is started on the
// first deadline and lives until the process exits (it holds no resources
// beyond its stack). Entries are keyed by (deadline, context) so a context
// removes its own entry in O(log n) when cancelled or destroyed.
class Timer {
 public:
  void add(detail::ContextState* s, detail::Clock::time_point t) {
    bool notify = false;
    {
      std::lock_guard lock(mu_);
      notify = entries_.empty() || t < entries_.begin()->first;
      entries_.emplace(t, s);
      if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    }
    if (notify) cv_.notify_one();
  }
  void remove(detail::ContextState* s) noexcept {
    std::lock_guard lock(mu_);
    entries_.erase({*s->deadline, s});
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (entries_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto it = entries_.begin();
      if (it->first > detail::Clock::now()) {
        cv_.wait_until(lock, it->first);
        continue;
      }
      // The context is still alive: its destructor erases this entry under
      // mu_ before freeing it. lock() fails once its last owner is gone.
      std::shared_ptr<detail::ContextState> s = it->second->weak_from_this().lock();
      entries_.erase(it);
      if (!s) continue;
      lock.unlock();
      s->cancel(static_cast<int>(ContextError::deadline_exceeded));
      s.reset();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::pair<detail::Clock::time_point, detail::ContextState*>> entries_;
  std::thread thread_;
};

Timer& timer() {
  // Intentionally leaked: contexts may be destroyed during static
  // destruction, after a static Timer would be gone.
  static Timer* t = new Timer;
  return *t;
}

void unlink_child(detail::ContextState* parent, detail::ContextState* c) noexcept {
  // Requires parent->mu.
  if (c->prev_sibling != nullptr) {
    c->prev_sibling->next_sibling = c->next_sibling;
  } else {
    parent->first_child = c->next_sibling;
  }
  if (c->next_sibling != nullptr) c->next_sibling->prev_sibling = c->prev_sibling;
  c->prev_sibling = c->next_sibling = nullptr;
  c->linked = false;
}

// Marks one node cancelled, detaches its children into `work`, runs its
// callbacks and signals its stop_source.
void cancel_one(detail::ContextState* n, int reason,
                std::vector<std::shared_ptr<detail::ContextState>>& work) noexcept {
  std::stop_source* ss = nullptr;
  {
    std::lock_guard lock(n->mu);
    if (n->err.load(std::memory_order_relaxed) != 0) return;
    n->err.store(reason, std::memory_order_release);
    for (detail::ContextState* c = n->first_child; c != nullptr;) {
      detail::ContextState* next = c->next_sibling;
      c->prev_sibling = c->next_sibling = nullptr;
      c->linked = false;
      // A child whose last owner is gone is being destroyed; it no longer
      // needs cancelling (and will not touch our list: linked is false).
      if (auto sp = c->weak_from_this().lock()) work.push_back(std::move(sp));
      c = next;
    }
    n->first_child = nullptr;
    ss = n->stop_source.get();
  }
  if (n->has_timer) timer().remove(n);
  const std::thread::id self = std::this_thread::get_id();
  for (;;) {
    detail::CallbackNode* cb = nullptr;
    {
      std::lock_guard lock(n->mu);
      cb = n->callbacks;
      if (cb == nullptr) break;
      n->callbacks = cb->next;
      if (cb->next != nullptr) cb->next->prev = nullptr;
      cb->prev = cb->next = nullptr;
      cb->runner = self;
      cb->state.store(detail::CallbackNode::kRunning, std::memory_order_relaxed);
    }
    cb->invoke(cb->arg);
    cb->state.store(detail::CallbackNode::kDone, std::memory_order_release);
    detail::futex_wake_all(&cb->state);  // cb may already be gone: no access
  }
  if (ss != nullptr) ss->request_stop();
}

}  // namespace

const std::error_category& context_category() noexcept {
  static const ContextCategory category;
  return category;
}

namespace detail {

const std::shared_ptr<ContextState>& background_state() noexcept {
  // Leaked on purpose so that Context handles in static objects stay valid
  // through static destruction.
  static const auto* s = new std::shared_ptr<ContextState>(std::make_shared<ContextState>());
  return *s;
}

namespace {
std::atomic<std::size_t> g_live_contexts{0};
}  // namespace

std::size_t live_context_count() noexcept {
  return g_live_contexts.load(std::memory_order_relaxed);
}

ContextState::ContextState() noexcept {
  g_live_contexts.fetch_add(1, std::memory_order_relaxed);
}

// Drops a destroyed context's reference to its parent. When that was the last
// reference, the parent's destructor runs and drops the grandparent, and so
// on: a chain of N contexts held only by its tip would recurse N deep and
// overflow the stack. The outermost release on a thread therefore drains the
// nested ones from a list instead of recursing.
static void release_parent(std::shared_ptr<ContextState> p) noexcept {
  thread_local bool draining = false;
  thread_local std::vector<std::shared_ptr<ContextState>> pending;
  if (draining) {
    pending.push_back(std::move(p));
    return;
  }
  draining = true;
  p.reset();
  while (!pending.empty()) {
    std::shared_ptr<ContextState> n = std::move(pending.back());
    pending.pop_back();
    n.reset();  // may push its own parent
  }
  draining = false;
}

ContextState::~ContextState() {
  g_live_contexts.fetch_sub(1, std::memory_order_relaxed);
  if (has_timer) timer().remove(this);
  if (parent) {
    {
      std::lock_guard lock(parent->mu);
      if (linked) unlink_child(parent.get(), this);
    }
    release_parent(std::move(parent));
  }
}

void ContextState::cancel(int reason) noexcept {
  if (!cancellable) return;
  if (err.load(std::memory_order_acquire) == 0) {
    std::vector<std::shared_ptr<ContextState>> work;
    cancel_one(this, reason, work);
    // Iterative, so a deep chain cannot overflow the stack.
    while (!work.empty()) {
      std::shared_ptr<ContextState> n = std::move(work.back());
      work.pop_back();
      cancel_one(n.get(), reason, work);
    }
  }
  if (parent) {
    std::lock_guard lock(parent->mu);
    if (linked) unlink_child(parent.get(), this);
  }
}

bool ContextState::add_callback(CallbackNode* node) noexcept {
  {
    std::lock_guard lock(mu);
    if (err.load(std::memory_order_relaxed) == 0) {
      node->next = callbacks;
      if (callbacks != nullptr) callbacks->prev = node;
      callbacks = node;
      node->state.store(CallbackNode::kListed, std::memory_order_relaxed);
      return true;
    }
  }
  node->invoke(node->arg);
  return false;
}

void ContextState::remove_callback(CallbackNode* node) noexcept {
  {
    std::lock_guard lock(mu);
    std::uint32_t st = node->state.load(std::memory_order_relaxed);
    if (st == CallbackNode::kListed) {
      if (node->prev != nullptr) {
        node->prev->next = node->next;
      } else {
        callbacks = node->next;
      }
      if (node->next != nullptr) node->next->prev = node->prev;
      node->prev = node->next = nullptr;
      node->state.store(CallbackNode::kIdle, std::memory_order_relaxed);
      return;
    }
    // Destroyed from inside its own callback: do not wait for ourselves.
    if (st == CallbackNode::kRunning && node->runner == std::this_thread::get_id()) return;
  }
  while (node->state.load(std::memory_order_acquire) != CallbackNode::kDone) {
    futex_wait(node->state, CallbackNode::kRunning, std::nullopt);
  }
}

}  // namespace detail

std::pair<Context, CancelFunc> with_deadline_impl(
    const Context& parent, std::optional<std::chrono::steady_clock::time_point> t) {
  using detail::ContextState;
  const std::shared_ptr<ContextState>& ps = parent.state_;
  auto s = std::make_shared<ContextState>();
  s->cancellable = true;
  s->deadline = ps->deadline;
  const bool own_timer = t && (!ps->deadline || *t < *ps->deadline);
  if (own_timer) {
    s->deadline = t;
    s->has_timer = true;
  }
  if (ps->cancellable) {
    s->parent = ps;
    std::lock_guard lock(ps->mu);
    if (int e = ps->err.load(std::memory_order_relaxed); e != 0) {
      s->err.store(e, std::memory_order_relaxed);
    } else {
      s->next_sibling = ps->first_child;
      if (ps->first_child != nullptr) ps->first_child->prev_sibling = s.get();
      ps->first_child = s.get();
      s->linked = true;
    }
  }
  if (own_timer && s->err.load(std::memory_order_acquire) == 0) {
    if (*t <= detail::Clock::now()) {
      s->cancel(static_cast<int>(ContextError::deadline_exceeded));
    } else {
      timer().add(s.get(), *t);
    }
  }
  return {Context(s), CancelFunc(s)};
}

void Context::wait() const {
  while (!wait_until(detail::Clock::time_point::max())) {
  }
}

bool Context::wait_until(std::chrono::steady_clock::time_point t) const {
  if (cancelled()) return true;
  detail::Waiter w;
  std::optional<detail::Clock::time_point> deadline;
  if (t != detail::Clock::time_point::max()) deadline = t;
  CancelCallback cb(*this, [&w]() noexcept { w.try_select_and_wake(detail::kCancelled); });
  w.wait_until(deadline);
  return cancelled();
}

std::stop_token Context::stop_token() const {
  if (!state_->cancellable) return {};
  std::lock_guard lock(state_->mu);
  if (!state_->stop_source) {
    state_->stop_source = std::make_unique<std::stop_source>();
    if (state_->err.load(std::memory_order_relaxed) != 0) state_->stop_source->request_stop();
  }
  return state_->stop_source->get_token();
}

}  // namespace tether
