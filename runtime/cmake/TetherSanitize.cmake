# tether_apply_sanitizer(<target>): applies TETHER_SANITIZE ("thread",
# "address" = AddressSanitizer + UndefinedBehaviorSanitizer, or empty) to a
# target's compile and link flags. Build tree only: installed targets carry
# no sanitizer flags. Usable from any directory (flags are computed per call).
include_guard(GLOBAL)

function(tether_sanitize_flags out)
  if(TETHER_SANITIZE STREQUAL "")
    set(flags "")
  elseif(TETHER_SANITIZE STREQUAL "thread")
    set(flags -fsanitize=thread -fno-omit-frame-pointer)
  elseif(TETHER_SANITIZE STREQUAL "address")
    set(flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer)
  else()
    message(FATAL_ERROR
      "TETHER_SANITIZE must be thread, address or empty, not '${TETHER_SANITIZE}'")
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

function(tether_apply_sanitizer target)
  tether_sanitize_flags(flags)
  if(flags)
    target_compile_options(${target} PRIVATE ${flags})
    target_link_options(${target} PUBLIC $<BUILD_INTERFACE:${flags}>)
  endif()
endfunction()
