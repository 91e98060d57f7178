#include "shared.h"
void startB() {
  std::thread t(work);
  t.join();
  std::thread(work).detach();
}
