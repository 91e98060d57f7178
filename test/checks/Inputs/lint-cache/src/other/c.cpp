#include <thread>
void work();
void startC() { std::thread(work).detach(); }
