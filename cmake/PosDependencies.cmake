# Every third-party dependency is a Debian package, found here once for all parts.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CURL REQUIRED)

pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)

# kainjow mustache is a header (mustache.hpp) without a pkg-config file.
find_path(MUSTACHE_INCLUDE_DIR NAMES kainjow/mustache.hpp mustache.hpp REQUIRED)

if(POS_BUILD_UI)
  find_package(SDL2 REQUIRED)
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  set(IMGUI_BACKENDS_DIR /usr/share/doc/libimgui-dev/examples/backends)
endif()

if(POS_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  # cpp-httplib is a compiled library in Debian, built with OpenSSL: its pkg-config flags are
  # required (a program built without them links and then crashes).
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  pkg_check_modules(UMOCKDEV IMPORTED_TARGET umockdev-1.0)
endif()
if(POS_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
