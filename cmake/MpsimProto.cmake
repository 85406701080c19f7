# mpsim_proto_library(<target> <proto files...> [DEPS <targets>])
# Generates C++ from .proto files with protoc. Protos import each other by path from the
# project root (e.g. "topologies/topology.proto"), so the include root is the source dir.
function(mpsim_proto_library target)
  cmake_parse_arguments(ARG "" "" "PROTOS;DEPS" ${ARGN})
  set(srcs)
  set(hdrs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(cc ${PROJECT_BINARY_DIR}/gen/${stem}.pb.cc)
    set(h ${PROJECT_BINARY_DIR}/gen/${stem}.pb.h)
    add_custom_command(
      OUTPUT ${cc} ${h}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/gen
      COMMAND protobuf::protoc --proto_path=${PROJECT_SOURCE_DIR} --cpp_out=${PROJECT_BINARY_DIR}/gen ${rel}
      DEPENDS ${abs} protobuf::protoc
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${cc})
    list(APPEND hdrs ${h})
  endforeach()
  add_library(${target} STATIC ${srcs} ${hdrs})
  target_include_directories(${target} PUBLIC ${PROJECT_BINARY_DIR}/gen)
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  # Generated code is not ours to warn about.
  target_compile_options(${target} PRIVATE -w)
endfunction()
