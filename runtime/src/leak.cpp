// The leak registry and ThreadSet.
#include "tether/leak.h"

#include <pthread.h>

#include <atomic>
#include <new>
#include <sstream>

#include "tether/detail/thread_set.h"

namespace tether {
namespace {

struct Registry {
  std::mutex mu;
  std::condition_variable cv;
  detail::SpawnRecord* head = nullptr;  // newest first
  detail::SpawnRecord* tail = nullptr;
  std::atomic<std::size_t> count{0};
};

std::atomic<std::uint64_t> g_fork_generation{0};

Registry& registry();

void registry_prepare_fork() noexcept { registry().mu.lock(); }
void registry_parent_after_fork() noexcept { registry().mu.unlock(); }
// In the child only the forking thread exists. Every registered record is a
// task of the parent that is still running there: it is gone here. Its
// owner is told (a WaitGroup counts it done) and the registry forgets it.
// Records are left linked to each other but are never unlinked again: their
// ThreadSet drops them by generation.
void registry_child_after_fork() noexcept {
  Registry& reg = registry();
  for (detail::SpawnRecord* r = reg.head; r != nullptr; r = r->next) {
    if (r->hooks.vanished != nullptr) r->hooks.vanished(r->hooks.owner);
  }
  new (&reg.mu) std::mutex();
  new (&reg.cv) std::condition_variable();
  reg.head = reg.tail = nullptr;
  reg.count.store(0, std::memory_order_relaxed);
  g_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

Registry& registry() {
  // Leaked on purpose: threads may end during static destruction.
  static Registry* r = [] {
    auto* created = new Registry;
    pthread_atfork(&registry_prepare_fork, &registry_parent_after_fork,
                   &registry_child_after_fork);
    return created;
  }();
  return *r;
}

}  // namespace

namespace detail {

std::uint64_t fork_generation() noexcept {
  return g_fork_generation.load(std::memory_order_relaxed);
}

void register_spawn(SpawnRecord* r) noexcept {
  Registry& reg = registry();
  r->started = std::chrono::steady_clock::now();
  r->fork_generation = fork_generation();
  std::lock_guard lock(reg.mu);
  r->prev = nullptr;
  r->next = reg.head;
  if (reg.head != nullptr) {
    reg.head->prev = r;
  } else {
    reg.tail = r;
  }
  reg.head = r;
  reg.count.fetch_add(1, std::memory_order_relaxed);
}

void set_spawn_thread(SpawnRecord* r, std::thread::id id) noexcept {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  r->id = id;
}

void unregister_spawn(SpawnRecord* r) noexcept {
  Registry& reg = registry();
  {
    std::lock_guard lock(reg.mu);
    if (r->prev != nullptr) {
      r->prev->next = r->next;
    } else {
      reg.head = r->next;
    }
    if (r->next != nullptr) {
      r->next->prev = r->prev;
    } else {
      reg.tail = r->prev;
    }
    r->prev = r->next = nullptr;
    reg.count.fetch_sub(1, std::memory_order_relaxed);
    if (r->hooks.finished != nullptr) r->hooks.finished(r->hooks.owner);
  }
  reg.cv.notify_all();
}

void ThreadSet::finish(Record* r) noexcept {
  std::lock_guard lock(mu_);
  unregister_spawn(&r->spawn);
  finished_.splice(finished_.end(), running_, r->self);
  r->finished = true;
}

void ThreadSet::erase_joined(Record* r) noexcept {
  if (r->finished) {
    finished_.erase(r->self);
  } else {
    running_.erase(r->self);
  }
  cv_.notify_all();
}

void ThreadSet::forget_parent_threads() noexcept {
  const std::uint64_t now = fork_generation();
  if (now == generation_) return;  // no fork since the last look: one load
  generation_ = now;
  for (auto* list : {&finished_, &running_}) {
    for (auto it = list->begin(); it != list->end();) {
      if (it->spawn.fork_generation == now) {
        ++it;
        continue;
      }
      // Not joinable here: forget the handle without joining or detaching.
      new (&it->thread) std::thread();
      it = list->erase(it);
    }
  }
}

void ThreadSet::reap() noexcept {
  std::unique_lock lock(mu_);
  forget_parent_threads();
  while (!finished_.empty()) {
    Record* r = nullptr;
    for (Record& c : finished_) {
      if (!c.claimed) {
        r = &c;
        break;
      }
    }
    if (r == nullptr) return;
    r->claimed = true;
    lock.unlock();
    r->thread.join();  // its task has returned: the thread is exiting
    lock.lock();
    erase_joined(r);
  }
}

void ThreadSet::join_all() noexcept {
  std::unique_lock lock(mu_);
  for (;;) {
    forget_parent_threads();
    Record* r = nullptr;
    for (auto* list : {&finished_, &running_}) {
      for (Record& c : *list) {
        if (!c.claimed) {
          r = &c;
          break;
        }
      }
      if (r != nullptr) break;
    }
    if (r == nullptr) {
      if (running_.empty() && finished_.empty()) return;
      cv_.wait(lock);  // another thread is joining the rest
      continue;
    }
    r->claimed = true;
    lock.unlock();
    r->thread.join();
    lock.lock();
    erase_joined(r);
  }
}

}  // namespace detail

std::vector<ThreadInfo> running_threads() {
  Registry& reg = registry();
  std::vector<ThreadInfo> out;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(reg.mu);
  for (detail::SpawnRecord* r = reg.tail; r != nullptr; r = r->prev) {
    out.push_back(ThreadInfo{r->where, r->kind, r->id, now - r->started});
  }
  return out;
}

std::size_t running_thread_count() noexcept {
  return registry().count.load(std::memory_order_relaxed);
}

bool wait_for_no_running_threads(std::chrono::steady_clock::duration timeout) {
  Registry& reg = registry();
  std::unique_lock lock(reg.mu);
  return reg.cv.wait_for(lock, timeout, [&] { return reg.head == nullptr; });
}

std::string describe_running_threads() {
  std::vector<ThreadInfo> threads = running_threads();
  std::ostringstream os;
  os << threads.size() << (threads.size() == 1 ? " thread" : " threads")
     << " started by tether still running";
  os << (threads.empty() ? "\n" : ":\n");
  for (const ThreadInfo& t : threads) {
    os << "  " << t.spawned_by << " at ";
    if (t.spawn_site.line() == 0) {
      os << "<unknown site>";
    } else {
      os << t.spawn_site.file_name() << ':' << t.spawn_site.line() << " in "
         << t.spawn_site.function_name();
    }
    os << " (thread " << t.id << ", running "
       << std::chrono::duration_cast<std::chrono::milliseconds>(t.running_for).count()
       << " ms)\n";
  }
  return os.str();
}

}  // namespace tether
