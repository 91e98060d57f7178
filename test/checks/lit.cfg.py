# lit configuration for the tether check tests.
#
# Run through ctest (check-tests-plugin, check-tests-tidy), or by hand:
#   lit -sv --param tether_site_config=build/test/checks/lit.site.cfg.py \
#           --param artifact=plugin|tidy test/checks
#
# Substitutions:
#   %check_clang_tidy  tools/check-clang-tidy.py bound to the artifact under test
#   %clang_tidy        the artifact under test as a plain clang-tidy command line
#   %host_clang_tidy   the host clang-tidy without the plugin
#   %tether_plugin     the plugin's path
#   %other_clang_tidy  a clang-tidy of another LLVM major (feature other-major)
#   %tether_lint       tools/tether-lint bound to the artifact under test
#   %clangxx           clang++ of the checks' LLVM
import os
import shlex

import lit.formats

site = lit_config.params.get("tether_site_config")
if not site or not os.path.exists(site):
    lit_config.fatal("pass --param tether_site_config=<build>/test/checks/lit.site.cfg.py")
exec(open(site).read())

artifact = lit_config.params.get("artifact", "plugin")
if artifact not in ("plugin", "tidy"):
    lit_config.fatal("artifact must be 'plugin' or 'tidy', not %r" % artifact)

config.name = "tether-checks-" + artifact
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".cpp", ".c", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.binary_root, artifact)

if artifact == "plugin":
    tidy_cmd = [config.host_clang_tidy, "-load=" + config.plugin]
    runner_tool = ["--clang-tidy", config.host_clang_tidy, "--load", config.plugin]
else:
    tidy_cmd = [config.tether_tidy]
    runner_tool = ["--clang-tidy", config.tether_tidy]

q = lambda args: " ".join(shlex.quote(a) for a in args)
runner = [config.python, os.path.join(config.source_root, "tools", "check-clang-tidy.py"),
          "--filecheck", config.filecheck] + runner_tool

lint_tool = ["--clang-tidy", config.host_clang_tidy, "--load", config.plugin] \
    if artifact == "plugin" else ["--clang-tidy", config.tether_tidy]
config.substitutions.append(("%tether_lint", q(
    [config.python, os.path.join(config.source_root, "tools", "tether-lint")] + lint_tool)))
config.substitutions.append(("%check_clang_tidy", q(runner)))
config.substitutions.append(("%clang_tidy", q(tidy_cmd)))
config.substitutions.append(("%host_clang_tidy", q([config.host_clang_tidy])))
config.substitutions.append(("%tether_plugin", q([config.plugin])))
config.substitutions.append(("%other_clang_tidy", q([config.other_major_clang_tidy or "false"])))
config.substitutions.append(("%llvm_major", config.llvm_major))
config.substitutions.append(("%tether_build", q([config.build_root])))
config.substitutions.append(("%cmake", q([config.cmake])))
config.substitutions.append(("%tether_src", q([config.source_root])))
config.substitutions.append(("%python", q([config.python])))
# clang++ of the same LLVM as the checks (next to FileCheck), to compile
# what the fix-its produce.
config.substitutions.append(("%clangxx", q([os.path.join(os.path.dirname(config.filecheck),
                                                        "clang++")])))

config.available_features.add("artifact-" + artifact)
config.available_features.add("llvm-" + config.llvm_major)
if config.other_major_clang_tidy:
    config.available_features.add("other-major")
config.environment["HOME"] = config.test_exec_root
# FileCheck and not come from the same LLVM as the checks.
config.environment["PATH"] = os.pathsep.join(
    [os.path.dirname(config.filecheck), os.path.dirname(config.not_tool),
     config.environment.get("PATH", os.environ.get("PATH", ""))])
