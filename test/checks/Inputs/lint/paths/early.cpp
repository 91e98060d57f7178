#include <thread>
void work();
bool ready();
void run() {
  std::thread t(work);
  if (!ready())
    return;
  t.join();
}
