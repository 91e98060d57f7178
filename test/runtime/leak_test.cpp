// Tests for tether/leak.h and tether/testing/leak_check.h.
#include "tether/leak.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tether/channel.h"
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

}  // namespace
