// RoIAlign on the CPU: all conventions (aligned, torchvision, mmdetection v1 legacy).
// Bilinear corners of each RoI are computed once and reused for every channel.
#include <ATen/ATen.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <vector>

#include "../kernel_math.h"
#include "../ops.h"

namespace vot_ops {
namespace {

// Bilinear corners of every sample of one RoI, bin-major; returns the geometry.
template <typename T>
RoiGeometry<T> precompute_samples(const T* roi, T scale, int64_t ph_n, int64_t pw_n,
                                  int64_t sampling_ratio, bool aligned, bool legacy,
                                  int64_t height, int64_t width,
                                  std::vector<BilinearCorners<T>>& samples,
                                  std::vector<int64_t>& bin_start) {
  auto g = roi_align_geometry<T>(roi, scale, ph_n, pw_n, sampling_ratio, aligned, legacy);
  samples.clear();
  bin_start.assign(ph_n * pw_n + 1, 0);
  for (int64_t ph = 0; ph < ph_n; ++ph) {
    for (int64_t pw = 0; pw < pw_n; ++pw) {
      bin_start[ph * pw_n + pw] = int64_t(samples.size());
      for (int iy = 0; iy < g.grid_h; ++iy) {
        T y = g.start_h + T(ph) * g.bin_h + (T(iy) + T(0.5)) * g.bin_h / T(g.grid_h);
        for (int ix = 0; ix < g.grid_w; ++ix) {
          T x = g.start_w + T(pw) * g.bin_w + (T(ix) + T(0.5)) * g.bin_w / T(g.grid_w);
          samples.push_back(roi_align_bilinear<T>(height, width, y, x));
        }
      }
    }
  }
  bin_start[ph_n * pw_n] = int64_t(samples.size());
  return g;
}

template <typename scalar_t>
void forward_impl(const at::Tensor& input, const at::Tensor& rois, double spatial_scale,
                  int64_t ph_n, int64_t pw_n, int64_t sampling_ratio, bool aligned, bool legacy,
                  at::Tensor& output) {
  using T = at::opmath_type<scalar_t>;
  const int64_t channels = input.size(1), height = input.size(2), width = input.size(3);
  const scalar_t* in = input.const_data_ptr<scalar_t>();
  const T* roi_data = rois.const_data_ptr<T>();
  scalar_t* out = output.mutable_data_ptr<scalar_t>();
  const int64_t num_rois = rois.size(0), plane = height * width;
  // work per RoI ~ channels * bins * samples; run tiny problems on one thread
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, channels * ph_n * pw_n * 4));
  at::parallel_for(0, num_rois, grain, [&](int64_t begin, int64_t end) {
    std::vector<BilinearCorners<T>> samples;
    std::vector<int64_t> bin_start;
    for (int64_t r = begin; r < end; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      auto g = precompute_samples<T>(roi, T(spatial_scale), ph_n, pw_n, sampling_ratio, aligned,
                                     legacy, height, width, samples, bin_start);
      for (int64_t c = 0; c < channels; ++c) {
        const scalar_t* src = in + (b * channels + c) * plane;
        scalar_t* dst = out + (r * channels + c) * ph_n * pw_n;
        for (int64_t bin = 0; bin < ph_n * pw_n; ++bin) {
          T acc = 0;
          for (int64_t k = bin_start[bin]; k < bin_start[bin + 1]; ++k) {
            const auto& s = samples[k];
            acc += s.w1 * T(src[s.p1]) + s.w2 * T(src[s.p2]) + s.w3 * T(src[s.p3]) +
                   s.w4 * T(src[s.p4]);
          }
          dst[bin] = scalar_t(acc / g.count);
        }
      }
    }
  });
}

// Channels-last variant: the four corners of a sample are contiguous channel vectors, so the
// inner loop runs over channels with unit stride (vectorised). Used when the input already is
// channels-last or when sampling dominates the cost of one layout conversion.
template <typename scalar_t>
void forward_nhwc_impl(const at::Tensor& input_nhwc, const at::Tensor& rois, double spatial_scale,
                       int64_t ph_n, int64_t pw_n, int64_t sampling_ratio, bool aligned,
                       bool legacy, at::Tensor& output) {
  using T = at::opmath_type<scalar_t>;
  const int64_t channels = input_nhwc.size(1), height = input_nhwc.size(2),
                width = input_nhwc.size(3);
  const scalar_t* in = input_nhwc.const_data_ptr<scalar_t>();  // (N, H, W, C) in memory
  const T* roi_data = rois.const_data_ptr<T>();
  scalar_t* out = output.mutable_data_ptr<scalar_t>();
  const int64_t num_rois = rois.size(0), plane = height * width, bins = ph_n * pw_n;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, channels * bins * 4));
  at::parallel_for(0, num_rois, grain, [&](int64_t begin, int64_t end) {
    std::vector<BilinearCorners<T>> samples;
    std::vector<int64_t> bin_start;
    std::vector<T> acc(channels);
    for (int64_t r = begin; r < end; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      auto g = precompute_samples<T>(roi, T(spatial_scale), ph_n, pw_n, sampling_ratio, aligned,
                                     legacy, height, width, samples, bin_start);
      const scalar_t* base = in + b * plane * channels;
      for (int64_t bin = 0; bin < bins; ++bin) {
        std::fill(acc.begin(), acc.end(), T(0));
        for (int64_t k = bin_start[bin]; k < bin_start[bin + 1]; ++k) {
          const auto& s = samples[k];
          const scalar_t* q1 = base + s.p1 * channels;
          const scalar_t* q2 = base + s.p2 * channels;
          const scalar_t* q3 = base + s.p3 * channels;
          const scalar_t* q4 = base + s.p4 * channels;
          const T w1 = s.w1, w2 = s.w2, w3 = s.w3, w4 = s.w4;
          T* a = acc.data();
          for (int64_t c = 0; c < channels; ++c)
            a[c] += w1 * T(q1[c]) + w2 * T(q2[c]) + w3 * T(q3[c]) + w4 * T(q4[c]);
        }
        scalar_t* dst = out + r * channels * bins + bin;
        for (int64_t c = 0; c < channels; ++c) dst[c * bins] = scalar_t(acc[c] / g.count);
      }
    }
  });
}

template <typename scalar_t>
void backward_impl(const at::Tensor& grad, const at::Tensor& rois, double spatial_scale,
                   int64_t ph_n, int64_t pw_n, int64_t sampling_ratio, bool aligned, bool legacy,
                   at::Tensor& grad_input) {
  using T = at::opmath_type<scalar_t>;
  const int64_t channels = grad_input.size(1), height = grad_input.size(2),
                width = grad_input.size(3), plane = height * width;
  const scalar_t* g_out = grad.const_data_ptr<scalar_t>();
  const T* roi_data = rois.const_data_ptr<T>();
  T* g_in = grad_input.mutable_data_ptr<T>();
  const int64_t num_rois = rois.size(0);
  // Each thread owns a range of channels, so the scatter needs no atomics.
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, num_rois * ph_n * pw_n * 4));
  at::parallel_for(0, channels, grain, [&](int64_t c_begin, int64_t c_end) {
    std::vector<BilinearCorners<T>> samples;
    std::vector<int64_t> bin_start;
    for (int64_t r = 0; r < num_rois; ++r) {
      const T* roi = roi_data + r * 5;
      const int64_t b = int64_t(roi[0]);
      auto g = precompute_samples<T>(roi, T(spatial_scale), ph_n, pw_n, sampling_ratio, aligned,
                                     legacy, height, width, samples, bin_start);
      for (int64_t c = c_begin; c < c_end; ++c) {
        T* dst = g_in + (b * channels + c) * plane;
        const scalar_t* src = g_out + (r * channels + c) * ph_n * pw_n;
        for (int64_t bin = 0; bin < ph_n * pw_n; ++bin) {
          const T gv = T(src[bin]) / g.count;
          for (int64_t k = bin_start[bin]; k < bin_start[bin + 1]; ++k) {
            const auto& s = samples[k];
            dst[s.p1] += gv * s.w1;
            dst[s.p2] += gv * s.w2;
            dst[s.p3] += gv * s.w3;
            dst[s.p4] += gv * s.w4;
          }
        }
      }
    }
  });
}

at::Tensor roi_align_forward_cpu(const at::Tensor& input, const at::Tensor& rois,
                                 double spatial_scale, int64_t pooled_height,
                                 int64_t pooled_width, int64_t sampling_ratio, bool aligned,
                                 bool legacy) {
  TORCH_CHECK(input.dim() == 4, "roi_align: input must be (N, C, H, W), got ", input.sizes());
  check_rois(rois, "roi_align");
  TORCH_CHECK(pooled_height > 0 && pooled_width > 0, "roi_align: output size must be positive");
  TORCH_CHECK(!(aligned && legacy), "roi_align: legacy=True requires aligned=False");
  check_roi_batch_index(rois, input.size(0), "roi_align");
  auto out = at::zeros({rois.size(0), input.size(1), pooled_height, pooled_width},
                       input.options().memory_format(at::MemoryFormat::Contiguous));
  if (out.numel() == 0) return out;
  // Layout choice: channels-last when the input is, or when the samples outnumber the pixels
  // enough to pay for one conversion (e.g. 1000 proposals on an FPN level).
  const int64_t per_bin = sampling_ratio > 0 ? sampling_ratio * sampling_ratio : 4;
  const int64_t sample_work = rois.size(0) * pooled_height * pooled_width * per_bin;
  const bool channels_last = input.size(1) > 1 &&
      (input.is_contiguous(at::MemoryFormat::ChannelsLast) ||
       sample_work * 4 >= input.size(0) * input.size(2) * input.size(3));
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, input.scalar_type(),
                                  "vot_ops::roi_align", [&] {
    auto rois_c = rois.to(at::toOpMathType(input.scalar_type())).contiguous();
    if (channels_last) {
      auto in_nhwc = input.contiguous(at::MemoryFormat::ChannelsLast);
      forward_nhwc_impl<scalar_t>(in_nhwc, rois_c, spatial_scale, pooled_height, pooled_width,
                                  sampling_ratio, aligned, legacy, out);
    } else {
      auto in_c = input.contiguous();
      forward_impl<scalar_t>(in_c, rois_c, spatial_scale, pooled_height, pooled_width,
                             sampling_ratio, aligned, legacy, out);
    }
  });
  return out;
}

at::Tensor roi_align_backward_cpu(const at::Tensor& grad, const at::Tensor& rois,
                                  double spatial_scale, int64_t pooled_height,
                                  int64_t pooled_width, int64_t batch_size, int64_t channels,
                                  int64_t height, int64_t width, int64_t sampling_ratio,
                                  bool aligned, bool legacy) {
  check_rois(rois, "roi_align backward");
  auto opmath = at::toOpMathType(grad.scalar_type());
  auto grad_input = at::zeros({batch_size, channels, height, width}, grad.options().dtype(opmath));
  if (grad.numel() == 0) return grad_input.to(grad.scalar_type());
  auto grad_c = grad.contiguous();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, grad.scalar_type(),
                                  "vot_ops::roi_align_backward", [&] {
    auto rois_c = rois.to(opmath).contiguous();
    backward_impl<scalar_t>(grad_c, rois_c, spatial_scale, pooled_height, pooled_width,
                            sampling_ratio, aligned, legacy, grad_input);
  });
  return grad_input.to(grad.scalar_type());
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CPU, m) {
  m.impl("roi_align", &roi_align_forward_cpu);
  m.impl("_roi_align_backward", &roi_align_backward_cpu);
}

}  // namespace vot_ops
