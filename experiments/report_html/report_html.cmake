# report.html (experiments/report_html.cpp): the page template and the plotting library are built
# into the binary, so `mpsim report` needs no files at run time and the page opens offline.
# The library is Debian's libjs-dygraphs (./mpsim installs it).
find_package(nlohmann_json 3 REQUIRED)
find_file(MPSIM_DYGRAPHS_JS dygraph.min.js PATHS /usr/share/javascript/dygraphs NO_DEFAULT_PATH)
find_file(MPSIM_DYGRAPHS_CSS dygraph.min.css PATHS /usr/share/javascript/dygraphs NO_DEFAULT_PATH)
if(NOT MPSIM_DYGRAPHS_JS OR NOT MPSIM_DYGRAPHS_CSS)
  message(FATAL_ERROR "mpsim's HTML report needs Debian's libjs-dygraphs (/usr/share/javascript/dygraphs): "
                      "apt-get install libjs-dygraphs, or run ./mpsim, which installs it")
endif()
set(MPSIM_REPORT_ASSETS ${CMAKE_CURRENT_BINARY_DIR}/report_html_assets.cpp)
set(MPSIM_REPORT_TEMPLATE ${CMAKE_CURRENT_LIST_DIR}/template.html)
add_custom_command(
  OUTPUT ${MPSIM_REPORT_ASSETS}
  COMMAND ${CMAKE_COMMAND} -DOUT=${MPSIM_REPORT_ASSETS} -DTEMPLATE=${MPSIM_REPORT_TEMPLATE}
          -DJS=${MPSIM_DYGRAPHS_JS} -DCSS=${MPSIM_DYGRAPHS_CSS} -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${MPSIM_REPORT_TEMPLATE} ${MPSIM_DYGRAPHS_JS} ${MPSIM_DYGRAPHS_CSS} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  COMMENT "Embedding the report template and dygraphs")
target_sources(mpsim_experiments PRIVATE ${MPSIM_REPORT_ASSETS})
target_link_libraries(mpsim_experiments PRIVATE nlohmann_json::nlohmann_json)
