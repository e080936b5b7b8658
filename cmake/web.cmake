# The web page (included by the root CMakeLists.txt; web/README.md and docs/web.md).
#
# Target `web` (part of ALL) installs the front end's npm packages from web/package-lock.json
# (`npm ci`, npm's own cache keeps them for the next build) and bundles web/src into
# ${CMAKE_BINARY_DIR}/web: index.html and assets/ with hashed names, what corvette serves at /.
# The build fails, saying why, when npm is missing or the registry cannot be reached.

find_program(CORVETTE_NODE node)
find_program(CORVETTE_NPM npm)
if(NOT CORVETTE_NODE OR NOT CORVETTE_NPM)
  message(FATAL_ERROR "node and npm are needed to build the web page: run scripts/install-deps.sh")
endif()

set(CORVETTE_WEB_DIR "${CMAKE_BINARY_DIR}/web")
set(_web_source "${CMAKE_SOURCE_DIR}/web")
set(_npm_stamp "${CMAKE_BINARY_DIR}/web-npm.stamp")

add_custom_command(
  OUTPUT ${_npm_stamp}
  COMMAND ${CORVETTE_NPM} ci --no-audit --no-fund --prefer-offline --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${_npm_stamp}
  WORKING_DIRECTORY ${_web_source}
  DEPENDS ${_web_source}/package.json ${_web_source}/package-lock.json
  COMMENT "Installing the web page's npm packages (web/package-lock.json)"
  VERBATIM)

file(GLOB_RECURSE _web_inputs CONFIGURE_DEPENDS ${_web_source}/src/*)
add_custom_command(
  OUTPUT ${CORVETTE_WEB_DIR}/index.html
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${CORVETTE_WEB_DIR}
  COMMAND ${CORVETTE_NODE} ${_web_source}/build.mjs --out ${CORVETTE_WEB_DIR}
  WORKING_DIRECTORY ${_web_source}
  DEPENDS ${_npm_stamp} ${_web_source}/build.mjs ${_web_inputs}
  COMMENT "Building the web page into ${CORVETTE_WEB_DIR}"
  VERBATIM)
add_custom_target(web ALL DEPENDS ${CORVETTE_WEB_DIR}/index.html)

# The page's own logic, with Node's test runner.
add_test(NAME web.unit COMMAND ${CORVETTE_NODE} --test test/
         WORKING_DIRECTORY ${_web_source})
set_tests_properties(web.unit PROPERTIES LABELS unit TIMEOUT 120)

# The page in a real browser (Debian's chromium, driven by playwright-core from the lockfile)
# against the real binary, a real camera and real events: web/e2e/. Screenshots go to
# ${CMAKE_BINARY_DIR}/e2e-screenshots/.
add_test(NAME integration.web_e2e COMMAND ${CORVETTE_NODE} --test --test-concurrency=1 e2e/
         WORKING_DIRECTORY ${_web_source})
set_tests_properties(integration.web_e2e PROPERTIES LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "CORVETTE_BIN=$<TARGET_FILE:corvette>;CORVETTE_BINARY_DIR=${CMAKE_BINARY_DIR}")
