// Every finding here has a fix-it (fixits.test applies them, compiles the
// result and runs every check again). std::thread comes from spawn_api.h:
// the fix-it adds the include of <thread> for std::jthread, once.
#include "spawn_api.h"

void progress() {
  std::thread reporter([] { work(); });
  handshake();
  reporter.join();
}

void copier(bool check) {
  std::thread worker(copy, 1, 2);
  handshake();
  if (check && worker.joinable())
    worker.join();
  else
    worker.join();
}
