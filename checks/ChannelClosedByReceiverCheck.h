//===--- ChannelClosedByReceiverCheck.h - tether-channel-closed-by-receiver ===//
//
// Finds close() on a channel by a function or lambda that receives from that
// channel and never sends to it: only producers close channels.
//
// Documentation: docs/checks/channel-closed-by-receiver.md
//
//===----------------------------------------------------------------------===//

#ifndef TETHER_CHECKS_CHANNELCLOSEDBYRECEIVERCHECK_H
#define TETHER_CHECKS_CHANNELCLOSEDBYRECEIVERCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "utils/CheckOptions.h"
#include "utils/SyncModel.h"
#include <string>
#include <vector>

namespace clang::tidy::tether {

/// Finds close() on a channel by a function or lambda that receives from
/// that channel and never sends to it.
class ChannelClosedByReceiverCheck : public ClangTidyCheck {
public:
  ChannelClosedByReceiverCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

private:
  void checkClose(const CallExpr *Close, const FunctionDecl *Fn,
                  const ast_matchers::MatchFinder::MatchResult &Result);

  const model::ThreadOptions Shared;
  const std::vector<model::SyncType> &ChannelTypes = Shared.ChannelTypes;
  llvm::StringSet<> CloseNames;
  llvm::DenseSet<const FunctionDecl *> Analysed;
  llvm::DenseSet<SourceLocation> Reported;
};

} // namespace clang::tidy::tether

#endif // TETHER_CHECKS_CHANNELCLOSEDBYRECEIVERCHECK_H
