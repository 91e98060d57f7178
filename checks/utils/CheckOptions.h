//===--- CheckOptions.h - options the tether checks share -------*- C++ -*-===//
//
// The thread-model options several checks take (ThreadTypes, SpawnFunctions,
// OwnerTypes, WaitGroupTypes, ChannelTypes, ExceptionPaths): read, defaulted,
// parsed and stored in one place, so that a check takes exactly the options
// it names and every check spells and defaults them the same way. See
// docs/design.md, "Options".
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_UTILS_CHECKOPTIONS_H
#define TETHER_CHECKS_UTILS_CHECKOPTIONS_H

#include "SyncModel.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::tether::model {

/// The shared options a check reads; a check names the ones it takes.
enum SharedOption : unsigned {
  ThreadTypesOpt = 1 << 0,    ///< "ThreadTypes" (default DefaultThreadTypes)
  SpawnFunctionsOpt = 1 << 1, ///< "SpawnFunctions" (default: per check)
  OwnerTypesOpt = 1 << 2,     ///< "OwnerTypes" (default ""; auto-joining
                              ///< types are always owners)
  WaitGroupTypesOpt = 1 << 3, ///< "WaitGroupTypes"
  ChannelTypesOpt = 1 << 4,   ///< "ChannelTypes"
  ExceptionPathsOpt = 1 << 5, ///< "ExceptionPaths" (default true)
};

/// The values of the shared options one check takes. Lists are parsed once;
/// the StringRefs point into this object, which is therefore not copyable:
/// keep it as a member of the check.
class ThreadOptions {
public:
  ThreadOptions(const ClangTidyCheck::OptionsView &Options, unsigned Taken,
                llvm::StringRef SpawnFunctionsDefault = "");
  ThreadOptions(const ThreadOptions &) = delete;
  ThreadOptions &operator=(const ThreadOptions &) = delete;

  /// Stores the options this check takes, as it read them.
  void store(const ClangTidyCheck::OptionsView &Options,
             ClangTidyOptions::OptionMap &Opts) const;

  std::vector<llvm::StringRef> ThreadTypes;
  std::vector<llvm::StringRef> SpawnFunctions;
  /// The auto-joining types (AutoJoiningTypes) followed by the OwnerTypes
  /// option's entries.
  std::vector<llvm::StringRef> OwnerTypes;
  std::vector<SyncType> WaitGroupTypes;
  std::vector<SyncType> ChannelTypes;
  bool ExceptionPaths = true;

private:
  unsigned Taken;
  std::string ThreadTypesRaw, SpawnFunctionsRaw, OwnerTypesRaw,
      WaitGroupTypesRaw, ChannelTypesRaw;
};

} // namespace clang::tidy::tether::model

#endif // TETHER_CHECKS_UTILS_CHECKOPTIONS_H
