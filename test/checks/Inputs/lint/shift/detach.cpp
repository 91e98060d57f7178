#include <thread>
void work();

// Ten lines were added above the old finding, which is still there,
// unchanged, and must stay known to the baseline.
//
//
//
//
//
//
void other();
void start() { std::thread(work).detach(); }
void more() { other(); std::thread(work).detach(); }
