# Runs at install time (cmake --install, and CPack for the .deb): the files that belong outside
# the prefix when the prefix is /usr, as the Debian layout wants them:
#   /etc/sentinel/        default configs, never overwriting an operator's (dpkg: conffiles)
#   /lib/systemd/system/  the units
# Under any other prefix they go below it (<prefix>/etc/sentinel, <prefix>/lib/systemd/system).
# Input variables: SENTINEL_SOURCE_DIR, SENTINEL_BINARY_DIR, SENTINEL_UNITS, SENTINEL_CONFIGS.
# file(INSTALL) puts $DESTDIR in front of an absolute DESTINATION itself.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc_dir /etc/sentinel)
  set(unit_dir /lib/systemd/system)
else()
  set(etc_dir ${CMAKE_INSTALL_PREFIX}/etc/sentinel)
  set(unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

foreach(unit ${SENTINEL_UNITS})
  file(INSTALL ${SENTINEL_BINARY_DIR}/systemd/${unit}.service DESTINATION "${unit_dir}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()

foreach(conf ${SENTINEL_CONFIGS})
  get_filename_component(sub ${conf} DIRECTORY)
  if(EXISTS "$ENV{DESTDIR}${etc_dir}/${conf}")
    message(STATUS "Keeping existing ${etc_dir}/${conf}")
  else()
    file(INSTALL ${SENTINEL_SOURCE_DIR}/config/${conf} DESTINATION "${etc_dir}/${sub}"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endforeach()
