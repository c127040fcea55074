# The installed layout and the Debian package (issue 13).
#
# Sections: 1. options  2. generated package files (schema list, preinst, man page, changelog)
#           3. install() rules  4. CPack DEB  5. the package tests (label `package`)
#
# One command builds the package: scripts/package.sh (configure with -DCMAKE_INSTALL_PREFIX=/usr,
# build, cpack). The layout, for the prefix /usr:
#   /usr/bin/pos-terminal
#   /usr/share/pos-terminal/{printers,templates,demo,usb,schema.txt}   (found by main.cpp's assetsDir)
#   /etc/pos-terminal/terminal.toml                                    (a conffile)
#   /lib/udev/rules.d/60-pos-terminal-printers.rules
#   /lib/systemd/system/pos-terminal.service
#   /usr/share/man/man1/pos-terminal.1.gz, /usr/share/doc/pos-terminal/{copyright,changelog.Debian.gz}
# /var/lib/pos-terminal is never shipped: postinst and systemd's StateDirectory= make it.
include(GNUInstallDirs)

# ---------------------------------------------------------------------------------------------
# 1. options
# ---------------------------------------------------------------------------------------------
set(POS_PACKAGE_VERSION "${PROJECT_VERSION}" CACHE STRING
    "The package's upstream version (a test builds a second release as ${PROJECT_VERSION}+...)")
set(POS_PACKAGE_RELEASE "1" CACHE STRING "The package's Debian revision")
set(POS_PACKAGE_MAINTAINER "pos-terminal maintainers <pos-terminal@example.com>" CACHE STRING
    "Maintainer field of the package")
option(POS_TEST_EXTRA_MIGRATION
       "Package upgrade test only: build a 'next release' with one more schema step" OFF)

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_pos_root_lib "/lib")
else()
  set(_pos_root_lib "${CMAKE_INSTALL_PREFIX}/lib")
endif()
set(POS_UDEV_RULES_DIR "${_pos_root_lib}/udev/rules.d" CACHE PATH "Where the udev rule goes")
set(POS_SYSTEMD_UNIT_DIR "${_pos_root_lib}/systemd/system" CACHE PATH "Where the unit goes")

# The next release's extra migration: terminal/app/src/terminal.cpp, Terminal::migrations(),
# appends it under #ifdef POS_TEST_EXTRA_MIGRATION. Only that file is compiled differently,
# so the second build of the upgrade test costs one object file.
if(POS_TEST_EXTRA_MIGRATION)
  set_source_files_properties("${PROJECT_SOURCE_DIR}/terminal/app/src/terminal.cpp"
    DIRECTORY "${PROJECT_SOURCE_DIR}/terminal/app"
    PROPERTIES COMPILE_DEFINITIONS POS_TEST_EXTRA_MIGRATION=1)
endif()

# ---------------------------------------------------------------------------------------------
# 2. generated package files
# ---------------------------------------------------------------------------------------------
set(_pos_pkg "${PROJECT_BINARY_DIR}/packaging")
set(_pos_src "${PROJECT_SOURCE_DIR}/packaging")
file(MAKE_DIRECTORY "${_pos_pkg}")

# The schema this build knows, from the binary's own migration list (run under qemu when
# cross-compiling: CMake prefixes CMAKE_CROSSCOMPILING_EMULATOR).
add_executable(pos-schema-dump "${_pos_src}/schema_dump.cpp")
target_link_libraries(pos-schema-dump PRIVATE pos::app)
pos_target_defaults(pos-schema-dump)
add_custom_command(OUTPUT "${_pos_pkg}/schema.txt"
  COMMAND pos-schema-dump "${_pos_pkg}/schema.txt"
  DEPENDS pos-schema-dump
  COMMENT "Listing the schema this build knows")
add_custom_command(OUTPUT "${_pos_pkg}/preinst"
  COMMAND ${CMAKE_COMMAND} -DIN=${_pos_src}/debian/preinst.in -DOUT=${_pos_pkg}/preinst
          -DSCHEMA=${_pos_pkg}/schema.txt -P ${_pos_src}/gen_maintainer_script.cmake
  DEPENDS "${_pos_pkg}/schema.txt" "${_pos_src}/debian/preinst.in"
          "${_pos_src}/gen_maintainer_script.cmake")
add_custom_target(pos_package_files ALL DEPENDS "${_pos_pkg}/schema.txt" "${_pos_pkg}/preinst")

# The changelog and the man page, gzip -9n (no name, no time stamp: reproducible).
set(POS_DEB_FULL_VERSION "${POS_PACKAGE_VERSION}-${POS_PACKAGE_RELEASE}")
set(POS_DEB_MAINTAINER "${POS_PACKAGE_MAINTAINER}")
string(TIMESTAMP POS_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)  # honours SOURCE_DATE_EPOCH
configure_file("${_pos_src}/changelog.Debian.in" "${_pos_pkg}/changelog.Debian" @ONLY)
foreach(_pos_gz "${_pos_pkg}/changelog.Debian" "${_pos_src}/pos-terminal.1")
  get_filename_component(_pos_name "${_pos_gz}" NAME)
  execute_process(COMMAND gzip -9n -c "${_pos_gz}" OUTPUT_FILE "${_pos_pkg}/${_pos_name}.gz"
                  RESULT_VARIABLE _pos_rc)
  if(NOT _pos_rc EQUAL 0)
    message(FATAL_ERROR "gzip ${_pos_gz} failed")
  endif()
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_pos_src}/pos-terminal.1"
                                                                "${_pos_src}/changelog.Debian.in")

# ---------------------------------------------------------------------------------------------
# 3. install() rules
# ---------------------------------------------------------------------------------------------
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(_pos_share "${CMAKE_INSTALL_DATADIR}/pos-terminal")
set(_pos_doc "${CMAKE_INSTALL_DATADIR}/doc/pos-terminal")

install(TARGETS pos-terminal RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
foreach(_pos_dir printers templates demo usb)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/assets/${_pos_dir}" DESTINATION "${_pos_share}")
endforeach()
install(FILES "${_pos_pkg}/schema.txt" DESTINATION "${_pos_share}")
install(FILES "${PROJECT_SOURCE_DIR}/assets/terminal.example.toml"
        DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/pos-terminal" RENAME terminal.toml)
install(FILES "${PROJECT_SOURCE_DIR}/assets/udev/60-pos-terminal-printers.rules"
        DESTINATION "${POS_UDEV_RULES_DIR}")
install(FILES "${_pos_src}/pos-terminal.service" DESTINATION "${POS_SYSTEMD_UNIT_DIR}")
install(FILES "${_pos_pkg}/pos-terminal.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${_pos_src}/copyright" "${_pos_pkg}/changelog.Debian.gz" DESTINATION "${_pos_doc}")
install(FILES "${_pos_src}/lintian-overrides" DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides"
        RENAME pos-terminal)

# ---------------------------------------------------------------------------------------------
# 4. CPack DEB
# ---------------------------------------------------------------------------------------------
# CPack rather than debhelper: one version (project(VERSION)), no second build system beside
# CMake, cross packages from the same toolchain file; what dh would add is done by hand here
# (conffiles, strip, hardening flags in scripts/package.sh, the systemd snippets in postinst).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pos-terminal)
set(CPACK_PACKAGE_VERSION "${POS_PACKAGE_VERSION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${POS_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGE_CONTACT "${POS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${POS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "counter checkout and receipt terminal for service shops")
set(CPACK_PACKAGE_DESCRIPTION
    "The touch-screen program a service advisor uses to take payment for a
finished work order: invoice lookup, PO capture or a supervisor-approved
override, cash, cheque, card and account payments, and an ESC/POS receipt on
a USB thermal printer for every payment. Every payment is written to SQLite
first and synced to the billing backend when it can be reached.
.
The package boots the machine into the counter: a systemd unit runs it full
screen under the cage kiosk compositor on tty1, as the system user
pos-terminal, with a watchdog.")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.com/pos-terminal")
# Libraries from dpkg-shlibdeps; the kiosk's runtime by name: the compositor and its seat
# daemon, Xwayland (cage 0.1.4 exits 1 without it, and does not even recommend it), the UI's font, and Mesa's DRI drivers (llvmpipe) that SDL's EGL needs on Wayland.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, cage, xwayland, seatd, fonts-dejavu-core, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pos_src}/debian/conffiles;${_pos_pkg}/preinst;${_pos_src}/debian/postinst;${_pos_src}/debian/prerm;${_pos_src}/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  else()
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${CMAKE_SYSTEM_PROCESSOR}")
  endif()
endif()
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/deb")
include(CPack)

# ---------------------------------------------------------------------------------------------
# 5. the package tests
# ---------------------------------------------------------------------------------------------
# Root, a disposable Debian root and two package builds: label `package` only, left out of the
# debug/asan test presets; `ctest --preset package` or scripts/ci-package.sh runs it.
if(POS_BUILD_TESTS)
  add_test(NAME package.upgrade_cycle
           COMMAND "${PROJECT_SOURCE_DIR}/tests/package/upgrade_cycle.sh")
  set_tests_properties(package.upgrade_cycle PROPERTIES LABELS package TIMEOUT 1800
    ENVIRONMENT "POS_BILLING_SIM=$<TARGET_FILE:billing-sim>")
endif()

# The kiosk session test's stand-in for the touch UI (tests/package/kiosk_session.sh).
if(POS_BUILD_TESTS AND POS_BUILD_UI)
  add_executable(pos-kiosk-standin "${PROJECT_SOURCE_DIR}/tests/package/kiosk_standin.cpp")
  target_link_libraries(pos-kiosk-standin PRIVATE pos::app SDL2::SDL2)
  pos_target_defaults(pos-kiosk-standin)
endif()
