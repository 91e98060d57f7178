// An uploader that sends a batch of files to a server in parallel.
// Buggy: each upload thread counts itself on the WaitGroup (add() inside the
// thread races with wait(), which may return before any upload is counted),
// a skipped file never calls done() (wait() then hangs), and the upload
// errors are thrown away with the threads' results.
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <tether/wait_group.h>

bool exists(const std::string &path);
std::error_code upload(const std::string &path);

void uploadAll(const std::vector<std::string> &paths) {
  tether::WaitGroup wg;
  std::vector<std::thread> threads;
  for (const std::string &path : paths) {
    std::thread t([&wg, path] {
      wg.add(1);
      if (!exists(path))
        return; // skipped: done() is never called
      (void)upload(path);
      wg.done();
    });
    threads.push_back(std::move(t));
  }
  wg.wait();
  for (std::thread &t : threads)
    t.join();
}

// Uploads the log file next to the batch; whether it failed is never known.
void uploadLog(const std::string &log) {
  std::thread t(upload, log);
  t.join();
}
