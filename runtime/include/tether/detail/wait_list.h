// Internal: wait queues of blocked operations, used by Channel and select.
#ifndef TETHER_DETAIL_WAIT_LIST_H
#define TETHER_DETAIL_WAIT_LIST_H

#include <atomic>
#include <cstdint>
#include <mutex>

#include "tether/detail/sync.h"

namespace tether::detail {

// One blocked operation queued on one channel: the Waiter to select, the
// token to select it with, and (zero capacity only) the hand-off packet.
struct WaitEntry {
  Waiter* waiter = nullptr;
  void* packet = nullptr;
  std::uint32_t token = 0;
  bool listed = false;
  WaitEntry* prev = nullptr;
  WaitEntry* next = nullptr;
};

// FIFO of entries. Not synchronised: the owner's mutex guards it.
class WaitList {
 public:
  void push(WaitEntry* e) noexcept;
  void remove(WaitEntry* e) noexcept;  // no-op if not listed
  [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
  // Selects and removes the oldest entry not owned by `self` whose waiter
  // accepts its token. Returns it, or nullptr; *needs_wake as for
  // Waiter::try_select.
  WaitEntry* select_one(const Waiter* self, bool* needs_wake) noexcept;
  // True if an entry of another waiter that is still selectable is queued.
  [[nodiscard]] bool has_other(const Waiter* self) const noexcept;
  // Selects every entry it can and removes all; calls f(entry, needs_wake)
  // for each one selected.
  template <class F>
  void select_all(F&& f) noexcept {
    while (WaitEntry* e = head_) {
      remove(e);
      bool needs_wake = false;
      if (e->waiter->try_select(e->token, &needs_wake)) f(e, needs_wake);
    }
  }

 private:
  WaitEntry* head_ = nullptr;
  WaitEntry* tail_ = nullptr;
};

// A WaitList with its own lock and a lock-free "anyone waiting?" flag, so
// that notify() costs one load when nobody waits (buffered channels).
class SyncWaker {
 public:
  void add(WaitEntry* e) noexcept;
  void remove(WaitEntry* e) noexcept;
  // Wakes one waiter (of another thread) if any.
  void notify() noexcept {
    if (!empty_.load(std::memory_order_seq_cst)) notify_slow();
  }
  // Selects and wakes every waiter (on close).
  void disconnect() noexcept;

 private:
  void notify_slow() noexcept;
  std::mutex mu_;
  WaitList list_;
  std::atomic<bool> empty_{true};
};

}  // namespace tether::detail

#endif  // TETHER_DETAIL_WAIT_LIST_H
