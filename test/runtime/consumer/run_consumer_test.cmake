# ctest driver: install the runtime into a temporary prefix, then build and
# run a consumer against it twice -- with find_package(tether) and with
# pkg-config.
#   cmake -DTETHER_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=...
#         -DCMAKE_CXX_COMPILER=... -DCMAKE_GENERATOR=... -P run_consumer_test.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --install "${TETHER_BUILD_DIR}" --prefix "${prefix}" --component tether_runtime)
foreach(f include/tether/tether.h include/tether/channel.h)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB_RECURSE config "${prefix}/*/tetherConfig.cmake")
file(GLOB_RECURSE pc "${prefix}/*/tether.pc")
if(NOT config OR NOT pc)
  message(FATAL_ERROR "package files not installed: config='${config}' pc='${pc}'")
endif()

# 1. find_package(tether)
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/cmake-build"
    -G "${CMAKE_GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake-build")
run("${WORK_DIR}/cmake-build/consumer")
if(NOT LAST_OUTPUT MATCHES "tether consumer ok")
  message(FATAL_ERROR "find_package consumer: ${LAST_OUTPUT}")
endif()
message(STATUS "find_package(tether) consumer: ok")

# 2. pkg-config
find_program(PKG_CONFIG NAMES pkg-config pkgconf)
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config not found")
endif()
get_filename_component(pcdir "${pc}" DIRECTORY)
run(${CMAKE_COMMAND} -E env "PKG_CONFIG_PATH=${pcdir}" ${PKG_CONFIG} --cflags --libs tether)
string(STRIP "${LAST_OUTPUT}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run("${CMAKE_CXX_COMPILER}" -std=c++20 "${CONSUMER_SOURCE_DIR}/main.cpp" ${flags}
    -o "${WORK_DIR}/consumer-pc")
run("${WORK_DIR}/consumer-pc")
if(NOT LAST_OUTPUT MATCHES "tether consumer ok")
  message(FATAL_ERROR "pkg-config consumer: ${LAST_OUTPUT}")
endif()
message(STATUS "pkg-config tether consumer: ok")
