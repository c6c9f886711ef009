// Operator schemas (torch.ops.vot_ops.*) and the Python module entry point.
#include <Python.h>
#include <torch/library.h>

#include "ops.h"

// `import vot_ops._C` loads this library, which runs the registrations below.
extern "C" PyObject* PyInit__C(void) {
  static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_C", nullptr, -1, nullptr};
  return PyModule_Create(&module_def);
}

namespace vot_ops {

void check_rois(const at::Tensor& rois, const char* op) {
  TORCH_CHECK_VALUE(rois.dim() == 2 && rois.size(1) == 5, op,
              ": rois must have shape (K, 5) = (batch_index, x1, y1, x2, y2), got ",
              rois.sizes());
}

void check_roi_batch_index(const at::Tensor& rois, int64_t batch_size, const char* op) {
  if (rois.size(0) == 0) return;
  auto index = rois.select(1, 0).to(at::kLong);  // truncation, as the official kernels cast
  auto [lo, hi] = at::aminmax(index);
  int64_t lo_v = lo.item<int64_t>(), hi_v = hi.item<int64_t>();
  TORCH_CHECK_INDEX(lo_v >= 0 && hi_v < batch_size, op, ": a RoI has batch index ",
              lo_v < 0 ? lo_v : hi_v, " but the input has batch size ", batch_size,
              " (valid indices are 0..", batch_size - 1, ")");
}

}  // namespace vot_ops

TORCH_LIBRARY(vot_ops, m) {
  m.def(
      "roi_align(Tensor input, Tensor rois, float spatial_scale, int pooled_height, "
      "int pooled_width, int sampling_ratio, bool aligned, bool legacy) -> Tensor");
  m.def(
      "_roi_align_backward(Tensor grad, Tensor rois, float spatial_scale, int pooled_height, "
      "int pooled_width, int batch_size, int channels, int height, int width, "
      "int sampling_ratio, bool aligned, bool legacy) -> Tensor");
  m.def("nms(Tensor boxes, Tensor scores, float iou_threshold, float offset, bool strict) -> Tensor");
  m.def(
      "batched_nms(Tensor boxes, Tensor scores, Tensor idxs, float iou_threshold, float offset, "
      "bool strict) -> Tensor");
  m.def(
      "modulated_deform_conv2d(Tensor input, Tensor weight, Tensor offset, Tensor mask, "
      "Tensor bias, int stride_h, int stride_w, int pad_h, int pad_w, int dilation_h, "
      "int dilation_w, int groups, int deformable_groups, bool use_mask) -> Tensor");
  m.def(
      "_modulated_deform_conv2d_backward(Tensor grad, Tensor input, Tensor weight, Tensor offset, "
      "Tensor mask, Tensor bias, int stride_h, int stride_w, int pad_h, int pad_w, "
      "int dilation_h, int dilation_w, int groups, int deformable_groups, bool use_mask) "
      "-> (Tensor, Tensor, Tensor, Tensor, Tensor)");
  m.def(
      "prroi_pool(Tensor input, Tensor rois, float spatial_scale, int pooled_height, "
      "int pooled_width) -> Tensor");
  m.def(
      "_prroi_pool_backward(Tensor grad, Tensor input, Tensor rois, Tensor output, "
      "float spatial_scale, int pooled_height, int pooled_width, bool input_grad, "
      "bool rois_grad) -> (Tensor, Tensor)");
}
