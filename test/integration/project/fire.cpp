#include <thread>

void work();

void fireAndForget() {
  std::thread(work).detach();
}
