"""cpu(cmd): runs cmd and returns (CPU seconds of the child, user + system;
its stdout and stderr together). Shared by the checks' benchmarks."""
import os
import subprocess


def cpu(cmd):
    before = os.times()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    after = os.times()
    return (after.children_user - before.children_user) + \
        (after.children_system - before.children_system), p.stdout
