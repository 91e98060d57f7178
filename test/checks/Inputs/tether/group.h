// Mock <tether/group.h> for the tether check tests.
#pragma once
#include "context.h"
#include <system_error>

namespace tether {
class Group {
public:
  Group();
  explicit Group(const Context &parent);
  ~Group();
  template <class F> void go(F &&f) {}
  template <class F> bool try_go(F &&f) { return true; }
  void set_limit(int n);
  std::error_code wait();
};
} // namespace tether
