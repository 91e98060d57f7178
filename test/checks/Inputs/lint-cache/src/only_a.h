// Included by a.cpp only.
#pragma once
inline int answer() { return 42; }
