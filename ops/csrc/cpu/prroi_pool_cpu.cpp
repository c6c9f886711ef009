// Precise RoI Pooling (Jiang et al., ECCV 2018; vacancy/PreciseRoIPooling) on the CPU.
// Each output is the exact integral of the bilinear field over its bin divided by the bin area
// (0 for an empty bin). The field is separable, so a bin's weight on row i is
// G(yb - i) - G(ya - i) with G the primitive of the tent, and out = Wy F Wx^T / area.
// Backward gives the gradient for the features and for the box coordinates (as the official
// PrRoIPoolingCoorBackward: d/dx1, d/dy1, d/dx2, d/dy2; the batch column gets 0).
#include <ATen/ATen.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "../kernel_math.h"
#include "../ops.h"

namespace vot_ops {
namespace {

// Per-bin row (or column) weights of one RoI along one axis.
template <typename T>
struct AxisWeights {
  std::vector<int64_t> lo, hi;  // index range of bin p: [lo[p], hi[p]]
  std::vector<T> w;             // w[p * size + i]
  std::vector<T> start;         // bin start coordinate
  T bin = 0;

  void compute(T a0, T a1, int64_t pooled, int64_t size) {
    T len = a1 - a0;
    len = len > T(0) ? len : T(0);
    bin = len / T(pooled);
    lo.assign(pooled, 0);
    hi.assign(pooled, -1);
    start.assign(pooled, 0);
    w.assign(pooled * size, T(0));
    for (int64_t p = 0; p < pooled; ++p) {
      const T a = a0 + T(p) * bin, b = a + bin;
      start[p] = a;
      prroi_index_range(double(a), double(b), size, &lo[p], &hi[p]);
      for (int64_t i = lo[p]; i <= hi[p]; ++i) w[p * size + i] = prroi_weight<T>(a, b, i);
    }
  }
};

template <typename T>
void roi_axes(const T* roi, T scale, int64_t ph_n, int64_t pw_n, int64_t height, int64_t width,
              AxisWeights<T>& ay, AxisWeights<T>& ax) {
  ax.compute(roi[1] * scale, roi[3] * scale, pw_n, width);
  ay.compute(roi[2] * scale, roi[4] * scale, ph_n, height);
}

template <typename T>
void forward_impl(const at::Tensor& input, const at::Tensor& rois, double spatial_scale,
                  int64_t ph_n, int64_t pw_n, at::Tensor& output) {
  const int64_t channels = input.size(1), height = input.size(2), width = input.size(3);
  const T* in = input.const_data_ptr<T>();
  const T* roi_data = rois.const_data_ptr<T>();
  T* out = output.mutable_data_ptr<T>();
  at::parallel_for(0, rois.size(0), std::max<int64_t>(1, 16384 / std::max<int64_t>(1, channels * ph_n * pw_n * 8)), [&](int64_t begin, int64_t end) {
    AxisWeights<T> ay, ax;
    std::vector<T> rowsum(width);
    for (int64_t r = begin; r < end; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      roi_axes<T>(roi, T(spatial_scale), ph_n, pw_n, height, width, ay, ax);
      const T area = ay.bin * ax.bin;
      if (!(area > T(0))) continue;  // output stays zero
      const int64_t j0 = ax.lo[0], j1 = ax.hi[pw_n - 1];
      for (int64_t c = 0; c < channels; ++c) {
        const T* f = in + (b * channels + c) * height * width;
        T* o = out + (r * channels + c) * ph_n * pw_n;
        for (int64_t ph = 0; ph < ph_n; ++ph) {
          for (int64_t j = j0; j <= j1; ++j) rowsum[j] = 0;
          for (int64_t i = ay.lo[ph]; i <= ay.hi[ph]; ++i) {
            const T wy = ay.w[ph * height + i];
            const T* row = f + i * width;
            for (int64_t j = j0; j <= j1; ++j) rowsum[j] += wy * row[j];
          }
          for (int64_t pw = 0; pw < pw_n; ++pw) {
            T acc = 0;
            for (int64_t j = ax.lo[pw]; j <= ax.hi[pw]; ++j) acc += ax.w[pw * width + j] * rowsum[j];
            o[ph * pw_n + pw] = acc / area;
          }
        }
      }
    }
  });
}

template <typename T>
void backward_input_impl(const at::Tensor& grad, const at::Tensor& rois, double spatial_scale,
                         int64_t ph_n, int64_t pw_n, at::Tensor& grad_input) {
  const int64_t channels = grad_input.size(1), height = grad_input.size(2),
                width = grad_input.size(3);
  const T* g = grad.const_data_ptr<T>();
  const T* roi_data = rois.const_data_ptr<T>();
  T* gi = grad_input.mutable_data_ptr<T>();
  const int64_t num_rois = rois.size(0);
  at::parallel_for(0, channels, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, num_rois * ph_n * pw_n * 8)), [&](int64_t c_begin, int64_t c_end) {
    AxisWeights<T> ay, ax;
    std::vector<T> colsum(width);
    for (int64_t r = 0; r < num_rois; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      roi_axes<T>(roi, T(spatial_scale), ph_n, pw_n, height, width, ay, ax);
      const T area = ay.bin * ax.bin;
      if (!(area > T(0))) continue;
      const int64_t j0 = ax.lo[0], j1 = ax.hi[pw_n - 1];
      for (int64_t c = c_begin; c < c_end; ++c) {
        T* dst = gi + (b * channels + c) * height * width;
        const T* go = g + (r * channels + c) * ph_n * pw_n;
        for (int64_t ph = 0; ph < ph_n; ++ph) {
          // colsum[j] = sum_pw go[ph, pw] * Wx[pw, j] / area
          for (int64_t j = j0; j <= j1; ++j) colsum[j] = 0;
          for (int64_t pw = 0; pw < pw_n; ++pw) {
            const T gv = go[ph * pw_n + pw] / area;
            for (int64_t j = ax.lo[pw]; j <= ax.hi[pw]; ++j) colsum[j] += gv * ax.w[pw * width + j];
          }
          for (int64_t i = ay.lo[ph]; i <= ay.hi[ph]; ++i) {
            const T wy = ay.w[ph * height + i];
            T* row = dst + i * width;
            for (int64_t j = j0; j <= j1; ++j) row[j] += wy * colsum[j];
          }
        }
      }
    }
  });
}

template <typename T>
void backward_rois_impl(const at::Tensor& grad, const at::Tensor& input, const at::Tensor& rois,
                        const at::Tensor& output, double spatial_scale, int64_t ph_n,
                        int64_t pw_n, at::Tensor& grad_rois) {
  const int64_t channels = input.size(1), height = input.size(2), width = input.size(3);
  const T* g = grad.const_data_ptr<T>();
  const T* in = input.const_data_ptr<T>();
  const T* roi_data = rois.const_data_ptr<T>();
  const T* out = output.const_data_ptr<T>();
  T* gr = grad_rois.mutable_data_ptr<T>();
  const T scale = T(spatial_scale);
  at::parallel_for(0, rois.size(0), std::max<int64_t>(1, 16384 / std::max<int64_t>(1, channels * ph_n * pw_n * 8)), [&](int64_t begin, int64_t end) {
    AxisWeights<T> ay, ax;
    std::vector<T> rowsum(width), colw(pw_n * height);
    for (int64_t r = begin; r < end; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      roi_axes<T>(roi, scale, ph_n, pw_n, height, width, ay, ax);
      const T area = ay.bin * ax.bin;
      if (!(area > T(0))) continue;
      T d_x1 = 0, d_y1 = 0, d_x2 = 0, d_y2 = 0;
      for (int64_t c = 0; c < channels; ++c) {
        const T* f = in + (b * channels + c) * height * width;
        const T* go = g + (r * channels + c) * ph_n * pw_n;
        const T* o = out + (r * channels + c) * ph_n * pw_n;
        // colw[pw, i] = sum_j Wx[pw, j] F[i, j]: the field integrated over each bin's columns,
        // shared by all bins of a column.
        const int64_t i_first = ay.lo[0], i_last = ay.hi[ph_n - 1];
        for (int64_t pw = 0; pw < pw_n; ++pw) {
          for (int64_t i = i_first; i <= i_last; ++i) {
            T acc = 0;
            for (int64_t j = ax.lo[pw]; j <= ax.hi[pw]; ++j) acc += ax.w[pw * width + j] * f[i * width + j];
            colw[pw * height + i] = acc;
          }
        }
        for (int64_t ph = 0; ph < ph_n; ++ph) {
          const T ya = ay.start[ph], yb = ya + ay.bin;
          // Field integrated over each bin's rows: rowsum[j] = sum_i Wy[ph, i] F[i, j].
          const int64_t j0 = ax.lo[0], j1 = ax.hi[pw_n - 1];
          for (int64_t j = j0; j <= j1; ++j) rowsum[j] = 0;
          for (int64_t i = ay.lo[ph]; i <= ay.hi[ph]; ++i) {
            const T wy = ay.w[ph * height + i];
            for (int64_t j = j0; j <= j1; ++j) rowsum[j] += wy * f[i * width + j];
          }
          for (int64_t pw = 0; pw < pw_n; ++pw) {
            const T gv = go[ph * pw_n + pw];
            if (gv == T(0)) continue;
            const T xa = ax.start[pw], xb = xa + ax.bin, ov = o[ph * pw_n + pw];
            // Line integrals of the field along the four bin edges.
            T e_xa = 0, e_xb = 0, e_ya = 0, e_yb = 0;
            for (int64_t j = ax.lo[pw]; j <= ax.hi[pw]; ++j) {
              e_xa += prroi_tri<T>(xa - T(j)) * rowsum[j];
              e_xb += prroi_tri<T>(xb - T(j)) * rowsum[j];
            }
            for (int64_t i = ay.lo[ph]; i <= ay.hi[ph]; ++i) {
              const T s = colw[pw * height + i];
              e_ya += prroi_tri<T>(ya - T(i)) * s;
              e_yb += prroi_tri<T>(yb - T(i)) * s;
            }
            const T dxa = (-e_xa + ay.bin * ov) / area, dxb = (e_xb - ay.bin * ov) / area;
            const T dya = (-e_ya + ax.bin * ov) / area, dyb = (e_yb - ax.bin * ov) / area;
            const T fa_w = T(pw) / T(pw_n), fb_w = T(pw + 1) / T(pw_n);
            const T fa_h = T(ph) / T(ph_n), fb_h = T(ph + 1) / T(ph_n);
            d_x1 += gv * (dxa * (T(1) - fa_w) + dxb * (T(1) - fb_w));
            d_x2 += gv * (dxa * fa_w + dxb * fb_w);
            d_y1 += gv * (dya * (T(1) - fa_h) + dyb * (T(1) - fb_h));
            d_y2 += gv * (dya * fa_h + dyb * fb_h);
          }
        }
      }
      // The clamp max(x2 - x1, 0) is active only for empty RoIs, which were skipped above.
      gr[r * 5 + 1] = d_x1 * scale;
      gr[r * 5 + 2] = d_y1 * scale;
      gr[r * 5 + 3] = d_x2 * scale;
      gr[r * 5 + 4] = d_y2 * scale;
    }
  });
}

void check_args(const at::Tensor& input, const at::Tensor& rois, int64_t ph, int64_t pw) {
  TORCH_CHECK(input.dim() == 4, "prroi_pool: input must be (N, C, H, W), got ", input.sizes());
  check_rois(rois, "prroi_pool");
  TORCH_CHECK(ph > 0 && pw > 0, "prroi_pool: output size must be positive");
  check_roi_batch_index(rois, input.size(0), "prroi_pool");
}

at::Tensor prroi_pool_forward_cpu(const at::Tensor& input, const at::Tensor& rois,
                                  double spatial_scale, int64_t pooled_height,
                                  int64_t pooled_width) {
  check_args(input, rois, pooled_height, pooled_width);
  const auto work = at::toOpMathType(input.scalar_type());
  auto out = at::zeros({rois.size(0), input.size(1), pooled_height, pooled_width},
                       input.options().dtype(work));
  if (out.numel() == 0 || input.numel() == 0) return out.to(input.scalar_type());
  auto in_c = input.to(work).contiguous();
  auto rois_c = rois.to(work).contiguous();
  AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::prroi_pool", [&] {
    forward_impl<scalar_t>(in_c, rois_c, spatial_scale, pooled_height, pooled_width, out);
  });
  return out.to(input.scalar_type());
}

std::tuple<at::Tensor, at::Tensor> prroi_pool_backward_cpu(
    const at::Tensor& grad, const at::Tensor& input, const at::Tensor& rois,
    const at::Tensor& output, double spatial_scale, int64_t pooled_height, int64_t pooled_width,
    bool input_grad, bool rois_grad) {
  check_args(input, rois, pooled_height, pooled_width);
  const auto work = at::toOpMathType(input.scalar_type());
  auto grad_input = at::zeros(input.sizes(), input.options().dtype(work));
  auto grad_rois = at::zeros(rois.sizes(), rois.options().dtype(work));
  if (grad.numel() > 0 && input.numel() > 0) {
    auto grad_c = grad.to(work).contiguous();
    auto rois_c = rois.to(work).contiguous();
    AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::prroi_pool_backward", [&] {
      if (input_grad) {
        backward_input_impl<scalar_t>(grad_c, rois_c, spatial_scale, pooled_height, pooled_width,
                                      grad_input);
      }
      if (rois_grad) {
        auto in_c = input.to(work).contiguous();
        auto out_c = output.to(work).contiguous();
        backward_rois_impl<scalar_t>(grad_c, in_c, rois_c, out_c, spatial_scale, pooled_height,
                                     pooled_width, grad_rois);
      }
    });
  }
  return {grad_input.to(input.scalar_type()), grad_rois.to(rois.scalar_type())};
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CPU, m) {
  m.impl("prroi_pool", &prroi_pool_forward_cpu);
  m.impl("_prroi_pool_backward", &prroi_pool_backward_cpu);
}

}  // namespace vot_ops
