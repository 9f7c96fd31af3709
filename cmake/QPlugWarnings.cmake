# qplug_set_warnings(<target>): the project's warning set for C++ targets; errors unless
# QPLUG_WERROR is OFF. (C targets, i.e. the C ABI consumer tests, set their own flags.)
function(qplug_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough $<$<BOOL:${QPLUG_WERROR}>:-Werror>)
endfunction()
