# Included by the top-level CMakeLists.txt when SENTINEL_FUZZ is on, before any part is added:
# every library the fuzz targets link is compiled with libFuzzer's coverage instrumentation and
# with AddressSanitizer + UBSan, so a bug deep inside a parser is both found and reported.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SENTINEL_FUZZ needs clang's libFuzzer: configure with "
                      "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang (scripts/fuzz.sh does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
# -O1 with line tables (-g1, clang's -gline-tables-only), as libFuzzer's documentation builds its
# examples and as the ASan build: reports keep file and line, and the build costs less than at
# RelWithDebInfo's -O2 -g (issue #17).
set(CMAKE_C_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG")
