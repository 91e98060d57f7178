# tether_apply_sanitizer(<target>): applies TETHER_SANITIZE ("thread",
# "address" = AddressSanitizer + UndefinedBehaviorSanitizer, or empty) to a
# target. Build-tree only: installed targets carry no sanitizer flags.
include_guard(GLOBAL)

set(_tether_san "${TETHER_SANITIZE}")
if(_tether_san STREQUAL "")
  set(TETHER_SANITIZE_FLAGS "")
elseif(_tether_san STREQUAL "thread")
  set(TETHER_SANITIZE_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
elseif(_tether_san STREQUAL "address")
  set(TETHER_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
else()
  message(FATAL_ERROR "TETHER_SANITIZE must be thread, address or empty, not '${_tether_san}'")
endif()

function(tether_apply_sanitizer target)
  if(TETHER_SANITIZE_FLAGS)
    target_compile_options(${target} PRIVATE ${TETHER_SANITIZE_FLAGS})
    target_link_options(${target} PUBLIC $<BUILD_INTERFACE:${TETHER_SANITIZE_FLAGS}>)
  endif()
endfunction()
