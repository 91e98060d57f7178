// Internal: the set of threads one owner (WaitGroup, Group) started, and the
// process-wide registry behind the leak report.
#ifndef TETHER_DETAIL_THREAD_SET_H
#define TETHER_DETAIL_THREAD_SET_H

#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <source_location>
#include <thread>
#include <utility>

namespace tether::detail {

// One entry of the leak registry; intrusive, owned by a ThreadSet record.
struct SpawnRecord {
  std::source_location where;
  const char* kind = "";
  std::thread::id id;
  std::chrono::steady_clock::time_point started;
  SpawnRecord* prev = nullptr;
  SpawnRecord* next = nullptr;
};

void register_spawn(SpawnRecord* r) noexcept;
void set_spawn_thread(SpawnRecord* r, std::thread::id id) noexcept;
void unregister_spawn(SpawnRecord* r) noexcept;

// Owns threads: every thread spawn() starts is joined by join_all() or the
// destructor, never detached. Finished threads are reaped on the next spawn.
class ThreadSet {
 public:
  ThreadSet() = default;
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;
  ~ThreadSet() { join_all(); }

  // Starts a thread running body(). Throws std::system_error if the thread
  // cannot be created (nothing is started then).
  template <class Body>
  void spawn(Body&& body, const std::source_location& where, const char* kind) {
    reap();
    std::unique_lock lock(mu_);
    auto it = running_.emplace(running_.end());
    Record* r = &*it;
    r->self = it;
    r->spawn.where = where;
    r->spawn.kind = kind;
    register_spawn(&r->spawn);
    try {
      r->thread = std::thread([this, r, b = std::forward<Body>(body)]() mutable {
        b();
        finish(r);
      });
    } catch (...) {
      unregister_spawn(&r->spawn);
      running_.erase(it);
      throw;
    }
    set_spawn_thread(&r->spawn, r->thread.get_id());
  }

  // Joins every thread started so far, including ones started while it runs.
  void join_all() noexcept;

 private:
  struct Record {
    std::thread thread;
    SpawnRecord spawn;
    std::list<Record>::iterator self;
    bool finished = false;  // guarded by mu_: in finished_, not running_
    bool claimed = false;   // guarded by mu_: someone is joining it
  };
  void finish(Record* r) noexcept;
  void reap() noexcept;
  void erase_joined(Record* r) noexcept;  // requires mu_

  std::mutex mu_;
  std::condition_variable cv_;
  std::list<Record> running_;
  std::list<Record> finished_;
};

}  // namespace tether::detail

#endif  // TETHER_DETAIL_THREAD_SET_H
