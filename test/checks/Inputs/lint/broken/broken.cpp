#include <thread>
void start() { this is not C++ }
