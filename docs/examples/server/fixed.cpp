// A server with a listener thread, a metrics consumer and a start-up check.
// Fixed: the listener is a std::jthread that is asked to stop and joined on
// destruction; the consumer's jthread is declared after the members it uses;
// warmUp()'s loader is a jthread, joined on every way out; checkpoint()
// joins its flusher once, on every path.
#include <deque>
#include <mutex>
#include <stop_token>
#include <thread>

void serve(std::stop_token stop);
void preload();
bool configOk();
void record(int sample);
void flush();
bool persistOk() noexcept;

class Server {
public:
  void start() { listener_ = std::jthread([](std::stop_token st) { serve(st); }); }
  void stop() {
    listener_.request_stop();
    if (listener_.joinable())
      listener_.join();
  }

private:
  std::jthread listener_; // ~jthread: request_stop() and join()
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
  std::mutex mu_;
  std::deque<int> samples_;
  std::jthread consumer_; // last: stopped and joined before the queue dies
};

bool warmUp() {
  std::jthread loader(preload);
  if (!configOk())
    return false; // loader is joined here
  return true;
}

bool checkpoint() {
  std::jthread flusher(flush);
  const bool ok = persistOk();
  flusher.join(); // once, on every path
  return ok;
}
