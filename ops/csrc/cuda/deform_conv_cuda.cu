// Modulated deformable convolution (DCNv2) on CUDA: im2col / col2im kernels with the official
// layout and border rule (see kernel_math.h), matrix products through at::bmm.
#include <ATen/OpMathType.h>
#include <torch/library.h>

#include <tuple>

#include "../kernel_math.h"
#include "cuda_utils.cuh"

namespace vot_ops {
namespace {

struct Geo {
  int64_t channels, height, width, kh, kw, out_h, out_w, sh, sw, ph, pw, dh, dw, dgroups;
};

template <typename T>
__device__ inline void sample_point(const Geo& g, const T* offset, const T* mask, bool use_mask,
                                    int64_t d, int64_t k, int64_t pos, T* y, T* x, T* m) {
  const int64_t taps = g.kh * g.kw, npos = g.out_h * g.out_w;
  const int64_t i = k / g.kw, j = k % g.kw, ho = pos / g.out_w, wo = pos % g.out_w;
  *y = T(ho * g.sh - g.ph + i * g.dh) + offset[(d * 2 * taps + 2 * k) * npos + pos];
  *x = T(wo * g.sw - g.pw + j * g.dw) + offset[(d * 2 * taps + 2 * k + 1) * npos + pos];
  *m = use_mask ? mask[(d * taps + k) * npos + pos] : T(1);
}

// columns[(c * taps + k) * npos + pos]
template <typename T>
__global__ void im2col_kernel(int64_t n, Geo g, const T* image, const T* offset, const T* mask,
                              bool use_mask, T* columns) {
  const int64_t taps = g.kh * g.kw, npos = g.out_h * g.out_w;
  VOT_CUDA_LOOP(index, n) {
    const int64_t pos = index % npos, k = (index / npos) % taps, c = index / npos / taps;
    const int64_t d = c / (g.channels / g.dgroups);
    T y, x, m;
    sample_point(g, offset, mask, use_mask, d, k, pos, &y, &x, &m);
    auto q = dcn_bilinear<T>(g.height, g.width, y, x);
    const T* plane = image + c * g.height * g.width;
    columns[index] = m * (q.w1 * plane[q.p1] + q.w2 * plane[q.p2] + q.w3 * plane[q.p3] +
                          q.w4 * plane[q.p4]);
  }
}

template <typename T>
__global__ void col2im_kernel(int64_t n, Geo g, const T* grad_col, const T* offset, const T* mask,
                              bool use_mask, T* grad_image) {
  const int64_t taps = g.kh * g.kw, npos = g.out_h * g.out_w;
  VOT_CUDA_LOOP(index, n) {
    const int64_t pos = index % npos, k = (index / npos) % taps, c = index / npos / taps;
    const int64_t d = c / (g.channels / g.dgroups);
    T y, x, m;
    sample_point(g, offset, mask, use_mask, d, k, pos, &y, &x, &m);
    auto q = dcn_bilinear<T>(g.height, g.width, y, x);
    const T v = grad_col[index] * m;
    T* plane = grad_image + c * g.height * g.width;
    if (q.w1 != T(0)) gpuAtomicAdd(plane + q.p1, v * q.w1);
    if (q.w2 != T(0)) gpuAtomicAdd(plane + q.p2, v * q.w2);
    if (q.w3 != T(0)) gpuAtomicAdd(plane + q.p3, v * q.w3);
    if (q.w4 != T(0)) gpuAtomicAdd(plane + q.p4, v * q.w4);
  }
}

template <typename T>
__global__ void coord_grad_kernel(int64_t n, Geo g, const T* grad_col, const T* image,
                                  const T* offset, const T* mask, bool use_mask, T* grad_offset,
                                  T* grad_mask) {
  const int64_t taps = g.kh * g.kw, npos = g.out_h * g.out_w;
  const int64_t per_group = g.channels / g.dgroups;
  VOT_CUDA_LOOP(index, n) {
    const int64_t pos = index % npos, k = (index / npos) % taps, d = index / npos / taps;
    T y, x, m;
    sample_point(g, offset, mask, use_mask, d, k, pos, &y, &x, &m);
    T sum_dy = 0, sum_dx = 0, sum_val = 0;
    for (int64_t c = d * per_group; c < (d + 1) * per_group; ++c) {
      T v[4];
      if (!dcn_corner_values<T, T>(image + c * g.height * g.width, g.height, g.width, y, x, v))
        break;
      const T gv = grad_col[(c * taps + k) * npos + pos];
      T dy, dx;
      dcn_bilinear_coord_grad<T>(y, x, v[0], v[1], v[2], v[3], &dy, &dx);
      sum_dy += gv * dy;
      sum_dx += gv * dx;
      const T ly = y - floor(y), lx = x - floor(x), hy = T(1) - ly, hx = T(1) - lx;
      sum_val += gv * (hy * hx * v[0] + hy * lx * v[1] + ly * hx * v[2] + ly * lx * v[3]);
    }
    grad_offset[(d * 2 * taps + 2 * k) * npos + pos] = sum_dy * m;
    grad_offset[(d * 2 * taps + 2 * k + 1) * npos + pos] = sum_dx * m;
    if (use_mask) grad_mask[(d * taps + k) * npos + pos] = sum_val;
  }
}

Geo make_geo(const at::Tensor& input, const at::Tensor& weight, int64_t sh, int64_t sw,
             int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups, int64_t dgroups) {
  const char* op = "modulated_deform_conv2d";
  TORCH_CHECK_VALUE(input.dim() == 4 && weight.dim() == 4, op, ": input and weight must be 4-D");
  Geo g{input.size(1), input.size(2), input.size(3), weight.size(2), weight.size(3), 0, 0,
        sh, sw, ph, pw, dh, dw, dgroups};
  TORCH_CHECK_VALUE(groups > 0 && g.channels % groups == 0 &&
                        weight.size(1) * groups == g.channels && weight.size(0) % groups == 0,
                    op, ": weight ", weight.sizes(), " does not match ", g.channels,
                    " input channels in ", groups, " groups");
  TORCH_CHECK_VALUE(dgroups > 0 && g.channels % dgroups == 0, op, ": deformable_groups=",
                    dgroups, " must divide the input channels (", g.channels, ")");
  g.out_h = (g.height + 2 * ph - (dh * (g.kh - 1) + 1)) / sh + 1;
  g.out_w = (g.width + 2 * pw - (dw * (g.kw - 1) + 1)) / sw + 1;
  TORCH_CHECK_VALUE(g.out_h > 0 && g.out_w > 0, op, ": output would be empty");
  return g;
}

void check_offset_mask(const Geo& g, int64_t batch, const at::Tensor& offset,
                       const at::Tensor& mask, bool use_mask) {
  const int64_t taps = g.kh * g.kw;
  TORCH_CHECK_VALUE(offset.dim() == 4 && offset.size(0) == batch &&
                        offset.size(1) == 2 * g.dgroups * taps && offset.size(2) == g.out_h &&
                        offset.size(3) == g.out_w,
                    "modulated_deform_conv2d: offset must be (", batch, ", ",
                    2 * g.dgroups * taps, ", ", g.out_h, ", ", g.out_w, "), got ", offset.sizes());
  if (use_mask) {
    TORCH_CHECK_VALUE(mask.dim() == 4 && mask.size(0) == batch &&
                          mask.size(1) == g.dgroups * taps && mask.size(2) == g.out_h &&
                          mask.size(3) == g.out_w,
                      "modulated_deform_conv2d: mask must be (", batch, ", ", g.dgroups * taps,
                      ", ", g.out_h, ", ", g.out_w, "), got ", mask.sizes());
  }
}

at::Tensor forward_cuda(const at::Tensor& input_, const at::Tensor& weight_,
                        const at::Tensor& offset_, const at::Tensor& mask_,
                        const at::Tensor& bias_, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                        int64_t dh, int64_t dw, int64_t groups, int64_t dgroups, bool use_mask) {
  c10::cuda::CUDAGuard guard(input_.device());
  Geo g = make_geo(input_, weight_, sh, sw, ph, pw, dh, dw, groups, dgroups);
  const int64_t batch = input_.size(0), out_ch = weight_.size(0);
  check_offset_mask(g, batch, offset_, mask_, use_mask);
  const auto work = at::toOpMathType(input_.scalar_type());
  auto input = input_.to(work).contiguous();
  auto weight = weight_.to(work).contiguous().view({groups, out_ch / groups, -1});
  auto offset = offset_.to(work).contiguous();
  auto mask = use_mask ? mask_.to(work).contiguous() : offset;
  auto out = at::empty({batch, out_ch, g.out_h, g.out_w}, input.options());
  const int64_t npos = g.out_h * g.out_w, rows = g.channels * g.kh * g.kw;
  auto columns = at::empty({rows, npos}, input.options());
  auto stream = c10::cuda::getCurrentCUDAStream();
  for (int64_t b = 0; b < batch; ++b) {
    AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::dcn_im2col_cuda", [&] {
      im2col_kernel<scalar_t><<<blocks_for(rows * npos), kThreads, 0, stream>>>(
          rows * npos, g, input[b].const_data_ptr<scalar_t>(),
          offset[b].const_data_ptr<scalar_t>(), mask[b].const_data_ptr<scalar_t>(), use_mask,
          columns.mutable_data_ptr<scalar_t>());
    });
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    auto out_b = out[b].view({groups, out_ch / groups, npos});
    at::bmm_out(out_b, weight, columns.view({groups, -1, npos}));
  }
  if (bias_.defined() && bias_.numel() > 0) out.add_(bias_.to(work).view({1, -1, 1, 1}));
  return out.to(input_.scalar_type());
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor> backward_cuda(
    const at::Tensor& grad_, const at::Tensor& input_, const at::Tensor& weight_,
    const at::Tensor& offset_, const at::Tensor& mask_, const at::Tensor& bias_, int64_t sh,
    int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups, int64_t dgroups,
    bool use_mask) {
  c10::cuda::CUDAGuard guard(input_.device());
  Geo g = make_geo(input_, weight_, sh, sw, ph, pw, dh, dw, groups, dgroups);
  const int64_t batch = input_.size(0), out_ch = weight_.size(0), og = out_ch / groups;
  const auto work = at::toOpMathType(input_.scalar_type());
  auto input = input_.to(work).contiguous();
  auto weight = weight_.to(work).contiguous().view({groups, og, -1});
  auto offset = offset_.to(work).contiguous();
  auto mask = use_mask ? mask_.to(work).contiguous() : offset;
  auto grad = grad_.to(work).contiguous();
  auto grad_input = at::zeros_like(input);
  auto grad_weight = at::zeros_like(weight);
  auto grad_offset = at::zeros_like(offset);
  auto grad_mask = use_mask ? at::zeros_like(mask) : at::zeros_like(mask_);
  auto grad_bias = (bias_.defined() && bias_.numel() > 0)
                       ? grad.sum({0, 2, 3}).to(bias_.scalar_type())
                       : at::zeros_like(bias_);
  const int64_t npos = g.out_h * g.out_w, taps = g.kh * g.kw, rows = g.channels * taps;
  auto columns = at::empty({rows, npos}, input.options());
  auto stream = c10::cuda::getCurrentCUDAStream();
  for (int64_t b = 0; b < batch; ++b) {
    auto grad_b = grad[b].view({groups, og, npos});
    auto grad_col = at::bmm(weight.transpose(1, 2), grad_b).contiguous();
    AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::dcn_backward_cuda", [&] {
      col2im_kernel<scalar_t><<<blocks_for(rows * npos), kThreads, 0, stream>>>(
          rows * npos, g, grad_col.const_data_ptr<scalar_t>(),
          offset[b].const_data_ptr<scalar_t>(), mask[b].const_data_ptr<scalar_t>(), use_mask,
          grad_input[b].mutable_data_ptr<scalar_t>());
      const int64_t n_coord = g.dgroups * taps * npos;
      coord_grad_kernel<scalar_t><<<blocks_for(n_coord), kThreads, 0, stream>>>(
          n_coord, g, grad_col.const_data_ptr<scalar_t>(), input[b].const_data_ptr<scalar_t>(),
          offset[b].const_data_ptr<scalar_t>(), mask[b].const_data_ptr<scalar_t>(), use_mask,
          grad_offset[b].mutable_data_ptr<scalar_t>(),
          use_mask ? grad_mask[b].mutable_data_ptr<scalar_t>() : nullptr);
      im2col_kernel<scalar_t><<<blocks_for(rows * npos), kThreads, 0, stream>>>(
          rows * npos, g, input[b].const_data_ptr<scalar_t>(),
          offset[b].const_data_ptr<scalar_t>(), mask[b].const_data_ptr<scalar_t>(), use_mask,
          columns.mutable_data_ptr<scalar_t>());
    });
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    grad_weight.baddbmm_(grad_b, columns.view({groups, -1, npos}).transpose(1, 2));
  }
  return {grad_input.to(input_.scalar_type()),
          grad_weight.view(weight_.sizes()).to(weight_.scalar_type()),
          grad_offset.to(offset_.scalar_type()),
          use_mask ? grad_mask.to(mask_.scalar_type()) : grad_mask, grad_bias};
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CUDA, m) {
  m.impl("modulated_deform_conv2d", &forward_cuda);
  m.impl("_modulated_deform_conv2d_backward", &backward_cuda);
}

}  // namespace vot_ops
