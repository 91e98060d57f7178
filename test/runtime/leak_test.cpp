// Tests for tether/leak.h and tether/testing/leak_check.h.
#include "tether/leak.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include "tether/channel.h"
#include "tether/context.h"
#include "tether/group.h"
#include "tether/testing/leak_check.h"
#include "tether/wait_group.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;
using tether_test::Watchdog;

TEST(LeakTest, NothingRunningAtRest) {
  EXPECT_EQ(tether::running_thread_count(), 0u);
  EXPECT_TRUE(tether::running_threads().empty());
  EXPECT_EQ(tether::describe_running_threads(), "0 threads started by tether still running\n");
  EXPECT_TRUE(tether::testing::no_leaked_threads(0ms));
}

TEST(LeakTest, ReportsRunningThreadWithItsSpawnSite) {
  Watchdog watchdog;
  tether::Channel<int> gate;
  auto wg = std::make_unique<tether::WaitGroup>();
  const unsigned line = __LINE__ + 1;
  wg->go([&] { (void)gate.recv(); });
  const auto threads = tether::running_threads();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0].spawned_by, "tether::WaitGroup::go");
  EXPECT_EQ(threads[0].spawn_site.line(), line);
  EXPECT_NE(std::string(threads[0].spawn_site.file_name()).find("leak_test.cpp"), std::string::npos);
  EXPECT_NE(threads[0].id, std::thread::id());
  const std::string report = tether::describe_running_threads();
  EXPECT_NE(report.find("1 thread started by tether still running:"), std::string::npos) << report;
  EXPECT_NE(report.find("leak_test.cpp:" + std::to_string(line)), std::string::npos) << report;
  gate.close();
  wg.reset();  // joins
  EXPECT_EQ(tether::running_thread_count(), 0u);
}

TEST(LeakTest, ReportsGroupTasks) {
  Watchdog watchdog;
  tether::Group g;
  g.go([](const tether::Context& ctx) { ctx.wait(); });
  const auto threads = tether::running_threads();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0].spawned_by, "tether::Group::go");
  EXPECT_NE(tether::describe_running_threads().find("tether::Group::go at "), std::string::npos);
}

TEST(LeakTest, HelperFailsWhileAThreadIsStillRunning) {
  Watchdog watchdog;
  tether::Channel<int> gate;
  tether::WaitGroup wg;
  wg.go([&] { (void)gate.recv(); });
  EXPECT_NONFATAL_FAILURE(EXPECT_TRUE(tether::testing::no_leaked_threads(1ms)),
                          "1 thread started by tether still running");
  EXPECT_NONFATAL_FAILURE({ tether::testing::LeakCheck check(1ms); }, "tether::WaitGroup::go at");
  gate.close();
  wg.wait();
  EXPECT_TRUE(tether::testing::no_leaked_threads());
}

TEST(LeakTest, LeakCheckPassesWhenOwnersJoin) {
  Watchdog watchdog;
  tether::testing::LeakCheck check;
  tether::WaitGroup wg;
  for (int i = 0; i < 8; ++i) wg.go([] {});
  wg.wait();
}

TEST(LeakTest, ArgumentOverloadHasNoSpawnSite) {
  Watchdog watchdog;
  tether::Channel<int> gate;
  tether::WaitGroup wg;
  wg.go([](tether::Channel<int> g) { (void)g.recv(); }, gate);
  EXPECT_NE(tether::describe_running_threads().find("<unknown site>"), std::string::npos);
  gate.close();
  wg.wait();
}

// ---- issue 15 regressions ----

// After fork() the child has only the forking thread. Its state is defined:
// deadlines fire (the timer thread restarts lazily), the leak report does
// not list the parent's threads, and a WaitGroup counts the parent's
// running go() tasks as done. Each failed expectation sets one bit of the
// child's exit code.
TEST(ForkTest, ChildHasWorkingTimersAndNoParentThreads) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer does not support threads started after a multithreaded fork";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  GTEST_SKIP() << "ThreadSanitizer does not support threads started after a multithreaded fork";
#endif
#endif
  Watchdog watchdog;
  // The timer thread runs in the parent, so the child inherits it as gone.
  auto [warm, cancel_warm] = tether::with_timeout(tether::background(), 1ms);
  ASSERT_TRUE(warm.wait_for(tether_test::kTimeout));
  auto [inherited, cancel_inherited] = tether::with_timeout(tether::background(), 50ms);
  tether::Channel<int> gate;
  tether::WaitGroup wg;
  wg.go([&] { (void)gate.recv_for(tether_test::kTimeout); });
  ASSERT_EQ(tether::running_thread_count(), 1u);

  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    int code = 0;
    auto [ctx, cancel] = tether::with_timeout(tether::background(), 5ms);
    if (!ctx.wait_for(2s)) code |= 1;
    if (!inherited.wait_for(2s)) code |= 2;
    if (tether::running_thread_count() != 0) code |= 4;
    if (!wg.wait_for(2s)) code |= 8;
    tether::WaitGroup child_wg;
    child_wg.go([] {});
    if (!child_wg.wait_for(2s)) code |= 16;
    if (tether::running_thread_count() != 0) code |= 32;
    _exit(code);
  }
  int status = 0;
  pid_t got = 0;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while ((got = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);  // polling the child, not synchronising threads
  }
  if (got == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << "the child did not exit within 20s";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: new deadline did not fire, 2: inherited deadline did not fire, 4: parent's thread "
         "listed, 8: wg.wait_for timed out, 16: child's own go() did not finish, 32: child's "
         "thread still listed";
  gate.close();
  wg.wait();
}

}  // namespace
