// The leak registry and ThreadSet.
#include "tether/leak.h"

#include <atomic>
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

Registry& registry() {
  // Leaked on purpose: threads may end during static destruction.
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

namespace detail {

void register_spawn(SpawnRecord* r) noexcept {
  Registry& reg = registry();
  r->started = std::chrono::steady_clock::now();
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

void ThreadSet::reap() noexcept {
  std::unique_lock lock(mu_);
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
