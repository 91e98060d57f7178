// tether::Channel<T>: a typed, optionally buffered FIFO between threads with
// close -- Go's chan T. Capacity 0 is a true rendezvous.
//
// See docs/runtime.md for every operation in every channel state.
#ifndef TETHER_CHANNEL_H
#define TETHER_CHANNEL_H

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "tether/context.h"
#include "tether/detail/sync.h"
#include "tether/detail/wait_list.h"

namespace tether {

// The outcome of a channel operation that can end in more than one way.
enum class ChannelStatus {
  ok,           // the value was delivered / received
  closed,       // the channel is closed (and, for receives, drained)
  would_block,  // try_send / try_recv only: it would have to wait
  timeout,      // *_for / *_until only: the deadline passed first
  cancelled,    // ctx variants only: the context was cancelled first
};

// "ok", "closed", "would block", "timeout", "cancelled".
const char* to_string(ChannelStatus s) noexcept;

// What a receive that can fail returns: a status and, when it is ok, the
// value.
template <class T>
struct RecvResult {
  ChannelStatus status = ChannelStatus::closed;
  std::optional<T> value;

  [[nodiscard]] bool ok() const noexcept { return status == ChannelStatus::ok; }
  explicit operator bool() const noexcept { return ok(); }
  T& operator*() & { return *value; }
  T&& operator*() && { return std::move(*value); }
  T* operator->() { return &*value; }
};

template <class T>
class Channel;
template <class T>
class Sender;
template <class T>
class Receiver;

namespace detail {

inline constexpr std::size_t kCacheLine = 64;

// Hand-off record of one blocked operation on an unbuffered channel.
template <class T>
struct Packet {
  enum : std::uint32_t { kPending = 0, kDone = 1, kClosed = 2 };
  std::atomic<std::uint32_t> ready{kPending};
  // A blocked operation is a send or a receive, never both.
  union {
    T* send_value = nullptr;               // a blocked sender's value
    std::optional<T>* recv_slot;           // a blocked receiver's slot
  };
  // Waits (briefly: the peer is mid-hand-off) for the outcome.
  std::uint32_t wait() noexcept {
    Backoff backoff;
    for (;;) {
      std::uint32_t r = ready.load(std::memory_order_acquire);
      if (r != kPending) return r;
      backoff.snooze();
    }
  }
};

// The state shared by every handle of one channel.
//
// Buffered (capacity > 0): the bounded array queue of crossbeam-channel
// (Vyukov's design with per-slot stamps); send and receive are lock-free
// unless they must block, and close() sets a mark bit in the tail. Blocked
// operations wait in SyncWakers.
// Unbuffered (capacity 0): a mutex guards two wait lists; a sender hands its
// value directly to a waiting receiver (and vice versa), so send completes
// only when a receiver has the value.
template <class T>
class ChannelState {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "tether::Channel<T> requires a nothrow move constructor");
  static_assert(std::is_nothrow_destructible_v<T>);

 public:
  // The largest capacity: indices, the close mark and the lap counter must
  // fit in one size_t with room to spare, and the slot array in the address
  // space.
  static constexpr std::size_t max_capacity() noexcept {
    constexpr std::size_t by_index = SIZE_MAX / 4;
    constexpr std::size_t by_memory = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(Slot);
    return by_index < by_memory ? by_index : by_memory;
  }

  explicit ChannelState(std::size_t capacity) : cap_(capacity) {
    if (cap_ > max_capacity()) fatal("channel capacity too large");
    if (cap_ > 0) {
      mark_bit_ = std::bit_ceil(cap_ + 1);
      one_lap_ = mark_bit_ * 2;
      slots_.reset(new Slot[cap_]);
      for (std::size_t i = 0; i < cap_; ++i) slots_[i].stamp.store(i, std::memory_order_relaxed);
    }
  }
  ChannelState(const ChannelState&) = delete;
  ChannelState& operator=(const ChannelState&) = delete;
  ~ChannelState() {
    if (cap_ == 0) return;
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t hix = head & (mark_bit_ - 1);
    const std::size_t tix = tail & (mark_bit_ - 1);
    std::size_t len = 0;
    if (hix < tix) {
      len = tix - hix;
    } else if (hix > tix) {
      len = cap_ - hix + tix;
    } else if ((tail & ~mark_bit_) != head) {
      len = cap_;
    }
    for (std::size_t i = 0; i < len; ++i) {
      std::size_t idx = hix + i < cap_ ? hix + i : hix + i - cap_;
      slots_[idx].value()->~T();
    }
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }

  [[nodiscard]] bool is_closed() const noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      return closed_;
    }
    return (tail_.load(std::memory_order_seq_cst) & mark_bit_) != 0;
  }

  [[nodiscard]] std::size_t size() const noexcept {
    if (cap_ == 0) return 0;
    for (;;) {
      const std::size_t tail = tail_.load(std::memory_order_seq_cst);
      const std::size_t head = head_.load(std::memory_order_seq_cst);
      if (tail_.load(std::memory_order_seq_cst) != tail) continue;
      const std::size_t hix = head & (mark_bit_ - 1);
      const std::size_t tix = tail & (mark_bit_ - 1);
      if (hix < tix) return tix - hix;
      if (hix > tix) return cap_ - hix + tix;
      return (tail & ~mark_bit_) == head ? 0 : cap_;
    }
  }

  // Closes; true if this call did. Wakes every blocked sender and receiver.
  //
  // Memory ordering (Go's rule: a close happens before a receive that
  // returns because the channel is closed):
  // - Unbuffered: closed_ is written under mu_, and every operation that can
  //   report closed reads it under mu_ (try_send, try_recv, register_*), so
  //   the mutex orders close() before it. A blocked operation that close()
  //   fails learns it from packet.ready = kClosed, stored with release under
  //   mu_ after closed_ = true and read with acquire by Packet::wait().
  // - Buffered: the mark bit is set by one seq_cst read-modify-write of
  //   tail_ (a release); start_send and start_recv read tail_ with acquire
  //   before they report closed. The value they see carrying the bit is
  //   close()'s own write or a later CAS on tail_, which continues its
  //   release sequence, so close() happens-before the closed report. A
  //   blocked operation is woken by disconnect() (SyncWaker's mutex) and
  //   then re-runs start_* itself.
  bool close() noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      if (closed_) return false;
      closed_ = true;
      auto fail = [](WaitEntry* e, bool needs_wake) {
        // Read before the release: once ready is stored, a blocked send or
        // receive returns without unregistering and its entry is gone.
        Waiter* w = e->waiter;
        static_cast<Packet<T>*>(e->packet)->ready.store(Packet<T>::kClosed,
                                                        std::memory_order_release);
        if (needs_wake) Waiter::wake(w);
      };
      senders_list_.select_all(fail);
      receivers_list_.select_all(fail);
      return true;
    }
    const std::size_t tail = tail_.fetch_or(mark_bit_, std::memory_order_seq_cst);
    if ((tail & mark_bit_) != 0) return false;
    senders_.disconnect();
    receivers_.disconnect();
    return true;
  }

  // Non-blocking send: moves from v only when it returns ok. `self` is the
  // calling select's waiter (never paired with itself), or null.
  //
  // Unbuffered hand-off, memory ordering: the pairing happens under mu_.
  // The pairing thread moves the value (into the receiver's slot, or out of
  // the sender's variable) and then stores packet.ready = kDone with
  // release; the blocked owner reads it with acquire in Packet::wait()
  // before it touches the value or returns, so the sender's writes before
  // send() happen-before the receiver's use of the value and (capacity 0)
  // the receive happens-before the blocked send returns. The owner also
  // takes mu_ to unregister, which orders it after the pairing a second
  // time. A pairing and a close() are ordered by mu_ as well: every pairing
  // site checks closed_ first, close() fails every queued entry, and no
  // entry is queued once closed_ is set (register_*), so nothing pairs
  // after close() has returned.
  ChannelStatus try_send(T& v, const Waiter* self) noexcept {
    if (cap_ == 0) {
      Waiter* w = nullptr;
      bool needs_wake = false;
      {
        std::lock_guard lock(mu_);
        if (closed_) return ChannelStatus::closed;
        WaitEntry* e = receivers_list_.select_one(self, &needs_wake);
        if (e == nullptr) return ChannelStatus::would_block;
        w = e->waiter;
        auto* p = static_cast<Packet<T>*>(e->packet);
        p->recv_slot->emplace(std::move(v));
        p->ready.store(Packet<T>::kDone, std::memory_order_release);
      }
      if (needs_wake) Waiter::wake(w);
      return ChannelStatus::ok;
    }
    Slot* slot = nullptr;
    std::size_t stamp = 0;
    switch (start_send(slot, stamp)) {
      case Start::ok:
        break;
      case Start::unavailable:
        return ChannelStatus::would_block;
      case Start::closed:
        return ChannelStatus::closed;
    }
    ::new (static_cast<void*>(slot->storage)) T(std::move(v));
    slot->stamp.store(stamp, std::memory_order_release);
    receivers_.notify();
    return ChannelStatus::ok;
  }

  // Non-blocking receive into out (which must be empty).
  ChannelStatus try_recv(std::optional<T>& out, const Waiter* self) noexcept {
    if (cap_ == 0) {
      Waiter* w = nullptr;
      bool needs_wake = false;
      {
        std::lock_guard lock(mu_);
        // Closed first: an unbuffered channel holds no values, and a sender
        // still queued must not pair after close() (it is being failed).
        if (closed_) return ChannelStatus::closed;
        WaitEntry* e = senders_list_.select_one(self, &needs_wake);
        if (e == nullptr) return ChannelStatus::would_block;
        w = e->waiter;
        auto* p = static_cast<Packet<T>*>(e->packet);
        out.emplace(std::move(*p->send_value));
        p->ready.store(Packet<T>::kDone, std::memory_order_release);
      }
      if (needs_wake) Waiter::wake(w);
      return ChannelStatus::ok;
    }
    Slot* slot = nullptr;
    std::size_t stamp = 0;
    switch (start_recv(slot, stamp)) {
      case Start::ok:
        break;
      case Start::unavailable:
        return ChannelStatus::would_block;
      case Start::closed:
        return ChannelStatus::closed;
    }
    T* value = slot->value();
    out.emplace(std::move(*value));
    value->~T();
    slot->stamp.store(stamp, std::memory_order_release);
    senders_.notify();
    return ChannelStatus::ok;
  }

  // Queues a blocked send/receive. Returns true if the operation may be
  // ready now (closed, or a peer of another waiter is queued, or buffer
  // space/items appeared): the caller must then abort its wait and retry.
  // At capacity 0 nothing is queued once the channel is closed: an entry
  // queued after close() could be paired by a peer before its owner saw the
  // close and aborted.
  bool register_send(WaitEntry* e) noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      if (closed_) return true;
      senders_list_.push(e);
      return receivers_list_.has_other(e->waiter);
    }
    senders_.add(e);
    return !is_full() || is_closed();
  }
  bool register_recv(WaitEntry* e) noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      if (closed_) return true;
      receivers_list_.push(e);
      return senders_list_.has_other(e->waiter);
    }
    receivers_.add(e);
    return !is_empty() || is_closed();
  }
  void unregister_send(WaitEntry* e) noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      senders_list_.remove(e);
      return;
    }
    senders_.remove(e);
  }
  void unregister_recv(WaitEntry* e) noexcept {
    if (cap_ == 0) {
      std::lock_guard lock(mu_);
      receivers_list_.remove(e);
      return;
    }
    receivers_.remove(e);
  }

  // Blocking send / receive, optionally bounded by a context and a deadline.
  ChannelStatus send(T& v, const Context* ctx,
                     const std::optional<Clock::time_point>& deadline) noexcept {
    return block(ctx, deadline, [&] { return try_send(v, nullptr); },
                 [&](WaitEntry* e, Packet<T>* p) {
                   p->send_value = &v;
                   return register_send(e);
                 },
                 [&](WaitEntry* e) { unregister_send(e); });
  }
  ChannelStatus recv(std::optional<T>& out, const Context* ctx,
                     const std::optional<Clock::time_point>& deadline) noexcept {
    return block(ctx, deadline, [&] { return try_recv(out, nullptr); },
                 [&](WaitEntry* e, Packet<T>* p) {
                   p->recv_slot = &out;
                   return register_recv(e);
                 },
                 [&](WaitEntry* e) { unregister_recv(e); });
  }

 private:
  struct Slot {
    std::atomic<std::size_t> stamp{0};
    alignas(T) unsigned char storage[sizeof(T)];
    T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
  };
  enum class Start { ok, unavailable, closed };

  // One blocked send or receive, on the blocked thread's stack. The peer
  // that pairs with it reads the entry, selects the waiter and stores the
  // outcome; the owner spins on the waiter. Keeping the three in one cache
  // line (64 bytes for any T: the value itself stays in the caller's
  // variable) makes a hand-off move that line once each way.
  struct alignas(kCacheLine) Parked {
    WaitEntry entry;
    Waiter waiter;
    Packet<T> packet;
  };

  template <class Try, class Register, class Unregister>
  ChannelStatus block(const Context* ctx, const std::optional<Clock::time_point>& deadline,
                      Try&& try_op, Register&& reg, Unregister&& unreg) noexcept {
    if (ctx != nullptr && ctx->cancelled()) return ChannelStatus::cancelled;
    for (;;) {
      Backoff backoff;
      for (;;) {
        ChannelStatus st = try_op();
        if (st != ChannelStatus::would_block) return st;
        // Unbuffered operations queue at once: a peer only pairs with a
        // queued operation. Buffered ones spin, then yield while spinning
        // pays (not on an oversubscribed machine), then queue and park.
        if (cap_ == 0 || backoff.completed() || (backoff.yielding() && !spinning_pays())) break;
        backoff.snooze();
      }
      if (deadline && Clock::now() >= *deadline) return ChannelStatus::timeout;
      Parked parked;
      Waiter& w = parked.waiter;
      WaitEntry& entry = parked.entry;
      entry.waiter = &w;
      entry.token = 1;
      entry.packet = &parked.packet;
      auto on_cancel_fn = [&w]() noexcept { w.try_select_and_wake(kCancelled); };
      std::optional<CancelCallback<decltype(on_cancel_fn)>> registration;
      if (ctx != nullptr) registration.emplace(detail::internal_callback, *ctx, on_cancel_fn);
      if (reg(&entry, &parked.packet)) {
        bool unused = false;
        w.try_select(kAborted, &unused);
      }
      const std::uint32_t token = w.wait_until(deadline);
      if (token == 1 && cap_ == 0) {
        // Paired (or failed by close()): the peer unlinked the entry under
        // mu_ before it stored packet.ready with release, and touches
        // neither again, so once wait() has acquired the outcome the entry
        // needs no unregistering -- the hand-off takes mu_ once, not twice.
        const std::uint32_t outcome = parked.packet.wait();
        registration.reset();
        return outcome == Packet<T>::kDone ? ChannelStatus::ok : ChannelStatus::closed;
      }
      unreg(&entry);
      registration.reset();
      switch (token) {
        case 1:
          break;  // buffered: space or an item appeared; retry
        case kCancelled:
          return ChannelStatus::cancelled;
        case kTimedOut:
          return ChannelStatus::timeout;
        default:
          break;  // kAborted: retry
      }
    }
  }

  bool is_empty() const noexcept {
    const std::size_t head = head_.load(std::memory_order_seq_cst);
    const std::size_t tail = tail_.load(std::memory_order_seq_cst);
    return (tail & ~mark_bit_) == head;
  }
  bool is_full() const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_seq_cst);
    const std::size_t head = head_.load(std::memory_order_seq_cst);
    return head + one_lap_ == (tail & ~mark_bit_);
  }

  // tail_ is read with acquire (and the CAS fails with acquire) wherever the
  // value may carry the close mark: see close() for the pairing.
  Start start_send(Slot*& slot, std::size_t& stamp) noexcept {
    Backoff backoff;
    std::size_t tail = tail_.load(std::memory_order_acquire);
    for (;;) {
      if ((tail & mark_bit_) != 0) return Start::closed;
      const std::size_t index = tail & (mark_bit_ - 1);
      const std::size_t lap = tail & ~(one_lap_ - 1);
      const std::size_t new_tail = index + 1 < cap_ ? tail + 1 : lap + one_lap_;
      Slot& s = slots_[index];
      const std::size_t st = s.stamp.load(std::memory_order_acquire);
      if (tail == st) {
        if (tail_.compare_exchange_weak(tail, new_tail, std::memory_order_seq_cst,
                                        std::memory_order_acquire)) {
          slot = &s;
          stamp = tail + 1;
          return Start::ok;
        }
        backoff.spin();
      } else if (st + one_lap_ == tail + 1) {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head + one_lap_ == tail) return Start::unavailable;  // full
        backoff.spin();
        tail = tail_.load(std::memory_order_acquire);
      } else {
        backoff.snooze();
        tail = tail_.load(std::memory_order_acquire);
      }
    }
  }

  Start start_recv(Slot*& slot, std::size_t& stamp) noexcept {
    Backoff backoff;
    std::size_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      const std::size_t index = head & (mark_bit_ - 1);
      const std::size_t lap = head & ~(one_lap_ - 1);
      Slot& s = slots_[index];
      const std::size_t st = s.stamp.load(std::memory_order_acquire);
      if (head + 1 == st) {
        const std::size_t new_head = index + 1 < cap_ ? head + 1 : lap + one_lap_;
        if (head_.compare_exchange_weak(head, new_head, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          slot = &s;
          stamp = head + one_lap_;
          return Start::ok;
        }
        backoff.spin();
      } else if (st == head) {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        // Acquire: when the mark is set this is the read that reports
        // closed, and close() must happen-before it.
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        if ((tail & ~mark_bit_) == head) {
          return (tail & mark_bit_) != 0 ? Start::closed : Start::unavailable;
        }
        backoff.spin();
        head = head_.load(std::memory_order_relaxed);
      } else {
        backoff.snooze();
        head = head_.load(std::memory_order_relaxed);
      }
    }
  }

  const std::size_t cap_;
  std::size_t mark_bit_ = 0;
  std::size_t one_lap_ = 0;
  std::unique_ptr<Slot[]> slots_;
  alignas(kCacheLine) std::atomic<std::size_t> head_{0};
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
  alignas(kCacheLine) SyncWaker senders_;
  alignas(kCacheLine) SyncWaker receivers_;
  // Unbuffered channels.
  // One cache line: every unbuffered operation touches all four.
  alignas(kCacheLine) mutable Lock mu_;
  bool closed_ = false;      // guarded by mu_
  WaitList senders_list_;    // guarded by mu_
  WaitList receivers_list_;  // guarded by mu_
};

template <class T>
struct ChannelAccess;

}  // namespace detail

// A typed FIFO between threads; copies of a Channel refer to the same
// channel. Capacity 0 is an unbuffered rendezvous: a send completes only when
// a receiver has taken the value.
//
// Requirements: T is move-constructible without throwing (move-only T is
// fine). Only a producer closes (see Sender / Receiver).
// Guarantees: FIFO per channel; every value sent with ok status is received
// exactly once, or destroyed with the last handle if never received.
// close() is idempotent and wakes every blocked sender and receiver; after
// close, sends report closed (the value is not moved from) and receives
// drain the buffer, then report closed.
// Thread safety: every operation may be called concurrently from any number
// of threads through any copies.
// Memory ordering: a send happens-before the receive that gets its value;
// close() happens-before every operation that reports closed because of it.
// Lifetime: the channel lives while any Channel, Sender, Receiver or select
// case refers to it.
template <class T>
class Channel {
 public:
  using value_type = T;

  // A channel holding up to `capacity` values; 0 (the default) makes every
  // send a rendezvous with a receiver. The buffer is allocated here; a
  // capacity above max_capacity() aborts with "tether: channel capacity too
  // large" (operations never throw; like any allocation, this constructor
  // throws std::bad_alloc only when memory is exhausted).
  explicit Channel(std::size_t capacity = 0)
      : state_(std::make_shared<detail::ChannelState<T>>(capacity)) {}

  // The largest capacity a Channel<T> accepts: min(SIZE_MAX / 4,
  // PTRDIFF_MAX / slot size).
  [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
    return detail::ChannelState<T>::max_capacity();
  }

  // Blocks until v is delivered (true) or the channel is closed (false: v is
  // left as it was).
  [[nodiscard]] bool send(T&& v) { return state_->send(v, nullptr, std::nullopt) == ChannelStatus::ok; }
  [[nodiscard]] bool send(const T& v)
    requires std::is_copy_constructible_v<T>
  {
    T copy(v);
    return send(std::move(copy));
  }
  // As send(), also ending with cancelled when ctx is cancelled first (or
  // already is: then nothing is sent even if space is available).
  [[nodiscard]] ChannelStatus send(const Context& ctx, T&& v) {
    return state_->send(v, &ctx, std::nullopt);
  }
  [[nodiscard]] ChannelStatus send(const Context& ctx, const T& v)
    requires std::is_copy_constructible_v<T>
  {
    T copy(v);
    return send(ctx, std::move(copy));
  }
  // As send(), ending with timeout when the deadline passes first. A
  // duration too large for the clock saturates: it never times out (as does
  // time_point::max()). An lvalue is copied.
  template <class Rep, class Period>
  [[nodiscard]] ChannelStatus send_for(const std::chrono::duration<Rep, Period>& d, T&& v) {
    return send_until(detail::deadline_after(d), std::move(v));
  }
  template <class Rep, class Period>
  [[nodiscard]] ChannelStatus send_for(const std::chrono::duration<Rep, Period>& d, const T& v)
    requires std::is_copy_constructible_v<T>
  {
    T copy(v);
    return send_for(d, std::move(copy));
  }
  [[nodiscard]] ChannelStatus send_until(std::chrono::steady_clock::time_point t, T&& v) {
    return state_->send(v, nullptr, detail::as_deadline(t));
  }
  [[nodiscard]] ChannelStatus send_until(std::chrono::steady_clock::time_point t, const T& v)
    requires std::is_copy_constructible_v<T>
  {
    T copy(v);
    return send_until(t, std::move(copy));
  }
  // Sends only if it can complete now: ok, closed or would_block (full, or
  // no receiver waiting at capacity 0). v is moved from only on ok.
  [[nodiscard]] ChannelStatus try_send(T&& v) { return state_->try_send(v, nullptr); }
  [[nodiscard]] ChannelStatus try_send(const T& v)
    requires std::is_copy_constructible_v<T>
  {
    T copy(v);
    return try_send(std::move(copy));
  }

  // Blocks for the next value; nullopt once the channel is closed and
  // drained.
  [[nodiscard]] std::optional<T> recv() {
    std::optional<T> out;
    state_->recv(out, nullptr, std::nullopt);
    return out;
  }
  // ok with a value, closed (closed and drained) or cancelled.
  [[nodiscard]] RecvResult<T> recv(const Context& ctx) {
    RecvResult<T> r;
    r.status = state_->recv(r.value, &ctx, std::nullopt);
    return r;
  }
  // ok with a value, closed or timeout. Durations saturate as in send_for.
  template <class Rep, class Period>
  [[nodiscard]] RecvResult<T> recv_for(const std::chrono::duration<Rep, Period>& d) {
    return recv_until(detail::deadline_after(d));
  }
  [[nodiscard]] RecvResult<T> recv_until(std::chrono::steady_clock::time_point t) {
    RecvResult<T> r;
    r.status = state_->recv(r.value, nullptr, detail::as_deadline(t));
    return r;
  }
  // ok with a value, closed or would_block.
  [[nodiscard]] RecvResult<T> try_recv() {
    RecvResult<T> r;
    r.status = state_->try_recv(r.value, nullptr);
    return r;
  }

  // Closes the channel; returns true if this call closed it.
  bool close() noexcept { return state_->close(); }
  [[nodiscard]] bool closed() const noexcept { return state_->is_closed(); }
  // Values buffered now (always 0 at capacity 0). A snapshot.
  [[nodiscard]] std::size_t size() const noexcept { return state_->size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return state_->capacity(); }

  // Views that can only send (and close) or only receive.
  [[nodiscard]] Sender<T> sender() const noexcept;
  [[nodiscard]] Receiver<T> receiver() const noexcept;

  // Range-for receives until the channel is closed and drained:
  //   for (T& v : ch) ...
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = T&;
    iterator() = default;
    T& operator*() const { return *current_; }
    T* operator->() const { return &*current_; }
    iterator& operator++() {
      current_.reset();
      state_->recv(current_, nullptr, std::nullopt);
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return !it.current_.has_value();
    }

   private:
    friend class Channel;
    explicit iterator(detail::ChannelState<T>* s) : state_(s) { ++*this; }
    detail::ChannelState<T>* state_ = nullptr;
    mutable std::optional<T> current_;
  };
  [[nodiscard]] iterator begin() { return iterator(state_.get()); }
  [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

  friend bool operator==(const Channel& a, const Channel& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  friend struct detail::ChannelAccess<T>;
  std::shared_ptr<detail::ChannelState<T>> state_;
};

// The sending side of a channel: send, close and the queries; no receive.
// Give it to producers: only the sending side can close.
template <class T>
class Sender : private Channel<T> {
 public:
  using value_type = T;
  Sender(const Channel<T>& ch) noexcept : Channel<T>(ch) {}  // NOLINT: implicit by design
  using Channel<T>::send;
  using Channel<T>::send_for;
  using Channel<T>::send_until;
  using Channel<T>::try_send;
  using Channel<T>::close;
  using Channel<T>::closed;
  using Channel<T>::size;
  using Channel<T>::capacity;

 private:
  friend struct detail::ChannelAccess<T>;
};

// The receiving side of a channel: receive, range-for and the queries; it
// cannot send or close (a compile error), since only producers close.
template <class T>
class Receiver : private Channel<T> {
 public:
  using value_type = T;
  using iterator = typename Channel<T>::iterator;
  Receiver(const Channel<T>& ch) noexcept : Channel<T>(ch) {}  // NOLINT: implicit by design
  using Channel<T>::recv;
  using Channel<T>::recv_for;
  using Channel<T>::recv_until;
  using Channel<T>::try_recv;
  using Channel<T>::closed;
  using Channel<T>::size;
  using Channel<T>::capacity;
  using Channel<T>::begin;
  using Channel<T>::end;

 private:
  friend struct detail::ChannelAccess<T>;
};

template <class T>
Sender<T> Channel<T>::sender() const noexcept {
  return Sender<T>(*this);
}
template <class T>
Receiver<T> Channel<T>::receiver() const noexcept {
  return Receiver<T>(*this);
}

namespace detail {
template <class T>
struct ChannelAccess {
  static ChannelState<T>* state(const Channel<T>& c) noexcept { return c.state_.get(); }
  static ChannelState<T>* state(const Sender<T>& s) noexcept {
    return static_cast<const Channel<T>&>(s).state_.get();
  }
  static ChannelState<T>* state(const Receiver<T>& r) noexcept {
    return static_cast<const Channel<T>&>(r).state_.get();
  }
};
}  // namespace detail

}  // namespace tether

#endif  // TETHER_CHANNEL_H
