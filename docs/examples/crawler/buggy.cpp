// A crawler that fetches pages concurrently and collects their titles.
// Buggy: each fetch runs on a detached thread that captures locals by
// reference; crawl() returns before the fetches finish (a sleep stands in for
// waiting), so the threads write into a dead vector, and fetch errors vanish.
#include <chrono>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

std::error_code fetchTitle(const std::string &url, std::string &title);

std::vector<std::string> crawl(const std::vector<std::string> &urls) {
  std::vector<std::string> titles;
  std::mutex mu;
  for (const std::string &url : urls) {
    std::thread([&titles, &mu, url] {
      std::string title;
      if (fetchTitle(url, title))
        return; // the error is dropped
      std::lock_guard<std::mutex> lock(mu);
      titles.push_back(title);
    }).detach();
  }
  std::this_thread::sleep_for(std::chrono::seconds(1)); // "long enough"
  return titles;
}
