// A logger that batches lines and flushes them from a background thread.
// Buggy: the flush thread is detached, so nobody can stop it or wait for the
// last flush; lines logged just before exit are lost, and the thread may touch
// the logger after it is destroyed.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class Logger {
public:
  explicit Logger(std::FILE *out) : out_(out) {
    std::thread flusher([this] {
      for (;;) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        flushLocked();
      }
    });
    flusher.detach();
  }

  void log(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(line));
    if (pending_.size() > 64)
      cv_.notify_one();
  }

private:
  void flushLocked() {
    for (const std::string &line : pending_)
      std::fprintf(out_, "%s\n", line.c_str());
    pending_.clear();
    std::fflush(out_);
  }

  std::FILE *out_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> pending_;
};

void runLogger() {
  Logger logger(stderr);
  for (int i = 0; i < 1000; ++i)
    logger.log("event " + std::to_string(i));
}

// An audit sink with its own writer thread, stopped through a plain flag.
// Buggy: the writer polls `running_` without the lock that guards it (a data
// race: the loop may never see the write), and stop() clears it without
// holding the mutex the writer's predicate reads it under, so the notify can
// fall between the writer's check and its sleep (a lost wake-up: stop() hangs
// in join()).
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
    running_ = false;
    cv_.notify_one();
    if (writer_.joinable())
      writer_.join();
  }

private:
  void run() {
    while (running_) {
      std::unique_lock<std::mutex> lock(mu_);
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
