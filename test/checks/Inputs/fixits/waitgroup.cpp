// Every tether-waitgroup-add-inside-spawn finding here has a fix-it: the
// thread that counts itself becomes wg.go(...). The threads are detached, so
// tether-detached-thread reports them too (no fix-it of its own); the
// rewrite removes the detach() with the race, and both findings go.
#include <tether/wait_group.h>
#include <thread>

void fetch(int page);
void reindex();

void crawl(int pages) {
  tether::WaitGroup wg;
  for (int page = 0; page < pages; ++page)
    std::thread([&wg](int p) {
      wg.add(1);
      fetch(p);
      wg.done();
    }, page).detach();
  std::thread indexer([&] {
    wg.add(1);
    reindex();
    wg.done();
  });
  indexer.detach();
  wg.wait();
}
