// Shared helpers for the runtime tests: timeouts that guard every blocking
// call, a watchdog, and the stress scale.
#ifndef TETHER_TEST_RUNTIME_TEST_UTIL_H
#define TETHER_TEST_RUNTIME_TEST_UTIL_H

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <source_location>
#include <thread>

namespace tether_test {

using namespace std::chrono_literals;

// Guard for one blocking call that is expected to complete: generous, so it
// never fires on a slow sanitizer build, but a hang fails instead of hanging.
inline constexpr auto kTimeout = std::chrono::seconds(30);

// Multiplier for stress tests, from TETHER_STRESS_SCALE (default 1). The
// sanitizer runs in CI keep the default; use e.g. 0.1 for a quick run or 10
// for a soak.
inline double stress_scale() {
  static const double scale = [] {
    const char* s = std::getenv("TETHER_STRESS_SCALE");
    double v = s != nullptr ? std::atof(s) : 1.0;
    return v > 0 ? v : 1.0;
  }();
  return scale;
}
inline long scaled(long n) {
  long v = static_cast<long>(static_cast<double>(n) * stress_scale());
  return v > 0 ? v : 1;
}

// Aborts the test process with the creation site if still alive after
// `limit`: a deadlocked test fails with a message instead of hanging.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit = std::chrono::seconds(120),
                    std::source_location where = std::source_location::current())
      : thread_([this, limit, where] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: test blocked for more than %llds (guard at %s:%u)\n",
                         static_cast<long long>(limit.count()), where.file_name(),
                         static_cast<unsigned>(where.line()));
            std::abort();
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace tether_test

#endif  // TETHER_TEST_RUNTIME_TEST_UTIL_H
