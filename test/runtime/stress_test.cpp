// Randomised state-machine stress for Channel (with select and contexts) and
// WaitGroup: random schedules of operations across threads, checking the
// contract's invariants after every round (docs/runtime.md, "Stress
// harness"). CI runs the default budget under ThreadSanitizer and
// AddressSanitizer; soak by hand with TETHER_STRESS_SCALE=50 (rounds scale
// linearly) and reproduce a failure with the TETHER_STRESS_SEED it printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tether/channel.h"
#include "tether/context.h"
#include "tether/select.h"
#include "tether/wait_group.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether::Channel;
using tether::ChannelStatus;
using tether_test::kTimeout;
using tether_test::Watchdog;

// The base seed: TETHER_STRESS_SEED, or a fixed default so that CI runs are
// repeatable.
std::uint64_t base_seed() {
  const char* s = std::getenv("TETHER_STRESS_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 20261207u;
}

// splitmix64: small, fast, good enough for schedules.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }

 private:
  std::uint64_t state_;
};

// ---- channels ----

// Message ids: worker in the top bits, sequence below, so that each id is
// unique and a sender's ids on one channel increase.
constexpr int kWorkerShift = 40;
constexpr int kChannels = 2;

// What one channel of a round must satisfy.
struct ChannelLog {
  Channel<std::uint64_t> ch;
  // Set after a close() call returned: a send that starts later must not
  // succeed.
  std::atomic<bool> close_returned{false};
  // Set after a receive reported closed (closed and drained): a receive that
  // starts later must not get a value.
  std::atomic<bool> drained{false};
  explicit ChannelLog(std::size_t cap) : ch(cap) {}
};

struct WorkerLog {
  std::vector<std::uint64_t> sent[kChannels];      // delivered (ok)
  std::vector<std::uint64_t> received[kChannels];  // in receive order
  std::vector<std::string> violations;
};

struct ChannelRound {
  std::size_t capacity;
  std::vector<std::unique_ptr<ChannelLog>> chans;
  tether::Context ctx;
  tether::CancelFunc cancel;
  std::atomic<int> at_final{0};
};

// One worker's random schedule, then one unbounded operation that only a
// close (or the cancel) can end.
void channel_worker(ChannelRound& round, int id, std::uint64_t seed, int ops, WorkerLog& log) {
  Rng rng(seed);
  std::uint64_t seq = 0;
  auto next_id = [&] { return (static_cast<std::uint64_t>(id) << kWorkerShift) | ++seq; };
  auto violation = [&](const std::string& what) { log.violations.push_back(what); };

  // A send that starts after close() returned must not deliver.
  auto on_sent = [&](int c, bool late, ChannelStatus st, std::uint64_t v, const char* op) {
    if (st != ChannelStatus::ok) return;
    log.sent[c].push_back(v);
    if (late) violation(std::string(op) + " delivered after close() returned");
  };
  auto on_received = [&](int c, bool late, ChannelStatus st, const std::optional<std::uint64_t>& v,
                          const char* op) {
    if (st == ChannelStatus::closed) {
      round.chans[c]->drained.store(true, std::memory_order_release);
      if (v) violation(std::string(op) + " reported closed with a value");
      return;
    }
    if (st != ChannelStatus::ok) return;
    if (!v) {
      violation(std::string(op) + " reported ok without a value");
      return;
    }
    log.received[c].push_back(*v);
    if (late) violation(std::string(op) + " got a value after a receive saw closed and drained");
  };

  for (int i = 0; i < ops; ++i) {
    const int c = static_cast<int>(rng.below(kChannels));
    ChannelLog& L = *round.chans[c];
    auto& ch = L.ch;
    const bool send_late = L.close_returned.load(std::memory_order_acquire);
    const bool recv_late = L.drained.load(std::memory_order_acquire);
    const auto short_wait = std::chrono::microseconds(rng.below(100));
    switch (rng.below(16)) {
      case 0: {
        const std::uint64_t v = next_id();
        on_sent(c, send_late, ch.try_send(v), v, "try_send");
        break;
      }
      case 1:
      case 2: {
        const std::uint64_t v = next_id();
        on_sent(c, send_late, ch.send_for(short_wait, v), v, "send_for");
        break;
      }
      case 3: {
        auto [opctx, opcancel] = tether::with_timeout(round.ctx, short_wait);
        const std::uint64_t v = next_id();
        on_sent(c, send_late, ch.send(opctx, v), v, "send(ctx)");
        break;
      }
      case 4: {
        auto r = ch.try_recv();
        on_received(c, recv_late, r.status, r.value, "try_recv");
        break;
      }
      case 5:
      case 6: {
        auto r = ch.recv_for(short_wait);
        on_received(c, recv_late, r.status, r.value, "recv_for");
        break;
      }
      case 7: {
        auto [opctx, opcancel] = tether::with_timeout(round.ctx, short_wait);
        auto r = ch.recv(opctx);
        on_received(c, recv_late, r.status, r.value, "recv(ctx)");
        break;
      }
      case 8:
      case 9:
      case 10: {
        // select: receive from one channel, send on the other, the round's
        // context, a timeout; sometimes a default.
        const int o = 1 - c;
        ChannelLog& O = *round.chans[o];
        const bool o_send_late = O.close_returned.load(std::memory_order_acquire);
        std::optional<std::uint64_t> got;
        std::uint64_t v = next_id();
        bool delivered = false;
        std::size_t chosen = 0;
        if (rng.below(4) == 0) {
          chosen = tether::select(tether::recv_case(ch, got),
                                  tether::send_case(O.ch, v, [&](bool ok) { delivered = ok; }),
                                  tether::done_case(round.ctx), tether::default_case());
        } else {
          chosen = tether::select(tether::recv_case(ch, got),
                                  tether::send_case(O.ch, v, [&](bool ok) { delivered = ok; }),
                                  tether::done_case(round.ctx), tether::timeout_case(short_wait));
        }
        if (chosen == 0) {
          on_received(c, recv_late, got ? ChannelStatus::ok : ChannelStatus::closed, got,
                      "select recv_case");
        } else if (chosen == 1) {
          on_sent(o, o_send_late, delivered ? ChannelStatus::ok : ChannelStatus::closed, v,
                  "select send_case");
        }
        break;
      }
      case 11: {
        // Both on one unbuffered channel in one select: it must never pair
        // with itself.
        std::optional<std::uint64_t> got;
        std::uint64_t v = next_id();
        bool delivered = false;
        const std::size_t chosen = tether::select(
            tether::recv_case(ch, got), tether::send_case(ch, v, [&](bool ok) { delivered = ok; }),
            tether::timeout_case(short_wait));
        if (chosen == 0) {
          if (got && (*got >> kWorkerShift) == static_cast<std::uint64_t>(id) && *got == v) {
            violation("select paired with itself");
          }
          on_received(c, recv_late, got ? ChannelStatus::ok : ChannelStatus::closed, got,
                      "select self recv_case");
        } else if (chosen == 1) {
          on_sent(c, send_late, delivered ? ChannelStatus::ok : ChannelStatus::closed, v,
                  "select self send_case");
        }
        break;
      }
      case 12:
        if (rng.below(24) == 0) {  // rare: most of the round runs open
          ch.close();
          L.close_returned.store(true, std::memory_order_release);
        }
        break;
      case 13:
        if (rng.below(64) == 0) round.cancel();
        break;
      default: {
        const std::uint64_t v = next_id();
        on_sent(c, send_late, ch.send_for(short_wait, v), v, "send_for");
        break;
      }
    }
  }

  // Final: block until a close (or the cancel) ends it. recv_for/send_for
  // with the long guard: a timeout here means close did not wake a waiter.
  round.at_final.fetch_add(1, std::memory_order_acq_rel);
  const int c = static_cast<int>(rng.below(kChannels));
  ChannelLog& L = *round.chans[c];
  switch (rng.below(3)) {
    case 0:
      for (;;) {
        const bool late = L.drained.load(std::memory_order_acquire);
        auto r = L.ch.recv_for(kTimeout);
        if (r.status == ChannelStatus::timeout) violation("close did not wake a blocked receive");
        on_received(c, late, r.status, r.value, "final recv_for");
        if (r.status != ChannelStatus::ok) break;
      }
      break;
    case 1:
      for (;;) {
        const bool late = L.close_returned.load(std::memory_order_acquire);
        const std::uint64_t v = next_id();
        const ChannelStatus st = L.ch.send_for(kTimeout, v);
        if (st == ChannelStatus::timeout) violation("close did not wake a blocked send");
        on_sent(c, late, st, v, "final send_for");
        if (st != ChannelStatus::ok) break;
      }
      break;
    default: {
      auto r = L.ch.recv(round.ctx);
      on_received(c, false, r.status, r.value, "final recv(ctx)");
      break;
    }
  }
}

// Invariants over the whole round: every delivered message was received
// exactly once (by a worker or by the final drain), nothing was received that
// was not sent, and each receiver saw each sender's messages on one channel
// in order.
void check_round(ChannelRound& round, std::vector<WorkerLog>& logs, std::uint64_t seed) {
  for (int c = 0; c < kChannels; ++c) {
    std::vector<std::uint64_t> sent;
    std::vector<std::uint64_t> received;
    for (auto& log : logs) {
      sent.insert(sent.end(), log.sent[c].begin(), log.sent[c].end());
      received.insert(received.end(), log.received[c].begin(), log.received[c].end());
      std::vector<std::uint64_t> last(logs.size() + 1, 0);
      for (std::uint64_t v : log.received[c]) {
        const std::uint64_t from = v >> kWorkerShift;
        ASSERT_LT(from, last.size()) << "seed " << seed;
        EXPECT_LT(last[from], v) << "seed " << seed << ": FIFO broken on channel " << c;
        last[from] = v;
      }
    }
    // Whatever is still buffered after the round is delivered, not lost.
    while (true) {
      auto r = round.chans[c]->ch.try_recv();
      if (r.status != ChannelStatus::ok) {
        EXPECT_EQ(r.status, ChannelStatus::closed) << "seed " << seed;
        break;
      }
      received.push_back(*r.value);
    }
    std::sort(sent.begin(), sent.end());
    std::sort(received.begin(), received.end());
    EXPECT_EQ(std::adjacent_find(received.begin(), received.end()), received.end())
        << "seed " << seed << ": a message was received twice on channel " << c;
    EXPECT_EQ(sent, received) << "seed " << seed << ": channel " << c << " (capacity "
                              << round.capacity << ") lost or invented messages";
  }
  for (auto& log : logs) {
    for (const auto& v : log.violations) ADD_FAILURE() << "seed " << seed << ": " << v;
  }
}

TEST(ChannelStressTest, RandomSchedulesKeepEveryMessageExactlyOnce) {
  Watchdog watchdog(std::chrono::seconds(280));
  constexpr int kWorkers = 4;
  const long rounds = tether_test::scaled(400);
  const std::uint64_t seed0 = base_seed();
  const std::size_t capacities[] = {0, 1, 4};
  for (long r = 0; r < rounds; ++r) {
    const std::uint64_t seed = seed0 + static_cast<std::uint64_t>(r);
    Rng rng(seed);
    ChannelRound round;
    round.capacity = capacities[rng.below(3)];
    for (int c = 0; c < kChannels; ++c) {
      round.chans.push_back(std::make_unique<ChannelLog>(round.capacity));
    }
    auto [ctx, cancel] = tether::with_cancel(tether::background());
    round.ctx = ctx;
    round.cancel = std::move(cancel);
    std::vector<WorkerLog> logs(kWorkers);
    {
      std::vector<std::jthread> workers;
      for (int w = 0; w < kWorkers; ++w) {
        workers.emplace_back(channel_worker, std::ref(round), w + 1, rng.next(),
                             100 + static_cast<int>(rng.below(100)), std::ref(logs[w]));
      }
      // Once every worker is in its final blocking operation (or past it),
      // close both channels and cancel, in a random order: every blocked
      // operation must wake.
      while (round.at_final.load(std::memory_order_acquire) < kWorkers) std::this_thread::yield();
      const int first = static_cast<int>(rng.below(kChannels));
      for (int k = 0; k < kChannels; ++k) {
        ChannelLog& L = *round.chans[(first + k) % kChannels];
        L.ch.close();
        L.close_returned.store(true, std::memory_order_release);
      }
      if (rng.below(2) == 0) round.cancel();
    }  // joins
    check_round(round, logs, seed);
    if (HasFailure()) {
      ADD_FAILURE() << "reproduce with TETHER_STRESS_SEED=" << seed
                    << " --gtest_filter=ChannelStressTest.*";
      return;
    }
  }
}

// ---- WaitGroup ----

// Phases of add(n) / n x done() spread over threads while waiters use every
// wait flavour. A wait that returns true must see every task of its phase
// done (done() happens-before it); the group is reused across phases and
// freed right after the last waiter returns (the last done() must not touch
// it then).
TEST(WaitGroupStressTest, RandomSchedulesReleaseWaitersOnlyAtZero) {
  Watchdog watchdog(std::chrono::seconds(280));
  constexpr int kDoers = 3;
  constexpr int kWaiters = 2;
  constexpr int kMaxTasks = 16;
  const long rounds = tether_test::scaled(1000);
  const std::uint64_t seed0 = base_seed();
  for (long r = 0; r < rounds; ++r) {
    const std::uint64_t seed = seed0 + static_cast<std::uint64_t>(r);
    Rng rng(seed);
    auto wg = std::make_unique<tether::WaitGroup>();
    const int phases = 1 + static_cast<int>(rng.below(3));
    for (int phase = 0; phase < phases; ++phase) {
      const int tasks = 1 + static_cast<int>(rng.below(kMaxTasks));
      int work[kMaxTasks] = {};  // plain: published by done()
      std::atomic<int> next_task{0};
      wg->add(tasks);
      std::atomic<int> early_true{0};
      std::atomic<int> waiters_out{0};
      std::vector<std::jthread> threads;
      for (int d = 0; d < kDoers; ++d) {
        threads.emplace_back([&, s = rng.next()] {
          Rng local(s);
          for (;;) {
            const int t = next_task.fetch_add(1, std::memory_order_relaxed);
            if (t >= tasks) return;
            for (std::uint32_t spin = local.below(2000); spin > 0; --spin) {
              std::atomic_signal_fence(std::memory_order_seq_cst);
            }
            work[t] = phase + 1;
            wg->done();
          }
        });
      }
      for (int w = 0; w < kWaiters; ++w) {
        threads.emplace_back([&, s = rng.next()] {
          Rng local(s);
          bool zero = false;
          while (!zero) {
            switch (local.below(4)) {
              case 0:
                wg->wait();
                zero = true;
                break;
              case 1:
                zero = wg->wait_for(std::chrono::microseconds(local.below(50)));
                break;
              case 2: {
                auto [ctx, cancel] = tether::with_cancel(tether::background());
                std::jthread canceller;
                if (local.below(2) == 0) canceller = std::jthread([&cancel = cancel] { cancel(); });
                zero = wg->wait(ctx);
                break;
              }
              default:
                zero = wg->wait_until(std::chrono::steady_clock::now() +
                                      std::chrono::microseconds(local.below(50)));
                break;
            }
          }
          for (int t = 0; t < tasks; ++t) {
            if (work[t] != phase + 1) early_true.fetch_add(1, std::memory_order_relaxed);
          }
          waiters_out.fetch_add(1, std::memory_order_release);
        });
      }
      threads.clear();
      EXPECT_EQ(early_true.load(), 0) << "seed " << seed << ": a wait returned before every done()";
      EXPECT_EQ(waiters_out.load(), kWaiters);
    }
    wg.reset();  // right after the last wait returned
    if (HasFailure()) {
      ADD_FAILURE() << "reproduce with TETHER_STRESS_SEED=" << seed
                    << " --gtest_filter=WaitGroupStressTest.*";
      return;
    }
  }
}

}  // namespace
