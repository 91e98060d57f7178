// Internal: the set of threads one owner (WaitGroup, Group) started, and the
// process-wide registry behind the leak report.
#ifndef TETHER_DETAIL_THREAD_SET_H
#define TETHER_DETAIL_THREAD_SET_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <source_location>
#include <thread>
#include <utility>

namespace tether::detail {

// What an owner (WaitGroup, Group) does when one of its tasks ends.
// `finished` runs on the task's thread as the task leaves the leak registry,
// under the registry's lock, so that a fork() sees every task either still
// registered or finished. `vanished` runs in a forked child, from the atfork
// handler, for each task that was running in the parent (its thread does
// not exist in the child); it must not take locks.
struct TaskHooks {
  void (*finished)(void* owner) noexcept = nullptr;
  void (*vanished)(void* owner) noexcept = nullptr;
  void* owner = nullptr;
};

// One entry of the leak registry; intrusive, owned by a ThreadSet record.
struct SpawnRecord {
  std::source_location where;
  const char* kind = "";
  std::thread::id id;
  std::chrono::steady_clock::time_point started;
  TaskHooks hooks;
  std::uint64_t fork_generation = 0;  // of the process that started it
  SpawnRecord* prev = nullptr;
  SpawnRecord* next = nullptr;
};

void register_spawn(SpawnRecord* r) noexcept;
void set_spawn_thread(SpawnRecord* r, std::thread::id id) noexcept;
// Unlinks r and runs its `finished` hook, under the registry's lock.
void unregister_spawn(SpawnRecord* r) noexcept;
// Incremented in a forked child: records of an older generation belong to
// threads of the parent, which the child must neither join nor list.
std::uint64_t fork_generation() noexcept;

// Owns threads: every thread spawn() starts is joined by join_all() or the
// destructor, never detached. Finished threads are reaped on the next spawn.
class ThreadSet {
 public:
  ThreadSet() = default;
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;
  ~ThreadSet() { join_all(); }

  // Starts a thread running body(), then hooks.finished. Throws
  // std::system_error if the thread cannot be created (nothing is started
  // then, and no hook runs).
  template <class Body>
  void spawn(Body&& body, const std::source_location& where, const char* kind,
             TaskHooks hooks = {}) {
    reap();
    std::unique_lock lock(mu_);
    auto it = running_.emplace(running_.end());
    Record* r = &*it;
    r->self = it;
    r->spawn.where = where;
    r->spawn.kind = kind;
    r->spawn.hooks = hooks;  // before registering: a fork may come next
    register_spawn(&r->spawn);
    try {
      r->thread = std::thread([this, r, b = std::forward<Body>(body)]() mutable {
        b();
        finish(r);
      });
    } catch (...) {
      r->spawn.hooks = {};  // nothing started: the caller undoes its count
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
  // In a forked child: drops the records of the parent's threads without
  // joining them (their threads do not exist here). Requires mu_.
  void forget_parent_threads() noexcept;

  std::mutex mu_;
  std::condition_variable cv_;
  std::list<Record> running_;
  std::list<Record> finished_;
  std::uint64_t generation_ = 0;  // guarded by mu_: fork_generation() last seen
};

}  // namespace tether::detail

#endif  // TETHER_DETAIL_THREAD_SET_H
