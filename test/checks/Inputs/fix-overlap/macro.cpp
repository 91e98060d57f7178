// Findings inside macro expansions: reported at the expansion, no fix-it.
#include <tether/context.h>
#include <tether/wait_group.h>
#include <thread>
void serve(const tether::Context &ctx);
void work();
#define DETACHED_SCOPE tether::background()
#define COUNTED(wg) std::thread([&] { wg.add(1); work(); wg.done(); }).detach()
void macro(const tether::Context &ctx) {
  serve(DETACHED_SCOPE);
  tether::WaitGroup wg;
  COUNTED(wg);
  wg.wait();
}
