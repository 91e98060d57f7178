#include "tether/detail/wait_list.h"

namespace tether::detail {

void WaitList::push(WaitEntry* e) noexcept {
  e->prev = tail_;
  e->next = nullptr;
  if (tail_ != nullptr) {
    tail_->next = e;
  } else {
    head_ = e;
  }
  tail_ = e;
  e->listed = true;
}

void WaitList::remove(WaitEntry* e) noexcept {
  if (!e->listed) return;
  if (e->prev != nullptr) {
    e->prev->next = e->next;
  } else {
    head_ = e->next;
  }
  if (e->next != nullptr) {
    e->next->prev = e->prev;
  } else {
    tail_ = e->prev;
  }
  e->prev = e->next = nullptr;
  e->listed = false;
}

WaitEntry* WaitList::select_one(const Waiter* self, bool* needs_wake) noexcept {
  for (WaitEntry* e = head_; e != nullptr; e = e->next) {
    if (e->waiter == self) continue;
    // An entry whose waiter was already selected elsewhere stays until its
    // owner unregisters it.
    if (e->waiter->try_select(e->token, needs_wake)) {
      remove(e);
      return e;
    }
  }
  return nullptr;
}

bool WaitList::has_other(const Waiter* self) const noexcept {
  for (WaitEntry* e = head_; e != nullptr; e = e->next) {
    if (e->waiter != self && e->waiter->selected() == 0) return true;
  }
  return false;
}

void SyncWaker::add(WaitEntry* e) noexcept {
  std::lock_guard lock(mu_);
  list_.push(e);
  empty_.store(false, std::memory_order_seq_cst);
}

void SyncWaker::remove(WaitEntry* e) noexcept {
  std::lock_guard lock(mu_);
  list_.remove(e);
  empty_.store(list_.empty(), std::memory_order_seq_cst);
}

void SyncWaker::notify_slow() noexcept {
  Waiter* woken = nullptr;
  bool needs_wake = false;
  {
    std::lock_guard lock(mu_);
    if (empty_.load(std::memory_order_seq_cst)) return;
    if (WaitEntry* e = list_.select_one(nullptr, &needs_wake)) woken = e->waiter;
    empty_.store(list_.empty(), std::memory_order_seq_cst);
  }
  if (woken != nullptr && needs_wake) Waiter::wake(woken);
}

void SyncWaker::disconnect() noexcept {
  std::lock_guard lock(mu_);
  list_.select_all([](WaitEntry* e, bool needs_wake) {
    if (needs_wake) Waiter::wake(e->waiter);
  });
  empty_.store(true, std::memory_order_seq_cst);
}

}  // namespace tether::detail
