// tether::Group: an error group -- a set of tasks working on one job, sharing
// a Context that the first failure cancels; the counterpart of Go's
// golang.org/x/sync/errgroup.
//
// See docs/runtime.md for the full contract.
#ifndef TETHER_GROUP_H
#define TETHER_GROUP_H

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <source_location>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tether/context.h"
#include "tether/detail/thread_set.h"

namespace tether {

// Runs tasks on threads it owns; the first failing task cancels the others'
// context and is reported by wait().
//
// Requirements: a task is callable as f(const Context&) or f(), and returns
// void or std::error_code. It should return soon after its context is
// cancelled.
// Guarantees: a failure is a thrown exception or a returned non-zero
// error_code; the first one (in completion order) is recorded and cancels
// context(). wait() joins every task, then cancels context(), then rethrows
// the first failure if it was an exception, else returns its error_code, else
// {}. ~Group without wait() cancels context() and joins; failures are then
// discarded -- no exception ever reaches std::terminate.
// Thread safety: go, try_go and wait may be called concurrently, also from
// tasks (except wait(), which would wait for itself). set_limit only while no
// task is active.
// Memory ordering: everything a task did happens-before wait() returns.
class Group {
 public:
  // A group whose context is a child of background().
  Group() : Group(background()) {}
  // A group whose context is a child of parent: cancelling parent cancels
  // the tasks' context.
  explicit Group(const Context& parent) {
    auto [ctx, cancel] = with_cancel(parent);
    ctx_ = std::move(ctx);
    cancel_ = std::move(cancel);
  }
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
  ~Group() {
    cancel_.cancel();
    threads_.join_all();
  }

  // The context handed to tasks; cancelled by the first failure, by the
  // parent, and when wait() returns.
  [[nodiscard]] const Context& context() const noexcept { return ctx_; }

  // At most n tasks run at once (n > 0); n < 0 removes the limit. Aborts
  // ("tether: Group::set_limit while tasks are active") if tasks are active,
  // or for n == 0.
  void set_limit(int n);

  // Starts f on a new owned thread, first blocking while the limit is
  // reached. Throws std::system_error if no thread can be created.
  template <class F>
  void go(F&& f, std::source_location where = std::source_location::current()) {
    check_task<F>();
    acquire_slot(/*block=*/true);
    start(std::forward<F>(f), where);
  }
  // Starts f only if the limit allows it now; returns whether it did.
  template <class F>
  [[nodiscard]] bool try_go(F&& f, std::source_location where = std::source_location::current()) {
    check_task<F>();
    if (!acquire_slot(/*block=*/false)) return false;
    start(std::forward<F>(f), where);
    return true;
  }

  // Joins every task, cancels context(), then reports the first failure:
  // rethrows it if it was an exception, else returns its error_code, else {}.
  // May be called again: it reports the same failure.
  [[nodiscard]] std::error_code wait();

 private:
  template <class F>
  static constexpr void check_task() {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, const Context&>) {
      using R = std::invoke_result_t<Fn&, const Context&>;
      static_assert(std::is_void_v<R> || std::is_same_v<R, std::error_code>,
                    "Group task must return void or std::error_code");
    } else {
      static_assert(std::is_invocable_v<Fn&>,
                    "Group task must be callable as f(const tether::Context&) or f()");
      using R = std::invoke_result_t<Fn&>;
      static_assert(std::is_void_v<R> || std::is_same_v<R, std::error_code>,
                    "Group task must return void or std::error_code");
    }
  }

  template <class F>
  void start(F&& f, const std::source_location& where) {
    try {
      threads_.spawn([this, fn = std::forward<F>(f)]() mutable { run(fn); }, where,
                     "tether::Group::go",
                     detail::TaskHooks{&Group::task_finished, &Group::task_vanished, this});
    } catch (...) {
      release_slot();
      throw;
    }
  }

  template <class Fn>
  void run(Fn& fn) noexcept {
    try {
      if constexpr (std::is_invocable_v<Fn&, const Context&>) {
        if constexpr (std::is_void_v<std::invoke_result_t<Fn&, const Context&>>) {
          std::invoke(fn, std::as_const(ctx_));
        } else if (std::error_code ec = std::invoke(fn, std::as_const(ctx_))) {
          fail(ec, nullptr);
        }
      } else {
        if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
          std::invoke(fn);
        } else if (std::error_code ec = std::invoke(fn)) {
          fail(ec, nullptr);
        }
      }
    } catch (...) {
      fail({}, std::current_exception());
    }
  }

  bool acquire_slot(bool block);
  void release_slot() noexcept;
  static void task_finished(void* self) noexcept { static_cast<Group*>(self)->release_slot(); }
  // In a forked child (single-threaded, from the atfork handler): no lock.
  static void task_vanished(void* self) noexcept { --static_cast<Group*>(self)->active_; }
  void fail(std::error_code ec, std::exception_ptr e) noexcept;

  Context ctx_;
  CancelFunc cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;          // guarded by mu_
  int limit_ = -1;          // guarded by mu_
  bool failed_ = false;     // guarded by mu_
  std::error_code error_;   // guarded by mu_
  std::exception_ptr exception_;  // guarded by mu_
  detail::ThreadSet threads_;
};

}  // namespace tether

#endif  // TETHER_GROUP_H
