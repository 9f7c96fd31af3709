# qplug_set_warnings(<target>): the project's warning set for C++ targets; errors unless
# QPLUG_WERROR is OFF. (C targets, i.e. the C ABI consumer tests, set their own flags.)
function(qplug_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough $<$<BOOL:${QPLUG_WERROR}>:-Werror>)
  # g++ 12 at -O3 (CMAKE_BUILD_TYPE=Release) reports -Wrestrict for plain std::string
  # assignments inside libstdc++'s char_traits (GCC bug 105329, fixed in 13): not ours to fix.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()
