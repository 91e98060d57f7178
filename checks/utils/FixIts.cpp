//===--- FixIts.cpp - What the fix-its of every check need to prove -------===//

#include "utils/FixIts.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::tether::fixit {

bool inTemplate(const FunctionDecl *FD) {
  for (const DeclContext *DC = FD; DC; DC = DC->getParent()) {
    if (const auto *F = dyn_cast<FunctionDecl>(DC))
      if (F->isTemplateInstantiation() || F->isDependentContext())
        return true;
    if (isa<ClassTemplateSpecializationDecl>(DC))
      return true;
  }
  return false;
}

bool isStdThread(const CXXRecordDecl *RD) {
  return RD && RD->getDeclName().isIdentifier() && RD->getName() == "thread" &&
         RD->isInStdNamespace() && isa<NamespaceDecl>(RD->getDeclContext());
}

bool editable(llvm::ArrayRef<SourceLocation> Locs, const SourceManager &SM) {
  if (Locs.empty())
    return false;
  FileID File;
  for (SourceLocation L : Locs) {
    if (L.isInvalid() || L.isMacroID())
      return false;
    const FileID Id = SM.getFileID(L);
    if (File.isInvalid())
      File = Id;
    else if (Id != File)
      return false;
  }
  return !SM.isInSystemHeader(Locs.front());
}

namespace {
struct UsesVisitor : RecursiveASTVisitor<UsesVisitor> {
  UsesVisitor(const VarDecl *VD, llvm::ArrayRef<llvm::StringRef> Methods)
      : VD(VD), Methods(Methods) {}
  const VarDecl *VD;
  llvm::ArrayRef<llvm::StringRef> Methods;
  llvm::SmallPtrSet<const DeclRefExpr *, 4> Allowed;
  llvm::SmallVector<const DeclRefExpr *, 4> Refs;
  llvm::SmallVector<const CXXMemberCallExpr *, 4> Calls;
  bool Alone = false, Captured = false;

  bool VisitDeclStmt(DeclStmt *DS) {
    for (const Decl *D : DS->decls())
      if (D == VD)
        Alone = DS->isSingleDecl();
    return true;
  }
  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const Expr *Obj = Call->getImplicitObjectArgument();
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(
        Obj ? Obj->IgnoreParenImpCasts() : nullptr);
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (Ref && Ref->getDecl() == VD && M && M->getDeclName().isIdentifier() &&
        llvm::is_contained(Methods, M->getName())) {
      Allowed.insert(Ref);
      Calls.push_back(Call);
    }
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *Ref) {
    if (Ref->getDecl() == VD)
      Refs.push_back(Ref);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    for (const LambdaCapture &C : L->captures())
      if (C.capturesVariable() && C.getCapturedVar() == VD)
        Captured = true;
    return true;
  }
};
} // namespace

LocalUses localUses(const VarDecl *VD, const Stmt *Body,
                    llvm::ArrayRef<llvm::StringRef> Methods) {
  UsesVisitor V(VD, Methods);
  V.TraverseStmt(const_cast<Stmt *>(Body));
  LocalUses Out;
  Out.Alone = V.Alone;
  Out.OnlyMemberCalls =
      !V.Captured && llvm::all_of(V.Refs, [&](const DeclRefExpr *Ref) {
        return V.Allowed.contains(Ref) &&
               !Ref->refersToEnclosingVariableOrCapture();
      });
  Out.Calls = std::move(V.Calls);
  return Out;
}

CharSourceRange statementRemoval(const Stmt *S, const SourceManager &SM,
                                 const LangOptions &LangOpts) {
  const SourceLocation Begin = S->getBeginLoc(), Last = S->getEndLoc();
  if (!editable({Begin, Last}, SM))
    return {};
  // The `;` after an expression statement; a declaration ends with its own.
  SourceLocation Semi;
  Token Tok;
  if (!Lexer::getRawToken(Last, Tok, SM, LangOpts, /*IgnoreWhiteSpace=*/true) &&
      Tok.is(tok::semi))
    Semi = Last;
  else if (std::optional<Token> Next = Lexer::findNextToken(Last, SM, LangOpts);
           Next && Next->is(tok::semi))
    Semi = Next->getLocation();
  if (Semi.isInvalid() || !editable({Begin, Semi}, SM))
    return {};
  const auto [File, BeginOffset] = SM.getDecomposedLoc(Begin);
  const StringRef Text = SM.getBufferData(File);
  const unsigned End = SM.getFileOffset(Semi) + 1;
  auto Blank = [&](unsigned I) { return Text[I] == ' ' || Text[I] == '\t'; };
  unsigned From = BeginOffset, To = End;
  while (From > 0 && Blank(From - 1))
    --From;
  while (To < Text.size() && Blank(To))
    ++To;
  const bool LineBefore = From == 0 || Text[From - 1] == '\n';
  const bool LineAfter = To == Text.size() || Text[To] == '\n' ||
                         Text.substr(To).starts_with("\r\n");
  // A statement alone on its lines goes with the line break before it: the
  // range then ends at a line break, which clang's edit merging
  // (edit::Commit) leaves alone, where it would also take the blank after
  // a range that ends at the next line's indentation.
  if (LineBefore && LineAfter && From > 0) {
    --From;
    if (From > 0 && Text[From - 1] == '\r')
      --From;
  } else {
    From = BeginOffset;
  }
  const SourceLocation FileStart = SM.getLocForStartOfFile(File);
  return CharSourceRange::getCharRange(FileStart.getLocWithOffset(From),
                                       FileStart.getLocWithOffset(To));
}

} // namespace clang::tidy::tether::fixit
