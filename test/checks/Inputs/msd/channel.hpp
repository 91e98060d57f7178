// Mock <msd/channel.hpp> (cpp-channel) for the tether check tests: ch << v
// sends, ch >> v receives (v << ch in releases before 1.0), range-for.
#pragma once

namespace msd {
template <typename T> class channel {
public:
  using value_type = T;
  class iterator {
  public:
    bool operator!=(const iterator &) const;
    iterator &operator++();
    T operator*() const;
  };
  channel();
  explicit channel(unsigned long capacity);
  channel(const channel &) = delete;
  template <typename Type> friend channel<Type> &operator<<(channel<Type> &ch, const Type &in) { return ch; }
  template <typename Type> friend channel<Type> &operator>>(channel<Type> &ch, Type &out) { return ch; }
  void close() noexcept;
  bool closed() const noexcept;
  bool empty() const noexcept;
  iterator begin() noexcept;
  iterator end() noexcept;
};
/// The receive operator of releases before 1.0: out << ch.
template <typename T> void operator<<(T &out, channel<T> &ch);
} // namespace msd
