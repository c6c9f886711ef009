"""Fake (meta) kernels: output shapes and dtypes of the compiled ops, so they trace under
``torch.compile`` and ``torch.export`` without running."""
from __future__ import annotations

import torch
from torch import Tensor


def register() -> None:
    lib = "vot_ops::"

    @torch.library.register_fake(lib + "roi_align")
    def _roi_align(input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio,
                   aligned, legacy) -> Tensor:
        torch._check(rois.dim() == 2 and rois.size(1) == 5, lambda: "rois must be (K, 5)")
        return input.new_empty((rois.shape[0], input.shape[1], pooled_height, pooled_width))

    @torch.library.register_fake(lib + "_roi_align_backward")
    def _roi_align_backward(grad, rois, spatial_scale, pooled_height, pooled_width, batch_size,
                            channels, height, width, sampling_ratio, aligned, legacy) -> Tensor:
        return grad.new_empty((batch_size, channels, height, width))

    def _nms_out(boxes: Tensor) -> Tensor:
        ctx = torch.library.get_ctx()
        n = ctx.new_dynamic_size(min=0)
        return boxes.new_empty((n,), dtype=torch.long)

    @torch.library.register_fake(lib + "nms")
    def _nms(boxes, scores, iou_threshold, offset, strict) -> Tensor:
        return _nms_out(boxes)

    @torch.library.register_fake(lib + "batched_nms")
    def _batched_nms(boxes, scores, idxs, iou_threshold, offset, strict) -> Tensor:
        return _nms_out(boxes)

    def _conv_out(size, k, s, p, d):
        return (size + 2 * p - (d * (k - 1) + 1)) // s + 1

    @torch.library.register_fake(lib + "modulated_deform_conv2d")
    def _dcn(input, weight, offset, mask, bias, stride_h, stride_w, pad_h, pad_w, dilation_h,
             dilation_w, groups, deformable_groups, use_mask) -> Tensor:
        out_h = _conv_out(input.shape[2], weight.shape[2], stride_h, pad_h, dilation_h)
        out_w = _conv_out(input.shape[3], weight.shape[3], stride_w, pad_w, dilation_w)
        return input.new_empty((input.shape[0], weight.shape[0], out_h, out_w))

    @torch.library.register_fake(lib + "_modulated_deform_conv2d_backward")
    def _dcn_backward(grad, input, weight, offset, mask, bias, stride_h, stride_w, pad_h, pad_w,
                      dilation_h, dilation_w, groups, deformable_groups, use_mask):
        return (torch.empty_like(input), torch.empty_like(weight), torch.empty_like(offset),
                torch.empty_like(mask), torch.empty_like(bias))

    @torch.library.register_fake(lib + "prroi_pool")
    def _prroi(input, rois, spatial_scale, pooled_height, pooled_width) -> Tensor:
        torch._check(rois.dim() == 2 and rois.size(1) == 5, lambda: "rois must be (K, 5)")
        return input.new_empty((rois.shape[0], input.shape[1], pooled_height, pooled_width))

    @torch.library.register_fake(lib + "_prroi_pool_backward")
    def _prroi_backward(grad, input, rois, output, spatial_scale, pooled_height, pooled_width,
                        input_grad, rois_grad):
        return torch.empty_like(input), torch.empty_like(rois)
