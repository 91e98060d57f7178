//===--- TetherClangdMain.cpp - clangd with tether built in ---------------===//
//
// tether-clangd: the upstream clangd (every upstream clang-tidy module and
// tweak) plus the tether module, with clangd's exact command line. clangd
// cannot load clang-tidy plugins, so editors get the tether checks this way.
// Enable them in .clangd:
//
//   Diagnostics:
//     ClangTidy:
//       Add: [tether-*]
//       FastCheckFilter: None   # clangd skips checks it has not timed otherwise
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <string>
#include <vector>

namespace clang::clangd {
// Defined in libclangdMain.a; Debian ships no header for it.
int clangdMain(int Argc, char *Argv[]);
} // namespace clang::clangd

namespace clang::tidy {
// Defined in TetherTidyModule.cpp; referencing it keeps the module's
// registration object in the link.
extern volatile int TetherModuleAnchorSource;
static int LLVM_ATTRIBUTE_UNUSED TetherModuleAnchorDestination =
    TetherModuleAnchorSource;
} // namespace clang::tidy

/// clangd finds clang's builtin headers (stddef.h, stdarg.h, ...) in a
/// resource directory computed from its own location, <bin>/../lib/clang/<N>.
/// tether-clangd lives in a build tree or a prefix of its own: when that
/// directory lacks the headers, point clangd at the LLVM it was built against.
static bool needsResourceDir(const char *Argv0, void *MainAddr) {
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, MainAddr);
  llvm::SmallString<256> Dir(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Dir, "lib", "clang",
                          std::to_string(LLVM_VERSION_MAJOR));
  llvm::sys::path::append(Dir, "include", "stddef.h");
  return !llvm::sys::fs::exists(Dir);
}

int main(int Argc, char **Argv) {
  std::vector<char *> Args(Argv, Argv + Argc);
  bool UserChoseResourceDir = false;
  for (int I = 1; I < Argc; ++I)
    if (llvm::StringRef(Argv[I]).contains("-resource-dir"))
      UserChoseResourceDir = true;
  static std::string ResourceArg =
      std::string("--resource-dir=") + TETHER_CLANG_RESOURCE_DIR;
  if (!UserChoseResourceDir &&
      needsResourceDir(Argv[0], reinterpret_cast<void *>(&main)) &&
      llvm::sys::fs::exists(TETHER_CLANG_RESOURCE_DIR))
    Args.insert(Args.begin() + 1, ResourceArg.data());
  Args.push_back(nullptr); // clangdMain, like main, may rely on argv[argc].
  return clang::clangd::clangdMain(static_cast<int>(Args.size() - 1),
                                   Args.data());
}
