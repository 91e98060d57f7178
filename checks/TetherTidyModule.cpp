//===--- TetherTidyModule.cpp - tether clang-tidy module ------------------===//
//
// Registers the tether-* checks, sorted by check name. Registration only: the
// checks live in their own XxxCheck.{h,cpp} pairs, the shared ownership model in
// utils/.
//
//===----------------------------------------------------------------------===//

#include "ChannelClosedByReceiverCheck.h"
#include "ContextNotPropagatedCheck.h"
#include "DetachedThreadCheck.h"
#include "DiscardedThreadResultCheck.h"
#include "EscapingReferenceCaptureCheck.h"
#include "ExceptionEscapesThreadCheck.h"
#include "NonAtomicStopFlagCheck.h"
#include "StopWithoutLockCheck.h"
#include "ThreadJoinedTwiceCheck.h"
#include "ThreadMemberOrderCheck.h"
#include "UnjoinedThreadCheck.h"
#include "UnstoppableWorkerCheck.h"
#include "UnjoinedThreadMemberCheck.h"
#include "WaitGroupAddInsideSpawnCheck.h"
#include "WaitGroupDoneMissingCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#if TETHER_LLVM_MAJOR < 22
#include "clang-tidy/ClangTidyModuleRegistry.h"
#endif
#include "clang/Basic/Version.h"
#include <cstdio>
#include <cstdlib>
#include <string>

namespace clang::tidy {
namespace tether {

class TetherModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override {
    CheckFactories.registerCheck<ChannelClosedByReceiverCheck>(
        "tether-channel-closed-by-receiver");
    CheckFactories.registerCheck<ContextNotPropagatedCheck>(
        "tether-context-not-propagated");
    CheckFactories.registerCheck<DetachedThreadCheck>("tether-detached-thread");
    CheckFactories.registerCheck<DiscardedThreadResultCheck>(
        "tether-discarded-thread-result");
    CheckFactories.registerCheck<EscapingReferenceCaptureCheck>(
        "tether-escaping-reference-capture");
    CheckFactories.registerCheck<ExceptionEscapesThreadCheck>(
        "tether-exception-escapes-thread");
    CheckFactories.registerCheck<NonAtomicStopFlagCheck>(
        "tether-non-atomic-stop-flag");
    CheckFactories.registerCheck<StopWithoutLockCheck>(
        "tether-stop-without-lock");
    CheckFactories.registerCheck<ThreadJoinedTwiceCheck>(
        "tether-thread-joined-twice");
    CheckFactories.registerCheck<ThreadMemberOrderCheck>(
        "tether-thread-member-order");
    CheckFactories.registerCheck<UnjoinedThreadCheck>("tether-unjoined-thread");
    CheckFactories.registerCheck<UnjoinedThreadMemberCheck>(
        "tether-unjoined-thread-member");
    CheckFactories.registerCheck<UnstoppableWorkerCheck>(
        "tether-unstoppable-worker");
    CheckFactories.registerCheck<WaitGroupAddInsideSpawnCheck>(
        "tether-waitgroup-add-inside-spawn");
    CheckFactories.registerCheck<WaitGroupDoneMissingCheck>(
        "tether-waitgroup-done-missing");
  }
};

/// The major version of the clang that hosts this module, parsed from
/// getClangFullVersion() ("Debian clang version 22.1.8 (...)"); 0 if unknown.
static int hostClangMajor() {
  const std::string Full = clang::getClangFullVersion();
  const std::string::size_type At = Full.find("version ");
  if (At == std::string::npos)
    return 0;
  return std::atoi(Full.c_str() + At + 8);
}

/// Registers the module unless the host clang-tidy is of another LLVM major
/// than the one tether was built against. Such a host would run the checks
/// against an ABI they were not compiled for; refusing loudly beats crashing or,
/// worse, silently finding nothing. A mismatch ends the process with status 1.
static bool registerTetherModule() {
  const int Host = hostClangMajor();
  if (Host != 0 && Host != TETHER_LLVM_MAJOR) {
    std::fprintf(stderr,
                 "error: tether: TetherTidyModule was built for LLVM %d but is "
                 "loaded into clang-tidy of LLVM %d; use clang-tidy-%d, or "
                 "rebuild tether with -DTETHER_LLVM_VERSION=%d\n",
                 TETHER_LLVM_MAJOR, Host, TETHER_LLVM_MAJOR, Host);
    std::fflush(stderr);
    std::_Exit(1);
  }
  // Leaked on purpose: the registry keeps a pointer to the node for the life
  // of the process.
  new ClangTidyModuleRegistry::Add<TetherModule>(
      "tether", "Adds tether thread-ownership checks.");
  return true;
}

static const bool TetherModuleRegistered = registerTetherModule();

} // namespace tether

// This anchor is used to force the linker to link in the generated object file
// and thus register the TetherModule.
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int TetherModuleAnchorSource = 0;

} // namespace clang::tidy
