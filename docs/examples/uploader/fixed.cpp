// An uploader that sends a batch of files to a server in parallel.
// Fixed: a tether::Group owns the uploads: go() counts each task before it
// runs, the task ends however it returns, and its std::error_code comes back
// from wait(); the first failure cancels the uploads still running.
#include <string>
#include <system_error>
#include <vector>

#include <tether/context.h>
#include <tether/group.h>

bool exists(const std::string &path);
std::error_code upload(const tether::Context &ctx, const std::string &path);

std::error_code uploadAll(const tether::Context &parent, const std::vector<std::string> &paths) {
  tether::Group uploads(parent);
  for (const std::string &path : paths)
    uploads.go([path](const tether::Context &ctx) -> std::error_code {
      if (!exists(path))
        return {}; // skipped: the group still knows the task ended
      return upload(ctx, path);
    });
  return uploads.wait(); // the first upload error, if any
}

std::error_code uploadLog(const tether::Context &parent, const std::string &log) {
  tether::Group g(parent);
  g.go([log](const tether::Context &ctx) { return upload(ctx, log); });
  return g.wait();
}
