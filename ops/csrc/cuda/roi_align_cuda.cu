// RoIAlign CUDA kernels (one thread per output element; atomics in backward).
#include <ATen/OpMathType.h>
#include <torch/library.h>

#include "../kernel_math.h"
#include "../ops.h"
#include "cuda_utils.cuh"

namespace vot_ops {
namespace {

template <typename scalar_t, typename T>
__global__ void roi_align_forward_kernel(int64_t n, const scalar_t* in, const T* rois, T scale,
                                         int64_t channels, int64_t height, int64_t width,
                                         int64_t ph_n, int64_t pw_n, int64_t sampling_ratio,
                                         bool aligned, bool legacy, scalar_t* out) {
  VOT_CUDA_LOOP(index, n) {
    const int64_t pw = index % pw_n, ph = (index / pw_n) % ph_n;
    const int64_t c = (index / pw_n / ph_n) % channels, r = index / pw_n / ph_n / channels;
    const T* roi = rois + r * 5;
    const int64_t b = int64_t(roi[0]);
    auto g = roi_align_geometry<T>(roi, scale, ph_n, pw_n, sampling_ratio, aligned, legacy);
    const scalar_t* plane = in + (b * channels + c) * height * width;
    T acc = 0;
    for (int iy = 0; iy < g.grid_h; ++iy) {
      const T y = g.start_h + T(ph) * g.bin_h + (T(iy) + T(0.5)) * g.bin_h / T(g.grid_h);
      for (int ix = 0; ix < g.grid_w; ++ix) {
        const T x = g.start_w + T(pw) * g.bin_w + (T(ix) + T(0.5)) * g.bin_w / T(g.grid_w);
        auto s = roi_align_bilinear<T>(height, width, y, x);
        acc += s.w1 * T(plane[s.p1]) + s.w2 * T(plane[s.p2]) + s.w3 * T(plane[s.p3]) +
               s.w4 * T(plane[s.p4]);
      }
    }
    out[index] = scalar_t(acc / g.count);
  }
}

template <typename scalar_t, typename T>
__global__ void roi_align_backward_kernel(int64_t n, const scalar_t* grad, const T* rois, T scale,
                                          int64_t channels, int64_t height, int64_t width,
                                          int64_t ph_n, int64_t pw_n, int64_t sampling_ratio,
                                          bool aligned, bool legacy, T* grad_in) {
  VOT_CUDA_LOOP(index, n) {
    const int64_t pw = index % pw_n, ph = (index / pw_n) % ph_n;
    const int64_t c = (index / pw_n / ph_n) % channels, r = index / pw_n / ph_n / channels;
    const T* roi = rois + r * 5;
    const int64_t b = int64_t(roi[0]);
    auto g = roi_align_geometry<T>(roi, scale, ph_n, pw_n, sampling_ratio, aligned, legacy);
    T* plane = grad_in + (b * channels + c) * height * width;
    const T gv = T(grad[index]) / g.count;
    for (int iy = 0; iy < g.grid_h; ++iy) {
      const T y = g.start_h + T(ph) * g.bin_h + (T(iy) + T(0.5)) * g.bin_h / T(g.grid_h);
      for (int ix = 0; ix < g.grid_w; ++ix) {
        const T x = g.start_w + T(pw) * g.bin_w + (T(ix) + T(0.5)) * g.bin_w / T(g.grid_w);
        auto s = roi_align_bilinear<T>(height, width, y, x);
        if (s.w1 != T(0)) gpuAtomicAdd(plane + s.p1, gv * s.w1);
        if (s.w2 != T(0)) gpuAtomicAdd(plane + s.p2, gv * s.w2);
        if (s.w3 != T(0)) gpuAtomicAdd(plane + s.p3, gv * s.w3);
        if (s.w4 != T(0)) gpuAtomicAdd(plane + s.p4, gv * s.w4);
      }
    }
  }
}

at::Tensor roi_align_forward_cuda(const at::Tensor& input, const at::Tensor& rois,
                                  double spatial_scale, int64_t ph_n, int64_t pw_n,
                                  int64_t sampling_ratio, bool aligned, bool legacy) {
  TORCH_CHECK_VALUE(input.dim() == 4, "roi_align: input must be (N, C, H, W), got ",
                    input.sizes());
  check_rois(rois, "roi_align");
  TORCH_CHECK(!(aligned && legacy), "roi_align: legacy=True requires aligned=False");
  check_roi_batch_index(rois, input.size(0), "roi_align");
  c10::cuda::CUDAGuard guard(input.device());
  auto out = at::zeros({rois.size(0), input.size(1), ph_n, pw_n}, input.options());
  const int64_t n = out.numel();
  if (n == 0) return out;
  auto in_c = input.contiguous();
  auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, input.scalar_type(),
                                  "vot_ops::roi_align_cuda", [&] {
    using T = at::opmath_type<scalar_t>;
    auto rois_c = rois.to(at::toOpMathType(input.scalar_type())).contiguous();
    roi_align_forward_kernel<scalar_t, T><<<blocks_for(n), kThreads, 0, stream>>>(
        n, in_c.const_data_ptr<scalar_t>(), rois_c.const_data_ptr<T>(), T(spatial_scale),
        input.size(1), input.size(2), input.size(3), ph_n, pw_n, sampling_ratio, aligned, legacy,
        out.mutable_data_ptr<scalar_t>());
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return out;
}

at::Tensor roi_align_backward_cuda(const at::Tensor& grad, const at::Tensor& rois,
                                   double spatial_scale, int64_t ph_n, int64_t pw_n,
                                   int64_t batch_size, int64_t channels, int64_t height,
                                   int64_t width, int64_t sampling_ratio, bool aligned,
                                   bool legacy) {
  c10::cuda::CUDAGuard guard(grad.device());
  auto opmath = at::toOpMathType(grad.scalar_type());
  auto grad_in = at::zeros({batch_size, channels, height, width}, grad.options().dtype(opmath));
  const int64_t n = grad.numel();
  if (n == 0) return grad_in.to(grad.scalar_type());
  auto grad_c = grad.contiguous();
  auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, grad.scalar_type(),
                                  "vot_ops::roi_align_backward_cuda", [&] {
    using T = at::opmath_type<scalar_t>;
    auto rois_c = rois.to(opmath).contiguous();
    roi_align_backward_kernel<scalar_t, T><<<blocks_for(n), kThreads, 0, stream>>>(
        n, grad_c.const_data_ptr<scalar_t>(), rois_c.const_data_ptr<T>(), T(spatial_scale),
        channels, height, width, ph_n, pw_n, sampling_ratio, aligned, legacy,
        grad_in.mutable_data_ptr<T>());
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return grad_in.to(grad.scalar_type());
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CUDA, m) {
  m.impl("roi_align", &roi_align_forward_cuda);
  m.impl("_roi_align_backward", &roi_align_backward_cuda);
}

}  // namespace vot_ops
