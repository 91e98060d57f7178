#include <thread>
void work();
void one() { std::thread(work).detach(); }
void two() { std::thread(work).detach(); }
