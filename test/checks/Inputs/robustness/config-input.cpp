// Input for robustness-config.test: one finding for each check whose options
// the test garbles, and call chains deep and recursive enough to matter for
// tether-unstoppable-worker.MaxCallDepth.
#include <thread>

void work();
void step();

void recurseA(int n);
void recurseB(int n) { recurseA(n - 1); }
void recurseA(int n) { recurseB(n + 1); }

void level5() { for (;;) step(); }
void level4() { level5(); }
void level3() { level4(); }
void level2() { level3(); }
void level1() { level2(); }

void spawnAll() {
  std::thread a(recurseA, 1);
  std::thread b(level1);
  std::thread c([] { while (true) work(); });
  a.join();
  b.join();
  c.join();
  std::thread leaked(work);
  leaked.detach();
  std::thread forgotten(work);
}
