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
# The shared page (head, helpers) and one view per kind of results directory.
set(MPSIM_REPORT_PARTS page run sweep validate)
set(assets "kDygraphsJs=${MPSIM_DYGRAPHS_JS}" "kDygraphsCss=${MPSIM_DYGRAPHS_CSS}")
set(depends ${MPSIM_DYGRAPHS_JS} ${MPSIM_DYGRAPHS_CSS} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake)
foreach(part ${MPSIM_REPORT_PARTS})
  list(APPEND assets "k_${part}=${CMAKE_CURRENT_LIST_DIR}/${part}.html")
  list(APPEND depends ${CMAKE_CURRENT_LIST_DIR}/${part}.html)
endforeach()
list(JOIN assets "|" assets_arg)  # "|": a ";" would split the argument
add_custom_command(
  OUTPUT ${MPSIM_REPORT_ASSETS}
  COMMAND ${CMAKE_COMMAND} -DOUT=${MPSIM_REPORT_ASSETS} "-DASSETS=${assets_arg}" -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${depends}
  COMMENT "Embedding the report pages and dygraphs"
  VERBATIM)
target_sources(mpsim_experiments PRIVATE ${MPSIM_REPORT_ASSETS})
target_link_libraries(mpsim_experiments PRIVATE nlohmann_json::nlohmann_json)
