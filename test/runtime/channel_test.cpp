// Tests for tether/channel.h.
#include "tether/channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tether/wait_group.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::Channel;
using tether::ChannelStatus;
using tether::RecvResult;
using tether_test::kTimeout;
using tether_test::Watchdog;

// ---- compile-time contract ----

template <class C>
concept CanClose = requires(C c) { c.close(); };
template <class C>
concept CanSend = requires(C c, int v) { c.send(v); };
template <class C>
concept CanRecv = requires(C c) { c.recv(); };

static_assert(CanClose<Channel<int>> && CanSend<Channel<int>> && CanRecv<Channel<int>>);
static_assert(CanClose<tether::Sender<int>> && CanSend<tether::Sender<int>>);
static_assert(!CanRecv<tether::Sender<int>>, "a Sender cannot receive");
static_assert(!CanClose<tether::Receiver<int>>, "only the sending side can close");
static_assert(!CanSend<tether::Receiver<int>>, "a Receiver cannot send");
static_assert(CanRecv<tether::Receiver<int>>);
static_assert(!std::is_convertible_v<tether::Receiver<int>, tether::Sender<int>>);
static_assert(!std::is_convertible_v<tether::Receiver<int>, Channel<int>>);

// ---- unbuffered: rendezvous ----

TEST(ChannelTest, UnbufferedNeverBuffers) {
  Channel<int> ch;
  EXPECT_EQ(ch.capacity(), 0u);
  EXPECT_EQ(ch.try_send(1), ChannelStatus::would_block);
  EXPECT_EQ(ch.send_for(1ms, 1), ChannelStatus::timeout);
  EXPECT_EQ(ch.try_recv().status, ChannelStatus::would_block);
  EXPECT_EQ(ch.size(), 0u);
}

TEST(ChannelTest, UnbufferedSendCompletesWhenReceiverHasValue) {
  Watchdog watchdog;
  for (int round = 0; round < 200; ++round) {
    Channel<int> ch;
    int written_before_recv = 0;  // plain: the rendezvous must publish it
    std::optional<int> got;
    {
      std::jthread receiver([&] {
        written_before_recv = 7;
        got = ch.recv();
      });
      ASSERT_TRUE(ch.send(round));
      // Receive is synchronized before the completion of the send.
      EXPECT_EQ(written_before_recv, 7);
    }
    EXPECT_EQ(got, round);
  }
}

TEST(ChannelTest, UnbufferedTryRecvTakesFromBlockedSender) {
  Watchdog watchdog;
  Channel<std::string> ch;
  std::jthread sender([&] { EXPECT_TRUE(ch.send(std::string("hi"))); });
  std::optional<std::string> got;
  while (!got) {
    auto r = ch.recv_for(kTimeout);
    ASSERT_TRUE(r.ok());
    got = std::move(r.value);
  }
  EXPECT_EQ(*got, "hi");
}

TEST(ChannelTest, UnbufferedPingPong) {
  Watchdog watchdog;
  Channel<int> ping, pong;
  std::jthread echo([&] {
    for (int v : ping) ASSERT_TRUE(pong.send(v + 1));
    pong.close();
  });
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ping.send(i));
    auto r = pong.recv_for(kTimeout);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, i + 1);
  }
  ping.close();
  EXPECT_EQ(pong.recv_for(kTimeout).status, ChannelStatus::closed);
}

// ---- buffered ----

TEST(ChannelTest, BufferedIsFifoAndBounded) {
  Channel<int> ch(3);
  EXPECT_EQ(ch.capacity(), 3u);
  EXPECT_EQ(ch.try_send(1), ChannelStatus::ok);
  EXPECT_TRUE(ch.send(2));
  EXPECT_EQ(ch.send_for(1ms, 3), ChannelStatus::ok);
  EXPECT_EQ(ch.size(), 3u);
  EXPECT_EQ(ch.try_send(4), ChannelStatus::would_block);
  EXPECT_EQ(ch.send_for(1ms, 4), ChannelStatus::timeout);
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(*ch.try_recv(), 2);
  EXPECT_EQ(*ch.recv_for(1ms), 3);
  EXPECT_EQ(ch.try_recv().status, ChannelStatus::would_block);
  EXPECT_EQ(ch.recv_for(1ms).status, ChannelStatus::timeout);
}

TEST(ChannelTest, WrapsAroundForAnyCapacity) {
  for (std::size_t cap : {1u, 2u, 3u, 5u, 7u, 8u, 1000u}) {
    Channel<int> ch(cap);
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 50; ++round) {
      while (ch.try_send(next_in) == ChannelStatus::ok) ++next_in;
      EXPECT_EQ(ch.size(), cap);
      for (std::size_t i = 0; i < cap / 2 + 1; ++i) {
        auto r = ch.try_recv();
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(*r, next_out++);
      }
    }
  }
}

TEST(ChannelTest, SenderBlockedOnFullBufferResumesAfterRecv) {
  Watchdog watchdog;
  Channel<int> ch(1);
  ASSERT_TRUE(ch.send(1));
  std::jthread sender([&] { EXPECT_TRUE(ch.send(2)); });
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(*ch.recv_for(kTimeout), 2);
}

// ---- close ----

TEST(ChannelTest, CloseIsIdempotent) {
  Channel<int> ch(1);
  EXPECT_FALSE(ch.closed());
  EXPECT_TRUE(ch.close());
  EXPECT_FALSE(ch.close());
  EXPECT_TRUE(ch.closed());
  Channel<int> unbuffered;
  EXPECT_TRUE(unbuffered.close());
  EXPECT_FALSE(unbuffered.close());
}

TEST(ChannelTest, SendOnClosedReportsClosedAndKeepsTheValue) {
  for (std::size_t cap : {0u, 4u}) {
    Channel<std::unique_ptr<int>> ch(cap);
    ch.close();
    auto p = std::make_unique<int>(3);
    EXPECT_FALSE(ch.send(std::move(p)));
    ASSERT_NE(p, nullptr);  // not moved from: the caller still owns it
    EXPECT_EQ(ch.try_send(std::move(p)), ChannelStatus::closed);
    EXPECT_EQ(ch.send_for(1ms, std::move(p)), ChannelStatus::closed);
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    EXPECT_EQ(ch.send(ctx, std::move(p)), ChannelStatus::closed);
    EXPECT_EQ(*p, 3);
  }
}

TEST(ChannelTest, RecvDrainsBufferThenReportsClosed) {
  Channel<int> ch(4);
  ASSERT_TRUE(ch.send(1));
  ASSERT_TRUE(ch.send(2));
  ch.close();
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(*ch.try_recv(), 2);
  EXPECT_EQ(ch.recv(), std::nullopt);
  EXPECT_EQ(ch.try_recv().status, ChannelStatus::closed);
  EXPECT_EQ(ch.recv_for(1ms).status, ChannelStatus::closed);
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  EXPECT_EQ(ch.recv(ctx).status, ChannelStatus::closed);
}

TEST(ChannelTest, CloseWakesEveryBlockedReceiver) {
  Watchdog watchdog;
  for (std::size_t cap : {0u, 2u}) {
    Channel<int> ch(cap);
    std::atomic<int> woke{0};
    tether::WaitGroup wg;
    wg.add(4);
    std::vector<std::jthread> receivers;
    for (int i = 0; i < 4; ++i) {
      receivers.emplace_back([&] {
        wg.done();
        if (!ch.recv()) ++woke;
      });
    }
    ASSERT_TRUE(wg.wait_for(kTimeout));
    ch.close();
    receivers.clear();  // joins
    EXPECT_EQ(woke, 4);
  }
}

TEST(ChannelTest, CloseWakesEveryBlockedSender) {
  Watchdog watchdog;
  for (std::size_t cap : {0u, 1u}) {
    Channel<int> ch(cap);
    if (cap == 1) ASSERT_TRUE(ch.send(0));
    std::atomic<int> refused{0};
    std::vector<std::jthread> senders;
    for (int i = 0; i < 4; ++i) {
      senders.emplace_back([&] {
        if (!ch.send(1)) ++refused;
      });
    }
    ch.close();
    senders.clear();
    EXPECT_EQ(refused, 4);
  }
}

// ---- context and timeout variants ----

TEST(ChannelTest, RecvWithContextReportsCancelled) {
  Watchdog watchdog;
  for (std::size_t cap : {0u, 2u}) {
    Channel<int> ch(cap);
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    std::jthread canceller([&cancel = cancel] { cancel(); });
    auto r = ch.recv(ctx);
    EXPECT_EQ(r.status, ChannelStatus::cancelled);
    EXPECT_FALSE(r.value.has_value());
  }
}

TEST(ChannelTest, SendWithContextReportsCancelledAndKeepsTheValue) {
  Watchdog watchdog;
  Channel<std::unique_ptr<int>> ch;
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::jthread canceller([&cancel = cancel] { cancel(); });
  auto p = std::make_unique<int>(1);
  EXPECT_EQ(ch.send(ctx, std::move(p)), ChannelStatus::cancelled);
  EXPECT_NE(p, nullptr);
}

TEST(ChannelTest, CancelledContextWinsOverReadyValue) {
  Channel<int> ch(1);
  ASSERT_TRUE(ch.send(1));
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  cancel();
  EXPECT_EQ(ch.recv(ctx).status, ChannelStatus::cancelled);
  EXPECT_EQ(ch.size(), 1u);  // nothing consumed
  EXPECT_EQ(ch.send(ctx, 2), ChannelStatus::cancelled);
}

TEST(ChannelTest, DeadlineContextReportsCancelled) {
  Watchdog watchdog;
  Channel<int> ch;
  auto [ctx, cancel] = tether::with_timeout(tether::background(), 2ms);
  EXPECT_EQ(ch.recv(ctx).status, ChannelStatus::cancelled);
  EXPECT_EQ(ctx.err(), tether::ContextError::deadline_exceeded);
}

TEST(ChannelTest, RecvWithContextGetsValue) {
  Watchdog watchdog;
  Channel<int> ch;
  auto [ctx, cancel] = tether::with_timeout(tether::background(), kTimeout);
  std::jthread sender([&] { EXPECT_TRUE(ch.send(5)); });
  auto r = ch.recv(ctx);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5);
}

TEST(ChannelTest, StatusNames) {
  EXPECT_STREQ(tether::to_string(ChannelStatus::ok), "ok");
  EXPECT_STREQ(tether::to_string(ChannelStatus::closed), "closed");
  EXPECT_STREQ(tether::to_string(ChannelStatus::would_block), "would block");
  EXPECT_STREQ(tether::to_string(ChannelStatus::timeout), "timeout");
  EXPECT_STREQ(tether::to_string(ChannelStatus::cancelled), "cancelled");
}

// ---- handles, views, range-for, value types ----

TEST(ChannelTest, CopiesShareTheChannel) {
  Channel<int> a(1);
  Channel<int> b = a;
  EXPECT_EQ(a, b);
  ASSERT_TRUE(a.send(9));
  EXPECT_EQ(b.recv(), 9);
  EXPECT_NE(a, Channel<int>(1));
}

void produce(tether::Sender<int> out, int n) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(out.send(i));
  out.close();  // the producer closes
}

int consume(tether::Receiver<int> in) {
  int sum = 0;
  for (int v : in) sum += v;
  return sum;
}

TEST(ChannelTest, RangeForReadsUntilClosedAndDrained) {
  Watchdog watchdog;
  Channel<int> ch(8);
  std::jthread producer(produce, ch.sender(), 100);
  EXPECT_EQ(consume(ch.receiver()), 99 * 100 / 2);
  EXPECT_TRUE(ch.closed());
}

TEST(ChannelTest, MoveOnlyValuesTravel) {
  Watchdog watchdog;
  for (std::size_t cap : {0u, 1u, 16u}) {
    Channel<std::unique_ptr<int>> ch(cap);
    std::jthread producer([out = ch.sender()]() mutable {
      for (int i = 0; i < 100; ++i) ASSERT_TRUE(out.send(std::make_unique<int>(i)));
      out.close();
    });
    int expected = 0;
    for (auto& p : ch.receiver()) EXPECT_EQ(*p, expected++);
    EXPECT_EQ(expected, 100);
  }
}

struct Counted {
  static inline std::atomic<int> live{0};
  Counted() { ++live; }
  Counted(Counted&&) noexcept { ++live; }
  Counted& operator=(Counted&&) = default;
  ~Counted() { --live; }
};

TEST(ChannelTest, UnreceivedValuesAreDestroyedWithTheChannel) {
  {
    Channel<Counted> ch(5);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(ch.send(Counted{}));
    EXPECT_TRUE(ch.try_recv().ok());
    EXPECT_EQ(Counted::live, 4);
  }
  EXPECT_EQ(Counted::live, 0);
}

// ---- stress: many producers and consumers, random close and cancel ----

struct StressParams {
  std::size_t capacity;
  long messages;
  bool cancel;  // stop by cancelling (then closing), else by closing
};

void run_stress(const StressParams& p, unsigned seed) {
  constexpr int kProducers = 8;
  constexpr int kConsumers = 8;
  const long per_producer = p.messages / kProducers;
  const long total = per_producer * kProducers;
  Channel<long> ch(p.capacity);
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  std::vector<std::atomic<unsigned char>> sent(static_cast<std::size_t>(total));
  std::vector<std::atomic<unsigned char>> received(static_cast<std::size_t>(total));
  std::atomic<long> received_count{0};
  std::mt19937 rng(seed);
  // Stop somewhere in the second half, or let everything through.
  const long stop_after = std::uniform_int_distribution<long>(total / 2, total + total / 4)(rng);

  auto record = [&](long v) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, total);
    received[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
    received_count.fetch_add(1, std::memory_order_relaxed);
  };
  {
    tether::WaitGroup producers;
    tether::WaitGroup consumers;
    for (int c = 0; c < kConsumers; ++c) {
      consumers.go([&, c] {
        if (c % 2 == 0) {
          for (long v : ch.receiver()) record(v);  // ends on close
        } else {
          for (;;) {
            auto r = ch.recv(ctx);
            if (!r) break;  // closed or cancelled
            record(*r);
          }
        }
      });
    }
    for (int pr = 0; pr < kProducers; ++pr) {
      producers.go([&, pr] {
        for (long i = 0; i < per_producer; ++i) {
          const long v = pr * per_producer + i;
          ChannelStatus st = ChannelStatus::ok;
          if (i % 3 == 0) {
            st = ch.send(ctx, v);
          } else {
            st = ch.send(v) ? ChannelStatus::ok : ChannelStatus::closed;
          }
          if (st != ChannelStatus::ok) return;
          sent[static_cast<std::size_t>(v)].store(1, std::memory_order_relaxed);
        }
      });
    }
    // The stopper: waits for progress (no sleep), then stops the pipeline.
    while (received_count.load() < std::min(stop_after, total) && !producers.wait_for(1ms)) {
    }
    if (p.cancel) cancel();
    ch.close();
    ASSERT_TRUE(producers.wait_for(kTimeout));
    ASSERT_TRUE(consumers.wait_for(kTimeout));
  }
  // Whatever the cancelled consumers left behind is still in the buffer.
  for (auto r = ch.try_recv(); r.ok(); r = ch.try_recv()) record(*r);
  long delivered = 0;
  for (long i = 0; i < total; ++i) {
    const int s = sent[static_cast<std::size_t>(i)].load();
    const int r = received[static_cast<std::size_t>(i)].load();
    ASSERT_EQ(r, s) << "message " << i << (r > s ? " duplicated or invented" : " lost");
    delivered += s;
  }
  EXPECT_EQ(delivered, received_count.load());
}

TEST(ChannelStressTest, BufferedEightByEightNothingLostOrDuplicated) {
  Watchdog watchdog(std::chrono::seconds(280));
  const long n = tether_test::scaled(1000000);
  run_stress({64, n, false}, 1);
  run_stress({1, n / 10, true}, 2);
}

TEST(ChannelStressTest, UnbufferedEightByEightNothingLostOrDuplicated) {
  Watchdog watchdog(std::chrono::seconds(280));
  const long n = tether_test::scaled(100000);
  run_stress({0, n, false}, 3);
  run_stress({0, n, true}, 4);
}

TEST(ChannelStressTest, LargeBufferCancelThenClose) {
  Watchdog watchdog(std::chrono::seconds(280));
  run_stress({1024, tether_test::scaled(400000), true}, 5);
}

// ---- issue 15 regressions ----

// A receive that reports closed must see everything the closer wrote before
// close(): the closed bit is published by close()'s read-modify-write and
// must be read with acquire ordering. ThreadSanitizer reports the plain read
// of `payload` below when it is not.
TEST(ChannelTest, BufferedCloseHappensBeforeReceiveThatSeesClosed) {
  Watchdog watchdog;
  const long rounds = tether_test::scaled(1500);
  for (long round = 0; round < rounds; ++round) {
    Channel<int> ch(1);
    int payload = 0;  // plain: published only by close()
    std::thread closer([&] {
      payload = 1;
      ch.close();
    });
    if (round % 2 == 0) {
      // try_recv spins on the path that reads the closed bit.
      ChannelStatus st = ChannelStatus::would_block;
      while ((st = ch.try_recv().status) == ChannelStatus::would_block) {
      }
      EXPECT_EQ(st, ChannelStatus::closed);
    } else {
      EXPECT_EQ(ch.recv_for(kTimeout).status, ChannelStatus::closed);
    }
    EXPECT_EQ(payload, 1);
    closer.join();
  }
}

// After close() has returned, no send may pair with a receive on an
// unbuffered channel: a receive that starts after close() returned reports
// closed, and so does a send. A sender that had checked the channel just
// before close() used to queue itself just after it, where a receiver could
// still take its value. Each round has its own channel; the closer closes it
// at a random point after the first hand-off, while senders and receivers
// hammer it; receivers keep polling after they saw closed until every
// sender has left the round, so a sender queued late meets a receiver.
TEST(ChannelTest, UnbufferedNothingPairsAfterCloseReturned) {
  Watchdog watchdog;
  constexpr int kSenders = 2;
  constexpr int kReceivers = 2;
  const long rounds = tether_test::scaled(400);
  struct Round {
    Channel<int> ch;
    std::atomic<bool> close_returned{false};
    std::atomic<long> received{0};
    std::atomic<int> senders_done{0};
  };
  std::vector<std::unique_ptr<Round>> round(static_cast<std::size_t>(rounds));
  for (auto& r : round) r = std::make_unique<Round>();
  std::atomic<long> late_receives{0};
  std::atomic<long> late_sends{0};
  std::vector<std::jthread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&] {
      for (auto& r : round) {
        for (;;) {
          const bool late = r->close_returned.load(std::memory_order_acquire);
          const ChannelStatus st = r->ch.send_for(kTimeout, 1);
          ASSERT_NE(st, ChannelStatus::timeout);
          if (st == ChannelStatus::closed) break;
          if (late) late_sends.fetch_add(1, std::memory_order_relaxed);
        }
        r->senders_done.fetch_add(1, std::memory_order_release);
      }
    });
  }
  for (int i = 0; i < kReceivers; ++i) {
    threads.emplace_back([&] {
      for (auto& r : round) {
        for (;;) {
          const bool late = r->close_returned.load(std::memory_order_acquire);
          const ChannelStatus st = r->ch.try_recv().status;
          if (st == ChannelStatus::ok) {
            r->received.fetch_add(1, std::memory_order_relaxed);
            if (late) late_receives.fetch_add(1, std::memory_order_relaxed);
          }
          if (st == ChannelStatus::closed &&
              r->senders_done.load(std::memory_order_acquire) == kSenders) {
            break;
          }
        }
      }
    });
  }
  std::uint32_t rng = 12345;
  for (auto& r : round) {
    while (r->received.load(std::memory_order_relaxed) == 0) std::this_thread::yield();
    rng = rng * 1664525u + 1013904223u;
    for (std::uint32_t spin = (rng >> 16) % 8; spin > 0; --spin) std::this_thread::yield();
    r->ch.close();
    r->close_returned.store(true, std::memory_order_release);
  }
  threads.clear();
  EXPECT_EQ(late_receives.load(), 0) << "receives that started after close() returned got a value";
  EXPECT_EQ(late_sends.load(), 0) << "sends that started after close() returned succeeded";
}

// Durations too large for the clock saturate to "no deadline" instead of
// overflowing into the past (UndefinedBehaviorSanitizer: signed overflow).
TEST(ChannelTest, HugeDurationsNeverTimeOut) {
  Watchdog watchdog;
  Channel<int> ch;
  std::jthread peer([&] {
    EXPECT_TRUE(ch.send(1));
    EXPECT_EQ(ch.recv_for(kTimeout).value, std::optional<int>(2));
  });
  RecvResult<int> got = ch.recv_for(std::chrono::hours::max());
  EXPECT_EQ(got.status, ChannelStatus::ok);
  EXPECT_EQ(ch.send_for(std::chrono::nanoseconds::max(), 2), ChannelStatus::ok);
  peer.join();
  Channel<int> buffered(1);
  EXPECT_EQ(buffered.send_for(std::chrono::hours::max(), 3), ChannelStatus::ok);
  EXPECT_EQ(buffered.recv_for(std::chrono::duration<double>(1e300)).value, std::optional<int>(3));
}

// send_for and send_until take lvalues (copied) as send and try_send do.
TEST(ChannelTest, SendForAcceptsLvalues) {
  Channel<std::string> ch(1);
  const std::string hello = "hello";
  EXPECT_EQ(ch.send_for(10ms, hello), ChannelStatus::ok);
  EXPECT_EQ(hello, "hello");
  EXPECT_EQ(ch.send_until(std::chrono::steady_clock::now() + 1ms, hello), ChannelStatus::timeout);
  EXPECT_EQ(ch.recv_for(kTimeout).value, std::optional<std::string>("hello"));
  tether::Sender<std::string> tx = ch;
  EXPECT_EQ(tx.send_for(10ms, hello), ChannelStatus::ok);
}

// A capacity whose buffer cannot be indexed aborts with a message instead of
// throwing from the constructor; the limit is max_capacity().
TEST(ChannelDeathTest, CapacityTooLargeAborts) {
  EXPECT_DEATH(Channel<int> ch(SIZE_MAX), "tether: channel capacity too large");
}

}  // namespace
