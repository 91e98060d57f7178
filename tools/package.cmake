# Install rules for what has no CMake target (tether-lint, the docs) and the
# CPack set-up: `cpack -G DEB` in a build folder makes
# tether_<version>+llvm<N>_<arch>.deb, installing under /usr next to Debian's
# LLVM <N> packages. Included from the top-level CMakeLists.txt; the plugin,
# tether-tidy, tether-clangd (checks/) and the runtime (runtime/) install from
# their own directories.

# tether-lint finds tether-tidy next to itself and the check pages under
# share/doc/tether/checks when installed.
install(PROGRAMS tools/tether-lint tools/tether-sarif-merge
        DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- CPack: one .deb for the chosen LLVM major ------------------------------
set(CPACK_PACKAGE_NAME tether)
set(CPACK_PACKAGE_VENDOR "tether")
set(CPACK_PACKAGE_CONTACT "tether maintainers <tether@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "thread ownership for C++: clang-tidy checks and a C++20 runtime")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
# The plugin only loads into the clang-tidy of the major it was built for: the
# major is part of the version, and the package conflicts with itself built
# for another major by name only (one tether per system).
if(TETHER_BUILD_CHECKS)
  set(_tether_llvm ${LLVM_VERSION_MAJOR})
  set(CPACK_DEBIAN_PACKAGE_VERSION "${PROJECT_VERSION}+llvm${_tether_llvm}")
  # dpkg-shlibdeps adds what the binaries link (libllvm<N>, libclang-cpp<N>,
  # gRPC and Protobuf for tether-clangd, libc6, libstdc++6); the rest is what
  # they run with: the host clang-tidy for the plugin, clang's builtin headers
  # (libclang-common-<N>-dev) for tether-tidy and tether-clangd, python3 for
  # tether-lint.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "clang-tidy-${_tether_llvm}, libclang-common-${_tether_llvm}-dev, python3")
  # dpkg-shlibdeps must see the LLVM libraries where the binaries found them.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${LLVM_LIBRARY_DIR})
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
endif()
set(CPACK_PACKAGE_DESCRIPTION
    "clang-tidy checks (tether-*) that find threads nobody owns: a plugin for clang-tidy, tether-tidy, tether-clangd for editors, and tether-lint for CI; plus the tether:: C++20 runtime (Context, WaitGroup, Channel, Group).")
include(CPack)
