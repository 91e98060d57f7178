//===--- ChecksFuzzer.cpp - libFuzzer target over the tether checks -------===//
//
// Runs every tether-* check in-process over the fuzzer's input, parsed as a
// C++20 translation unit with the mock headers of test/checks/Inputs on the
// include path, exactly as clang-tidy does (clang::tidy::runClangTidy on an
// in-memory file). A crash, an ASan report or a hang is a bug in the checks,
// whatever the input: the input need not compile.
//
// Built with -DTETHER_BUILD_FUZZER=ON (clang only); run through tools/tether-fuzz.
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy {
// Defined in TetherTidyModule.cpp; referencing it keeps the module's
// registration object in the link.
extern volatile int TetherModuleAnchorSource;
static int LLVM_ATTRIBUTE_UNUSED TetherModuleAnchorDestination =
    TetherModuleAnchorSource;
} // namespace clang::tidy

namespace {

constexpr const char *InputPath = "/tether-fuzz/input.cpp";

/// The same options for every input: only the tether checks, with their
/// defaults.
clang::tidy::ClangTidyOptions fuzzOptions() {
  clang::tidy::ClangTidyOptions Opts = clang::tidy::ClangTidyOptions::getDefaults();
  Opts.Checks = "-*,tether-*";
  Opts.HeaderFilterRegex = ".*";
  return Opts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  using namespace clang;
  using namespace clang::tidy;

  auto Memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  Memory->addFile(InputPath, 0,
                  llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(
                      reinterpret_cast<const char *>(Data), Size)));
  auto FS = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
      llvm::vfs::getRealFileSystem());
  FS->pushOverlay(Memory);

  std::vector<std::string> Args = {
      "-std=c++20", "-fsyntax-only", "-w", "-ferror-limit=0",
      "-resource-dir=" TETHER_CLANG_RESOURCE_DIR,
      "-isystem", TETHER_FUZZ_INPUTS, "-x", "c++"};
  // The working directory must exist in every layer of the overlay.
  tooling::FixedCompilationDatabase Compilations("/", Args);

  ClangTidyContext Context(std::make_unique<DefaultOptionsProvider>(
      ClangTidyGlobalOptions(), fuzzOptions()));
  std::vector<std::string> Files = {InputPath};
#if TETHER_LLVM_MAJOR >= 22
  std::vector<ClangTidyError> Errors =
      runClangTidy(Context, Compilations, Files, FS, /*ApplyAnyFix=*/false,
                   /*EnableCheckProfile=*/false, "", /*Quiet=*/true);
#else
  std::vector<ClangTidyError> Errors =
      runClangTidy(Context, Compilations, Files, FS, /*ApplyAnyFix=*/false);
#endif
  (void)Errors;
  return 0;
}
