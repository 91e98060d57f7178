//===--- TetherTidyMain.cpp - clang-tidy with tether built in -------------===//
//
// tether-tidy: the upstream clang-tidy driver (every upstream module) plus the
// tether module, with clang-tidy's exact command line.
//
//===----------------------------------------------------------------------===//

#include "ResourceDir.h"
#include "clang-tidy/tool/ClangTidyMain.h"
#include <string>
#include <vector>

namespace clang::tidy {
// Defined in TetherTidyModule.cpp; referencing it keeps the module's
// registration object in the link.
extern volatile int TetherModuleAnchorSource;
static int LLVM_ATTRIBUTE_UNUSED TetherModuleAnchorDestination =
    TetherModuleAnchorSource;
} // namespace clang::tidy

int main(int Argc, const char **Argv) {
  std::vector<const char *> Args(Argv, Argv + Argc);
  static std::string ResourceArg;
  if (Argc > 1) {
    const std::string Dir = tether::tool::fallbackResourceDir(
        Argc, Argv, reinterpret_cast<void *>(&main));
    if (!Dir.empty()) {
      ResourceArg = "--extra-arg-before=-resource-dir=" + Dir;
      Args.insert(Args.begin() + 1, ResourceArg.c_str());
    }
  }
  return clang::tidy::clangTidyMain(static_cast<int>(Args.size()), Args.data());
}
