// Tests for tether/group.h.
#include "tether/group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tether/channel.h"
#include "tether/leak.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::Context;
using tether::Group;
using tether_test::kTimeout;
using tether_test::Watchdog;

TEST(GroupTest, WaitReturnsEmptyWhenAllSucceed) {
  Watchdog watchdog;
  Group g;
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) g.go([&] { ++ran; });
  g.go([&](const Context& ctx) {
    EXPECT_FALSE(ctx.cancelled());
    ++ran;
  });
  g.go([&]() -> std::error_code {
    ++ran;
    return {};
  });
  EXPECT_FALSE(g.wait());
  EXPECT_EQ(ran, 12);
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(GroupTest, FirstErrorCodeIsReturnedAndCancelsTheOthers) {
  Watchdog watchdog;
  Group g;
  std::atomic<bool> other_saw_cancel{false};
  g.go([&](const Context& ctx) -> std::error_code {
    if (!ctx.wait_for(kTimeout)) return std::make_error_code(std::errc::timed_out);
    other_saw_cancel = true;
    return ctx.err();  // a later failure: not reported
  });
  g.go([]() -> std::error_code { return std::make_error_code(std::errc::io_error); });
  EXPECT_EQ(g.wait(), std::errc::io_error);
  EXPECT_TRUE(other_saw_cancel);
  EXPECT_TRUE(g.context().cancelled());
}

TEST(GroupTest, ExceptionIsRethrownByWait) {
  Watchdog watchdog;
  Group g;
  std::atomic<bool> other_saw_cancel{false};
  g.go([&](const Context& ctx) {
    if (ctx.wait_for(kTimeout)) other_saw_cancel = true;
  });
  g.go([] { throw std::runtime_error("disk on fire"); });
  try {
    (void)g.wait();
    FAIL() << "wait() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk on fire");
  }
  EXPECT_TRUE(other_saw_cancel);
  // Reported again by a second wait().
  EXPECT_THROW((void)g.wait(), std::runtime_error);
}

TEST(GroupTest, ErrorCodeFirstMeansNoThrow) {
  Watchdog watchdog;
  Group g;
  g.go([](const Context& ctx) {
    ctx.wait();  // guarded by the watchdog
    throw std::runtime_error("after cancel");
  });
  g.go([]() -> std::error_code { return std::make_error_code(std::errc::bad_message); });
  std::error_code ec;
  EXPECT_NO_THROW(ec = g.wait());
  EXPECT_EQ(ec, std::errc::bad_message);
}

TEST(GroupTest, ParentCancelReachesTasks) {
  Watchdog watchdog;
  auto [parent, cancel] = tether::with_cancel(tether::background());
  Group g(parent);
  std::atomic<bool> saw{false};
  g.go([&](const Context& ctx) {
    ctx.wait();
    saw = ctx.err() == tether::ContextError::canceled;
  });
  cancel();
  EXPECT_FALSE(g.wait());  // cancellation by the parent is not a task failure
  EXPECT_TRUE(saw);
}

TEST(GroupTest, WaitCancelsTheGroupContext) {
  Group g;
  g.go([] {});
  EXPECT_FALSE(g.wait());
  EXPECT_TRUE(g.context().cancelled());
}

TEST(GroupTest, SetLimitBoundsConcurrency) {
  Watchdog watchdog;
  Group g;
  g.set_limit(2);
  std::atomic<int> active{0}, peak{0}, done{0};
  for (int i = 0; i < 20; ++i) {
    g.go([&] {
      int now = ++active;
      int prev = peak.load();
      while (now > prev && !peak.compare_exchange_weak(prev, now)) {
      }
      for (int spin = 0; spin < 1000; ++spin) std::this_thread::yield();
      --active;
      ++done;
    });
  }
  EXPECT_FALSE(g.wait());
  EXPECT_EQ(done, 20);
  EXPECT_LE(peak, 2);
  EXPECT_GE(peak, 1);
}

TEST(GroupTest, TryGoRefusesAtTheLimit) {
  Watchdog watchdog;
  Group g;
  g.set_limit(1);
  tether::Channel<int> gate;
  ASSERT_TRUE(g.try_go([&] { (void)gate.recv(); }));
  EXPECT_FALSE(g.try_go([] { FAIL() << "must not run"; }));
  gate.close();
  EXPECT_FALSE(g.wait());
  EXPECT_TRUE(g.try_go([] {}));
  EXPECT_FALSE(g.wait());
}

TEST(GroupTest, DestructorCancelsAndJoinsWithoutTerminating) {
  Watchdog watchdog;
  std::atomic<bool> exited{false};
  {
    Group g;
    g.go([&](const Context& ctx) {
      ctx.wait();  // only the destructor's cancel ends this
      exited = true;
    });
    g.go([] { throw std::logic_error("dropped with the group"); });
  }
  EXPECT_TRUE(exited);
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(GroupTest, TasksMayStartTasks) {
  Watchdog watchdog;
  Group g;
  std::atomic<int> ran{0};
  g.go([&] {
    ++ran;
    g.go([&] { ++ran; });
  });
  EXPECT_FALSE(g.wait());
  EXPECT_EQ(ran, 2);
}

TEST(GroupTest, StressFirstFailureOfMany) {
  Watchdog watchdog(std::chrono::seconds(280));
  const long rounds = tether_test::scaled(100);
  for (long r = 0; r < rounds; ++r) {
    Group g;
    g.set_limit(4);
    std::atomic<long> work{0};
    const int failing = static_cast<int>(r % 16);
    for (int t = 0; t < 16; ++t) {
      g.go([&, t](const Context& ctx) -> std::error_code {
        if (t == failing) return std::make_error_code(std::errc::invalid_argument);
        if (!ctx.cancelled()) work += t;
        return {};
      });
    }
    EXPECT_EQ(g.wait(), std::errc::invalid_argument);
    EXPECT_LE(work.load(), 15 * 16 / 2);
  }
}

TEST(GroupDeathTest, SetLimitWhileActiveAborts) {
  EXPECT_DEATH(
      {
        Group g;
        tether::Channel<int> gate;
        g.go([&] { (void)gate.recv(); });
        g.set_limit(1);
      },
      "tether: Group::set_limit while tasks are active");
}

}  // namespace
