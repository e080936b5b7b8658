# The Debian package (included by the root CMakeLists.txt; docs/packaging.md).
#
# `make package` (cpack -G DEB in the build folder) makes corvette_<version>_<arch>.deb:
#   /usr/bin/corvette, /usr/share/corvette/model (the converted models), /usr/share/corvette/web (the
#   built page), /usr/lib/corvette/libonnxruntime.so.1 (when the build fetched it), the config
#   /etc/corvette/config.yml (a conffile: upgrades keep the user's), the systemd unit, and
#   /usr/share/doc/corvette. The runtime dependencies are computed by dpkg-shlibdeps from the binary,
#   plus what it runs as child processes (ffmpeg) and what the maintainer scripts use (adduser).

set(_packaging ${CMAKE_SOURCE_DIR}/packaging)

install(TARGETS corvette RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_BINARY_DIR}/model/ DESTINATION share/corvette/model
        FILES_MATCHING PATTERN "*.onnx" PATTERN "*.txt")
install(DIRECTORY ${CMAKE_BINARY_DIR}/web/ DESTINATION share/corvette/web)
if(CORVETTE_HAVE_ONNXRUNTIME)
  install(FILES ${CMAKE_BINARY_DIR}/libonnxruntime.so.1 DESTINATION lib/corvette
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  install(FILES ${CMAKE_BINARY_DIR}/onnxruntime-LICENSE
                ${CMAKE_BINARY_DIR}/onnxruntime-ThirdPartyNotices.txt
          DESTINATION share/doc/corvette)
endif()
install(FILES ${_packaging}/config.yml DESTINATION /etc/corvette
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${_packaging}/corvette.service DESTINATION /lib/systemd/system)
# Tags the package keeps on purpose, each with its reason (packaging/lintian-overrides).
install(FILES ${_packaging}/lintian-overrides DESTINATION share/lintian/overrides RENAME corvette)
install(FILES ${_packaging}/copyright ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/NOTICE
        DESTINATION share/doc/corvette)
# Debian wants the changelog compressed with gzip -9n (no name, no time: reproducible).
set(_changelog_gz ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(
  OUTPUT ${_changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9n < '${_packaging}/changelog' > '${_changelog_gz}'"
  DEPENDS ${_packaging}/changelog
  VERBATIM)
add_custom_target(package_changelog ALL DEPENDS ${_changelog_gz})
install(FILES ${_changelog_gz} DESTINATION share/doc/corvette)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME corvette)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "corvette authors <corvette@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "network video recorder with object detection, compatible with Frigate 0.8")
set(CPACK_PACKAGE_DESCRIPTION
    "corvette records IP cameras around the clock, watches them for motion,\n\
runs a COCO object detector (NanoDet) on the CPU where something moves,\n\
and keeps events with snapshots and clips. It speaks Frigate 0.8's HTTP\n\
API, MQTT topics and config.yml, so Home Assistant's Frigate integration\n\
works with it, and it serves its own web page on port 5000.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/corvette")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ffmpeg, adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nginx-light | nginx, libnginx-mod-rtmp")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "/etc/corvette/config.yml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_packaging}/postinst ${_packaging}/prerm ${_packaging}/postrm
    ${CMAKE_BINARY_DIR}/packaging/conffiles)
include(CPack)
