// Greedy NMS on the CPU with the conventions in use: area offset (0, or 1 for the legacy
// mmdetection v1 "+1" pixel convention), and strict (IoU > t, torchvision and the official CUDA
// kernels) or non-strict (IoU >= t, mmdetection v1's CPU kernel) suppression.
// batched_nms suppresses only within a class. Kept indices come back in descending score order
// (ties keep the input order: stable sort).
#include <ATen/ATen.h>
#include <ATen/OpMathType.h>
#include <torch/library.h>

#include <vector>

namespace vot_ops {
namespace {

template <typename T>
at::Tensor nms_impl(const at::Tensor& boxes, const at::Tensor& order_t, const int64_t* classes,
                    double iou_threshold, double offset, bool strict) {
  const int64_t n = boxes.size(0);
  const T* b = boxes.const_data_ptr<T>();
  const int64_t* order = order_t.const_data_ptr<int64_t>();
  // Boxes in score order, structure of arrays.
  std::vector<T> x1(n), y1(n), x2(n), y2(n), area(n);
  std::vector<int64_t> cls(n, 0);
  const T off = T(offset);
  for (int64_t k = 0; k < n; ++k) {
    const T* p = b + order[k] * 4;
    x1[k] = p[0];
    y1[k] = p[1];
    x2[k] = p[2];
    y2[k] = p[3];
    area[k] = (x2[k] - x1[k] + off) * (y2[k] - y1[k] + off);
    if (classes) cls[k] = classes[order[k]];
  }
  std::vector<uint8_t> suppressed(n, 0);
  std::vector<int64_t> keep;
  const T thr = T(iou_threshold);
  for (int64_t i = 0; i < n; ++i) {
    if (suppressed[i]) continue;
    keep.push_back(order[i]);
    const T ix1 = x1[i], iy1 = y1[i], ix2 = x2[i], iy2 = y2[i], iarea = area[i];
    const int64_t icls = cls[i];
    for (int64_t j = i + 1; j < n; ++j) {
      if (suppressed[j] || cls[j] != icls) continue;
      T w = std::min(ix2, x2[j]) - std::max(ix1, x1[j]) + off;
      T h = std::min(iy2, y2[j]) - std::max(iy1, y1[j]) + off;
      w = w > T(0) ? w : T(0);
      h = h > T(0) ? h : T(0);
      const T inter = w * h;
      const T iou = inter / (iarea + area[j] - inter);
      if (strict ? (iou > thr) : (iou >= thr)) suppressed[j] = 1;
    }
  }
  return at::tensor(keep, boxes.options().dtype(at::kLong));
}

void check_nms_inputs(const at::Tensor& boxes, const at::Tensor& scores) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4,
              "nms: boxes must have shape (N, 4) = (x1, y1, x2, y2), got ", boxes.sizes());
  TORCH_CHECK(scores.dim() == 1 && scores.size(0) == boxes.size(0),
              "nms: scores must have shape (N,) matching boxes, got ", scores.sizes());
}

at::Tensor nms_common(const at::Tensor& boxes, const at::Tensor& scores, const at::Tensor* idxs,
                      double iou_threshold, double offset, bool strict) {
  check_nms_inputs(boxes, scores);
  if (boxes.size(0) == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  auto opmath = at::toOpMathType(boxes.scalar_type());
  auto boxes_c = boxes.to(opmath).contiguous();
  auto order = std::get<1>(scores.to(at::toOpMathType(scores.scalar_type()))
                               .sort(/*stable=*/true, /*dim=*/0, /*descending=*/true))
                   .contiguous();
  at::Tensor classes;
  if (idxs) {
    TORCH_CHECK(idxs->dim() == 1 && idxs->size(0) == boxes.size(0),
                "batched_nms: idxs must have shape (N,), got ", idxs->sizes());
    classes = idxs->to(at::kLong).contiguous();
  }
  at::Tensor keep;
  AT_DISPATCH_FLOATING_TYPES(opmath, "vot_ops::nms", [&] {
    keep = nms_impl<scalar_t>(boxes_c, order, idxs ? classes.const_data_ptr<int64_t>() : nullptr,
                              iou_threshold, offset, strict);
  });
  return keep;
}

at::Tensor nms_cpu(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold,
                   double offset, bool strict) {
  return nms_common(boxes, scores, nullptr, iou_threshold, offset, strict);
}

at::Tensor batched_nms_cpu(const at::Tensor& boxes, const at::Tensor& scores,
                           const at::Tensor& idxs, double iou_threshold, double offset,
                           bool strict) {
  return nms_common(boxes, scores, &idxs, iou_threshold, offset, strict);
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CPU, m) {
  m.impl("nms", &nms_cpu);
  m.impl("batched_nms", &batched_nms_cpu);
}

}  // namespace vot_ops
