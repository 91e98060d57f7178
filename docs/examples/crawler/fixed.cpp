// A crawler that fetches pages concurrently and collects their titles.
// Fixed: crawl() owns every fetch thread and joins them all before returning
// (std::jthread in a vector that is destroyed first), and errors come back as
// results next to the titles instead of vanishing.
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

std::error_code fetchTitle(const std::string &url, std::string &title);

struct CrawlResult {
  std::vector<std::string> titles;
  std::vector<std::error_code> errors;
};

CrawlResult crawl(const std::vector<std::string> &urls) {
  CrawlResult result;
  std::mutex mu;
  {
    std::vector<std::jthread> fetches;
    for (const std::string &url : urls)
      fetches.emplace_back([&result, &mu, url] {
        std::string title;
        std::error_code ec = fetchTitle(url, title);
        std::lock_guard<std::mutex> lock(mu);
        if (ec)
          result.errors.push_back(ec);
        else
          result.titles.push_back(title);
      });
  } // every fetch is joined here, before result and mu are read or destroyed
  return result;
}
