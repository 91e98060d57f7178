// Mock <tether/wait_group.h> for the tether check tests: the declarations the
// checks look at (the real header is runtime/include/tether/wait_group.h).
#pragma once
#include "context.h"

namespace tether {
class WaitGroup {
public:
  WaitGroup();
  ~WaitGroup();
  WaitGroup(const WaitGroup &) = delete;
  void add(int n = 1) noexcept;
  void done() noexcept;
  void wait();
  bool wait(const Context &ctx);
  template <class F, class... Args> void go(F &&f, Args &&...args) {}
};
} // namespace tether
