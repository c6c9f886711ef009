// Modulated deformable convolution (DCNv2) on the CPU.
// Layout and border rule of the official DCNv2 kernels (CharlesShang/DCNv2, mmdet.ops.dcn):
// offset (B, dg*2*kh*kw, Ho, Wo) holds (dy, dx) interleaved per kernel tap for each deformable
// group, mask (B, dg*kh*kw, Ho, Wo); a sample outside (-1, H) x (-1, W) is zero and corners
// outside the map contribute zero. Computed as im2col (bilinear corners shared by all channels
// of a deformable group) followed by a grouped matrix product.
#include <ATen/ATen.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "../kernel_math.h"

namespace vot_ops {
namespace {

struct ConvGeometry {
  int64_t batch, channels, height, width, out_channels, kh, kw, out_h, out_w;
  int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, dgroups;
  int64_t taps() const { return kh * kw; }
  int64_t positions() const { return out_h * out_w; }
};

ConvGeometry make_geometry(const at::Tensor& input, const at::Tensor& weight,
                           const at::Tensor& offset, const at::Tensor& mask, int64_t stride_h,
                           int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dil_h,
                           int64_t dil_w, int64_t groups, int64_t dgroups, bool use_mask) {
  const char* op = "modulated_deform_conv2d";
  TORCH_CHECK(input.dim() == 4, op, ": input must be (B, C, H, W), got ", input.sizes());
  TORCH_CHECK(weight.dim() == 4, op, ": weight must be (O, C/groups, kh, kw), got ",
              weight.sizes());
  TORCH_CHECK(stride_h > 0 && stride_w > 0 && dil_h > 0 && dil_w > 0 && pad_h >= 0 && pad_w >= 0,
              op, ": stride and dilation must be positive and padding non-negative");
  ConvGeometry g{input.size(0), input.size(1), input.size(2), input.size(3), weight.size(0),
                 weight.size(2), weight.size(3), 0, 0, stride_h, stride_w, pad_h, pad_w,
                 dil_h, dil_w, groups, dgroups};
  TORCH_CHECK(groups > 0 && g.channels % groups == 0 && g.out_channels % groups == 0, op,
              ": groups=", groups, " must divide the input (", g.channels, ") and output (",
              g.out_channels, ") channels");
  TORCH_CHECK(weight.size(1) * groups == g.channels, op, ": weight has ", weight.size(1),
              " input channels per group, expected ", g.channels / groups);
  TORCH_CHECK(dgroups > 0 && g.channels % dgroups == 0, op, ": deformable_groups=", dgroups,
              " must divide the input channels (", g.channels, ")");
  g.out_h = (g.height + 2 * pad_h - (dil_h * (g.kh - 1) + 1)) / stride_h + 1;
  g.out_w = (g.width + 2 * pad_w - (dil_w * (g.kw - 1) + 1)) / stride_w + 1;
  TORCH_CHECK(g.out_h > 0 && g.out_w > 0, op, ": output would be empty (", g.out_h, "x",
              g.out_w, ")");
  TORCH_CHECK(offset.dim() == 4 && offset.size(0) == g.batch &&
                  offset.size(1) == 2 * dgroups * g.taps() && offset.size(2) == g.out_h &&
                  offset.size(3) == g.out_w,
              op, ": offset must be (", g.batch, ", ", 2 * dgroups * g.taps(), ", ", g.out_h,
              ", ", g.out_w, "), got ", offset.sizes());
  if (use_mask) {
    TORCH_CHECK(mask.dim() == 4 && mask.size(0) == g.batch &&
                    mask.size(1) == dgroups * g.taps() && mask.size(2) == g.out_h &&
                    mask.size(3) == g.out_w,
                op, ": mask must be (", g.batch, ", ", dgroups * g.taps(), ", ", g.out_h, ", ",
                g.out_w, "), got ", mask.sizes());
  }
  return g;
}

// One sampling point of one (deformable group, tap, output position).
template <typename T>
struct Sample {
  T y, x, m;
};

// Sampling points of image b: index ((d * taps + k) * positions + pos).
template <typename T>
void compute_samples(const ConvGeometry& g, const T* offset, const T* mask, bool use_mask,
                     std::vector<Sample<T>>& samples) {
  const int64_t taps = g.taps(), npos = g.positions();
  samples.resize(g.dgroups * taps * npos);
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, npos));
  at::parallel_for(0, g.dgroups * taps, grain, [&](int64_t begin, int64_t end) {
    for (int64_t dk = begin; dk < end; ++dk) {
      const int64_t d = dk / taps, k = dk % taps, i = k / g.kw, j = k % g.kw;
      const T* off_y = offset + (d * 2 * taps + 2 * k) * npos;
      const T* off_x = off_y + npos;
      const T* m = use_mask ? mask + (d * taps + k) * npos : nullptr;
      for (int64_t pos = 0; pos < npos; ++pos) {
        const int64_t ho = pos / g.out_w, wo = pos % g.out_w;
        Sample<T>& s = samples[dk * npos + pos];
        s.y = T(ho * g.stride_h - g.pad_h + i * g.dil_h) + off_y[pos];
        s.x = T(wo * g.stride_w - g.pad_w + j * g.dil_w) + off_x[pos];
        s.m = use_mask ? m[pos] : T(1);
      }
    }
  });
}

// columns (C * taps, positions) of image b.
template <typename T>
void im2col(const ConvGeometry& g, const T* image, const std::vector<Sample<T>>& samples,
            T* columns) {
  const int64_t taps = g.taps(), npos = g.positions(), plane = g.height * g.width;
  const int64_t per_dgroup = g.channels / g.dgroups;
  // Corner offsets/weights are shared by the channels of a deformable group.
  std::vector<BilinearCorners<T>> corners(samples.size());
  at::parallel_for(0, int64_t(samples.size()), 4096, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const auto& s = samples[n];
      auto c = dcn_bilinear<T>(g.height, g.width, s.y, s.x);
      c.w1 *= s.m;
      c.w2 *= s.m;
      c.w3 *= s.m;
      c.w4 *= s.m;
      corners[n] = c;
    }
  });
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, taps * npos));
  at::parallel_for(0, g.channels, grain, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const T* src = image + c * plane;
      const BilinearCorners<T>* cc = corners.data() + (c / per_dgroup) * taps * npos;
      T* dst = columns + c * taps * npos;
      for (int64_t n = 0; n < taps * npos; ++n) {
        const auto& q = cc[n];
        dst[n] = q.w1 * src[q.p1] + q.w2 * src[q.p2] + q.w3 * src[q.p3] + q.w4 * src[q.p4];
      }
    }
  });
}

at::Tensor forward_cpu(const at::Tensor& input_, const at::Tensor& weight_,
                       const at::Tensor& offset_, const at::Tensor& mask_,
                       const at::Tensor& bias_, int64_t stride_h, int64_t stride_w,
                       int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w, int64_t groups,
                       int64_t dgroups, bool use_mask) {
  auto g = make_geometry(input_, weight_, offset_, mask_, stride_h, stride_w, pad_h, pad_w, dil_h,
                         dil_w, groups, dgroups, use_mask);
  const auto dtype = input_.scalar_type();
  const auto work = at::toOpMathType(dtype);  // half / bfloat16 are computed in float32
  auto input = input_.to(work).contiguous();
  auto weight = weight_.to(work).contiguous();
  auto offset = offset_.to(work).contiguous();
  auto mask = use_mask ? mask_.to(work).contiguous() : offset;  // unused when !use_mask
  auto out = at::empty({g.batch, g.out_channels, g.out_h, g.out_w}, input.options());
  if (out.numel() == 0) return out.to(dtype);
  const int64_t taps = g.taps(), npos = g.positions();
  auto columns = at::empty({g.channels * taps, npos}, input.options());
  auto weight_g = weight.view({groups, g.out_channels / groups, -1});
  AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::modulated_deform_conv2d", [&] {
    std::vector<Sample<scalar_t>> samples;
    for (int64_t b = 0; b < g.batch; ++b) {
      compute_samples<scalar_t>(
          g, offset[b].const_data_ptr<scalar_t>(),
          use_mask ? mask[b].const_data_ptr<scalar_t>() : nullptr, use_mask, samples);
      im2col<scalar_t>(g, input[b].const_data_ptr<scalar_t>(), samples,
                       columns.mutable_data_ptr<scalar_t>());
      auto out_b = out[b].view({groups, g.out_channels / groups, npos});
      at::bmm_out(out_b, weight_g, columns.view({groups, -1, npos}));
    }
  });
  if (bias_.defined() && bias_.numel() > 0) out.add_(bias_.to(work).view({1, -1, 1, 1}));
  return out.to(dtype);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor> backward_cpu(
    const at::Tensor& grad_, const at::Tensor& input_, const at::Tensor& weight_,
    const at::Tensor& offset_, const at::Tensor& mask_, const at::Tensor& bias_,
    int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dil_h,
    int64_t dil_w, int64_t groups, int64_t dgroups, bool use_mask) {
  auto g = make_geometry(input_, weight_, offset_, mask_, stride_h, stride_w, pad_h, pad_w, dil_h,
                         dil_w, groups, dgroups, use_mask);
  const auto work = at::toOpMathType(input_.scalar_type());
  auto input = input_.to(work).contiguous();
  auto weight = weight_.to(work).contiguous();
  auto offset = offset_.to(work).contiguous();
  auto mask = use_mask ? mask_.to(work).contiguous() : at::Tensor();
  auto grad = grad_.to(work).contiguous();
  auto grad_input = at::zeros_like(input);
  auto grad_weight = at::zeros_like(weight);
  auto grad_offset = at::zeros_like(offset);
  auto grad_mask = use_mask ? at::zeros_like(mask) : at::zeros_like(mask_);
  auto grad_bias = (bias_.defined() && bias_.numel() > 0)
                       ? grad.sum({0, 2, 3}).to(bias_.scalar_type())
                       : at::zeros_like(bias_);
  const int64_t taps = g.taps(), npos = g.positions(), plane = g.height * g.width;
  const int64_t per_dgroup = g.channels / g.dgroups, og = g.out_channels / groups;
  if (grad.numel() == 0 || input.numel() == 0) {
    return {grad_input.to(input_.scalar_type()), grad_weight.to(weight_.scalar_type()),
            grad_offset.to(offset_.scalar_type()), grad_mask, grad_bias};
  }
  auto weight_g = weight.view({groups, og, -1});
  auto columns = at::empty({g.channels * taps, npos}, input.options());
  AT_DISPATCH_FLOATING_TYPES(work, "vot_ops::modulated_deform_conv2d_backward", [&] {
    using T = scalar_t;
    std::vector<Sample<T>> samples;
    for (int64_t b = 0; b < g.batch; ++b) {
      auto grad_b = grad[b].view({groups, og, npos});
      // d loss / d columns
      auto grad_col = at::bmm(weight_g.transpose(1, 2), grad_b).contiguous();
      const T* gc = grad_col.const_data_ptr<T>();
      compute_samples<T>(g, offset[b].const_data_ptr<T>(),
                         use_mask ? mask[b].const_data_ptr<T>() : nullptr, use_mask, samples);
      const T* image = input[b].const_data_ptr<T>();
      T* g_img = grad_input[b].mutable_data_ptr<T>();
      // grad input: each thread owns whole channel planes.
      const int64_t c_grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, taps * npos));
      at::parallel_for(0, g.channels, c_grain, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
          const Sample<T>* ss = samples.data() + (c / per_dgroup) * taps * npos;
          const T* gcc = gc + c * taps * npos;
          T* dst = g_img + c * plane;
          for (int64_t n = 0; n < taps * npos; ++n) {
            auto q = dcn_bilinear<T>(g.height, g.width, ss[n].y, ss[n].x);
            const T v = gcc[n] * ss[n].m;
            dst[q.p1] += v * q.w1;
            dst[q.p2] += v * q.w2;
            dst[q.p3] += v * q.w3;
            dst[q.p4] += v * q.w4;
          }
        }
      });
      // grad offset and mask: one (deformable group, tap, position) per iteration.
      T* g_off = grad_offset[b].mutable_data_ptr<T>();
      T* g_mask = use_mask ? grad_mask[b].mutable_data_ptr<T>() : nullptr;
      at::parallel_for(0, g.dgroups * taps * npos, std::max<int64_t>(1024, 32768 / std::max<int64_t>(1, per_dgroup)), [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const int64_t d = n / (taps * npos), k = (n / npos) % taps, pos = n % npos;
          const Sample<T>& s = samples[n];
          T sum_dy = 0, sum_dx = 0, sum_val = 0;
          for (int64_t c = d * per_dgroup; c < (d + 1) * per_dgroup; ++c) {
            T v[4];
            if (!dcn_corner_values<T, T>(image + c * plane, g.height, g.width, s.y, s.x, v))
              break;  // outside: the same for every channel
            const T gv = gc[(c * taps + k) * npos + pos];
            T dy, dx;
            dcn_bilinear_coord_grad<T>(s.y, s.x, v[0], v[1], v[2], v[3], &dy, &dx);
            sum_dy += gv * dy;
            sum_dx += gv * dx;
            if (use_mask) {
              const T ly = s.y - floor(s.y), lx = s.x - floor(s.x);
              const T hy = T(1) - ly, hx = T(1) - lx;
              sum_val += gv * (hy * hx * v[0] + hy * lx * v[1] + ly * hx * v[2] + ly * lx * v[3]);
            }
          }
          g_off[(d * 2 * taps + 2 * k) * npos + pos] = sum_dy * s.m;
          g_off[(d * 2 * taps + 2 * k + 1) * npos + pos] = sum_dx * s.m;
          if (use_mask) g_mask[(d * taps + k) * npos + pos] = sum_val;
        }
      });
      // grad weight
      im2col<T>(g, image, samples, columns.mutable_data_ptr<T>());
      grad_weight.view({groups, og, -1})
          .baddbmm_(grad_b, columns.view({groups, -1, npos}).transpose(1, 2));
    }
  });
  return {grad_input.to(input_.scalar_type()), grad_weight.to(weight_.scalar_type()),
          grad_offset.to(offset_.scalar_type()),
          use_mask ? grad_mask.to(mask_.scalar_type()) : grad_mask, grad_bias};
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, CPU, m) {
  m.impl("modulated_deform_conv2d", &forward_cpu);
  m.impl("_modulated_deform_conv2d_backward", &backward_cpu);
}

}  // namespace vot_ops
