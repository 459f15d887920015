# packaging/: the Debian package, built by CPack (`cmake --build build --target package`, or
# `cpack -G DEB` in the build directory) into build/sentinel_<version>_<arch>.deb.
#
# Layout: programs in /usr/bin, plugins in /usr/lib/sentinel/plugins, configs in /etc/sentinel
# (conffiles), units in /lib/systemd/system, sysusers.d/tmpfiles.d in /usr/lib. Depends is computed
# from the programs' shared libraries (dpkg-shlibdeps). The maintainer scripts create the user and
# /var/lib/sentinel and reload systemd; they enable and start nothing.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(WARNING "CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}: the Debian package needs /usr "
                  "(the units name ${SENTINEL_BINDIR}); reconfigure with -DCMAKE_INSTALL_PREFIX=/usr")
endif()

set(SENTINEL_PACKAGING_DIR ${CMAKE_BINARY_DIR}/packaging)
# Debian wants a copyright file and a compressed changelog in /usr/share/doc/<package> (a native
# package: the version has no Debian revision, so changelog.gz).
configure_file(${CMAKE_SOURCE_DIR}/packaging/changelog.in ${SENTINEL_PACKAGING_DIR}/changelog @ONLY)
execute_process(COMMAND gzip -9nf ${SENTINEL_PACKAGING_DIR}/changelog)
install(FILES ${SENTINEL_PACKAGING_DIR}/changelog.gz ${CMAKE_SOURCE_DIR}/packaging/copyright
              ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/sentinel)
# A distributed worker's keys, for /etc/sentinel/connect.properties (docs/connect.md).
install(FILES ${CMAKE_SOURCE_DIR}/config/connect-distributed.properties
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/sentinel/examples)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME sentinel)

# conffiles: every default config under /etc/sentinel, so dpkg keeps an operator's changes.
set(conffiles "")
foreach(conf ${SENTINEL_CONFIGS})
  string(APPEND conffiles "/etc/sentinel/${conf}\n")
endforeach()
file(WRITE ${SENTINEL_PACKAGING_DIR}/conffiles "${conffiles}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sentinel)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Sentinel")
set(CPACK_PACKAGE_CONTACT "Sentinel maintainers <maintainers@users.noreply.b-seed-81cee090.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "host and web-traffic monitoring on Apache Kafka")
set(CPACK_PACKAGE_DESCRIPTION
    "sentinel-agent collects host metrics (CPU, memory, disks, disk I/O,
network, load, pressure) and publishes them to Kafka; sentinel-alerts
turns them into firing/resolved alerts; sentinel-connect, a Kafka
Connect-compatible worker, archives topics through sink plugins;
sentinel-dashboard serves a live web page of metrics, alerts, HTTP
traffic and connector states.
The systemd units are installed but not enabled.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Absolute destinations (/etc/sentinel, /lib/systemd/system) land in the package through DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://sentinel.example/")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beyond the shared libraries: systemd (systemd-sysusers, systemd-tmpfiles) for the maintainer
# scripts; their deb-systemd-invoke comes from init-system-helpers, which is essential.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SENTINEL_PACKAGING_DIR}/conffiles ${CMAKE_SOURCE_DIR}/packaging/postinst
    ${CMAKE_SOURCE_DIR}/packaging/prerm ${CMAKE_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
