# Warnings and sanitizers, applied PRIVATE to the project's own targets via pos_target_defaults().
add_library(pos_warnings INTERFACE)
target_compile_options(pos_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough -Wnull-dereference
  $<$<BOOL:${POS_WERROR}>:-Werror>)

if(POS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Every target of ours: warnings, and the project's include conventions.
function(pos_target_defaults target)
  target_link_libraries(${target} PRIVATE pos_warnings)
endfunction()

# A library for one part: sources globbed from src/, public headers under include/pos/<part>/.
#   pos_add_part(NAME escpos DIR ${CMAKE_CURRENT_SOURCE_DIR} PUBLIC_LIBS ... PRIVATE_LIBS ...)
function(pos_add_part)
  cmake_parse_arguments(P "" "NAME;DIR" "PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${P_DIR}/src/*.cpp" "${P_DIR}/src/*.c")
  if(srcs)
    add_library(pos_${P_NAME} STATIC ${srcs})
    target_include_directories(pos_${P_NAME} PUBLIC "${P_DIR}/include" PRIVATE "${P_DIR}/src")
    target_link_libraries(pos_${P_NAME} PUBLIC ${P_PUBLIC_LIBS} PRIVATE ${P_PRIVATE_LIBS})
    pos_target_defaults(pos_${P_NAME})
  else()
    add_library(pos_${P_NAME} INTERFACE)
    target_include_directories(pos_${P_NAME} INTERFACE "${P_DIR}/include")
    target_link_libraries(pos_${P_NAME} INTERFACE ${P_PUBLIC_LIBS})
  endif()
  add_library(pos::${P_NAME} ALIAS pos_${P_NAME})
endfunction()
