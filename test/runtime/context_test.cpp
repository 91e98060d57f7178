// Tests for tether/context.h.
#include "tether/context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::Context;
using tether::ContextError;
using tether_test::kTimeout;
using tether_test::Watchdog;

// ---- background ----

TEST(ContextTest, BackgroundIsNeverCancelled) {
  Context bg = tether::background();
  EXPECT_FALSE(bg.cancelled());
  EXPECT_FALSE(bg.err());
  EXPECT_FALSE(bg.deadline().has_value());
  EXPECT_FALSE(bg.stop_token().stop_possible());
  EXPECT_FALSE(bg.wait_for(1ms));
  EXPECT_EQ(Context(), bg);
}

// ---- cancel ----

TEST(ContextTest, StructuredBindingWithCancel) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  EXPECT_FALSE(ctx.cancelled());
  cancel();
  EXPECT_TRUE(ctx.cancelled());
  EXPECT_EQ(ctx.err(), ContextError::canceled);
  EXPECT_EQ(ctx.err().message(), "context canceled");
  EXPECT_STREQ(ctx.err().category().name(), "tether.context");
  EXPECT_EQ(ctx.err(), std::errc::operation_canceled);
}

TEST(ContextTest, CancelFuncIsMoveOnly) {
  static_assert(!std::is_copy_constructible_v<tether::CancelFunc>);
  static_assert(!std::is_copy_assignable_v<tether::CancelFunc>);
  static_assert(std::is_nothrow_move_constructible_v<tether::CancelFunc>);
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  tether::CancelFunc moved = std::move(cancel);
  EXPECT_FALSE(ctx.cancelled());
  moved.cancel();
  EXPECT_TRUE(ctx.cancelled());
}

TEST(ContextTest, CancelIsIdempotent) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  cancel();
  cancel.cancel();
  cancel();
  EXPECT_EQ(ctx.err(), ContextError::canceled);
}

TEST(ContextTest, CancelFuncDestructorCancels) {
  Context ctx;
  {
    auto [c, cancel] = tether::with_cancel(tether::background());
    ctx = c;
    EXPECT_FALSE(ctx.cancelled());
  }
  EXPECT_TRUE(ctx.cancelled());
  EXPECT_EQ(ctx.err(), ContextError::canceled);
}

TEST(ContextTest, MoveAssignCancelsTheOverwrittenContext) {
  auto [a, cancel_a] = tether::with_cancel(tether::background());
  auto [b, cancel_b] = tether::with_cancel(tether::background());
  cancel_a = std::move(cancel_b);
  EXPECT_TRUE(a.cancelled());
  EXPECT_FALSE(b.cancelled());
  cancel_a();
  EXPECT_TRUE(b.cancelled());
}

TEST(ContextTest, ParentCancelReachesEveryDescendant) {
  auto [root, cancel_root] = tether::with_cancel(tether::background());
  std::vector<std::pair<Context, tether::CancelFunc>> nodes;
  std::vector<Context> frontier{root};
  for (int depth = 0; depth < 4; ++depth) {
    std::vector<Context> next;
    for (const Context& p : frontier) {
      for (int i = 0; i < 3; ++i) {
        nodes.push_back(tether::with_cancel(p));
        next.push_back(nodes.back().first);
      }
    }
    frontier = std::move(next);
  }
  ASSERT_EQ(nodes.size(), 3u + 9u + 27u + 81u);
  for (auto& [ctx, cancel] : nodes) EXPECT_FALSE(ctx.cancelled());
  cancel_root();
  for (auto& [ctx, cancel] : nodes) EXPECT_EQ(ctx.err(), ContextError::canceled);
}

TEST(ContextTest, CancellationFlowsDownOnly) {
  auto [parent, cancel_parent] = tether::with_cancel(tether::background());
  auto [child, cancel_child] = tether::with_cancel(parent);
  auto [sibling, cancel_sibling] = tether::with_cancel(parent);
  auto [grandchild, cancel_grandchild] = tether::with_cancel(child);
  cancel_child();
  EXPECT_TRUE(child.cancelled());
  EXPECT_TRUE(grandchild.cancelled());
  EXPECT_FALSE(parent.cancelled());
  EXPECT_FALSE(sibling.cancelled());
}

TEST(ContextTest, ChildOfCancelledParentStartsCancelled) {
  auto [parent, cancel] = tether::with_timeout(tether::background(), -1ms);
  ASSERT_EQ(parent.err(), ContextError::deadline_exceeded);
  auto [child, cancel_child] = tether::with_cancel(parent);
  EXPECT_EQ(child.err(), ContextError::deadline_exceeded);
}

TEST(ContextTest, CancelFanOutToTenThousandDescendants) {
  auto [root, cancel_root] = tether::with_cancel(tether::background());
  std::vector<std::pair<Context, tether::CancelFunc>> nodes;
  nodes.reserve(10000);
  for (int i = 0; i < 100; ++i) nodes.push_back(tether::with_cancel(root));
  for (int i = 0; i < 9900; ++i) nodes.push_back(tether::with_cancel(nodes[i % 100].first));
  cancel_root();
  for (auto& [ctx, cancel] : nodes) ASSERT_TRUE(ctx.cancelled());
}

TEST(ContextTest, DeepChainCancelDoesNotRecurse) {
  // A 100k-deep chain: cancellation is iterative, so no stack overflow.
  auto [root, cancel_root] = tether::with_cancel(tether::background());
  std::vector<std::pair<Context, tether::CancelFunc>> chain;
  const long n = tether_test::scaled(100000);
  chain.reserve(static_cast<std::size_t>(n));
  Context tip = root;
  for (long i = 0; i < n; ++i) {
    chain.push_back(tether::with_cancel(tip));
    tip = chain.back().first;
  }
  cancel_root();
  EXPECT_EQ(tip.err(), ContextError::canceled);
  // Destroy from the tip so no destructor chain is deep either (a node
  // holds its parent: dropping the root of a 100k chain last would recurse).
  tip = Context();
  while (!chain.empty()) chain.pop_back();
}

TEST(ContextTest, DeepChainHeldOnlyByItsTipIsDestroyedWithoutRecursion) {
  // Each context holds its parent, so dropping the only handle to the tip of
  // a deep chain releases the whole chain: iteratively, not one stack frame
  // per ancestor (a recursive release overflows the stack long before 1M).
  const long n = tether_test::scaled(1000000);
  Context tip = tether::background();  // created once, on first use
  const std::size_t live_before = tether::detail::live_context_count();
  {
    std::vector<tether::CancelFunc> cancels;
    cancels.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
      auto [child, cancel] = tether::with_cancel(tip);
      tip = std::move(child);
      cancels.push_back(std::move(cancel));
    }
    // The cancel functions are released root first: each cancels its
    // context and, in turn, every descendant; the chain stays alive through
    // the tip.
  }
  EXPECT_EQ(tip.err(), ContextError::canceled);
  EXPECT_EQ(tether::detail::live_context_count() - live_before, static_cast<std::size_t>(n));
  tip = Context();
  EXPECT_EQ(tether::detail::live_context_count(), live_before);
}

// ---- memory ----

TEST(ContextTest, DroppedChildrenKeepMemoryFlat) {
  auto [parent, cancel] = tether::with_cancel(tether::background());
  const std::size_t before = tether::detail::live_context_count();
  const long n = tether_test::scaled(1000000);
  for (long i = 0; i < n; ++i) {
    auto [child, cancel_child] = tether::with_cancel(parent);
    if (i % 2 == 0) {
      // A timer entry must be dropped with its context too.
      auto [timed, cancel_timed] = tether::with_timeout(child, 1h);
    }
  }
  EXPECT_EQ(tether::detail::live_context_count(), before);
  EXPECT_EQ(tether::detail::ContextAccess::state(parent)->first_child, nullptr);
}

TEST(ContextTest, CancelledChildIsUnlinkedWhileHandlesLive) {
  auto [parent, cancel] = tether::with_cancel(tether::background());
  auto [child, cancel_child] = tether::with_cancel(parent);
  EXPECT_NE(tether::detail::ContextAccess::state(parent)->first_child, nullptr);
  cancel_child();
  EXPECT_EQ(tether::detail::ContextAccess::state(parent)->first_child, nullptr);
}

// ---- deadlines ----

TEST(ContextTest, TimeoutReportsDeadlineExceeded) {
  auto [ctx, cancel] = tether::with_timeout(tether::background(), 5ms);
  ASSERT_TRUE(ctx.deadline().has_value());
  ASSERT_TRUE(ctx.wait_for(kTimeout));
  EXPECT_EQ(ctx.err(), ContextError::deadline_exceeded);
  EXPECT_EQ(ctx.err().message(), "context deadline exceeded");
  EXPECT_EQ(ctx.err(), std::errc::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now(), *ctx.deadline());
}

TEST(ContextTest, ErrIsStickyAfterCancel) {
  auto [ctx, cancel] = tether::with_timeout(tether::background(), 5ms);
  cancel();
  EXPECT_EQ(ctx.err(), ContextError::canceled);
  auto [probe, cancel_probe] = tether::with_timeout(tether::background(), 10ms);
  ASSERT_TRUE(probe.wait_for(kTimeout));  // the first deadline has passed too
  EXPECT_EQ(ctx.err(), ContextError::canceled);
}

TEST(ContextTest, PastDeadlineIsCancelledAtOnce) {
  auto [ctx, cancel] =
      tether::with_deadline(tether::background(), std::chrono::steady_clock::now() - 1s);
  EXPECT_EQ(ctx.err(), ContextError::deadline_exceeded);
}

TEST(ContextTest, LaterChildDeadlineInheritsParentDeadline) {
  auto [parent, cancel] = tether::with_timeout(tether::background(), 1h);
  auto [child, cancel_child] = tether::with_timeout(parent, 2h);
  EXPECT_EQ(child.deadline(), parent.deadline());
  EXPECT_FALSE(tether::detail::ContextAccess::state(child)->has_timer);
  auto [earlier, cancel_earlier] = tether::with_timeout(parent, 1min);
  EXPECT_LT(*earlier.deadline(), *parent.deadline());
  EXPECT_TRUE(tether::detail::ContextAccess::state(earlier)->has_timer);
}

TEST(ContextTest, ParentDeadlineCancelsChildWithDeadlineExceeded) {
  auto [parent, cancel] = tether::with_timeout(tether::background(), 5ms);
  auto [child, cancel_child] = tether::with_cancel(parent);
  ASSERT_TRUE(child.wait_for(kTimeout));
  EXPECT_EQ(child.err(), ContextError::deadline_exceeded);
}

#if defined(__linux__)
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(ContextTest, DeadlinesShareOneTimerThread) {
  { auto [warm, cancel] = tether::with_timeout(tether::background(), 1h); }
  const std::size_t before = thread_count();
  std::vector<std::pair<Context, tether::CancelFunc>> timed;
  for (int i = 0; i < 1000; ++i) {
    timed.push_back(tether::with_timeout(tether::background(), 1ms * (i % 50 + 1)));
  }
  EXPECT_EQ(thread_count(), before);
  for (auto& [ctx, cancel] : timed) ASSERT_TRUE(ctx.wait_for(kTimeout));
  for (auto& [ctx, cancel] : timed) EXPECT_EQ(ctx.err(), ContextError::deadline_exceeded);
  EXPECT_EQ(thread_count(), before);
}
#endif

// ---- waiting ----

TEST(ContextTest, WaitReturnsWhenCancelledFromAnotherThread) {
  Watchdog watchdog;
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::jthread canceller([&cancel = cancel] { cancel(); });
  ctx.wait();
  EXPECT_TRUE(ctx.cancelled());
}

TEST(ContextTest, WaitForTimesOutOnLiveContext) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  EXPECT_FALSE(ctx.wait_for(1ms));
  EXPECT_FALSE(ctx.wait_until(std::chrono::steady_clock::now()));
}

TEST(ContextTest, CancelHappensBeforeObservedCancelled) {
  // TSan verifies: the plain write before cancel() is visible after.
  for (int round = 0; round < 100; ++round) {
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    int payload = 0;
    std::jthread writer([&payload, &cancel = cancel] {
      payload = 42;
      cancel();
    });
    ASSERT_TRUE(ctx.wait_for(kTimeout));
    EXPECT_EQ(payload, 42);
  }
}

// ---- std::stop_token bridge ----

TEST(ContextTest, StopTokenWakesConditionVariableAny) {
  Watchdog watchdog;
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::mutex mu;
  std::condition_variable_any cv;
  std::stop_token token = ctx.stop_token();
  EXPECT_TRUE(token.stop_possible());
  std::jthread canceller([&cancel = cancel] { cancel(); });
  std::unique_lock lock(mu);
  const bool pred = cv.wait(lock, token, [] { return false; });
  EXPECT_FALSE(pred);
  EXPECT_TRUE(token.stop_requested());
}

TEST(ContextTest, StopTokenDrivesJthreadWorker) {
  Watchdog watchdog;
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::atomic<bool> stopped{false};
  {
    std::jthread worker([&stopped, token = ctx.stop_token()](std::stop_token) {
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock lock(mu);
      cv.wait(lock, token, [] { return false; });
      stopped = true;
    });
    cancel();
  }  // joins
  EXPECT_TRUE(stopped);
}

TEST(ContextTest, StopTokenOfCancelledContextIsStopRequested) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  cancel();
  EXPECT_TRUE(ctx.stop_token().stop_requested());
  int calls = 0;
  std::stop_callback cb(ctx.stop_token(), [&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

// ---- on_cancel ----

TEST(ContextTest, OnCancelRunsExactlyOnce) {
  auto [parent, cancel_parent] = tether::with_cancel(tether::background());
  auto [ctx, cancel] = tether::with_cancel(parent);
  std::atomic<int> calls{0};
  auto reg = tether::on_cancel(ctx, [&] { ++calls; });
  EXPECT_EQ(calls, 0);
  cancel();
  cancel();
  cancel_parent();
  EXPECT_EQ(calls, 1);
}

TEST(ContextTest, OnCancelRunsInlineWhenAlreadyCancelled) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  cancel();
  std::thread::id ran_on;
  auto reg = tether::on_cancel(ctx, [&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(ContextTest, OnCancelNeverRunsAfterDestruction) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  int calls = 0;
  { auto reg = tether::on_cancel(ctx, [&] { ++calls; }); }
  cancel();
  EXPECT_EQ(calls, 0);
}

TEST(ContextTest, OnCancelOnBackgroundNeverRuns) {
  int calls = 0;
  { auto reg = tether::on_cancel(tether::background(), [&] { ++calls; }); }
  EXPECT_EQ(calls, 0);
}

TEST(ContextTest, OnCancelRunsOnCallbackThreadForDeadlines) {
  Watchdog watchdog;
  auto [ctx, cancel] = tether::with_timeout(tether::background(), 2ms);
  std::atomic<int> ran{0};  // 1: on another thread, 2: on this one
  const auto self = std::this_thread::get_id();
  auto reg = tether::on_cancel(ctx, [&] {
    ran = std::this_thread::get_id() != self ? 1 : 2;
    ran.notify_all();
  });
  ASSERT_TRUE(ctx.wait_for(kTimeout));
  ran.wait(0);  // the callback thread runs it after the deadline (watchdog guards)
  EXPECT_EQ(ran.load(), 1);
}

TEST(ContextTest, OnCancelDestructorWaitsForRunningCallback) {
  Watchdog watchdog;
  for (int round = 0; round < 20; ++round) {
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    std::atomic<bool> started{false};
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    auto reg = std::make_unique<tether::CancelCallback<std::function<void()>>>(
        ctx, std::function<void()>([&] {
          started = true;
          started.notify_all();
          release.wait(false);
          finished = true;
        }));
    std::jthread canceller([&cancel = cancel] { cancel(); });
    started.wait(false);
    std::jthread releaser([&] {
      release = true;
      release.notify_all();
    });
    reg.reset();  // must not return while the callback runs
    EXPECT_TRUE(finished.load());
  }
}

TEST(ContextTest, ConcurrentChildCreationAndCancel) {
  Watchdog watchdog;
  const long rounds = tether_test::scaled(200);
  for (long r = 0; r < rounds; ++r) {
    auto [parent, cancel_parent] = tether::with_cancel(tether::background());
    std::vector<std::pair<Context, tether::CancelFunc>> made[2];
    {
      std::jthread a([&, &p = parent] {
        for (int i = 0; i < 50; ++i) made[0].push_back(tether::with_cancel(p));
      });
      std::jthread b([&, &p = parent] {
        for (int i = 0; i < 50; ++i) made[1].push_back(tether::with_timeout(p, 1h));
      });
      cancel_parent();
    }
    for (auto& v : made) {
      for (auto& [ctx, cancel] : v) ASSERT_EQ(ctx.err(), ContextError::canceled);
    }
  }
}

// ---- issue 15 regressions ----

// with_timeout and wait_for with durations too large for the clock saturate
// to "never" (UndefinedBehaviorSanitizer: signed overflow; plain: a deadline
// in the past that cancels at once).
TEST(ContextTest, HugeDurationsSaturateToNever) {
  Watchdog watchdog;
  auto [ctx, cancel] = tether::with_timeout(tether::background(), std::chrono::hours::max());
  EXPECT_FALSE(ctx.cancelled());
  EXPECT_FALSE(ctx.wait_for(1ms));
  EXPECT_FALSE(ctx.cancelled());
  auto [ctx2, cancel2] = tether::with_timeout(ctx, std::chrono::nanoseconds::max());
  EXPECT_FALSE(ctx2.cancelled());
  std::jthread canceller([&] { cancel(); });
  EXPECT_TRUE(ctx2.wait_for(std::chrono::nanoseconds::max()));
  EXPECT_EQ(ctx2.err(), ContextError::canceled);
}

// A Context with static storage that is the last holder of a chain is
// destroyed after the main thread's thread_local objects: releasing the
// chain then must not use them (AddressSanitizer: heap-use-after-free).
Context chain_of_three() {
  auto [a, cancel_a] = tether::with_cancel(tether::background());
  auto [b, cancel_b] = tether::with_cancel(a);
  auto [c, cancel_c] = tether::with_cancel(b);
  return c;
}

[[noreturn]] void exit_with_static_chain_holder() {
  // Releasing a chain held by its tip once, at run time, uses the thread's
  // release scratch.
  Context tip = chain_of_three();
  tip = Context();
  static Context holder;
  holder = chain_of_three();
  std::exit(0);
}

TEST(ContextDeathTest, StaticContextHoldingAChainIsReleasedAtExit) {
  EXPECT_EXIT(exit_with_static_chain_holder(), ::testing::ExitedWithCode(0), "");
}

// As std::stop_callback allows, a callback may destroy its own
// registration; the canceller must not touch it afterwards
// (AddressSanitizer: heap-use-after-free).
TEST(ContextTest, CallbackMayDestroyItsOwnRegistration) {
  using Registration = tether::CancelCallback<std::function<void()>>;
  for (int inline_cancel = 0; inline_cancel < 2; ++inline_cancel) {
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    std::unique_ptr<Registration> reg;
    int runs = 0;
    reg = std::make_unique<Registration>(ctx, std::function<void()>([&] {
                                           ++runs;
                                           reg.reset();
                                         }));
    if (inline_cancel != 0) {
      cancel();
    } else {
      std::jthread canceller([&] { cancel(); });
    }
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(reg, nullptr);
  }
}

// Cancelling marks the whole subtree cancelled before any callback runs, so
// a callback on a parent can rely on (or wait for) its children being
// cancelled. It used to run before the children were cancelled.
TEST(ContextTest, CallbacksRunAfterTheWholeSubtreeIsCancelled) {
  Watchdog watchdog;
  auto [parent, cancel] = tether::with_cancel(tether::background());
  auto [child, cancel_child] = tether::with_cancel(parent);
  auto [grandchild, cancel_grandchild] = tether::with_cancel(child);
  bool child_cancelled = false;
  bool grandchild_cancelled = false;
  bool waited = false;
  auto reg = tether::on_cancel(parent, [&]() noexcept {
    child_cancelled = child.cancelled();
    grandchild_cancelled = grandchild.cancelled();
    waited = grandchild.wait_for(2s);  // returned at once: already cancelled
  });
  std::vector<int> order;
  auto reg_child = tether::on_cancel(child, [&]() noexcept { order.push_back(2); });
  auto reg_parent2 = tether::on_cancel(parent, [&]() noexcept { order.push_back(1); });
  cancel();
  EXPECT_TRUE(child_cancelled);
  EXPECT_TRUE(grandchild_cancelled);
  EXPECT_TRUE(waited);
  EXPECT_EQ(order, (std::vector<int>{1, 2})) << "ancestors' callbacks run before descendants'";
}

// A slow on_cancel callback of one deadline must not hold up the others:
// deadlines are served by one timer thread, which used to run callbacks
// itself.
TEST(ContextTest, SlowDeadlineCallbackDoesNotDelayOtherDeadlines) {
  Watchdog watchdog;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> slow_returned{false};
  auto [slow, cancel_slow] = tether::with_timeout(tether::background(), 20ms);
  const std::thread::id test_thread = std::this_thread::get_id();
  std::atomic<bool> ran_inline{false};
  auto reg = tether::on_cancel(slow, [&]() noexcept {
    // On a loaded machine the deadline can pass before on_cancel: then the
    // callback runs here, at registration, and proves nothing.
    if (std::this_thread::get_id() == test_thread) {
      ran_inline.store(true);
      return;
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, 10s, [&] { return release; });  // guard: never forever
    slow_returned.store(true);
  });
  if (ran_inline.load()) GTEST_SKIP() << "the 20 ms deadline passed before on_cancel registered";
  EXPECT_TRUE(slow.wait_for(kTimeout));
  auto [fast, cancel_fast] = tether::with_timeout(tether::background(), 5ms);
  EXPECT_TRUE(fast.wait_for(kTimeout));
  EXPECT_FALSE(slow_returned.load()) << "the second deadline waited for the first one's callback";
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
}

}  // namespace
