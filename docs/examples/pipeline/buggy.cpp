// A pipeline that reads records, parses them on a worker and stores them.
// Buggy: the parser, which only receives from the channel, closes it when it
// sees a bad record, so the reader's next send fails and records are lost;
// and the request's context never reaches the parsing thread, so cancelling
// the request does not stop it; an exception from readRecord() leaves the
// parser thread joinable (std::terminate); and totalSize()'s worker lets
// std::stoi's exception on a bad field leave the thread (std::terminate).
#include <optional>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

#include <tether/channel.h>
#include <tether/context.h>

std::optional<std::string> readRecord();
bool parse(const std::string &record);

void ingest(const tether::Context &request) {
  tether::Channel<std::string> records(64);
  std::thread parser([records]() mutable {
    while (auto record = records.recv()) {
      if (!parse(*record)) {
        records.close(); // a receiver closing: the reader's sends now fail
        return;
      }
    }
  });
  while (!request.cancelled()) {
    std::optional<std::string> r = readRecord();
    if (!r || !records.send(std::move(*r)))
      break;
  }
  records.close();
  parser.join();
}

// A background flusher started for the request but never told to stop.
void flushEvery(const tether::Context &request, void (*flush)()) {
  std::thread flusher([flush] {
    for (;;)
      flush();
  });
  flusher.join();
}

int totalSize(const std::vector<std::string> &fields) {
  int total = 0;
  std::thread summer([&] {
    for (const std::string &f : fields)
      total += std::stoi(f); // throws on a bad field: std::terminate
  });
  summer.join();
  return total;
}
