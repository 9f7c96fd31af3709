# Install rules: libqplug.so + qplug.h, the qplug program, a CMake package (find_package(QPlug)
# gives QPlug::qplug) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS qplug EXPORT QPlugTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS qplug_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The heavy commands, which qplug opens from ../lib/qplug (cli/heavy_loader.cpp).
install(TARGETS qplug_cli_commands LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/qplug)
install(FILES ${PROJECT_BINARY_DIR}/cli/qplug.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

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

# The Python binding, for the system Python (/usr/bin/python3 where there is one): into
# lib/python3/dist-packages under /usr (Debian's place for packaged modules), else into
# lib/pythonX.Y/dist-packages (on Debian's sys.path for /usr/local). A generated _installed.py
# says where libqplug.so.N is, relative to the package, so that `import qplug` finds it
# without QPLUG_LIBRARY and the installed tree can move.
if(EXISTS /usr/bin/python3)
  set(_qplug_system_python /usr/bin/python3)
else()
  set(_qplug_system_python ${Python3_EXECUTABLE})
endif()
execute_process(COMMAND ${_qplug_system_python} -c
  "import sys; print('%d.%d' % sys.version_info[:2])"
  OUTPUT_VARIABLE _qplug_python_version OUTPUT_STRIP_TRAILING_WHITESPACE)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_qplug_python_dir lib/python3/dist-packages)
else()
  set(_qplug_python_dir lib/python${_qplug_python_version}/dist-packages)
endif()
set(QPLUG_PYTHON_INSTALL_DIR ${_qplug_python_dir} CACHE STRING
  "Where `cmake --install` puts the Python binding, relative to the prefix")
file(RELATIVE_PATH QPLUG_LIBRARY_RELATIVE /prefix/${QPLUG_PYTHON_INSTALL_DIR}/qplug
  /prefix/${CMAKE_INSTALL_LIBDIR}/libqplug.so.${QPLUG_SOVERSION})
configure_file(${PROJECT_SOURCE_DIR}/bindings/python/_installed.py.in
  ${PROJECT_BINARY_DIR}/bindings/python/_installed.py @ONLY)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/python/qplug
  DESTINATION ${QPLUG_PYTHON_INSTALL_DIR}
  FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/bindings/python/_installed.py
  DESTINATION ${QPLUG_PYTHON_INSTALL_DIR}/qplug)
