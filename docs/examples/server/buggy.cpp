// A server with a listener thread, a metrics consumer and a start-up check.
// Buggy: the destructor does not join the listener (std::terminate when a
// started server is destroyed); the consumer's jthread is declared before
// the queue it reads, so the queue dies first while the thread still runs;
// warmUp() returns early past a joinable local thread; and checkpoint()
// joins its flusher on the error path and then again.
#include <atomic>
#include <deque>
#include <mutex>
#include <stop_token>
#include <thread>

void serve(std::atomic<bool> &running);
void preload();
bool configOk();
void record(int sample);
void flush();
bool persistOk() noexcept;

class Server {
public:
  void start() { listener_ = std::thread([this] { serve(running_); }); }
  void stop() {
    running_ = false;
    listener_.join();
  }
  ~Server() { running_ = false; }

private:
  std::atomic<bool> running_{true};
  std::thread listener_;
};

class Metrics {
public:
  Metrics() : consumer_([this](std::stop_token st) { drain(st); }) {}
  void push(int sample) {
    std::lock_guard<std::mutex> lock(mu_);
    samples_.push_back(sample);
  }

private:
  void drain(std::stop_token st) {
    while (!st.stop_requested()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!samples_.empty()) {
        record(samples_.front());
        samples_.pop_front();
      }
    }
  }
  std::jthread consumer_;
  std::mutex mu_;
  std::deque<int> samples_;
};

bool warmUp() {
  std::thread loader(preload);
  if (!configOk())
    return false; // loader is still joinable here
  loader.join();
  return true;
}

bool checkpoint() {
  std::thread flusher(flush);
  bool ok = true;
  if (!persistOk()) {
    flusher.join(); // report only once the flush has ended
    ok = false;
  }
  flusher.join(); // joined again on the error path: std::system_error
  return ok;
}
