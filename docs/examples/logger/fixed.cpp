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

// An audit sink with its own writer thread, stopped through a flag.
// Fixed: the flag is read and written only under the mutex that the writer's
// predicate reads it under, so the read sees the write and stop()'s notify
// cannot fall between the writer's check and its sleep.
class AuditSink {
public:
  ~AuditSink() { stop(); }

  void start() { writer_ = std::thread(&AuditSink::run, this); }

  void record(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(line));
    cv_.notify_one();
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_ = false;
    }
    cv_.notify_one();
    if (writer_.joinable())
      writer_.join();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (running_) {
      cv_.wait(lock, [this] { return !running_ || !records_.empty(); });
      for (const std::string &line : records_)
        std::fprintf(stderr, "audit: %s\n", line.c_str());
      records_.clear();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> records_;
  bool running_ = true;
  std::thread writer_;
};

void runAudit() {
  AuditSink sink;
  sink.start();
  sink.record("login");
}
