# SPDX-License-Identifier: MIT
# Turns text assets (CSS, JavaScript) into one C file of NUL-terminated arrays, so
# that HTML reports and the web page inline them and need no file at run time.
# cmake -DOUT=file.c -DASSETS="name=path;name=path" -P embed.cmake
set(body "/* Generated from the files named below by cmake/embed.cmake: do not edit. */\n#include <stddef.h>\n")
foreach(pair IN LISTS ASSETS)
  string(FIND "${pair}" "=" eq)
  string(SUBSTRING "${pair}" 0 ${eq} name)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${pair}" ${from} -1 path)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
  get_filename_component(base "${path}" NAME)
  string(APPEND body "/* ${base} */\nconst char ${name}[] = {\n${bytes}0x00};\nconst size_t ${name}_len = ${len};\n")
endforeach()
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
