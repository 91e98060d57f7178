// A TU of a project built with g++ -fopenmp: omp.h is GCC's, stddef.h and the
// intrinsics must stay clang's.
#include <omp.h>
#include <stddef.h>
#include <x86intrin.h>
#include <thread>
void work();
int start() {
  std::thread(work).detach();
  return omp_get_max_threads();
}
