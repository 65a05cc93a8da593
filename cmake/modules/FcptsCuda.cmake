# Decides whether libfcpts_cuda gets real kernels: only when CMake finds a CUDA
# compiler. Sets FCPTS_HAVE_CUDA and FCPTS_CUDA_ARCHITECTURES (sm_80, sm_90 SASS
# plus compute_90 PTX for newer GPUs). FCPTS_REQUIRE_CUDA=ON turns a missing
# compiler into an error (CI sets it where nvcc must be present).
include(CheckLanguage)
option(FCPTS_REQUIRE_CUDA "fail instead of building the CPU-only stub when nvcc is missing" OFF)
if(NOT CMAKE_CUDA_COMPILER AND EXISTS "/usr/local/cuda/bin/nvcc")
  set(CMAKE_CUDA_COMPILER "/usr/local/cuda/bin/nvcc")
endif()
check_language(CUDA)
if(CMAKE_CUDA_COMPILER)
  set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(FCPTS_HAVE_CUDA ON)
  set(FCPTS_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
  set(FCPTS_CUDA_ARCH_NAMES "sm_80,sm_90,compute_90")
  message(STATUS "CUDA build: nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${FCPTS_CUDA_ARCHITECTURES}")
elseif(FCPTS_REQUIRE_CUDA)
  message(FATAL_ERROR "FCPTS_REQUIRE_CUDA is ON but no CUDA compiler was found")
else()
  set(FCPTS_HAVE_CUDA OFF)
  message(STATUS "CPU-only build: no CUDA compiler found; libfcpts_cuda is a stub that reports it")
endif()
