# Imported target fcpts::dnnl from the unpacked org.bytedeco:dnnl linux-x86_64 jar.
# The jar ships include/ and libdnnl.so.3 but its own CMake config points at files
# it does not contain, so we declare the target by hand. Input: DNNL_ROOT, the
# jar's org/bytedeco/dnnl/linux-x86_64 folder (Maven unpacks it, see java/pom.xml).
if(NOT DNNL_ROOT)
  message(FATAL_ERROR "DNNL_ROOT is not set: pass -DDNNL_ROOT=<unpacked dnnl jar>/org/bytedeco/dnnl/linux-x86_64")
endif()
find_path(FCPTS_DNNL_INCLUDE dnnl.h PATHS "${DNNL_ROOT}/include" NO_DEFAULT_PATH)
find_file(FCPTS_DNNL_LIBRARY libdnnl.so.3 PATHS "${DNNL_ROOT}" "${DNNL_ROOT}/lib" NO_DEFAULT_PATH)
if(NOT FCPTS_DNNL_INCLUDE OR NOT FCPTS_DNNL_LIBRARY)
  message(FATAL_ERROR "oneDNN not found under DNNL_ROOT=${DNNL_ROOT} (need include/dnnl.h and libdnnl.so.3)")
endif()
# Link against a private copy: the jar folder also holds libgomp.so.1, which must
# not shadow the compiler's own in the link search path.
file(COPY "${FCPTS_DNNL_LIBRARY}" DESTINATION "${CMAKE_BINARY_DIR}/dnnl")
set(FCPTS_DNNL_LIBRARY "${CMAKE_BINARY_DIR}/dnnl/libdnnl.so.3")
add_library(fcpts::dnnl SHARED IMPORTED)
set_target_properties(fcpts::dnnl PROPERTIES
  IMPORTED_LOCATION "${FCPTS_DNNL_LIBRARY}"
  IMPORTED_SONAME "libdnnl.so.3"
  INTERFACE_INCLUDE_DIRECTORIES "${FCPTS_DNNL_INCLUDE}")
message(STATUS "oneDNN: ${FCPTS_DNNL_LIBRARY}")
