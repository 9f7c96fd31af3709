# Install rules: libqplug.so + qplug.h, the qplug program, a CMake package (find_package(QPlug)
# gives QPlug::qplug) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS qplug EXPORT QPlugTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS qplug_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(QPLUG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/QPlug)
install(EXPORT QPlugTargets NAMESPACE QPlug:: DESTINATION ${QPLUG_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/QPlugConfig.cmake.in
  ${PROJECT_BINARY_DIR}/QPlugConfig.cmake INSTALL_DESTINATION ${QPLUG_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/QPlugConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/QPlugConfig.cmake ${PROJECT_BINARY_DIR}/QPlugConfigVersion.cmake
  DESTINATION ${QPLUG_CMAKE_DIR})

# The .pc file locates the prefix relative to itself, so an installed tree can move.
file(RELATIVE_PATH QPLUG_PC_RELATIVE_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/capi/qplug.pc.in ${PROJECT_BINARY_DIR}/qplug.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/qplug.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
