// Mock <boost/thread.hpp> for the tether check tests.
#pragma once
namespace boost {
class thread {
public:
  thread() noexcept;
  template <class F> explicit thread(F f) {}
  thread(thread &&) noexcept;
  ~thread();
  bool joinable() const noexcept;
  void join();
  void detach();
  void interrupt();
};
} // namespace boost
