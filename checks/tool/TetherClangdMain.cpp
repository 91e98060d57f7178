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

#include "ResourceDir.h"
#include "llvm/Support/Compiler.h"
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

int main(int Argc, char **Argv) {
  std::vector<char *> Args(Argv, Argv + Argc);
  static std::string ResourceArg;
  const std::string Dir = tether::tool::fallbackResourceDir(
      Argc, Argv, reinterpret_cast<void *>(&main));
  if (!Dir.empty()) {
    ResourceArg = "--resource-dir=" + Dir;
    Args.insert(Args.begin() + 1, ResourceArg.data());
  }
  Args.push_back(nullptr); // clangdMain, like main, may rely on argv[argc].
  return clang::clangd::clangdMain(static_cast<int>(Args.size() - 1),
                                   Args.data());
}
