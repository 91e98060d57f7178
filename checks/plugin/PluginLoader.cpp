//===--- PluginLoader.cpp - version-checked entry point of the plugin -----===//
//
// TetherTidyModule.so is what users pass to `clang-tidy -load`. It references
// nothing from LLVM, so it always loads; its initializer asks the host for its
// LLVM version (LLVMGetVersion, looked up with dlsym) and only then loads the
// checks, TetherTidyModuleImpl.so, from the same directory. A clang-tidy of
// another major gets one clear error naming both versions and exit status 1,
// never a silently empty run: clang-tidy itself only prints "-load request
// ignored" for a plugin that fails to load, and then goes on without it.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>

#ifndef TETHER_LLVM_MAJOR
#error "TETHER_LLVM_MAJOR must be defined"
#endif

namespace {

[[noreturn]] void refuse(const std::string &Why) {
  std::fprintf(stderr, "error: tether: %s\n", Why.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

/// The host's LLVM major, or 0 if the host does not export LLVMGetVersion
/// (a statically linked clang-tidy); the checks' own registration guard
/// compares clang versions then.
unsigned hostLLVMMajor() {
  using GetVersionFn = void (*)(unsigned *, unsigned *, unsigned *);
  auto *GetVersion =
      reinterpret_cast<GetVersionFn>(dlsym(RTLD_DEFAULT, "LLVMGetVersion"));
  if (!GetVersion)
    return 0;
  unsigned Major = 0, Minor = 0, Patch = 0;
  GetVersion(&Major, &Minor, &Patch);
  return Major;
}

std::string ownDirectory() {
  Dl_info Info;
  if (dladdr(reinterpret_cast<void *>(&hostLLVMMajor), &Info) == 0 ||
      !Info.dli_fname)
    return ".";
  std::string Path = Info.dli_fname;
  const std::string::size_type Slash = Path.rfind('/');
  return Slash == std::string::npos ? "." : Path.substr(0, Slash);
}

struct LoadChecks {
  LoadChecks() {
    const unsigned Host = hostLLVMMajor();
    if (Host != 0 && Host != TETHER_LLVM_MAJOR)
      refuse("TetherTidyModule.so was built for LLVM " +
             std::to_string(TETHER_LLVM_MAJOR) +
             " but is loaded into clang-tidy of LLVM " + std::to_string(Host) +
             "; use clang-tidy-" + std::to_string(TETHER_LLVM_MAJOR) +
             ", or rebuild tether with -DTETHER_LLVM_VERSION=" +
             std::to_string(Host));
    const std::string Impl = ownDirectory() + "/TetherTidyModuleImpl.so";
    if (!dlopen(Impl.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
      const char *Err = dlerror();
      refuse("cannot load the tether checks (" + Impl +
             "): " + (Err ? Err : "unknown error") +
             "; the plugin must be loaded into clang-tidy-" +
             std::to_string(TETHER_LLVM_MAJOR));
    }
  }
} Loader;

} // namespace
