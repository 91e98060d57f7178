// Context tree, cancellation, on_cancel callbacks and the shared deadline
// timer.
#include "tether/context.h"

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <new>
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

void run_user_callbacks(detail::ContextState* n) noexcept;

// One process-wide timer thread serves every deadline. It is started on the
// first deadline and lives until the process exits (it holds no resources
// beyond its stack). Entries are keyed by (deadline, context) so a context
// removes its own entry in O(log n) when cancelled or destroyed. It never runs
// user code: a deadline's on_cancel callbacks go to the CallbackRunner.
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
  // After fork, in the child: deadlines inherited from the parent need a
  // thread again.
  void start_if_needed() {
    std::lock_guard lock(mu_);
    if (!entries_.empty() && !thread_.joinable()) thread_ = std::thread([this] { run(); });
  }

  void lock_for_fork() noexcept { mu_.lock(); }
  void unlock_after_fork() noexcept { mu_.unlock(); }
  // In the child only the forking thread exists: the timer thread is gone
  // (its std::thread and the condition variable's waiter state are stale).
  // Fresh objects, entries kept; the thread restarts lazily.
  void reset_in_child() noexcept {
    new (&mu_) std::mutex();
    new (&cv_) std::condition_variable();
    new (&thread_) std::thread();
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
      s->cancel(static_cast<int>(ContextError::deadline_exceeded), /*from_timer=*/true);
      s.reset();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::pair<detail::Clock::time_point, detail::ContextState*>> entries_;
  std::thread thread_;
};

// The thread that runs the on_cancel callbacks (and std::stop_callbacks) of
// contexts cancelled by a deadline, in deadline order, so that a slow
// callback delays later callbacks but never the timer. Started on first use,
// lives until the process exits.
class CallbackRunner {
 public:
  void post(std::vector<std::shared_ptr<detail::ContextState>>& nodes) noexcept {
    {
      std::lock_guard lock(mu_);
      for (auto& n : nodes) jobs_.push_back(std::move(n));
      if (!thread_.joinable() && !start_locked()) {
        // No thread can be created: run them here rather than never.
        std::deque<std::shared_ptr<detail::ContextState>> jobs;
        jobs.swap(jobs_);
        mu_.unlock();
        for (auto& n : jobs) run_user_callbacks(n.get());
        mu_.lock();
        return;
      }
    }
    cv_.notify_one();
  }
  void start_if_needed() noexcept {
    std::lock_guard lock(mu_);
    if (!jobs_.empty() && !thread_.joinable()) start_locked();
  }

  void lock_for_fork() noexcept { mu_.lock(); }
  void unlock_after_fork() noexcept { mu_.unlock(); }
  void reset_in_child() noexcept {
    new (&mu_) std::mutex();
    new (&cv_) std::condition_variable();
    new (&thread_) std::thread();
  }

 private:
  bool start_locked() noexcept {
    try {
      thread_ = std::thread([this] { run(); });
      return true;
    } catch (...) {
      return false;
    }
  }
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return !jobs_.empty(); });
      std::shared_ptr<detail::ContextState> n = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      run_user_callbacks(n.get());
      n.reset();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<detail::ContextState>> jobs_;
  std::thread thread_;
};

// The process-wide services, intentionally leaked: contexts may be destroyed
// during static destruction, after static objects would be gone.
struct Services {
  Timer timer;
  CallbackRunner runner;
};

std::atomic<bool> g_restart_after_fork{false};

Services& services();

void prepare_fork() noexcept {
  Services& s = services();
  s.runner.lock_for_fork();
  s.timer.lock_for_fork();
}
void parent_after_fork() noexcept {
  Services& s = services();
  s.timer.unlock_after_fork();
  s.runner.unlock_after_fork();
}
void child_after_fork() noexcept {
  Services& s = services();
  s.timer.reset_in_child();
  s.runner.reset_in_child();
  // Threads are not started here (ThreadSanitizer and POSIX both frown on
  // threads started from an atfork handler, and a child that calls exec
  // needs none): the next context operation that may need them does.
  g_restart_after_fork.store(true, std::memory_order_relaxed);
}

Services& services() {
  static Services* s = [] {
    auto* created = new Services;
    pthread_atfork(&prepare_fork, &parent_after_fork, &child_after_fork);
    return created;
  }();
  return *s;
}

Timer& timer() { return services().timer; }

// In a forked child, restarts the timer and callback threads when work for
// them was inherited. One relaxed load otherwise.
void restart_after_fork_if_needed() noexcept {
  if (!g_restart_after_fork.load(std::memory_order_relaxed)) return;
  if (!g_restart_after_fork.exchange(false, std::memory_order_relaxed)) return;
  try {
    services().timer.start_if_needed();
  } catch (...) {
    g_restart_after_fork.store(true, std::memory_order_relaxed);  // try again later
  }
  services().runner.start_if_needed();
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

// What mark_one found: whether it marked the node, and which later phases
// have work there. Once a node is marked no callback can be added to it
// (add_callback runs it inline), so a node without any needs no more locking.
enum : unsigned { kMarked = 1, kHasWakers = 2, kHasUserWork = 4 };

// Phase 1 of a cancel: marks one node cancelled and appends its children to
// `out` (they are marked when the walk reaches them). Not kMarked if the node
// was already cancelled: its own canceller runs its callbacks.
unsigned mark_one(detail::ContextState* n, int reason,
                  std::vector<std::shared_ptr<detail::ContextState>>& out) noexcept {
  unsigned found = kMarked;
  {
    std::lock_guard lock(n->mu);
    if (n->err.load(std::memory_order_relaxed) != 0) return 0;
    // Release: pairs with the acquire loads in cancelled()/err(), so writes
    // before cancel() are visible to whoever observes the cancellation.
    n->err.store(reason, std::memory_order_release);
    for (detail::ContextState* c = n->first_child; c != nullptr;) {
      detail::ContextState* next = c->next_sibling;
      c->prev_sibling = c->next_sibling = nullptr;
      c->linked = false;
      // A child whose last owner is gone is being destroyed; it no longer
      // needs cancelling (and will not touch our list: linked is false).
      if (auto sp = c->weak_from_this().lock()) out.push_back(std::move(sp));
      c = next;
    }
    n->first_child = nullptr;
    if (n->wakers != nullptr) found |= kHasWakers;
    // A stop_source created later requests stop itself (err is set).
    if (n->callbacks != nullptr || n->stop_source != nullptr) found |= kHasUserWork;
  }
  if (n->has_timer) timer().remove(n);
  return found;
}

// Pops and runs the callbacks of one list (n->wakers or n->callbacks), one at
// a time, each outside the lock.
void run_list(detail::ContextState* n, detail::CallbackNode* detail::ContextState::*list) noexcept {
  const std::thread::id self = std::this_thread::get_id();
  for (;;) {
    detail::CallbackNode* cb = nullptr;
    bool destroyed = false;
    {
      std::lock_guard lock(n->mu);
      cb = n->*list;
      if (cb == nullptr) return;
      n->*list = cb->next;
      if (cb->next != nullptr) cb->next->prev = nullptr;
      cb->prev = cb->next = nullptr;
      cb->runner = self;
      cb->destroyed = &destroyed;
      cb->state.store(detail::CallbackNode::kRunning, std::memory_order_relaxed);
    }
    cb->invoke(cb->arg);
    // The callback destroyed its own registration (remove_callback on this
    // thread set the flag): the node is gone, touch nothing.
    if (destroyed) continue;
    cb->destroyed = nullptr;
    // Release: pairs with remove_callback's acquire load, so the callback's
    // effects happen-before a destructor that waited for it returns.
    cb->state.store(detail::CallbackNode::kDone, std::memory_order_release);
    detail::futex_wake_all(&cb->state);  // cb may already be gone: no access
  }
}

// Phase 3: the user's on_cancel callbacks, then the stop_source's
// std::stop_callbacks.
void run_user_callbacks(detail::ContextState* n) noexcept {
  run_list(n, &detail::ContextState::callbacks);
  std::stop_source* ss = nullptr;
  {
    std::lock_guard lock(n->mu);
    ss = n->stop_source.get();  // never reset once created
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
// nested ones from a list instead of recursing. The list lives in the
// outermost call's frame; the thread_local is only a pointer to it (no
// destructor), because a Context with static storage can be destroyed after
// this thread's thread_local objects (for the main thread, exit() destroys
// those first).
static void release_parent(std::shared_ptr<ContextState> p) noexcept {
  thread_local std::vector<std::shared_ptr<ContextState>>* pending = nullptr;
  if (pending != nullptr) {
    pending->push_back(std::move(p));
    return;
  }
  std::vector<std::shared_ptr<ContextState>> local;
  pending = &local;
  p.reset();
  while (!local.empty()) {
    std::shared_ptr<ContextState> n = std::move(local.back());
    local.pop_back();
    n.reset();  // may push its own parent
  }
  pending = nullptr;
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

void ContextState::cancel(int reason, bool from_timer) noexcept {
  if (!cancellable) return;
  if (err.load(std::memory_order_acquire) == 0) {
    // Phase 1: mark the whole subtree, iteratively so a deep chain cannot
    // overflow the stack. A node is marked before its children are pushed,
    // so ancestors come before descendants in `wake` and `user`; nodes with
    // no work for phases 2 and 3 are released as soon as they are marked.
    std::vector<std::shared_ptr<ContextState>> stack;
    stack.push_back(shared_from_this());
    std::vector<std::shared_ptr<ContextState>> wake;
    std::vector<std::shared_ptr<ContextState>> user;  // may go to another thread
    while (!stack.empty()) {
      std::shared_ptr<ContextState> n = std::move(stack.back());
      stack.pop_back();
      const unsigned found = mark_one(n.get(), reason, stack);
      if ((found & kHasWakers) != 0) wake.push_back(n);
      if ((found & kHasUserWork) != 0) user.push_back(std::move(n));
    }
    // Phase 2: wake the runtime's blocked waits (cheap, never user code).
    for (auto& n : wake) run_list(n.get(), &ContextState::wakers);
    // Phase 3: user callbacks and stop callbacks, ancestors first; a
    // deadline's on the callback thread, so that the timer keeps serving
    // other deadlines (a deadline waited on by runtime waits only starts no
    // thread).
    if (from_timer) {
      if (!user.empty()) services().runner.post(user);
    } else {
      for (auto& n : user) run_user_callbacks(n.get());
    }
  }
  if (parent) {
    std::lock_guard lock(parent->mu);
    if (linked) unlink_child(parent.get(), this);
  }
}

bool ContextState::add_callback(CallbackNode* node) noexcept {
  restart_after_fork_if_needed();
  {
    std::lock_guard lock(mu);
    if (err.load(std::memory_order_relaxed) == 0) {
      CallbackNode*& list = node->internal ? wakers : callbacks;
      node->next = list;
      if (list != nullptr) list->prev = node;
      list = node;
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
      CallbackNode*& list = node->internal ? wakers : callbacks;
      if (node->prev != nullptr) {
        node->prev->next = node->next;
      } else {
        list = node->next;
      }
      if (node->next != nullptr) node->next->prev = node->prev;
      node->prev = node->next = nullptr;
      node->state.store(CallbackNode::kIdle, std::memory_order_relaxed);
      return;
    }
    // Destroyed from inside its own callback: do not wait for ourselves, and
    // tell the runner (this thread) not to touch the node again.
    if (st == CallbackNode::kRunning && node->runner == std::this_thread::get_id()) {
      if (node->destroyed != nullptr) *node->destroyed = true;
      return;
    }
  }
  while (node->state.load(std::memory_order_acquire) != CallbackNode::kDone) {
    futex_wait(node->state, CallbackNode::kRunning, std::nullopt);
  }
}

}  // namespace detail

std::pair<Context, CancelFunc> with_deadline_impl(
    const Context& parent, std::optional<std::chrono::steady_clock::time_point> t) {
  using detail::ContextState;
  restart_after_fork_if_needed();
  if (t == detail::Clock::time_point::max()) t.reset();  // "never"
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
  CancelCallback cb(detail::internal_callback, *this,
                    [&w]() noexcept { w.try_select_and_wake(detail::kCancelled); });
  w.wait_until(deadline);
  return cancelled();
}

std::stop_token Context::stop_token() const {
  if (!state_->cancellable) return {};
  restart_after_fork_if_needed();
  std::lock_guard lock(state_->mu);
  if (!state_->stop_source) {
    state_->stop_source = std::make_unique<std::stop_source>();
    if (state_->err.load(std::memory_order_relaxed) != 0) state_->stop_source->request_stop();
  }
  return state_->stop_source->get_token();
}

}  // namespace tether
