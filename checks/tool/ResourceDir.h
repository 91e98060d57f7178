//===--- ResourceDir.h - where the tools find clang's builtin headers -----===//
//
// Clang finds its builtin headers (stddef.h, stdarg.h, ...) in a resource
// directory computed from the executable's location: <bin>/../lib/clang/<N>.
// tether-tidy and tether-clangd live in a build tree or a prefix of their own;
// when that directory lacks the headers, they point clang at the resource
// directory of the LLVM they were built against (TETHER_CLANG_RESOURCE_DIR).
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_TOOL_RESOURCEDIR_H
#define TETHER_CHECKS_TOOL_RESOURCEDIR_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <string>

namespace tether::tool {

/// The resource directory to pass to clang, or "" when none is needed: the
/// user chose one (any argument naming -resource-dir), or the executable's
/// own <bin>/../lib/clang/<N> has the builtin headers, or the fallback does
/// not exist either.
inline std::string fallbackResourceDir(int Argc, const char *const *Argv,
                                       void *MainAddr) {
  for (int I = 1; I < Argc; ++I)
    if (llvm::StringRef(Argv[I]).contains("-resource-dir"))
      return "";
  const std::string Exe = llvm::sys::fs::getMainExecutable(Argv[0], MainAddr);
  llvm::SmallString<256> Own(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Own, "lib", "clang",
                          std::to_string(LLVM_VERSION_MAJOR));
  llvm::sys::path::append(Own, "include", "stddef.h");
  if (llvm::sys::fs::exists(Own) ||
      !llvm::sys::fs::exists(TETHER_CLANG_RESOURCE_DIR))
    return "";
  return TETHER_CLANG_RESOURCE_DIR;
}

} // namespace tether::tool

#endif // TETHER_CHECKS_TOOL_RESOURCEDIR_H
