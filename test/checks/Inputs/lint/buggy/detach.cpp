#include <thread>
void work();
void start() { std::thread(work).detach(); }
