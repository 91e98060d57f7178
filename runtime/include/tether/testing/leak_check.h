// GoogleTest helpers for the leak report: fail a test when threads started by
// tether primitives are still running at its end (like goleak.VerifyNone).
//
//   TEST(Server, StopsItsWorkers) {
//     tether::testing::LeakCheck leak_check;  // checked when the test ends
//     ...
//   }
//   EXPECT_TRUE(tether::testing::no_leaked_threads());
//
// Header-only: include it from test code that links GoogleTest.
#ifndef TETHER_TESTING_LEAK_CHECK_H
#define TETHER_TESTING_LEAK_CHECK_H

#include <gtest/gtest.h>

#include <chrono>

#include "tether/leak.h"

namespace tether::testing {

// Success when no tether-started task is running within `grace` (tasks that
// are finishing are given that long); otherwise a failure listing each
// running thread's spawn site.
inline ::testing::AssertionResult no_leaked_threads(
    std::chrono::steady_clock::duration grace = std::chrono::seconds(1)) {
  if (wait_for_no_running_threads(grace)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << describe_running_threads();
}

// Declare one at the top of a test (or as a fixture member): its destructor
// adds a non-fatal failure to the current test if threads leaked.
class LeakCheck {
 public:
  explicit LeakCheck(std::chrono::steady_clock::duration grace = std::chrono::seconds(1))
      : grace_(grace) {}
  LeakCheck(const LeakCheck&) = delete;
  LeakCheck& operator=(const LeakCheck&) = delete;
  ~LeakCheck() { EXPECT_TRUE(no_leaked_threads(grace_)); }

 private:
  std::chrono::steady_clock::duration grace_;
};

}  // namespace tether::testing

#endif  // TETHER_TESTING_LEAK_CHECK_H
