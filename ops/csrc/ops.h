// Declarations of the vot-ops kernels (CPU and CUDA) and shared argument checks.
#pragma once

#include <ATen/ATen.h>

namespace vot_ops {

// Checks that every RoI (K, 5) has a batch index in [0, batch_size).
void check_roi_batch_index(const at::Tensor& rois, int64_t batch_size, const char* op);
void check_rois(const at::Tensor& rois, const char* op);

}  // namespace vot_ops
