// Mock <boost/fiber/buffered_channel.hpp> for the tether check tests: the
// channel API of Boost.Fiber (push/pop/close, value_pop, try_*, *_wait_for).
#pragma once
#include "channel_op_status.hpp"

namespace boost {
namespace fibers {
template <typename T> class buffered_channel {
public:
  using value_type = T;
  explicit buffered_channel(unsigned long capacity);
  buffered_channel(const buffered_channel &) = delete;
  ~buffered_channel();
  bool is_closed() const noexcept;
  void close() noexcept;
  channel_op_status try_push(const T &value);
  channel_op_status push(const T &value);
  channel_op_status push(T &&value);
  template <typename D> channel_op_status push_wait_for(const T &value, const D &d);
  channel_op_status try_pop(T &value);
  channel_op_status pop(T &value);
  T value_pop();
  template <typename D> channel_op_status pop_wait_for(T &value, const D &d);

  class iterator {
  public:
    bool operator==(const iterator &) const noexcept;
    bool operator!=(const iterator &) const noexcept;
    iterator &operator++();
    T &operator*() noexcept;
  };
  friend iterator begin(buffered_channel &ch) { return iterator(); }
  friend iterator end(buffered_channel &) { return iterator(); }
};
} // namespace fibers
} // namespace boost
