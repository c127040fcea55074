# Test helpers: one way to add a GoogleTest suite, a fuzz target and a benchmark.
#
# Tiers are CTest labels: `quick` (every run, seconds) and `slow` (crash, power-cut, soak,
# bounded fuzzing). `ctest -L quick` / `ctest -L slow`.

# `cmake --build --preset fuzz --target pos_fuzzers` builds only what the fuzz tier needs.
add_custom_target(pos_fuzzers)

# pos_add_test(NAME n SOURCES ... [LIBS ...] [LABELS quick|slow ...] [ENVIRONMENT ...]
#              [TIMEOUT seconds])
# (umockdev tests: ENVIRONMENT LD_PRELOAD=libumockdev-preload.so.0, as umockdev-wrapper does.)
function(pos_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS quick)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main Threads::Threads)
  pos_target_defaults(${T_NAME})
  target_compile_definitions(${T_NAME} PRIVATE
    POS_ASSETS_DIR="${POS_ASSETS_DIR}" POS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    POS_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(env ${T_ENVIRONMENT})
  if(POS_SANITIZE)
    list(APPEND env "ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0:abort_on_error=0"
                    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  endif()
  # gtest_discover_tests passes PROPERTIES through a list, so an ENVIRONMENT of several
  # variables would lose all but the first: the environment goes in through the launcher
  # (CMake runs tests and their discovery through CROSSCOMPILING_EMULATOR) instead.
  if(env)
    set_property(TARGET ${T_NAME} PROPERTY CROSSCOMPILING_EMULATOR ${CMAKE_COMMAND} -E env ${env})
  endif()
  gtest_discover_tests(${T_NAME}
    TEST_PREFIX "${T_NAME}."
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# pos_add_fuzz_target(NAME n SOURCES ... LIBS ... CORPUS dir [MAX_TOTAL_TIME s])
# Always builds n_replay (the target's entry point driven over the seed corpus, a quick test
# under any compiler); with POS_BUILD_FUZZERS (clang) also n_fuzz, a libFuzzer binary whose
# bounded run is a slow test.
function(pos_add_fuzz_target)
  cmake_parse_arguments(F "" "NAME;CORPUS;MAX_TOTAL_TIME" "SOURCES;LIBS" ${ARGN})
  if(NOT F_MAX_TOTAL_TIME)
    set(F_MAX_TOTAL_TIME 60)
  endif()
  add_executable(${F_NAME}_replay ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  target_link_libraries(${F_NAME}_replay PRIVATE ${F_LIBS})
  pos_target_defaults(${F_NAME}_replay)
  add_dependencies(pos_fuzzers ${F_NAME}_replay)
  add_test(NAME fuzz_replay.${F_NAME} COMMAND ${F_NAME}_replay ${F_CORPUS})
  set_tests_properties(fuzz_replay.${F_NAME} PROPERTIES LABELS "quick;fuzz")
  if(POS_BUILD_FUZZERS)
    add_executable(${F_NAME}_fuzz ${F_SOURCES})
    target_link_libraries(${F_NAME}_fuzz PRIVATE ${F_LIBS})
    target_compile_options(${F_NAME}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${F_NAME}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
    add_dependencies(pos_fuzzers ${F_NAME}_fuzz)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}_corpus)
    add_test(NAME fuzz_run.${F_NAME}
      COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
        sh -c "rm -rf '${work}' && mkdir -p '${work}' && cp -r '${F_CORPUS}'/. '${work}'/ && \
exec '$<TARGET_FILE:${F_NAME}_fuzz>' -max_total_time=${F_MAX_TOTAL_TIME} -timeout=10 \
-rss_limit_mb=2048 -print_final_stats=1 '${work}'")
    set_tests_properties(fuzz_run.${F_NAME} PROPERTIES LABELS "slow;fuzz"
      TIMEOUT ${F_MAX_TOTAL_TIME}0)
  endif()
endfunction()

# pos_add_benchmark(NAME n SOURCES ... LIBS ...): a Google Benchmark program (never a test).
function(pos_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  if(NOT POS_BUILD_BENCHMARKS)
    return()
  endif()
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark Threads::Threads)
  pos_target_defaults(${B_NAME})
  target_compile_definitions(${B_NAME} PRIVATE
    POS_ASSETS_DIR="${POS_ASSETS_DIR}" POS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()
