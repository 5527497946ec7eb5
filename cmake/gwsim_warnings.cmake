# Warnings and code-generation flags for gwsim's own targets only, carried by an
# INTERFACE target so that third-party headers are not held to them.
add_library(gwsim_options INTERFACE)
add_library(gwsim::options ALIAS gwsim_options)
target_compile_options(gwsim_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion
  # GCC 12 reports false positives inside its own AVX-512 intrinsics when
  # Eigen is inlined with -march=native.
  -Wno-maybe-uninitialized)
if(GWSIM_WERROR)
  target_compile_options(gwsim_options INTERFACE -Werror)
endif()
if(GWSIM_NATIVE)
  target_compile_options(gwsim_options INTERFACE -march=native)
endif()
target_link_libraries(gwsim_options INTERFACE OpenMP::OpenMP_CXX)
