// Mock <pthread.h> for the tether check tests, shaped like glibc's: the detach
// state is an enumerator, and a macro of the same name.
#pragma once

typedef unsigned long int pthread_t;
typedef union pthread_attr_t {
  char size[56];
  long align;
} pthread_attr_t;

enum {
  PTHREAD_CREATE_JOINABLE,
#define PTHREAD_CREATE_JOINABLE PTHREAD_CREATE_JOINABLE
  PTHREAD_CREATE_DETACHED
#define PTHREAD_CREATE_DETACHED PTHREAD_CREATE_DETACHED
};

#ifdef __cplusplus
extern "C" {
#define TETHER_MOCK_NOEXCEPT noexcept
#else
#define TETHER_MOCK_NOEXCEPT
#endif
int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                   void *(*start_routine)(void *), void *arg) TETHER_MOCK_NOEXCEPT;
int pthread_join(pthread_t thread, void **retval);
int pthread_detach(pthread_t thread) TETHER_MOCK_NOEXCEPT;
pthread_t pthread_self(void) TETHER_MOCK_NOEXCEPT;
int pthread_attr_init(pthread_attr_t *attr) TETHER_MOCK_NOEXCEPT;
int pthread_attr_destroy(pthread_attr_t *attr) TETHER_MOCK_NOEXCEPT;
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state) TETHER_MOCK_NOEXCEPT;
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state) TETHER_MOCK_NOEXCEPT;
int pthread_cancel(pthread_t thread);
void pthread_testcancel(void);
int pthread_setname_np(pthread_t thread, const char *name) TETHER_MOCK_NOEXCEPT;
#ifdef __cplusplus
}
#endif
