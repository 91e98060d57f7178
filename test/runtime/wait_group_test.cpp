// Tests for tether/wait_group.h.
#include "tether/wait_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tether/leak.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::WaitGroup;
using tether_test::kTimeout;
using tether_test::Watchdog;

TEST(WaitGroupTest, WaitReturnsAtOnceWhenCounterIsZero) {
  Watchdog watchdog;
  WaitGroup wg;
  wg.wait();
  EXPECT_TRUE(wg.wait_for(0ms));
}

TEST(WaitGroupTest, WaitReturnsAfterLastDone) {
  Watchdog watchdog;
  WaitGroup wg;
  constexpr int kWorkers = 8;
  int results[kWorkers] = {};
  wg.add(kWorkers);
  std::vector<std::jthread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([&, i] {
      results[i] = i + 1;  // plain writes: done() must publish them
      wg.done();
    });
  }
  wg.wait();
  int sum = 0;
  for (int r : results) sum += r;
  EXPECT_EQ(sum, kWorkers * (kWorkers + 1) / 2);
}

TEST(WaitGroupTest, WaitForTimesOutWhileCounterPositive) {
  WaitGroup wg;
  wg.add(1);
  EXPECT_FALSE(wg.wait_for(1ms));
  EXPECT_FALSE(wg.wait_until(std::chrono::steady_clock::now()));
  wg.done();
  EXPECT_TRUE(wg.wait_for(kTimeout));
}

TEST(WaitGroupTest, WaitWithContextReturnsFalseWhenCancelled) {
  Watchdog watchdog;
  WaitGroup wg;
  wg.add(1);
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::jthread canceller([&cancel = cancel] { cancel(); });
  EXPECT_FALSE(wg.wait(ctx));
  auto [done_ctx, cancel_done] = tether::with_cancel(tether::background());
  cancel_done();
  EXPECT_FALSE(wg.wait(done_ctx));  // already cancelled
  wg.done();
  EXPECT_TRUE(wg.wait(done_ctx));  // zero wins over a cancelled context
}

TEST(WaitGroupTest, WaitWithContextReturnsTrueWhenDone) {
  Watchdog watchdog;
  WaitGroup wg;
  auto [ctx, cancel] = tether::with_timeout(tether::background(), kTimeout);
  wg.go([] {});
  EXPECT_TRUE(wg.wait(ctx));
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(WaitGroupTest, EveryWaiterIsReleased) {
  Watchdog watchdog;
  WaitGroup wg;
  wg.add(1);
  std::atomic<int> released{0};
  {
    std::vector<std::jthread> waiters;
    for (int i = 0; i < 4; ++i) {
      waiters.emplace_back([&] {
        if (wg.wait_for(kTimeout)) ++released;
      });
    }
    wg.done();
  }
  EXPECT_EQ(released, 4);
}

TEST(WaitGroupTest, GoRunsTasksAndWaitJoinsThem) {
  Watchdog watchdog;
  WaitGroup wg;
  std::atomic<int> count{0};
  for (int i = 0; i < 50; ++i) wg.go([&] { ++count; });
  wg.wait();
  EXPECT_EQ(count, 50);
  // Joined, not merely counted down: nothing is left running.
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(WaitGroupTest, GoPassesArguments) {
  Watchdog watchdog;
  WaitGroup wg;
  std::string out;
  wg.go([&out](int n, std::string s) { out = s + std::to_string(n); }, 7, std::string("x"));
  wg.wait();
  EXPECT_EQ(out, "x7");
}

TEST(WaitGroupTest, GoAcceptsMoveOnlyCallables) {
  Watchdog watchdog;
  WaitGroup wg;
  auto p = std::make_unique<int>(5);
  std::atomic<int> seen{0};
  wg.go([&seen, p = std::move(p)] { seen = *p; });
  wg.wait();
  EXPECT_EQ(seen, 5);
}

TEST(WaitGroupTest, DestructorJoinsGoThreads) {
  Watchdog watchdog;
  std::atomic<bool> release{false};
  std::atomic<int> finished{0};
  {
    WaitGroup wg;
    for (int i = 0; i < 4; ++i) {
      wg.go([&] {
        release.wait(false);
        ++finished;
      });
    }
    EXPECT_EQ(tether::running_thread_count(), 4u);
    release = true;
    release.notify_all();
  }  // ~WaitGroup joins
  EXPECT_EQ(finished, 4);
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(WaitGroupTest, ReusableAfterWait) {
  Watchdog watchdog;
  WaitGroup wg;
  std::atomic<int> count{0};
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 5; ++i) wg.go([&] { ++count; });
    wg.add(1);
    std::jthread manual([&] {
      ++count;
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(count, round * 6);
  }
}

TEST(WaitGroupTest, TasksMayStartMoreTasks) {
  Watchdog watchdog;
  WaitGroup wg;
  std::atomic<int> count{0};
  for (int i = 0; i < 4; ++i) {
    wg.go([&] {
      ++count;
      wg.go([&] { ++count; });
    });
  }
  wg.wait();
  EXPECT_EQ(count, 8);
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(WaitGroupTest, ManyGoWithoutWaitReapsFinishedThreads) {
  Watchdog watchdog;
  WaitGroup wg;
  std::atomic<int> count{0};
  for (int i = 0; i < 200; ++i) wg.go([&] { ++count; });
  wg.wait();
  EXPECT_EQ(count, 200);
}

TEST(WaitGroupTest, StressAddDoneWithConcurrentWaiters) {
  Watchdog watchdog;
  const long rounds = tether_test::scaled(300);
  WaitGroup wg;
  long checksum = 0;
  for (long r = 0; r < rounds; ++r) {
    constexpr int kWorkers = 4;
    constexpr int kUnits = 50;
    long partial[kWorkers] = {};
    wg.add(kWorkers * kUnits);
    std::vector<std::jthread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&, w] {
        for (int u = 0; u < kUnits; ++u) {
          partial[w] += u;
          wg.done();
        }
      });
    }
    std::jthread extra_waiter([&] { ASSERT_TRUE(wg.wait_for(kTimeout)); });
    wg.wait();
    for (long p : partial) checksum += p;
  }
  EXPECT_EQ(checksum, rounds * 4 * (49 * 50 / 2));
}

// ---- misuse ----

TEST(WaitGroupDeathTest, NegativeCounterAborts) {
  EXPECT_DEATH(
      {
        WaitGroup wg;
        wg.done();
      },
      "tether: negative WaitGroup counter");
  EXPECT_DEATH(
      {
        WaitGroup wg;
        wg.add(2);
        wg.add(-3);
      },
      "tether: negative WaitGroup counter");
}

TEST(WaitGroupDeathTest, ExceptionEscapingGoTaskNamesGroup) {
  EXPECT_DEATH(
      {
        WaitGroup wg;
        wg.go([] { throw std::runtime_error("boom"); });
        wg.wait();
      },
      "tether: exception escaped a WaitGroup::go task: boom; use tether::Group");
}

// ---- issue 15 regressions ----

// Go's rule: the WaitGroup may be freed as soon as a wait that saw zero
// returns, so the last done() must not touch the group after its counter
// reached zero. A timed waiter that gives up at the moment the last done()
// lands used to return true while done() was still about to lock the
// group's mutex (AddressSanitizer: heap-use-after-free). The doer spins a
// random 0-60 us before done(), so that it lands anywhere in the waiter's
// register / time out / withdraw cycle.
TEST(WaitGroupTest, LastDoneDoesNotTouchGroupOnceTimedWaiterSawZero) {
  Watchdog watchdog;
  const long rounds = tether_test::scaled(40000);
  std::atomic<WaitGroup*> slot{nullptr};
  std::atomic<bool> stop{false};
  std::jthread doer([&] {
    std::uint32_t rng = 1;
    for (;;) {
      if (WaitGroup* wg = slot.exchange(nullptr, std::memory_order_acq_rel)) {
        rng = rng * 1664525u + 1013904223u;
        const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds((rng >> 8) % 60000);
        while (std::chrono::steady_clock::now() < until) {
        }
        wg->done();
        continue;
      }
      if (stop.load(std::memory_order_acquire)) return;
      // Both loops yield while they wait for the other thread: with more
      // runnable threads than cores (ctest -j2 runs two of these tests on
      // two cores) a pure spin could hold the core the other thread needs
      // for a whole time slice, every round.
      std::this_thread::yield();
    }
  });
  for (long r = 0; r < rounds; ++r) {
    auto* wg = new WaitGroup;
    wg->add(1);
    slot.store(wg, std::memory_order_release);
    if (r % 2 == 0) {
      while (!wg->wait_for(0us)) std::this_thread::yield();
    } else {
      while (!wg->wait_until(std::chrono::steady_clock::now())) std::this_thread::yield();
    }
    delete wg;
  }
  stop.store(true, std::memory_order_release);
}

// Durations too large for the clock saturate to "no deadline".
TEST(WaitGroupTest, HugeWaitForDurationNeverTimesOut) {
  Watchdog watchdog;
  WaitGroup wg;
  wg.add(1);
  std::jthread finisher([&] { wg.done(); });
  EXPECT_TRUE(wg.wait_for(std::chrono::hours::max()));
  EXPECT_TRUE(wg.wait_for(std::chrono::nanoseconds::max()));
}

}  // namespace
