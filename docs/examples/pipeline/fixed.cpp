// A pipeline that reads records, parses them on a worker and stores them.
// Fixed: the parser gets the receiving side only (it cannot close) and
// reports a bad record by returning an error, which cancels the group's
// context and so stops the reader; only the reader, the producer, closes;
// the group joins both tasks however ingest() is left.
#include <optional>
#include <string>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <tether/channel.h>
#include <tether/context.h>
#include <tether/group.h>

std::optional<std::string> readRecord();
bool parse(const std::string &record);

std::error_code ingest(const tether::Context &request) {
  tether::Channel<std::string> records(64);
  tether::Group g(request);
  g.go([in = records.receiver()](const tether::Context &ctx) mutable -> std::error_code {
    for (std::string &record : in)
      if (!parse(record))
        return std::make_error_code(std::errc::invalid_argument);
    return ctx.err();
  });
  g.go([out = records.sender()](const tether::Context &ctx) mutable -> std::error_code {
    while (!ctx.cancelled()) {
      std::optional<std::string> r = readRecord();
      if (!r || out.send(ctx, std::move(*r)) != tether::ChannelStatus::ok)
        break;
    }
    out.close(); // the producer closes
    return {};
  });
  return g.wait();
}

// The flusher runs in the request's group and stops when it is cancelled.
std::error_code flushEvery(const tether::Context &request, void (*flush)()) {
  tether::Group g(request);
  g.go([flush](const tether::Context &ctx) {
    while (!ctx.cancelled())
      flush();
  });
  return g.wait();
}

// The worker catches what std::stoi throws and hands the failure to its
// owner instead of ending the process.
int totalSize(const std::vector<std::string> &fields) {
  int total = 0;
  std::jthread summer([&] {
    try {
      for (const std::string &f : fields)
        total += std::stoi(f);
    } catch (const std::exception &) {
      total = -1; // the owner sees the failure
    }
  });
  summer.join();
  return total;
}
