// Declares what jthread.cpp spawns; brings std::thread in through <thread>,
// which jthread.cpp does not include itself.
#pragma once
#include <thread>

void work();
void copy(int from, int to);
void handshake();
