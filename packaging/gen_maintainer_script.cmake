# cmake -DIN=preinst.in -DOUT=preinst -DSCHEMA=schema.txt -P gen_maintainer_script.cmake
# Puts the build's schema list into the preinst (which runs before anything is unpacked).
file(READ "${SCHEMA}" POS_SCHEMA)
string(STRIP "${POS_SCHEMA}" POS_SCHEMA)
if(NOT POS_SCHEMA MATCHES "^[a-z_]+ [0-9]+(\n[a-z_]+ [0-9]+)*$")
  message(FATAL_ERROR "unexpected schema list in ${SCHEMA}: ${POS_SCHEMA}")
endif()
configure_file("${IN}" "${OUT}" @ONLY)
file(CHMOD "${OUT}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
     WORLD_READ WORLD_EXECUTE)
