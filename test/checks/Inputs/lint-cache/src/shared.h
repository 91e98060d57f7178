// Included by a.cpp and b.cpp.
#pragma once
#include <thread>
void work();
