// Mock <tether/channel.h> for the tether check tests: the declarations the
// checks look at (the real header is runtime/include/tether/channel.h).
#pragma once
#include "context.h"
#include <optional>

namespace tether {
enum class ChannelStatus { ok, closed, would_block, timeout, cancelled };

template <class T> struct RecvResult {
  ChannelStatus status;
  std::optional<T> value;
  bool ok() const noexcept;
  explicit operator bool() const noexcept;
};

template <class T> class Sender;
template <class T> class Receiver;

template <class T> class Channel {
public:
  using value_type = T;
  explicit Channel(unsigned long capacity = 0);
  Channel(const Channel &);
  Channel &operator=(const Channel &);
  ~Channel();

  [[nodiscard]] bool send(T &&v);
  [[nodiscard]] bool send(const T &v);
  [[nodiscard]] ChannelStatus send(const Context &ctx, const T &v);
  template <class D> [[nodiscard]] ChannelStatus send_for(const D &d, const T &v);
  [[nodiscard]] ChannelStatus try_send(const T &v);
  [[nodiscard]] std::optional<T> recv();
  [[nodiscard]] RecvResult<T> recv(const Context &ctx);
  template <class D> [[nodiscard]] RecvResult<T> recv_for(const D &d);
  [[nodiscard]] RecvResult<T> try_recv();
  bool close() noexcept;
  [[nodiscard]] bool closed() const noexcept;
  [[nodiscard]] unsigned long size() const noexcept;
  [[nodiscard]] Sender<T> sender() const noexcept;
  [[nodiscard]] Receiver<T> receiver() const noexcept;

  struct sentinel {};
  class iterator {
  public:
    T &operator*() const;
    iterator &operator++();
    friend bool operator==(const iterator &, sentinel) noexcept;
    friend bool operator!=(const iterator &, sentinel) noexcept;
  };
  [[nodiscard]] iterator begin();
  [[nodiscard]] sentinel end() const noexcept;
};

template <class T> class Sender : private Channel<T> {
public:
  Sender(const Channel<T> &ch) noexcept;
  using Channel<T>::send;
  using Channel<T>::send_for;
  using Channel<T>::try_send;
  using Channel<T>::close;
  using Channel<T>::closed;
};

template <class T> class Receiver : private Channel<T> {
public:
  using iterator = typename Channel<T>::iterator;
  Receiver(const Channel<T> &ch) noexcept;
  using Channel<T>::recv;
  using Channel<T>::recv_for;
  using Channel<T>::try_recv;
  using Channel<T>::closed;
  using Channel<T>::begin;
  using Channel<T>::end;
};
} // namespace tether
