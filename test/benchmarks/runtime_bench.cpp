// tether runtime benchmarks with their baselines. Every benchmark reports the
// counter "ops": operations per iteration, so ns/op = real_time / ops. The
// workloads mirror go/bench.go one for one (same names after the slash).
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#include <mutex>
#include <thread>
#include <vector>

#include "tether/tether.h"

#if TETHER_HAVE_MOODYCAMEL
#include <blockingconcurrentqueue.h>
#endif

namespace {

constexpr long kMessages = 1000000;  // per iteration, channel workloads
constexpr long kRoundTrips = 100000;  // per iteration, ping-pong
constexpr std::size_t kCapacity = 1024;

void set_ops(benchmark::State& state, long ops) {
  state.counters["ops"] = static_cast<double>(ops);
  state.SetItemsProcessed(state.iterations() * ops);
}

// The textbook baseline: mutex + two condition variables + deque, bounded.
class MutexQueue {
 public:
  explicit MutexQueue(std::size_t cap) : cap_(cap) {}
  void push(long v) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < cap_; });
    q_.push_back(v);
    lock.unlock();
    not_empty_.notify_one();
  }
  long pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty(); });
    long v = q_.front();
    q_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return v;
  }

 private:
  std::size_t cap_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<long> q_;
};

// ---- Channel<int>: P producers / C consumers through a 1024 buffer ----

void tether_pc(benchmark::State& state, int producers, int consumers) {
  for (auto _ : state) {
    tether::Channel<long> ch(kCapacity);
    std::atomic<long> sum{0};
    {
      tether::WaitGroup cons;
      for (int c = 0; c < consumers; ++c) {
        cons.go([&] {
          long local = 0;
          for (long v : ch.receiver()) local += v;
          sum += local;
        });
      }
      {
        tether::WaitGroup prods;
        for (int p = 0; p < producers; ++p) {
          prods.go([&] {
            for (long i = 0; i < kMessages / producers; ++i) (void)ch.send(i);
          });
        }
        prods.wait();
      }
      ch.close();
      cons.wait();
    }
    benchmark::DoNotOptimize(sum.load());
  }
  set_ops(state, kMessages);
}

void mutex_pc(benchmark::State& state, int producers, int consumers) {
  for (auto _ : state) {
    MutexQueue q(kCapacity);
    std::atomic<long> sum{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < consumers; ++c) {
      threads.emplace_back([&] {
        long local = 0;
        for (long v; (v = q.pop()) >= 0;) local += v;
        sum += local;
      });
    }
    std::vector<std::thread> prods;
    for (int p = 0; p < producers; ++p) {
      prods.emplace_back([&] {
        for (long i = 0; i < kMessages / producers; ++i) q.push(i);
      });
    }
    for (auto& t : prods) t.join();
    for (int c = 0; c < consumers; ++c) q.push(-1);
    for (auto& t : threads) t.join();
    benchmark::DoNotOptimize(sum.load());
  }
  set_ops(state, kMessages);
}

#if TETHER_HAVE_MOODYCAMEL
void moodycamel_pc(benchmark::State& state, int producers, int consumers) {
  for (auto _ : state) {
    moodycamel::BlockingConcurrentQueue<long> q(kCapacity);
    std::atomic<long> sum{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < consumers; ++c) {
      threads.emplace_back([&] {
        long local = 0;
        for (;;) {
          long v;
          q.wait_dequeue(v);
          if (v < 0) break;
          local += v;
        }
        sum += local;
      });
    }
    std::vector<std::thread> prods;
    for (int p = 0; p < producers; ++p) {
      prods.emplace_back([&] {
        for (long i = 0; i < kMessages / producers; ++i) q.enqueue(i);
      });
    }
    for (auto& t : prods) t.join();
    for (int c = 0; c < consumers; ++c) q.enqueue(-1);
    for (auto& t : threads) t.join();
    benchmark::DoNotOptimize(sum.load());
  }
  set_ops(state, kMessages);
}
#endif

void BM_chan_1p1c_tether(benchmark::State& s) { tether_pc(s, 1, 1); }
void BM_chan_1p1c_mutex_queue(benchmark::State& s) { mutex_pc(s, 1, 1); }
void BM_chan_4p4c_tether(benchmark::State& s) { tether_pc(s, 4, 4); }
void BM_chan_4p4c_mutex_queue(benchmark::State& s) { mutex_pc(s, 4, 4); }
BENCHMARK(BM_chan_1p1c_tether)->Name("chan_1p1c_cap1024/tether")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chan_1p1c_mutex_queue)->Name("chan_1p1c_cap1024/mutex_queue")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chan_4p4c_tether)->Name("chan_4p4c_cap1024/tether")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chan_4p4c_mutex_queue)->Name("chan_4p4c_cap1024/mutex_queue")->UseRealTime()->Unit(benchmark::kMillisecond);
#if TETHER_HAVE_MOODYCAMEL
void BM_chan_1p1c_moodycamel(benchmark::State& s) { moodycamel_pc(s, 1, 1); }
void BM_chan_4p4c_moodycamel(benchmark::State& s) { moodycamel_pc(s, 4, 4); }
BENCHMARK(BM_chan_1p1c_moodycamel)->Name("chan_1p1c_cap1024/moodycamel")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chan_4p4c_moodycamel)->Name("chan_4p4c_cap1024/moodycamel")->UseRealTime()->Unit(benchmark::kMillisecond);
#endif

// ---- unbuffered ping-pong: one op = one round trip ----

void BM_pingpong_tether(benchmark::State& state) {
  for (auto _ : state) {
    tether::Channel<long> ping, pong;
    tether::WaitGroup wg;
    wg.go([&] {
      for (long v : ping.receiver()) (void)pong.send(v);
    });
    for (long i = 0; i < kRoundTrips; ++i) {
      (void)ping.send(i);
      benchmark::DoNotOptimize(pong.recv());
    }
    ping.close();
    wg.wait();
  }
  set_ops(state, kRoundTrips);
}
BENCHMARK(BM_pingpong_tether)->Name("chan_unbuffered_pingpong/tether")->UseRealTime()->Unit(benchmark::kMillisecond);

// The textbook baseline of a ping-pong: two mutex + condvar queues of
// capacity 1 (each send waits for room, each receive for a value).
void BM_pingpong_mutex_queue(benchmark::State& state) {
  for (auto _ : state) {
    MutexQueue ping(1), pong(1);
    std::thread echo([&] {
      for (long v; (v = ping.pop()) >= 0;) pong.push(v);
    });
    for (long i = 0; i < kRoundTrips; ++i) {
      ping.push(i);
      benchmark::DoNotOptimize(pong.pop());
    }
    ping.push(-1);
    echo.join();
  }
  set_ops(state, kRoundTrips);
}
BENCHMARK(BM_pingpong_mutex_queue)->Name("chan_unbuffered_pingpong/mutex_queue")->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- The machine's floor: one cache line bouncing between two cores ----
//
// Two threads take turns writing one counter (each waits, spinning, for the
// other's write). One op is one round trip: the least any cross-core
// hand-off and its answer can cost on this machine. The threads are pinned
// to CPUs 0 and 1 when there are two to pin to.

// Pins the calling thread to `cpu` (Linux, two CPUs or more); returns
// whether it did.
bool pin_to_cpu(int cpu) {
#if defined(__linux__)
  if (std::thread::hardware_concurrency() < 2) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
#else
  (void)cpu;
  return false;
#endif
}

void BM_core_roundtrip(benchmark::State& state) {
  alignas(64) std::atomic<long> line{0};
  for (auto _ : state) {
    line.store(0, std::memory_order_relaxed);
    // Both sides on their own threads, so the benchmark thread keeps its
    // affinity.
    std::thread peer([&] {
      pin_to_cpu(1);
      for (long i = 0; i < kRoundTrips; ++i) {
        while (line.load(std::memory_order_acquire) != 2 * i + 1) tether::detail::cpu_relax();
        line.store(2 * i + 2, std::memory_order_release);
      }
    });
    std::thread self([&] {
      pin_to_cpu(0);
      for (long i = 0; i < kRoundTrips; ++i) {
        line.store(2 * i + 1, std::memory_order_release);
        while (line.load(std::memory_order_acquire) != 2 * i + 2) tether::detail::cpu_relax();
      }
    });
    self.join();
    peer.join();
  }
  set_ops(state, kRoundTrips);
}
BENCHMARK(BM_core_roundtrip)->Name("core_roundtrip/floor")->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- WaitGroup add+done vs the atomic floor ----

void BM_add_done_tether(benchmark::State& state) {
  tether::WaitGroup wg;
  for (auto _ : state) {
    wg.add(1);
    wg.done();
  }
  set_ops(state, 1);
}
void BM_add_done_atomic(benchmark::State& state) {
  std::atomic<std::uint64_t> counter{0};
  for (auto _ : state) {
    counter.fetch_add(1, std::memory_order_acq_rel);
    counter.fetch_sub(1, std::memory_order_acq_rel);
  }
  benchmark::DoNotOptimize(counter.load());
  set_ops(state, 1);
}
BENCHMARK(BM_add_done_tether)->Name("waitgroup_add_done/tether");
BENCHMARK(BM_add_done_atomic)->Name("waitgroup_add_done/atomic_pair");

// ---- go()+wait() per task vs raw std::thread create+join ----

void BM_go_wait_tether(benchmark::State& state) {
  tether::WaitGroup wg;
  for (auto _ : state) {
    wg.go([] { benchmark::ClobberMemory(); });
    wg.wait();
  }
  set_ops(state, 1);
}
void BM_go_wait_raw_thread(benchmark::State& state) {
  for (auto _ : state) {
    std::thread t([] { benchmark::ClobberMemory(); });
    t.join();
  }
  set_ops(state, 1);
}
void BM_group_go_wait_tether(benchmark::State& state) {
  for (auto _ : state) {
    tether::Group g;
    g.go([] { benchmark::ClobberMemory(); });
    benchmark::DoNotOptimize(g.wait());
  }
  set_ops(state, 1);
}
BENCHMARK(BM_go_wait_tether)->Name("go_wait_per_task/tether")->UseRealTime();
BENCHMARK(BM_go_wait_raw_thread)->Name("go_wait_per_task/raw_thread")->UseRealTime();
BENCHMARK(BM_group_go_wait_tether)->Name("go_wait_per_task/tether_group")->UseRealTime();

// ---- Context ----

void BM_cancelled_poll_tether(benchmark::State& state) {
  auto [ctx, cancel] = tether::with_cancel(tether::background());
  for (auto _ : state) benchmark::DoNotOptimize(ctx.cancelled());
  set_ops(state, 1);
}
BENCHMARK(BM_cancelled_poll_tether)->Name("ctx_cancelled_poll/tether");

void BM_cancel_fanout_tether(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto [root, cancel_root] = tether::with_cancel(tether::background());
    std::vector<std::pair<tether::Context, tether::CancelFunc>> nodes;
    nodes.reserve(10000);
    for (int i = 0; i < 100; ++i) nodes.push_back(tether::with_cancel(root));
    for (int i = 0; i < 9900; ++i) nodes.push_back(tether::with_cancel(nodes[i % 100].first));
    state.ResumeTiming();
    cancel_root();
    state.PauseTiming();
    nodes.clear();
    state.ResumeTiming();
  }
  set_ops(state, 1);
}
BENCHMARK(BM_cancel_fanout_tether)->Name("ctx_cancel_fanout_10k/tether")->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
