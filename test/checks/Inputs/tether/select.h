// Mock <tether/select.h> for the tether check tests (the real header is
// runtime/include/tether/select.h).
#pragma once
#include "channel.h"

namespace tether {
template <class T, class F> struct RecvCase {};
template <class T> struct SendCase {};
struct DoneCase {};
struct DefaultCase {};
template <class T, class F> RecvCase<T, F> recv_case(const Channel<T> &ch, F &&f) { return {}; }
template <class T, class F> RecvCase<T, F> recv_case(const Receiver<T> &r, F &&f) { return {}; }
template <class T> SendCase<T> send_case(const Channel<T> &ch, const T &v) { return {}; }
template <class T> SendCase<T> send_case(const Sender<T> &s, const T &v) { return {}; }
DoneCase done_case(const Context &ctx);
DefaultCase default_case();
template <class... Cases> unsigned long select(Cases &&...cases);
} // namespace tether
