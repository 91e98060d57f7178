// Mock <tether/context.h> for the tether check tests.
#pragma once

namespace tether {
class Context {
public:
  bool cancelled() const noexcept;
  void wait() const;
};
Context background();
} // namespace tether
