"""Registration: torch.ops.vot_ops, fake kernels (torch.export / torch.compile), opcheck, and
the reference fallback with its single warning."""
from __future__ import annotations

import warnings

import torch
from ops_test_helpers import random_rois, requires_extension

import vot_ops
from vot_ops import _extension, reference


def test_public_api():
    for name in ("roi_align", "nms", "batched_nms", "modulated_deform_conv2d", "prroi_pool",
                 "multilevel_roi_align", "map_roi_levels", "split_offset_mask"):
        assert callable(getattr(vot_ops, name)), name
        assert getattr(vot_ops, name).__doc__, name


def test_fallback_uses_reference_and_warns_once(monkeypatch):
    monkeypatch.setattr(_extension, "_LOADED", False)
    monkeypatch.setattr(_extension, "_warned", False)
    x = torch.randn(1, 2, 8, 8)
    rois = torch.tensor([[0, 1.0, 1.0, 6.0, 5.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = vot_ops.roi_align(x, rois, 2, 1.0, 2, True)
        b = vot_ops.prroi_pool(x, rois, 2)
        keep = vot_ops.nms(rois[:, 1:], torch.ones(1), 0.5)
    fallback = [w for w in caught if issubclass(w.category, vot_ops.VotOpsFallbackWarning)]
    assert len(fallback) == 1 and "reference" in str(fallback[0].message)
    assert torch.equal(a, reference.roi_align(x, rois, 2, 1.0, 2, True))
    assert torch.equal(b, reference.prroi_pool(x, rois, 2))
    assert keep.tolist() == [0]


@requires_extension
def test_ops_are_registered_with_cpu_kernels():
    for op in ("roi_align", "nms", "batched_nms", "modulated_deform_conv2d", "prroi_pool"):
        assert vot_ops.has_kernel(op, torch.device("cpu")), op
        assert hasattr(torch.ops.vot_ops, op)


@requires_extension
def test_torch_export_roi_align_and_prroi_pool():
    class Pool(torch.nn.Module):
        def forward(self, x, rois):
            return (vot_ops.roi_align(x, rois, 7, 0.25, 2, True)
                    + vot_ops.prroi_pool(x, rois, 7, 0.25))

    x = torch.randn(2, 4, 16, 16)
    rois = random_rois(5, 2, 64, 64, seed=1, max_size=40)
    exported = torch.export.export(Pool(), (x, rois))
    targets = {str(n.target) for n in exported.graph.nodes if n.op == "call_function"}
    assert "vot_ops.roi_align.default" in targets and "vot_ops.prroi_pool.default" in targets
    torch.testing.assert_close(exported.module()(x, rois), Pool()(x, rois))


@requires_extension
def test_torch_compile_with_backward():
    x = torch.randn(1, 4, 9, 11, requires_grad=True)
    off = torch.randn(1, 18, 9, 11) * 2
    w = torch.randn(3, 4, 3, 3)
    m = torch.rand(1, 9, 9, 11)

    def fn(x):
        return vot_ops.modulated_deform_conv2d(x, off, w, None, 1, 1, 1, m).square().sum()

    compiled = torch.compile(fn, backend="aot_eager", fullgraph=True)
    (g_compiled,) = torch.autograd.grad(compiled(x), x)
    (g_eager,) = torch.autograd.grad(fn(x), x)
    torch.testing.assert_close(g_compiled, g_eager)


@requires_extension
def test_opcheck_fake_and_autograd_registrations():
    x = torch.randn(2, 3, 10, 10, dtype=torch.float64, requires_grad=True)
    rois = random_rois(4, 2, 10, 10, seed=2, dtype=torch.float64, max_size=8)
    torch.library.opcheck(torch.ops.vot_ops.roi_align.default, (x, rois, 1.0, 3, 3, 2, True, False))
    torch.library.opcheck(torch.ops.vot_ops.prroi_pool.default, (x, rois, 1.0, 2, 2))
    boxes = rois[:, 1:].detach()
    torch.library.opcheck(torch.ops.vot_ops.nms.default, (boxes, torch.rand(4, dtype=torch.float64), 0.5, 0.0, True),
                          test_utils=("test_schema", "test_faketensor"))
