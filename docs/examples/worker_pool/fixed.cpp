// A fixed-size worker pool fed through a queue.
// Fixed: the pool owns its workers (std::jthread, declared last); closing the
// queue or a stop request ends every worker, and the destructor joins them.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <pthread.h>
#include <stop_token>
#include <thread>
#include <vector>

class WorkerPool {
public:
  explicit WorkerPool(unsigned n) {
    workers_.reserve(n);
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this](std::stop_token stop) { work(stop); });
  }

  ~WorkerPool() {
    for (std::jthread &w : workers_)
      w.request_stop();
    cv_.notify_all();
    // ~jthread joins each worker.
  }

  void submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

private:
  void work(std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (!cv_.wait(lock, stop, [this] { return !tasks_.empty(); }))
          return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::jthread> workers_; // last: joined before the queue dies
};

// The reaper is joined by whoever starts it.
static void *reap(void *) { return nullptr; }

int runReaper() {
  pthread_t tid;
  if (pthread_create(&tid, nullptr, reap, nullptr) != 0)
    return -1;
  return pthread_join(tid, nullptr);
}
