// Tests for tether/select.h.
#include "tether/select.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tether/wait_group.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::Channel;
using tether_test::kTimeout;
using tether_test::Watchdog;

TEST(SelectTest, ReceivesFromTheReadyChannel) {
  Channel<int> a(1), b(1);
  ASSERT_TRUE(b.send(7));
  std::optional<int> from_a, from_b;
  const auto i = tether::select(tether::recv_case(a, from_a), tether::recv_case(b, from_b),
                                tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(from_b, 7);
  EXPECT_FALSE(from_a.has_value());
  EXPECT_EQ(a.size() + b.size(), 0u);
}

TEST(SelectTest, DefaultRunsWhenNothingIsReady) {
  Channel<int> ch;
  bool ran_default = false;
  int value = 5;
  const auto i = tether::select(tether::recv_case(ch, [](std::optional<int>) { FAIL(); }),
                                tether::send_case(ch, value),
                                tether::default_case([&] { ran_default = true; }));
  EXPECT_EQ(i, 2u);
  EXPECT_TRUE(ran_default);
}

TEST(SelectTest, TimeoutFiresWhenNothingHappens) {
  Watchdog watchdog;
  Channel<int> ch;
  bool timed_out = false;
  const auto i = tether::select(tether::recv_case(ch, [](std::optional<int>) { FAIL(); }),
                                tether::timeout_case(2ms, [&] { timed_out = true; }));
  EXPECT_EQ(i, 1u);
  EXPECT_TRUE(timed_out);
}

TEST(SelectTest, EarliestTimeoutWins) {
  Watchdog watchdog;
  Channel<int> ch;
  const auto i = tether::select(tether::timeout_case(kTimeout), tether::timeout_case(1ms),
                                tether::deadline_case(std::chrono::steady_clock::now() + kTimeout));
  EXPECT_EQ(i, 1u);
}

TEST(SelectTest, DoneCaseFiresWhenContextIsCancelled) {
  Watchdog watchdog;
  Channel<int> ch;
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::jthread canceller([&cancel = cancel] { cancel(); });
  std::optional<int> v;
  const auto i = tether::select(tether::recv_case(ch, v), tether::done_case(ctx),
                                tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 1u);
  EXPECT_TRUE(ctx.cancelled());
}

TEST(SelectTest, DoneCaseOnBackgroundNeverFires) {
  const auto i = tether::select(tether::done_case(tether::background()), tether::default_case());
  EXPECT_EQ(i, 1u);
}

TEST(SelectTest, ClosedChannelIsReadyWithNullopt) {
  Channel<int> ch;
  ch.close();
  bool saw_closed = false;
  const auto i = tether::select(
      tether::recv_case(ch, [&](std::optional<int> v) { saw_closed = !v.has_value(); }),
      tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(saw_closed);
}

TEST(SelectTest, SendCaseOnClosedChannelReportsFalseAndKeepsValue) {
  Channel<std::unique_ptr<int>> ch(1);
  ch.close();
  auto p = std::make_unique<int>(4);
  std::optional<bool> delivered;
  const auto i = tether::select(tether::send_case(ch, p, [&](bool ok) { delivered = ok; }),
                                tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 0u);
  EXPECT_EQ(delivered, false);
  EXPECT_NE(p, nullptr);
}

TEST(SelectTest, SendCaseRendezvousWithBlockedReceiver) {
  Watchdog watchdog;
  Channel<int> ch;
  std::optional<int> got;
  std::jthread receiver([&] { got = ch.recv(); });
  bool sent = false;
  const auto i = tether::select(tether::send_case(ch, 11, [&] { sent = true; }),
                                tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(sent);
  receiver.join();
  EXPECT_EQ(got, 11);
}

TEST(SelectTest, BlockedSelectReceivesFromUnbufferedSender) {
  Watchdog watchdog;
  Channel<int> a, b;
  std::jthread sender([&] { ASSERT_TRUE(b.send(3)); });
  std::optional<int> va, vb;
  const auto i = tether::select(tether::recv_case(a, va), tether::recv_case(b, vb),
                                tether::timeout_case(kTimeout));
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(vb, 3);
}

TEST(SelectTest, DoesNotPairWithItself) {
  Channel<int> ch;
  std::optional<int> v;
  const auto i = tether::select(tether::send_case(ch, 1), tether::recv_case(ch, v),
                                tether::timeout_case(5ms));
  EXPECT_EQ(i, 2u);
  EXPECT_FALSE(v.has_value());
}

TEST(SelectTest, ExactlyOneOperationTakesEffect) {
  for (int round = 0; round < 1000; ++round) {
    Channel<int> a(1), b(1);
    const auto i = tether::select(tether::send_case(a, 1), tether::send_case(b, 2));
    EXPECT_EQ(a.size() + b.size(), 1u);
    EXPECT_EQ(i == 0 ? a.size() : b.size(), 1u);
  }
}

TEST(SelectTest, WorksOnSenderAndReceiverViews) {
  Channel<int> ch(1);
  tether::Sender<int> tx = ch.sender();
  tether::Receiver<int> rx = ch.receiver();
  EXPECT_EQ(tether::select(tether::send_case(tx, 1), tether::default_case()), 0u);
  std::optional<int> v;
  EXPECT_EQ(tether::select(tether::recv_case(rx, v), tether::default_case()), 0u);
  EXPECT_EQ(v, 1);
}

TEST(SelectTest, UniformlyRandomAmongReadyCases) {
  // Over 100k selects on two always-ready channels each case wins 50% +/- 2%.
  Channel<int> a(1), b(1);
  ASSERT_TRUE(a.send(0));
  ASSERT_TRUE(b.send(1));
  long wins[2] = {0, 0};
  constexpr long kSelects = 100000;
  for (long n = 0; n < kSelects; ++n) {
    std::optional<int> v;
    const auto i = tether::select(tether::recv_case(a, v), tether::recv_case(b, v));
    ++wins[i];
    ASSERT_TRUE((i == 0 ? a : b).send(*v));
  }
  EXPECT_NEAR(static_cast<double>(wins[0]) / kSelects, 0.5, 0.02);
  EXPECT_NEAR(static_cast<double>(wins[1]) / kSelects, 0.5, 0.02);
}

TEST(SelectTest, UniformAmongThreeReadyKinds) {
  Channel<int> a(1);
  ASSERT_TRUE(a.send(0));
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  cancel();
  long wins[3] = {0, 0, 0};
  constexpr long kSelects = 30000;
  for (long n = 0; n < kSelects; ++n) {
    std::optional<int> v;
    const auto i = tether::select(tether::recv_case(a, v), tether::done_case(ctx),
                                  tether::timeout_case(-1ms));
    ++wins[i];
    if (i == 0) ASSERT_TRUE(a.send(0));
  }
  for (long w : wins) EXPECT_NEAR(static_cast<double>(w) / kSelects, 1.0 / 3, 0.03);
}

// No lost wake-ups: selectors blocked on several channels must receive every
// value sent, whichever channel it arrives on, while others race with them.
TEST(SelectStressTest, NoLostWakeupsAcrossChannels) {
  Watchdog watchdog(std::chrono::seconds(280));
  const long per_producer = tether_test::scaled(20000);
  for (std::size_t cap : {0u, 1u, 16u}) {
    Channel<long> a(cap), b(cap);
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    std::atomic<long> sum{0}, count{0};
    tether::WaitGroup consumers;
    for (int c = 0; c < 4; ++c) {
      consumers.go([&, c] {
        for (;;) {
          std::optional<long> v;
          std::size_t i = 0;
          if (c == 0) {
            // A plain receiver competes with the selectors.
            auto r = a.recv(ctx);
            if (!r) return;
            v = *r;
          } else {
            i = tether::select(tether::recv_case(a, v), tether::recv_case(b, v),
                               tether::done_case(ctx));
            if (i == 2) return;
            if (!v) continue;  // a closed channel: keep serving the other
          }
          sum += *v;
          ++count;
        }
      });
    }
    {
      tether::WaitGroup producers;
      for (int p = 0; p < 4; ++p) {
        producers.go([&, p] {
          Channel<long>& out = p % 2 == 0 ? a : b;
          for (long i = 1; i <= per_producer; ++i) ASSERT_TRUE(out.send(i));
        });
      }
      ASSERT_TRUE(producers.wait_for(kTimeout));
    }
    const long expected_count = 4 * per_producer;
    const long expected_sum = 4 * per_producer * (per_producer + 1) / 2;
    // Wait for the consumers to drain everything, without sleeping.
    auto [drain_ctx, cancel_drain] = tether::with_timeout(tether::background(), kTimeout);
    while (count.load() < expected_count && !drain_ctx.wait_for(1ms)) {
    }
    EXPECT_EQ(count.load(), expected_count) << "capacity " << cap;
    EXPECT_EQ(sum.load(), expected_sum) << "capacity " << cap;
    cancel();
    ASSERT_TRUE(consumers.wait_for(kTimeout));
  }
}

TEST(SelectStressTest, SelectSendersAndSelectReceiversPairUp) {
  Watchdog watchdog(std::chrono::seconds(280));
  const long per_sender = tether_test::scaled(20000);
  Channel<long> a, b;  // unbuffered both ways: select on both sides
  std::atomic<long> sum{0}, count{0};
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  tether::WaitGroup receivers;
  for (int r = 0; r < 2; ++r) {
    receivers.go([&] {
      for (;;) {
        std::optional<long> v;
        if (tether::select(tether::recv_case(a, v), tether::recv_case(b, v),
                           tether::done_case(ctx)) == 2) {
          return;
        }
        sum += *v;
        ++count;
      }
    });
  }
  {
    tether::WaitGroup senders;
    for (int s = 0; s < 2; ++s) {
      senders.go([&] {
        for (long i = 1; i <= per_sender; ++i) {
          long v = i;
          std::size_t chosen = tether::select(tether::send_case(a, v), tether::send_case(b, v),
                                              tether::timeout_case(kTimeout));
          ASSERT_LT(chosen, 2u);
        }
      });
    }
    ASSERT_TRUE(senders.wait_for(kTimeout));
  }
  // Every send completed by rendezvous: the receivers already have them all.
  auto [drain_ctx, cancel_drain] = tether::with_timeout(tether::background(), kTimeout);
  while (count.load() < 2 * per_sender && !drain_ctx.wait_for(1ms)) {
  }
  cancel();
  ASSERT_TRUE(receivers.wait_for(kTimeout));
  EXPECT_EQ(count.load(), 2 * per_sender);
  EXPECT_EQ(sum.load(), 2 * per_sender * (per_sender + 1) / 2);
}

// ---- issue 15 regressions ----

// A timeout case with a duration too large for the clock never fires; it
// used to overflow into the past and fire at once.
TEST(SelectTest, HugeTimeoutCaseNeverFires) {
  Watchdog watchdog;
  Channel<int> ch(1);
  std::jthread sender([&] { EXPECT_TRUE(ch.send(7)); });
  std::optional<int> got;
  EXPECT_EQ(tether::select(tether::recv_case(ch, got), tether::timeout_case(std::chrono::hours::max())), 0u);
  EXPECT_EQ(got, std::optional<int>(7));
  EXPECT_EQ(tether::select(tether::default_case(), tether::timeout_case(std::chrono::nanoseconds::max())),
            0u);
}

}  // namespace
