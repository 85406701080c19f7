# Two instrumented builds, each in its own build directory (the normal build stays g++ -O2):
#   -DMPSIM_SANITIZE=ON   ASan + UBSan, -O1, every UBSan finding fatal: `./mpsim test --sanitize`
#   -DMPSIM_FUZZ=ON       clang's libFuzzer targets (tests/fuzz/), with ASan + UBSan: `./mpsim fuzz`
# See tests/README.md for the commands, the budgets CI gives them and how to add a fuzz target.
option(MPSIM_SANITIZE "ASan+UBSan build of the test suite (separate build dir)" OFF)
option(MPSIM_FUZZ "libFuzzer targets with clang (separate build dir)" OFF)

# -g1 (line tables only): enough for symbolised sanitizer reports at a fraction of -g's compile and
# link time, which dominates the cold CI build (tests/README.md "CI budget").
set(MPSIM_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g1 -O1)
if(MPSIM_SANITIZE AND MPSIM_FUZZ)
  message(FATAL_ERROR "MPSIM_SANITIZE and MPSIM_FUZZ are separate builds: configure one per build directory")
endif()
if(MPSIM_SANITIZE)
  add_compile_options(${MPSIM_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()
if(MPSIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MPSIM_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link ${MPSIM_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()

# mpsim_fuzz_target(NAME SOURCE LIBS <targets...> SEEDS <globs from the source root...>)
# A fuzz target is one source file defining LLVMFuzzerTestOneInput. With MPSIM_FUZZ it becomes
# the libFuzzer binary fuzz_NAME; in every other build it becomes fuzz_replay_NAME, a ctest that
# runs the seeds and every saved crash (tests/fuzz/regressions/NAME/) through the same function.
function(mpsim_fuzz_target name source)
  cmake_parse_arguments(ARG "" "" "LIBS;SEEDS" ${ARGN})
  set(seed_dir ${PROJECT_BINARY_DIR}/fuzz/seeds/${name})
  file(REMOVE_RECURSE ${seed_dir})
  file(MAKE_DIRECTORY ${seed_dir})
  set(seed_globs)
  foreach(glob ${ARG_SEEDS})
    list(APPEND seed_globs ${PROJECT_SOURCE_DIR}/${glob})
  endforeach()
  file(GLOB seeds CONFIGURE_DEPENDS ${seed_globs})
  set(n 0)
  foreach(seed ${seeds})  # flattened: the same base name may come from two folders
    get_filename_component(base ${seed} NAME)
    configure_file(${seed} ${seed_dir}/${n}-${base} COPYONLY)
    math(EXPR n "${n} + 1")
  endforeach()
  set(regressions ${CMAKE_CURRENT_SOURCE_DIR}/regressions/${name})
  if(MPSIM_FUZZ)
    add_executable(fuzz_${name} ${source})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    set(target fuzz_${name})
    set_property(GLOBAL APPEND PROPERTY MPSIM_FUZZ_TARGETS ${name})
  else()
    add_executable(fuzz_replay_${name} ${source} ${CMAKE_CURRENT_SOURCE_DIR}/replay_main.cpp)
    set(target fuzz_replay_${name})
    set(inputs ${seed_dir})
    if(EXISTS ${regressions})
      list(APPEND inputs ${regressions})
    endif()
    add_test(NAME "fuzz: ${name} seeds and saved crashes" COMMAND fuzz_replay_${name} ${inputs})
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${target} PRIVATE MPSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE ${ARG_LIBS})
endfunction()
