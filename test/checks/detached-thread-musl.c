// C code and a libc whose PTHREAD_CREATE_DETACHED is a plain macro (musl).
// RUN: %check_clang_tidy %s tether-detached-thread %t -- -- -isystem %S/Inputs/musl

#include <pthread.h>

void *routine(void *);

void start(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread attributes 'attr' are set to detached; threads started with them cannot be joined [tether-detached-thread]
  pthread_t tid;
  pthread_create(&tid, &attr, routine, 0);
  pthread_detach(tid);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: thread 'tid' is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]
}

void joinable(void) {
  pthread_attr_t attr;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);
  pthread_attr_setdetachstate(&attr, 0);
}
