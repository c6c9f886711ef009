// Autograd kernels: each differentiable op saves what its backward op needs and calls it
// through the dispatcher, so the same code serves the CPU and CUDA kernels.
#include <torch/autograd.h>
#include <torch/library.h>
#include <ATen/core/dispatch/Dispatcher.h>

namespace vot_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor call_roi_align(const at::Tensor& input, const at::Tensor& rois, double scale,
                          int64_t ph, int64_t pw, int64_t sr, bool aligned, bool legacy) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::roi_align", "")
                       .typed<decltype(call_roi_align)>();
  return op.call(input, rois, scale, ph, pw, sr, aligned, legacy);
}

at::Tensor call_roi_align_backward(const at::Tensor& grad, const at::Tensor& rois, double scale,
                                   int64_t ph, int64_t pw, int64_t b, int64_t c, int64_t h,
                                   int64_t w, int64_t sr, bool aligned, bool legacy) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::_roi_align_backward", "")
                       .typed<decltype(call_roi_align_backward)>();
  return op.call(grad, rois, scale, ph, pw, b, c, h, w, sr, aligned, legacy);
}

class RoIAlignFunction : public torch::autograd::Function<RoIAlignFunction> {
 public:
  static variable_list forward(AutogradContext* ctx, const at::Tensor& input,
                               const at::Tensor& rois, double scale, int64_t ph, int64_t pw,
                               int64_t sr, bool aligned, bool legacy) {
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["ph"] = ph;
    ctx->saved_data["pw"] = pw;
    ctx->saved_data["sr"] = sr;
    ctx->saved_data["aligned"] = aligned;
    ctx->saved_data["legacy"] = legacy;
    ctx->saved_data["shape"] = input.sizes().vec();
    ctx->save_for_backward({rois});
    at::AutoDispatchBelowADInplaceOrView guard;
    return {call_roi_align(input, rois, scale, ph, pw, sr, aligned, legacy)};
  }

  static variable_list backward(AutogradContext* ctx, const variable_list& grads) {
    auto rois = ctx->get_saved_variables()[0];
    auto shape = ctx->saved_data["shape"].toIntVector();
    auto grad_input = call_roi_align_backward(
        grads[0], rois, ctx->saved_data["scale"].toDouble(), ctx->saved_data["ph"].toInt(),
        ctx->saved_data["pw"].toInt(), shape[0], shape[1], shape[2], shape[3],
        ctx->saved_data["sr"].toInt(), ctx->saved_data["aligned"].toBool(),
        ctx->saved_data["legacy"].toBool());
    return {grad_input, at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor roi_align_autograd(const at::Tensor& input, const at::Tensor& rois, double scale,
                              int64_t ph, int64_t pw, int64_t sr, bool aligned, bool legacy) {
  return RoIAlignFunction::apply(input, rois, scale, ph, pw, sr, aligned, legacy)[0];
}

using DcnGrads = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;

at::Tensor call_dcn(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& offset,
                    const at::Tensor& mask, const at::Tensor& bias, int64_t sh, int64_t sw,
                    int64_t padh, int64_t padw, int64_t dh, int64_t dw, int64_t groups,
                    int64_t dgroups, bool use_mask) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::modulated_deform_conv2d", "")
                       .typed<decltype(call_dcn)>();
  return op.call(input, weight, offset, mask, bias, sh, sw, padh, padw, dh, dw, groups, dgroups,
                 use_mask);
}

DcnGrads call_dcn_backward(const at::Tensor& grad, const at::Tensor& input,
                           const at::Tensor& weight, const at::Tensor& offset,
                           const at::Tensor& mask, const at::Tensor& bias, int64_t sh,
                           int64_t sw, int64_t padh, int64_t padw, int64_t dh, int64_t dw,
                           int64_t groups, int64_t dgroups, bool use_mask) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::_modulated_deform_conv2d_backward", "")
                       .typed<decltype(call_dcn_backward)>();
  return op.call(grad, input, weight, offset, mask, bias, sh, sw, padh, padw, dh, dw, groups,
                 dgroups, use_mask);
}

class DeformConvFunction : public torch::autograd::Function<DeformConvFunction> {
 public:
  static variable_list forward(AutogradContext* ctx, const at::Tensor& input,
                               const at::Tensor& weight, const at::Tensor& offset,
                               const at::Tensor& mask, const at::Tensor& bias, int64_t sh,
                               int64_t sw, int64_t padh, int64_t padw, int64_t dh, int64_t dw,
                               int64_t groups, int64_t dgroups, bool use_mask) {
    ctx->saved_data["args"] = std::vector<int64_t>{sh, sw, padh, padw, dh, dw, groups, dgroups};
    ctx->saved_data["use_mask"] = use_mask;
    ctx->save_for_backward({input, weight, offset, mask, bias});
    at::AutoDispatchBelowADInplaceOrView guard;
    return {call_dcn(input, weight, offset, mask, bias, sh, sw, padh, padw, dh, dw, groups,
                     dgroups, use_mask)};
  }

  static variable_list backward(AutogradContext* ctx, const variable_list& grads) {
    auto saved = ctx->get_saved_variables();
    auto a = ctx->saved_data["args"].toIntVector();
    bool use_mask = ctx->saved_data["use_mask"].toBool();
    auto [gi, gw, go, gm, gb] =
        call_dcn_backward(grads[0], saved[0], saved[1], saved[2], saved[3], saved[4], a[0], a[1],
                          a[2], a[3], a[4], a[5], a[6], a[7], use_mask);
    return {gi, gw, go, use_mask ? gm : at::Tensor(), saved[4].numel() > 0 ? gb : at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor dcn_autograd(const at::Tensor& input, const at::Tensor& weight,
                        const at::Tensor& offset, const at::Tensor& mask, const at::Tensor& bias,
                        int64_t sh, int64_t sw, int64_t padh, int64_t padw, int64_t dh,
                        int64_t dw, int64_t groups, int64_t dgroups, bool use_mask) {
  return DeformConvFunction::apply(input, weight, offset, mask, bias, sh, sw, padh, padw, dh, dw,
                                   groups, dgroups, use_mask)[0];
}

at::Tensor call_prroi(const at::Tensor& input, const at::Tensor& rois, double scale, int64_t ph,
                      int64_t pw) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::prroi_pool", "")
                       .typed<decltype(call_prroi)>();
  return op.call(input, rois, scale, ph, pw);
}

std::tuple<at::Tensor, at::Tensor> call_prroi_backward(const at::Tensor& grad,
                                                       const at::Tensor& input,
                                                       const at::Tensor& rois,
                                                       const at::Tensor& output, double scale,
                                                       int64_t ph, int64_t pw, bool input_grad,
                                                       bool rois_grad) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("vot_ops::_prroi_pool_backward", "")
                       .typed<decltype(call_prroi_backward)>();
  return op.call(grad, input, rois, output, scale, ph, pw, input_grad, rois_grad);
}

class PrRoIPoolFunction : public torch::autograd::Function<PrRoIPoolFunction> {
 public:
  static variable_list forward(AutogradContext* ctx, const at::Tensor& input,
                               const at::Tensor& rois, double scale, int64_t ph, int64_t pw) {
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["ph"] = ph;
    ctx->saved_data["pw"] = pw;
    at::Tensor out;
    {
      at::AutoDispatchBelowADInplaceOrView guard;
      out = call_prroi(input, rois, scale, ph, pw);
    }
    ctx->save_for_backward({input, rois, out});
    return {out};
  }

  static variable_list backward(AutogradContext* ctx, const variable_list& grads) {
    auto saved = ctx->get_saved_variables();
    auto [gi, gr] = call_prroi_backward(
        grads[0], saved[0], saved[1], saved[2], ctx->saved_data["scale"].toDouble(),
        ctx->saved_data["ph"].toInt(), ctx->saved_data["pw"].toInt(),
        ctx->needs_input_grad(0), ctx->needs_input_grad(1));
    return {ctx->needs_input_grad(0) ? gi : at::Tensor(),
            ctx->needs_input_grad(1) ? gr : at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor()};
  }
};

at::Tensor prroi_autograd(const at::Tensor& input, const at::Tensor& rois, double scale,
                          int64_t ph, int64_t pw) {
  return PrRoIPoolFunction::apply(input, rois, scale, ph, pw)[0];
}

}  // namespace

TORCH_LIBRARY_IMPL(vot_ops, Autograd, m) {
  m.impl("roi_align", &roi_align_autograd);
  m.impl("modulated_deform_conv2d", &dcn_autograd);
  m.impl("prroi_pool", &prroi_autograd);
}

}  // namespace vot_ops
