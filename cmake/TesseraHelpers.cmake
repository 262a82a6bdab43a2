# Helpers that keep each module's CMakeLists.txt to a few declarative lines.

# tessera_add_test(NAME name SOURCES a_test.cc ... LIBS lib ... [LABELS unit])
# A GoogleTest binary registered with ctest under the given labels (default: unit).
function(tessera_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT TESSERA_BUILD_TESTS OR TESSERA_FUZZ)
    return()
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}"
                       ENVIRONMENT "TESSERA_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# tessera_add_fuzzer(NAME name SOURCE foo_fuzz.cc LIBS lib ... CORPUS dir)
# With TESSERA_FUZZ: a libFuzzer binary (clang). Otherwise: the same harness linked with a small
# driver that replays every file of the seed corpus, registered with ctest as label fuzz-seed, so
# that the corpus keeps running as an ordinary test.
function(tessera_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;SOURCE;CORPUS" "LIBS" ${ARGN})
  if(TESSERA_FUZZ)
    add_executable(${F_NAME} ${F_SOURCE})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  elseif(TESSERA_BUILD_TESTS)
    add_executable(${F_NAME}_seeds ${F_SOURCE} ${PROJECT_SOURCE_DIR}/tests/fuzz/seed_corpus_driver.cc)
    target_link_libraries(${F_NAME}_seeds PRIVATE ${F_LIBS})
    add_test(NAME ${F_NAME}_seeds COMMAND ${F_NAME}_seeds ${F_CORPUS})
    set_tests_properties(${F_NAME}_seeds PROPERTIES LABELS fuzz-seed)
  endif()
endfunction()

# tessera_add_benchmark(NAME name SOURCES a_benchmark.cc LIBS lib ...)
function(tessera_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  if(NOT TESSERA_BUILD_BENCH OR TESSERA_FUZZ)
    return()
  endif()
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark)
endfunction()
