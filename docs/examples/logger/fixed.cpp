// A logger that batches lines and flushes them from a background thread.
// Fixed: the logger owns its flush thread as a std::jthread declared last, so
// it is stopped (stop_token) and joined before the members it uses are
// destroyed, and the final flush always happens.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

class Logger {
public:
  explicit Logger(std::FILE *out)
      : out_(out), flusher_([this](std::stop_token stop) { run(stop); }) {}

  void log(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(line));
    if (pending_.size() > 64)
      cv_.notify_one();
  }

private:
  void run(std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop.stop_requested()) {
      cv_.wait_for(lock, stop, std::chrono::milliseconds(100),
                   [this] { return pending_.size() > 64; });
      flushLocked();
    }
    flushLocked();
  }

  void flushLocked() {
    for (const std::string &line : pending_)
      std::fprintf(out_, "%s\n", line.c_str());
    pending_.clear();
    std::fflush(out_);
  }

  std::FILE *out_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<std::string> pending_;
  std::jthread flusher_; // last: stopped and joined before the members above die
};

void runLogger() {
  Logger logger(stderr);
  for (int i = 0; i < 1000; ++i)
    logger.log("event " + std::to_string(i));
}
