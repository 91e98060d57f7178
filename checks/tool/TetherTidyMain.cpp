//===--- TetherTidyMain.cpp - clang-tidy with tether built in -------------===//
//
// tether-tidy: the upstream clang-tidy driver (every upstream module) plus the
// tether module, with clang-tidy's exact command line.
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/tool/ClangTidyMain.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <string>
#include <vector>

namespace clang::tidy {
// Defined in TetherTidyModule.cpp; referencing it keeps the module's
// registration object in the link.
extern volatile int TetherModuleAnchorSource;
static int LLVM_ATTRIBUTE_UNUSED TetherModuleAnchorDestination =
    TetherModuleAnchorSource;
} // namespace clang::tidy

/// Clang finds its builtin headers (stddef.h, stdarg.h, ...) in a resource
/// directory computed from the executable's location: <bin>/../lib/clang/<N>.
/// tether-tidy lives in a build tree or a prefix of its own, so when that
/// directory lacks the headers, point clang at the LLVM it was built against.
static bool needsResourceDir(const char *Argv0, void *MainAddr) {
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, MainAddr);
  llvm::SmallString<256> Dir(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Dir, "lib", "clang",
                          std::to_string(LLVM_VERSION_MAJOR));
  llvm::sys::path::append(Dir, "include", "stddef.h");
  return !llvm::sys::fs::exists(Dir);
}

int main(int Argc, const char **Argv) {
  std::vector<const char *> Args(Argv, Argv + Argc);
  bool UserChoseResourceDir = false;
  for (int I = 1; I < Argc; ++I)
    if (llvm::StringRef(Argv[I]).contains("-resource-dir"))
      UserChoseResourceDir = true;
  static const std::string ResourceArg =
      std::string("--extra-arg-before=-resource-dir=") +
      TETHER_CLANG_RESOURCE_DIR;
  if (!UserChoseResourceDir && Argc > 1 &&
      needsResourceDir(Argv[0], reinterpret_cast<void *>(&main)) &&
      llvm::sys::fs::exists(TETHER_CLANG_RESOURCE_DIR))
    Args.insert(Args.begin() + 1, ResourceArg.c_str());
  return clang::tidy::clangTidyMain(static_cast<int>(Args.size()), Args.data());
}
