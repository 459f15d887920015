// Where the build put what the tests use. The values come from build_paths.cc, which CMake
// writes into the build tree (tests/CMakeLists.txt), rather than from macros on the compile line:
// a macro's value is part of every compile line that has it, and ccache's base_dir rewrites the
// paths given as arguments but not those inside macro values, so with them every test file
// compiled in another checkout missed the cache (49 of 195 compilations, CCACHE_DEBUG=1).
#pragma once

#include <string>

namespace sentinel::test {

std::string source_dir();          // the checkout: config/, connect-sink/api/ …
std::string build_tree();          // the build directory
std::string bin_dir();             // the programs and test executables built
std::string plugin_dir();          // the connector plugins built
std::string kafka_home_default();  // the real broker's folder, unless $SENTINEL_KAFKA_HOME says
std::string cxx_compiler();        // the build's C++ compiler (plugins built by a test)
std::string hanging_plugin_dir();  // the plugin of tests/integration/connect/hanging_plugin.cc
std::string enospc_injector();     // the library of tests/integration/archive/enospc_inject.c
std::string
bad_version_plugin();  // the plugin of tests/unit/connect-sink/runtime/bad_version_plugin.cc
std::string dashboard_web_build();     // the dashboard page's build (e2e.mjs)
std::string dashboard_artifact_dir();  // where a failed browser test leaves its screenshots

}  // namespace sentinel::test
