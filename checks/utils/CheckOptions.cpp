//===--- CheckOptions.cpp - options the tether checks share ---------------===//

#include "CheckOptions.h"
#include "SpawnModel.h"
#include "ThreadModel.h"
#include "clang-tidy/utils/OptionsUtils.h"

namespace clang::tidy::tether::model {

using utils::options::parseStringList;

ThreadOptions::ThreadOptions(const ClangTidyCheck::OptionsView &Options,
                             unsigned Taken,
                             llvm::StringRef SpawnFunctionsDefault)
    : Taken(Taken) {
  if (Taken & ThreadTypesOpt) {
    ThreadTypesRaw = Options.get("ThreadTypes", DefaultThreadTypes).str();
    ThreadTypes = parseStringList(ThreadTypesRaw);
  }
  if (Taken & SpawnFunctionsOpt) {
    SpawnFunctionsRaw =
        Options
            .get("SpawnFunctions", SpawnFunctionsDefault.empty()
                                       ? llvm::StringRef(DefaultSpawnFunctions)
                                       : SpawnFunctionsDefault)
            .str();
    SpawnFunctions = parseStringList(SpawnFunctionsRaw);
  }
  if (Taken & OwnerTypesOpt) {
    OwnerTypesRaw = Options.get("OwnerTypes", "").str();
    OwnerTypes = parseStringList(AutoJoiningTypes);
    for (llvm::StringRef T : parseStringList(OwnerTypesRaw))
      OwnerTypes.push_back(T);
  }
  if (Taken & WaitGroupTypesOpt) {
    WaitGroupTypesRaw =
        Options.get("WaitGroupTypes", DefaultWaitGroupTypes).str();
    WaitGroupTypes = parseSyncTypes(WaitGroupTypesRaw, DefaultWaitGroupOps);
  }
  if (Taken & ChannelTypesOpt) {
    ChannelTypesRaw = Options.get("ChannelTypes", DefaultChannelTypes).str();
    ChannelTypes = parseSyncTypes(ChannelTypesRaw, DefaultChannelOps);
  }
  if (Taken & ExceptionPathsOpt)
    ExceptionPaths = Options.get("ExceptionPaths", true);
}

void ThreadOptions::store(const ClangTidyCheck::OptionsView &Options,
                          ClangTidyOptions::OptionMap &Opts) const {
  if (Taken & ThreadTypesOpt)
    Options.store(Opts, "ThreadTypes",
                  utils::options::serializeStringList(ThreadTypes));
  if (Taken & SpawnFunctionsOpt)
    Options.store(Opts, "SpawnFunctions",
                  utils::options::serializeStringList(SpawnFunctions));
  if (Taken & OwnerTypesOpt)
    Options.store(Opts, "OwnerTypes", OwnerTypesRaw);
  if (Taken & WaitGroupTypesOpt)
    Options.store(Opts, "WaitGroupTypes", WaitGroupTypesRaw);
  if (Taken & ChannelTypesOpt)
    Options.store(Opts, "ChannelTypes", ChannelTypesRaw);
  if (Taken & ExceptionPathsOpt)
    Options.store(Opts, "ExceptionPaths", ExceptionPaths);
}

} // namespace clang::tidy::tether::model
