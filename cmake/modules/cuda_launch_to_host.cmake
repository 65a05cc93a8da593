# cmake -DIN=kernel.cu -DOUT=kernel.cpp -P cuda_launch_to_host.cmake
# Rewrites every CUDA launch `name<<<config>>>(` (name may carry template arguments) into
# `emu::launch(&name, config)(` for the CPU emulation test (cuda-kernels/emulation/cuda_runtime.h).
file(READ "${IN}" source)
# (the launch configuration may contain '>' or '>>', e.g. kThreads >> shift, but not '>>>')
string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_]*(<[^<>;()]*>)?)<<<(([^>]|>[^>]|>>[^>])*)>>>\\("
       "emu::launch(&\\1, \\3)(" rewritten "${source}")
string(REGEX MATCHALL "<<<" left "${rewritten}")
if(left)
  message(FATAL_ERROR "${IN}: a launch was not rewritten for the emulation test")
endif()
file(WRITE "${OUT}" "// generated from ${IN} by cmake/modules/cuda_launch_to_host.cmake: do not edit\n${rewritten}")
