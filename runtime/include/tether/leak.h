// Leak report: the threads started by tether primitives (WaitGroup::go,
// Group::go) that are still running, with their spawn sites -- the C++
// counterpart of Go's goleak. See tether/testing/leak_check.h for the
// GoogleTest helper.
#ifndef TETHER_LEAK_H
#define TETHER_LEAK_H

#include <chrono>
#include <cstddef>
#include <source_location>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tether {

// One thread started by a tether primitive whose task has not returned yet.
struct ThreadInfo {
  std::source_location spawn_site;  // where go() was called
  std::string_view spawned_by;      // "tether::WaitGroup::go" or "tether::Group::go"
  std::thread::id id;               // the running thread
  std::chrono::steady_clock::duration running_for;
};

// Threads started by tether whose task is still running, oldest first.
// Thread safety: may be called from any thread at any time.
[[nodiscard]] std::vector<ThreadInfo> running_threads();
[[nodiscard]] std::size_t running_thread_count() noexcept;

// Waits until no tether-started task is running, or `timeout` passes.
// Returns true when none is running. Tasks that end naturally right after a
// test are tolerated this way without sleeping.
[[nodiscard]] bool wait_for_no_running_threads(std::chrono::steady_clock::duration timeout);

// A human-readable list of running_threads(), one per line, e.g.
//   "1 thread started by tether still running:\n"
//   "  tether::WaitGroup::go at foo.cpp:42 in void run() (running 12 ms)\n"
[[nodiscard]] std::string describe_running_threads();

}  // namespace tether

#endif  // TETHER_LEAK_H
