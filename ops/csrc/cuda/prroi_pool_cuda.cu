// Precise RoI Pooling on CUDA (one thread per output element; atomics in backward).
// Same closed form as the CPU kernel: out = sum_ij Wy[i] Wx[j] F[i, j] / area with
// Wy[i] = G(yb - i) - G(ya - i) (see kernel_math.h).
#include <ATen/OpMathType.h>
#include <torch/library.h>

#include <tuple>

#include "../kernel_math.h"
#include "../ops.h"
#include "cuda_utils.cuh"

namespace vot_ops {
namespace {

template <typename T>
struct Bin {
  T ya, yb, xa, xb, bin_h, bin_w, area;
  int64_t i0, i1, j0, j1;
};

template <typename T>
__device__ inline Bin<T> make_bin(const T* roi, T scale, int64_t ph, int64_t pw, int64_t ph_n,
                                  int64_t pw_n, int64_t height, int64_t width) {
  Bin<T> b;
  const T x0 = roi[1] * scale, y0 = roi[2] * scale, x1 = roi[3] * scale, y1 = roi[4] * scale;
  const T rw = x1 - x0 > T(0) ? x1 - x0 : T(0), rh = y1 - y0 > T(0) ? y1 - y0 : T(0);
  b.bin_w = rw / T(pw_n);
  b.bin_h = rh / T(ph_n);
  b.xa = x0 + T(pw) * b.bin_w;
  b.xb = b.xa + b.bin_w;
  b.ya = y0 + T(ph) * b.bin_h;
  b.yb = b.ya + b.bin_h;
  b.area = b.bin_w * b.bin_h;
  prroi_index_range(double(b.ya), double(b.yb), height, &b.i0, &b.i1);
  prroi_index_range(double(b.xa), double(b.xb), width, &b.j0, &b.j1);
  return b;
}

template <typename T>
__global__ void forward_kernel(int64_t n, const T* in, const T* rois, T scale, int64_t channels,
                               int64_t height, int64_t width, int64_t ph_n, int64_t pw_n, T* out) {
  VOT_CUDA_LOOP(index, n) {
    const int64_t pw = index % pw_n, ph = (index / pw_n) % ph_n;
    const int64_t c = (index / pw_n / ph_n) % channels, r = index / pw_n / ph_n / channels;
    const T* roi = rois + r * 5;
    auto b = make_bin<T>(roi, scale, ph, pw, ph_n, pw_n, height, width);
    if (!(b.area > T(0))) {
      out[index] = T(0);
      continue;
    }
    const T* f = in + (int64_t(roi[0]) * channels + c) * height * width;
    T acc = 0;
    for (int64_t i = b.i0; i <= b.i1; ++i) {
      const T wy = prroi_weight<T>(b.ya, b.yb, i);
      T row = 0;
      for (int64_t j = b.j0; j <= b.j1; ++j) row += prroi_weight<T>(b.xa, b.xb, j) * f[i * width + j];
      acc += wy * row;
    }
    out[index] = acc / b.area;
  }
}

template <typename T>
__global__ void backward_kernel(int64_t n, const T* grad, const T* in, const T* rois,
                                const T* out, T scale, int64_t channels, int64_t height,
                                int64_t width, int64_t ph_n, int64_t pw_n, bool input_grad,
                                bool rois_grad, T* grad_in, T* grad_rois) {
  VOT_CUDA_LOOP(index, n) {
    const int64_t pw = index % pw_n, ph = (index / pw_n) % ph_n;
    const int64_t c = (index / pw_n / ph_n) % channels, r = index / pw_n / ph_n / channels;
    const T* roi = rois + r * 5;
    auto b = make_bin<T>(roi, scale, ph, pw, ph_n, pw_n, height, width);
    const T gv = grad[index];
    if (!(b.area > T(0)) || gv == T(0)) continue;
    const int64_t plane = (int64_t(roi[0]) * channels + c) * height * width;
    if (input_grad) {
      for (int64_t i = b.i0; i <= b.i1; ++i) {
        const T wy = prroi_weight<T>(b.ya, b.yb, i) * gv / b.area;
        for (int64_t j = b.j0; j <= b.j1; ++j) {
          const T w = wy * prroi_weight<T>(b.xa, b.xb, j);
          if (w != T(0)) gpuAtomicAdd(grad_in + plane + i * width + j, w);
        }
      }
    }
    if (rois_grad) {
      const T* f = in + plane;
      T e_xa = 0, e_xb = 0, e_ya = 0, e_yb = 0;  // line integrals along the bin edges
      for (int64_t i = b.i0; i <= b.i1; ++i) {
        const T wy = prroi_weight<T>(b.ya, b.yb, i);
        const T ta = prroi_tri<T>(b.ya - T(i)), tb = prroi_tri<T>(b.yb - T(i));
        for (int64_t j = b.j0; j <= b.j1; ++j) {
          const T v = f[i * width + j];
          const T wx = prroi_weight<T>(b.xa, b.xb, j);
          e_xa += wy * prroi_tri<T>(b.xa - T(j)) * v;
          e_xb += wy * prroi_tri<T>(b.xb - T(j)) * v;
          e_ya += ta * wx * v;
          e_yb += tb * wx * v;
        }
      }
      const T ov = out[index];
      const T dxa = (-e_xa + b.bin_h * ov) / b.area, dxb = (e_xb - b.bin_h * ov) / b.area;
      const T dya = (-e_ya + b.bin_w * ov) / b.area, dyb = (e_yb - b.bin_w * ov) / b.area;
      const T fa_w = T(pw) / T(pw_n), fb_w = T(pw + 1) / T(pw_n);
      const T fa_h = T(ph) / T(ph_n), fb_h = T(ph + 1) / T(ph_n);
      T* gr = grad_rois + r * 5;
      gpuAtomicAdd(gr + 1, gv * scale * (dxa * (T(1) - fa_w) + dxb * (T(1) - fb_w)));
      gpuAtomicAdd(gr + 2, gv * scale * (dya * (T(1) - fa_h) + dyb * (T(1) - fb_h)));
      gpuAtomicAdd(gr + 3, gv * scale * (dxa * fa_w + dxb * fb_w));
      gpuAtomicAdd(gr + 4, gv * scale * (dya * fa_h + dyb * fb_h));
    }
  }
}

at::Tensor forward_cuda(const at::Tensor& input, const at::Tensor& rois, double spatial_scale,
                        int64_t ph_n, int64_t pw_n) {
  TORCH_CHECK_VALUE(input.dim() == 4, "prroi_pool: input must be (N, C, H, W), got ",
                    input.sizes());
  check_rois(rois, "prroi_pool");
  check_roi_batch_index(rois, input.size(0), "prroi_pool");
  c10::cuda::CUDAGuard guard(input.device());
  const auto work = at::toOpMathType(input.scalar_type());
  auto out = at::zeros({rois.size(0), input.size(1), ph_n, pw_n}, input.options().dtype(work));
  const int64_t n = out.numel();
  if (n == 0 || input.numel() == 0) return out.to(input.scalar_type());
  auto in_c = input.to(work).contiguous();
  auto rois_c = rois.to(work).contiguous();
  auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::prroi_pool_cuda", [&] {
    forward_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
        n, in_c.const_data_ptr<scalar_t>(), rois_c.const_data_ptr<scalar_t>(),
        scalar_t(spatial_scale), input.size(1), input.size(2), input.size(3), ph_n, pw_n,
        out.mutable_data_ptr<scalar_t>());
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return out.to(input.scalar_type());
}

std::tuple<at::Tensor, at::Tensor> backward_cuda(const at::Tensor& grad, const at::Tensor& input,
                                                 const at::Tensor& rois, const at::Tensor& output,
                                                 double spatial_scale, int64_t ph_n,
                                                 int64_t pw_n, bool input_grad, bool rois_grad) {
  c10::cuda::CUDAGuard guard(input.device());
  const auto work = at::toOpMathType(input.scalar_type());
  auto grad_in = at::zeros(input.sizes(), input.options().dtype(work));
  auto grad_rois = at::zeros(rois.sizes(), rois.options().dtype(work));
  const int64_t n = grad.numel();
  if (n > 0 && input.numel() > 0) {
    auto grad_c = grad.to(work).contiguous();
    auto in_c = input.to(work).contiguous();
    auto rois_c = rois.to(work).contiguous();
    auto out_c = output.to(work).contiguous();
    auto stream = c10::cuda::getCurrentCUDAStream();
    AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::prroi_pool_backward_cuda", [&] {
      backward_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
          n, grad_c.const_data_ptr<scalar_t>(), in_c.const_data_ptr<scalar_t>(),
          rois_c.const_data_ptr<scalar_t>(), out_c.const_data_ptr<scalar_t>(),
          scalar_t(spatial_scale), input.size(1), input.size(2), input.size(3), ph_n, pw_n,
          input_grad, rois_grad, grad_in.mutable_data_ptr<scalar_t>(),
          grad_rois.mutable_data_ptr<scalar_t>());
    });
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  }
  return {grad_in.to(input.scalar_type()), grad_rois.to(rois.scalar_type())};
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CUDA, m) {
  m.impl("prroi_pool", &forward_cuda);
  m.impl("_prroi_pool_backward", &backward_cuda);
}

}  // namespace vot_ops
