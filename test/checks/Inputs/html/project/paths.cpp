#include <tether/context.h>
#include <thread>
void work();
bool ready();
void serve(const tether::Context &ctx);

void run() {
  std::thread t(work);
  if (!ready())
    return;
  t.join();
}

void handle(const tether::Context &ctx) {
  serve(tether::background());
}
