// NMS on CUDA: the pairwise suppression bit mask is computed on the GPU (64 boxes per block),
// the greedy pass over it on the host, as torchvision and the official kernels do.
#include <ATen/OpMathType.h>
#include <torch/library.h>

#include <vector>

#include "cuda_utils.cuh"

namespace vot_ops {
namespace {

constexpr int kBoxesPerBlock = 64;

template <typename T>
__device__ inline bool suppresses(const T* a, const T* b, T threshold, T offset, bool strict) {
  T w = min(a[2], b[2]) - max(a[0], b[0]) + offset;
  T h = min(a[3], b[3]) - max(a[1], b[1]) + offset;
  w = w > T(0) ? w : T(0);
  h = h > T(0) ? h : T(0);
  const T inter = w * h;
  const T area_a = (a[2] - a[0] + offset) * (a[3] - a[1] + offset);
  const T area_b = (b[2] - b[0] + offset) * (b[3] - b[1] + offset);
  const T iou = inter / (area_a + area_b - inter);
  return strict ? iou > threshold : iou >= threshold;
}

// boxes: (n, 4) sorted by descending score; classes: (n,) or nullptr.
template <typename T>
__global__ void nms_mask_kernel(int64_t n, const T* boxes, const int64_t* classes, T threshold,
                                T offset, bool strict, unsigned long long* mask) {
  const int64_t row_block = blockIdx.y, col_block = blockIdx.x;
  if (row_block > col_block) return;
  const int64_t row_size = min(n - row_block * kBoxesPerBlock, int64_t(kBoxesPerBlock));
  const int64_t col_size = min(n - col_block * kBoxesPerBlock, int64_t(kBoxesPerBlock));
  __shared__ T block_boxes[kBoxesPerBlock * 4];
  __shared__ int64_t block_classes[kBoxesPerBlock];
  if (threadIdx.x < col_size) {
    const int64_t j = col_block * kBoxesPerBlock + threadIdx.x;
    for (int k = 0; k < 4; ++k) block_boxes[threadIdx.x * 4 + k] = boxes[j * 4 + k];
    block_classes[threadIdx.x] = classes ? classes[j] : 0;
  }
  __syncthreads();
  if (threadIdx.x < row_size) {
    const int64_t i = row_block * kBoxesPerBlock + threadIdx.x;
    const T* box = boxes + i * 4;
    const int64_t cls = classes ? classes[i] : 0;
    unsigned long long bits = 0;
    const int start = row_block == col_block ? threadIdx.x + 1 : 0;
    for (int k = start; k < col_size; ++k) {
      if (block_classes[k] == cls && suppresses(box, block_boxes + k * 4, threshold, offset, strict))
        bits |= 1ULL << k;
    }
    const int64_t col_blocks = (n + kBoxesPerBlock - 1) / kBoxesPerBlock;
    mask[i * col_blocks + col_block] = bits;
  }
}

at::Tensor nms_common_cuda(const at::Tensor& boxes, const at::Tensor& scores,
                           const at::Tensor* idxs, double iou_threshold, double offset,
                           bool strict) {
  TORCH_CHECK_VALUE(boxes.dim() == 2 && boxes.size(1) == 4,
                    "nms: boxes must have shape (N, 4) = (x1, y1, x2, y2), got ", boxes.sizes());
  TORCH_CHECK_VALUE(scores.dim() == 1 && scores.size(0) == boxes.size(0),
                    "nms: scores must have shape (N,) matching boxes, got ", scores.sizes());
  c10::cuda::CUDAGuard guard(boxes.device());
  const int64_t n = boxes.size(0);
  if (n == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  auto opmath = at::toOpMathType(boxes.scalar_type());
  auto order = std::get<1>(scores.to(at::toOpMathType(scores.scalar_type()))
                               .sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
  auto sorted = boxes.to(opmath).index_select(0, order).contiguous();
  at::Tensor classes;
  if (idxs) {
    TORCH_CHECK_VALUE(idxs->dim() == 1 && idxs->size(0) == n,
                      "batched_nms: idxs must have shape (N,), got ", idxs->sizes());
    classes = idxs->to(at::kLong).index_select(0, order).contiguous();
  }
  const int64_t col_blocks = (n + kBoxesPerBlock - 1) / kBoxesPerBlock;
  auto mask = at::empty({n * col_blocks}, boxes.options().dtype(at::kLong));
  dim3 grid(col_blocks, col_blocks);
  auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(opmath, "vot_ops::nms_cuda", [&] {
    nms_mask_kernel<scalar_t><<<grid, kBoxesPerBlock, 0, stream>>>(
        n, sorted.const_data_ptr<scalar_t>(), idxs ? classes.const_data_ptr<int64_t>() : nullptr,
        scalar_t(iou_threshold), scalar_t(offset), strict,
        reinterpret_cast<unsigned long long*>(mask.mutable_data_ptr<int64_t>()));
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  auto mask_cpu = mask.cpu();
  const auto* bits = reinterpret_cast<const unsigned long long*>(mask_cpu.const_data_ptr<int64_t>());
  std::vector<unsigned long long> removed(col_blocks, 0);
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t block = i / kBoxesPerBlock, bit = i % kBoxesPerBlock;
    if (removed[block] & (1ULL << bit)) continue;
    keep.push_back(i);
    for (int64_t j = block; j < col_blocks; ++j) removed[j] |= bits[i * col_blocks + j];
  }
  auto keep_t = at::tensor(keep, at::TensorOptions().dtype(at::kLong)).to(boxes.device());
  return order.index_select(0, keep_t);
}

at::Tensor nms_cuda(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold,
                    double offset, bool strict) {
  return nms_common_cuda(boxes, scores, nullptr, iou_threshold, offset, strict);
}

at::Tensor batched_nms_cuda(const at::Tensor& boxes, const at::Tensor& scores,
                            const at::Tensor& idxs, double iou_threshold, double offset,
                            bool strict) {
  return nms_common_cuda(boxes, scores, &idxs, iou_threshold, offset, strict);
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CUDA, m) {
  m.impl("nms", &nms_cuda);
  m.impl("batched_nms", &batched_nms_cuda);
}

}  // namespace vot_ops
