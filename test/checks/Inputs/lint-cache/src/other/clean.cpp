#include <thread>
void work();
void startClean() {
  std::thread t(work);
  t.join();
}
