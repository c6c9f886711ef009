// Launch helpers shared by the CUDA kernels of vot-ops.
#pragma once

// Only light CUDA headers: ATen/cuda/CUDAContext.h would pull in cuBLAS / cuSPARSE headers,
// which minimal CUDA toolkits do not ship.
#include <ATen/ATen.h>
#include <ATen/cuda/Atomic.cuh>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#define VOT_CUDA_LOOP(i, n)                                                          \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);          \
       i += int64_t(blockDim.x) * gridDim.x)

namespace vot_ops {

constexpr int kThreads = 256;

inline int blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return int(b < 4096 ? (b > 0 ? b : 1) : 4096);
}

}  // namespace vot_ops
