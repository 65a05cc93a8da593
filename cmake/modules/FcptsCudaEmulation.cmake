# fcpts_cuda_emulation_test: the CUDA operators (cuda-kernels/*_ops.cu), the fused KDE pass (kde_fused.cu) and
# the cuSPARSE sparse convolution plan (sparse_conv_cuda.cu, against a host stand-in for libcusparse) compiled as
# host C++ against the CPU emulation of cuda-kernels/emulation/cuda_runtime.h and run against their CPU twins in
# libfcpts_cpu. Built in every build, with or without nvcc (it needs a C++20 compiler for std::barrier); run by
# the Java test CudaKernelEmulationTest. Test only: nothing of it ships.
set(FCPTS_EMULATED_OPS elementwise_ops normalization_ops pooling_ops layout_ops index_map_ops loss_ops optim_ops
  kde_fused sparse_conv_cuda)
set(generated "")
foreach(op IN LISTS FCPTS_EMULATED_OPS)
  set(in "${FCPTS_ROOT}/cuda-kernels/${op}.cu")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/emulation/${op}.cpp")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DIN=${in} -DOUT=${out} -P "${CMAKE_CURRENT_SOURCE_DIR}/modules/cuda_launch_to_host.cmake"
    DEPENDS "${in}" "${CMAKE_CURRENT_SOURCE_DIR}/modules/cuda_launch_to_host.cmake"
    COMMENT "emulation: ${op}.cu -> host C++" VERBATIM)
  list(APPEND generated "${out}")
endforeach()
find_package(Threads REQUIRED)
add_executable(fcpts_cuda_emulation_test "${FCPTS_ROOT}/cuda-kernels/emulation/ops_emulation_test.cpp"
  "${FCPTS_ROOT}/cuda-kernels/kde_chunk_bases.cpp" ${generated})
target_compile_definitions(fcpts_cuda_emulation_test PRIVATE FCPTS_VERSION="${FCPTS_VERSION}"
  FCPTS_NVCC_VERSION="emulated" FCPTS_CUDA_ARCHS="host")
set_target_properties(fcpts_cuda_emulation_test PROPERTIES CXX_STANDARD 20 CXX_VISIBILITY_PRESET default
  BUILD_RPATH "${CMAKE_CURRENT_BINARY_DIR}")   # libdnnl.so.3: LD_LIBRARY_PATH=<build>/dnnl (CudaKernelEmulationTest)
# the shim first, so that #include <cuda_runtime.h> finds it; cuda-kernels for launch_util.cuh
target_include_directories(fcpts_cuda_emulation_test BEFORE PRIVATE "${FCPTS_ROOT}/cuda-kernels/emulation")
target_include_directories(fcpts_cuda_emulation_test PRIVATE "${FCPTS_INCLUDE}" "${FCPTS_ROOT}/cuda-kernels")
target_compile_options(fcpts_cuda_emulation_test PRIVATE -O1 -ffp-contract=off)
target_link_libraries(fcpts_cuda_emulation_test PRIVATE fcpts_cpu Threads::Threads ${CMAKE_DL_LIBS})

# The host stand-in for libcusparse.so.12 that sparse_conv_cuda.cu dlopens in the test (emulation/fake_cusparse.cpp),
# in a folder of its own: the test puts it first on LD_LIBRARY_PATH; nothing else ever loads it.
add_library(fcpts_fake_cusparse SHARED "${FCPTS_ROOT}/cuda-kernels/emulation/fake_cusparse.cpp")
set_target_properties(fcpts_fake_cusparse PROPERTIES CXX_VISIBILITY_PRESET default)
set_target_properties(fcpts_fake_cusparse PROPERTIES OUTPUT_NAME cusparse SOVERSION 12
  LIBRARY_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/fake-cusparse")
add_dependencies(fcpts_cuda_emulation_test fcpts_fake_cusparse)
