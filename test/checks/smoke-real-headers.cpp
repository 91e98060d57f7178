// One smoke test against the real libstdc++ <thread> and glibc <pthread.h>
// (every other test uses the mock headers in Inputs/).
// RUN: %check_clang_tidy %s tether-detached-thread %t

#include <memory>
#include <pthread.h>
#include <stddef.h>
#include <thread>

void work() {}
void *routine(void *) { return nullptr; }

void realHeaders() {
  std::thread t(work);
  t.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread 't' is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
  std::jthread(work).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: temporary thread is detached; {{.*}} [tether-detached-thread]
  pthread_t tid;
  pthread_create(&tid, nullptr, routine, nullptr);
  pthread_detach(tid);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 'tid' is detached; {{.*}} [tether-detached-thread]
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread attributes 'attr' are set to detached; {{.*}} [tether-detached-thread]
  pthread_attr_destroy(&attr);

  // Not threads: unique_ptr::release, shared_ptr.
  auto p = std::make_unique<int>(1);
  delete p.release();
  std::jthread joined(work);
}
