#!/usr/bin/env python3
"""A real LSP session with tether-clangd: the editor's view of the checks.

  lsp-session.py --clangd build/bin/tether-clangd --inputs test/checks/Inputs

Writes a scratch project (.clangd enabling tether-*, compile_flags.txt with the
mock headers, a file that detaches a temporary std::thread), starts the server,
sends initialize / initialized / didOpen, reads textDocument/publishDiagnostics
and asserts a tether-detached-thread warning with its message and its note;
then opens a file with a tether-context-not-propagated finding that has a
fix-it and asserts the note as related information and the fix-it as a
quick fix (textDocument/codeAction).
`clangd --check` prints no clang-tidy warnings, hence the session.

Every read has a deadline; the server is always shut down, and killed if it
does not exit. Exit status 0 on success, 1 with one line saying what was wrong.
"""

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SOURCE = """\
#include <thread>

void work(int n);

void fireAndForget() {
  std::thread(work, 1).detach();
}
"""
# 0-based LSP position of the warning: `detach` on line 6, column 24.
WANT_LINE, WANT_CHAR = 5, 23
WANT_CODE = "tether-detached-thread"
WANT_MESSAGE = ("temporary thread is detached; its owner can no longer wait for "
                "it, stop it or get its result")
WANT_NOTE = "use tether::WaitGroup::go, tether::Group or std::jthread"

# A finding with a fix-it: clangd offers it as a quick fix (code action), and
# the finding's note as related information.
FIX_SOURCE = """\
#include <tether/context.h>

void serve(const tether::Context &ctx);

void handle(const tether::Context &ctx) {
  serve(tether::background());
}
"""
FIX_CODE = "tether-context-not-propagated"
FIX_LINE, FIX_CHAR = 5, 8  # 0-based: `tether::background()` on line 6, column 9
FIX_NOTE = "derive from 'ctx' instead"

DOT_CLANGD = """\
Diagnostics:
  ClangTidy:
    Add: [tether-*]
    FastCheckFilter: None
Index:
  StandardLibrary: No
"""


class Failure(Exception):
    pass


class Server:
    """tether-clangd over stdio, with a reader thread that queues every message."""

    def __init__(self, cmd, cwd, env, log):
        try:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=log)
        except OSError as e:
            raise Failure("cannot start %s: %s" % (cmd[0], e))
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                if length is None:
                    continue
                self.messages.put(json.loads(out.read(length).decode("utf-8")))
        finally:
            self.messages.put(None)  # end of stream

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                   "params": params})
        return self.next_id

    def receive(self, deadline, what):
        """The next message, or Failure once the deadline has passed."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("timed out waiting for " + what)
        try:
            message = self.messages.get(timeout=left)
        except queue.Empty:
            raise Failure("timed out waiting for " + what)
        if message is None:
            raise Failure("tether-clangd exited (status %s) while waiting for %s" % (
                self.proc.poll(), what))
        return message

    def wait_reply(self, request_id, deadline, what):
        while True:
            message = self.receive(deadline, what)
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise Failure("%s failed: %s" % (what, message["error"]))
                return message.get("result")
            self.answer_server_request(message)

    def answer_server_request(self, message):
        # clangd asks e.g. window/workDoneProgress/create; a client must answer.
        if "id" in message and "method" in message:
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def close(self, timeout):
        try:
            if self.proc.poll() is None:
                deadline = time.monotonic() + timeout
                rid = self.request("shutdown", None)
                try:
                    self.wait_reply(rid, deadline, "shutdown")
                except Failure:
                    pass
                self.notify("exit", None)
                self.proc.stdin.close()
                self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)


def find_diagnostic(diags):
    for d in diags:
        if d.get("code") == WANT_CODE or WANT_CODE in d.get("message", ""):
            return d
    return None


def uncapitalise(text):
    """clangd capitalises the first letter of every message it publishes."""
    return text[:1].lower() + text[1:]


def check(diag, saw):
    where = diag["range"]["start"]
    problems = []
    if diag.get("code") != WANT_CODE:
        problems.append("code is %r, not %r" % (diag.get("code"), WANT_CODE))
    if diag.get("source") != "clang-tidy":
        problems.append("source is %r, not 'clang-tidy'" % diag.get("source"))
    if diag.get("severity") != 2:
        problems.append("severity is %r, not 2 (warning)" % diag.get("severity"))
    if uncapitalise(diag.get("message", "")) != WANT_MESSAGE:
        problems.append("message is %r" % diag.get("message"))
    if (where["line"], where["character"]) != (WANT_LINE, WANT_CHAR):
        problems.append("starts at %d:%d, not %d:%d" % (
            where["line"], where["character"], WANT_LINE, WANT_CHAR))
    notes = [r.get("message", "") for r in diag.get("relatedInformation", [])]
    if not any(uncapitalise(n).startswith(WANT_NOTE) for n in notes):
        problems.append("no note starting %r among %r" % (WANT_NOTE, notes))
    if problems:
        raise Failure("tether-detached-thread diagnostic is wrong: " + "; ".join(problems)
                      + "\n" + json.dumps(diag, indent=2) + "\nall published: " + saw)


def wait_diagnostic(server, uri, code, deadline):
    """The first published diagnostic of uri with the given check."""
    saw = []
    while True:
        message = server.receive(deadline, "a %s diagnostic (published so far: %s)" % (
            code, json.dumps(saw)))
        server.answer_server_request(message)
        if message.get("method") != "textDocument/publishDiagnostics":
            continue
        params = message["params"]
        if params.get("uri") != uri:
            continue
        saw.extend(params.get("diagnostics", []))
        for d in params.get("diagnostics", []):
            if d.get("code") == code:
                return d, params["diagnostics"]


def check_fix(server, uri, deadline):
    """The fix-it as a code action, the note as related information."""
    diag, _ = wait_diagnostic(server, uri, FIX_CODE, deadline)
    where = diag["range"]["start"]
    problems = []
    if (where["line"], where["character"]) != (FIX_LINE, FIX_CHAR):
        problems.append("starts at %d:%d, not %d:%d" % (
            where["line"], where["character"], FIX_LINE, FIX_CHAR))
    related = diag.get("relatedInformation", [])
    if not any(uncapitalise(r.get("message", "")).startswith(FIX_NOTE) and
               r["location"]["uri"] == uri for r in related):
        problems.append("no related information starting %r: %r" % (FIX_NOTE, related))
    rid = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diag["range"],
        "context": {"diagnostics": [diag]}})
    actions = server.wait_reply(rid, deadline, "the reply to codeAction") or []
    edits = []
    for a in actions:
        if a.get("kind") != "quickfix":
            continue
        for e in (a.get("edit", {}).get("changes", {}) or {}).get(uri, []):
            edits.append((a.get("title", ""), e))
        for dc in a.get("edit", {}).get("documentChanges", []) or []:
            if dc.get("textDocument", {}).get("uri") == uri:
                edits += [(a.get("title", ""), e) for e in dc.get("edits", [])]
    want = {"start": {"line": FIX_LINE, "character": FIX_CHAR},
            "end": {"line": FIX_LINE, "character": FIX_CHAR + len("tether::background()")}}
    if not any(e["newText"] == "ctx" and e["range"] == want for _, e in edits):
        problems.append("no quick fix replacing tether::background() by ctx among %s" %
                        json.dumps(actions))
    if problems:
        raise Failure("%s fix-it in the editor is wrong: %s\n%s" % (
            FIX_CODE, "; ".join(problems), json.dumps(diag, indent=2)))
    title = [t for t, e in edits if e["newText"] == "ctx"][0]
    return "%s %d:%d quick fix %r, related %r" % (
        FIX_CODE, FIX_LINE + 1, FIX_CHAR + 1, title, related[0]["message"])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clangd", required=True, help="tether-clangd binary")
    p.add_argument("--inputs", required=True, help="test/checks/Inputs (mock headers)")
    p.add_argument("--timeout", type=float, default=120,
                   help="seconds the whole session may take (default 120)")
    p.add_argument("--keep", action="store_true", help="keep the scratch project")
    args = p.parse_args()

    scratch = tempfile.mkdtemp(prefix="tether-lsp-")
    project = os.path.join(scratch, "project")
    home = os.path.join(scratch, "home")
    os.makedirs(project)
    os.makedirs(home)
    with open(os.path.join(project, ".clangd"), "w") as f:
        f.write(DOT_CLANGD)
    with open(os.path.join(project, "compile_flags.txt"), "w") as f:
        f.write("-std=c++20\n-isystem\n%s\n" % os.path.abspath(args.inputs))
    source = os.path.join(project, "detach.cpp")
    with open(source, "w") as f:
        f.write(SOURCE)
    uri = "file://" + source
    fix_source = os.path.join(project, "fix.cpp")
    with open(fix_source, "w") as f:
        f.write(FIX_SOURCE)
    fix_uri = "file://" + fix_source

    # A private HOME and XDG_CONFIG_HOME: no user config.yaml may change the result.
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"))
    log_path = os.path.join(scratch, "clangd.log")
    deadline = time.monotonic() + args.timeout
    server = None
    try:
        with open(log_path, "wb") as log:
            server = Server([os.path.abspath(args.clangd), "--log=info", "--background-index=false",
                             "--pch-storage=memory", "-j=1"], project, env, log)
            rid = server.request("initialize", {
                "processId": os.getpid(),
                "rootUri": "file://" + project,
                "capabilities": {"textDocument": {
                    "publishDiagnostics": {"relatedInformation": True,
                                           "codeDescriptionSupport": True},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                        "valueSet": ["quickfix"]}}}}},
            })
            server.wait_reply(rid, deadline, "the reply to initialize")
            server.notify("initialized", {})
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "cpp", "version": 1, "text": SOURCE}})
            saw = []
            while True:
                message = server.receive(
                    deadline, "a tether-detached-thread diagnostic (published so far: %s)"
                    % json.dumps(saw))
                server.answer_server_request(message)
                if message.get("method") != "textDocument/publishDiagnostics":
                    continue
                params = message["params"]
                if params.get("uri") != uri:
                    continue
                saw.extend(params.get("diagnostics", []))
                diag = find_diagnostic(params.get("diagnostics", []))
                if diag is not None:
                    errors = [d for d in params["diagnostics"] if d.get("severity") == 1]
                    if errors:
                        raise Failure("errors published: " + json.dumps(errors))
                    check(diag, json.dumps(saw))
                    break
        print("lsp-session: ok: %s %d:%d %s [%s], note %r" % (
            os.path.basename(source), WANT_LINE + 1, WANT_CHAR + 1, diag["message"],
            diag["code"], diag["relatedInformation"][-1]["message"]))
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": fix_uri, "languageId": "cpp", "version": 1, "text": FIX_SOURCE}})
        print("lsp-session: ok: fix.cpp " + check_fix(server, fix_uri, deadline))
        return 0
    except Failure as e:
        sys.stderr.write("lsp-session: FAIL: %s\n" % e)
        if server is not None:
            server.close(10)
            server = None
        try:
            with open(log_path, errors="replace") as f:
                sys.stderr.write("---- tether-clangd log (last 40 lines) ----\n")
                sys.stderr.write("".join(f.readlines()[-40:]))
        except OSError:
            pass
        return 1
    finally:
        if server is not None:
            server.close(10)
        if args.keep:
            sys.stderr.write("lsp-session: kept %s\n" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
