"""deps.py CACHE_DIR: for every header a cached TU read from a compiler's
own folder, prints 'gcc NAME' (GCC's lib/gcc/...) or 'clang NAME' (clang's
resource folder), sorted, so a test can tell whose headers were used."""
import glob
import json
import os
import sys

seen = set()
for path in glob.glob(os.path.join(sys.argv[1], "v1", "*", "*.json")):
    with open(path) as f:
        for dep, _ in json.load(f)["deps"]:
            if "/lib/gcc/" in dep:
                seen.add("gcc " + os.path.basename(dep))
            elif "/lib/clang/" in dep:
                seen.add("clang " + os.path.basename(dep))
print("\n".join(sorted(seen)))
