// Hostile input: code that does not parse, around every construct the checks
// look at. clang-tidy reports the compiler errors and exits non-zero; the
// checks must neither crash nor report anything built on broken AST nodes.
// `not` fails if the tool crashes (a signal), so these lines pass only on a
// clean non-zero exit.
// RUN: not %clang_tidy -checks='-*,tether-*' %s -- -std=c++20 -isystem %S/Inputs \
// RUN:   -ferror-limit=0 2>&1 | FileCheck %s
// RUN: not %clang_tidy -checks='-*,tether-*' %s -- -std=c++20 -isystem %S/Inputs \
// RUN:   -ferror-limit=0 -DSECOND 2>&1 | FileCheck %s
// CHECK: error:
// CHECK-NOT: Stack dump
// CHECK-NOT: PLEASE submit a bug report

#include <pthread.h>
#include <tether/context.h>
#include <tether/group.h>
#include <tether/wait_group.h>
#include <thread>

void work();

#ifndef SECOND
// An undeclared callable, an undeclared type, a missing argument.
void undeclaredCallable() {
  std::thread t(notDeclared);
  std::thread u(work, missing_arg);
  UnknownThread v(work);
  t.join();
}

// A lambda body that breaks off mid-statement.
void brokenLambda() {
  std::thread t([&] {
    while (
  });
  t.join();
}

// join() and detach() on things that are not threads, or with arguments.
void wrongCalls(int x) {
  std::thread t(work);
  t.join(1, 2);
  x.join();
  t.detach(x);
  undeclared.join();
}

// A member whose type does not exist, a destructor that joins it.
struct Broken {
  ~Broken() { worker.join(); }
  NoSuchThread worker;
  std::thread real{[this] { while (true) spin(); }};
};

// Templates whose instantiation fails.
template <class T> void spawnIt(T t) {
  std::thread th(t.callable);
  th.join();
}
void instantiate() { spawnIt(3); }

// A WaitGroup used with nonsense.
void waitGroups(tether::Context ctx) {
  tether::WaitGroup wg;
  wg.go();
  wg.go(42);
  wg.go([ctx] { while (!ctx.canceled()) work(); });
  wg.add("one");
}

// pthread calls with missing and wrong arguments.
void pthreads() {
  pthread_t p;
  pthread_create(&p, nullptr);
  pthread_create(p, nullptr, work, nullptr);
  pthread_join();
  pthread_detach("p");
}
#else
// Unbalanced braces at the end of the file: everything from here on is one
// unterminated function.
void unterminated() {
  std::thread t([] {
    for (;;) {
      work();
  std::jthread j([](std::stop_token st) { while (!st.stop_requested()) work();
  if (true) {
    t.detach(
#endif
