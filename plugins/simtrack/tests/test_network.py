"""Keys, shapes and the computation of the SimTrack network."""
from functools import partial

import pytest
import torch
from timm.layers import get_act_layer
from timm.models.vision_transformer import Block

from vot_core import nn_fast
from vot_simtrack.clip_vit import ResidualAttentionBlock
from vot_simtrack.simtrack import SIM_B16, official_state_dict_shapes

# Appendix A of the research brief (official model, random init).
OFFICIAL = {
    "backbone.visual.class_embedding": (768,),
    "backbone.visual.positional_embedding": (197, 768),
    "backbone.visual.proj": (768, 512),
    "backbone.visual.conv1.weight": (768, 3, 16, 16),
    "backbone.visual.ln_pre.weight": (768,),
    "backbone.visual.transformer.resblocks.0.attn.in_proj_weight": (2304, 768),
    "backbone.visual.transformer.resblocks.0.attn.in_proj_bias": (2304,),
    "backbone.visual.transformer.resblocks.11.attn.out_proj.weight": (768, 768),
    "backbone.visual.transformer.resblocks.11.mlp.c_fc.weight": (3072, 768),
    "backbone.visual.transformer.resblocks.11.mlp.c_proj.weight": (768, 3072),
    "backbone.visual.transformer.resblocks.11.ln_2.bias": (768,),
    "backbone.visual.ln_post.bias": (768,),
    "backbone.pos_fc.0.weight": (384, 3),
    "backbone.pos_fc.2.weight": (768, 384),
    "box_head.conv1_tl.0.weight": (256, 256, 3, 3),
    "box_head.conv2_br.0.weight": (128, 256, 3, 3),
    "box_head.conv3_tl.1.running_var": (64,),
    "box_head.conv4_br.0.weight": (32, 64, 3, 3),
    "box_head.conv4_br.1.num_batches_tracked": (),
    "box_head.conv5_tl.weight": (1, 32, 1, 1),
    "box_head.conv5_br.bias": (1,),
    "bottleneck.weight": (256, 768),
    "bottleneck.bias": (256,),
}


def test_official_keys_and_shapes():
    shapes = official_state_dict_shapes(SIM_B16)
    assert len(shapes) == 218
    for key, shape in OFFICIAL.items():
        assert shapes[key] == shape, key
    keys = list(shapes)
    # registration order of the official model
    assert keys[0] == "backbone.visual.class_embedding" and keys[-1] == "bottleneck.bias"
    assert keys.index("backbone.pos_fc.0.weight") < keys.index("box_head.conv1_tl.0.weight")
    params = sum(torch.Size(s).numel() for k, s in shapes.items()
                 if k.rsplit(".", 1)[-1] not in ("running_mean", "running_var", "num_batches_tracked"))
    assert params == 88_643_458
    assert not any(k.endswith("conv1.bias") and "visual" in k for k in keys)  # patch embed has no bias


def test_forward_shapes(tiny_model):
    out = tiny_model(torch.randn(2, 3, 112, 112), torch.randn(2, 3, 224, 224),
                     torch.tensor([[0.25, 0.25, 0.5, 0.5], [0.0, 0.0, 1.0, 1.0]]))
    assert out["pred_boxes"].shape == (2, 1, 4)
    assert out["score_map_tl"].shape == out["score_map_br"].shape == (2, 1, 14, 14)
    tokens = tiny_model.backbone(torch.randn(2, 3, 112, 112), torch.randn(2, 3, 224, 224),
                                 torch.tensor([[0.25, 0.25, 0.5, 0.5]] * 2))
    assert tokens.shape == (2, 49 + 1 + 196, 64)  # the 16 foveal outputs are dropped


def test_search_only_path_equals_full_backbone(tiny_model):
    """The tracker's path (last block updates only the search rows, ln_post/bottleneck on
    them) must equal the official path (all tokens, then the last 196 taken)."""
    g = torch.Generator().manual_seed(3)
    t, s = torch.randn(1, 3, 112, 112, generator=g), torch.randn(1, 3, 224, 224, generator=g)
    box = torch.tensor([[0.3, 0.2, 0.4, 0.5]])
    with torch.no_grad():
        full = tiny_model.backbone(t, s, box)[:, -196:]
        tt, ft = tiny_model.backbone.embed_template(t, box)
        part = tiny_model.backbone.encode(tt, tiny_model.backbone.embed_search(s), ft,
                                          search_only=True)
    torch.testing.assert_close(part, full, rtol=1e-5, atol=1e-5)


def test_block_equals_timm_clip_block():
    """Our block with official names computes what timm's QuickGELU CLIP block computes."""
    torch.manual_seed(0)
    ours = ResidualAttentionBlock(64, 4).eval()
    for p in ours.parameters():
        torch.nn.init.normal_(p, std=0.2)
    timm_block = Block(64, 4, mlp_ratio=4.0, qkv_bias=True, act_layer=get_act_layer("quick_gelu"),
                       norm_layer=partial(torch.nn.LayerNorm, eps=1e-5)).eval()  # as timm's CLIP
    sd = ours.state_dict()
    timm_block.load_state_dict({
        "norm1.weight": sd["ln_1.weight"], "norm1.bias": sd["ln_1.bias"],
        "attn.qkv.weight": sd["attn.in_proj_weight"], "attn.qkv.bias": sd["attn.in_proj_bias"],
        "attn.proj.weight": sd["attn.out_proj.weight"], "attn.proj.bias": sd["attn.out_proj.bias"],
        "norm2.weight": sd["ln_2.weight"], "norm2.bias": sd["ln_2.bias"],
        "mlp.fc1.weight": sd["mlp.c_fc.weight"], "mlp.fc1.bias": sd["mlp.c_fc.bias"],
        "mlp.fc2.weight": sd["mlp.c_proj.weight"], "mlp.fc2.bias": sd["mlp.c_proj.bias"]})
    x = torch.randn(2, 30, 64)
    with torch.no_grad(), nn_fast.reference_mode():  # the plain composition: bit-identical
        assert torch.equal(ours(x), timm_block(x))
    with torch.no_grad():  # the fused oneDNN kernels: GEMM rounding only
        torch.testing.assert_close(ours(x), timm_block(x), rtol=1e-5, atol=1e-5)


def test_block_equals_torch_multihead_attention_block():
    """... and what CLIP's nn.MultiheadAttention (sequence-first) block computes."""
    torch.manual_seed(1)
    ours = ResidualAttentionBlock(64, 4).eval()
    for p in ours.parameters():
        torch.nn.init.normal_(p, std=0.2)
    mha = torch.nn.MultiheadAttention(64, 4).eval()
    mha.load_state_dict({k[5:]: v for k, v in ours.state_dict().items() if k.startswith("attn.")})
    x = torch.randn(2, 30, 64)
    with torch.no_grad():
        h = ours.ln_1(x).transpose(0, 1)
        y = x + mha(h, h, h, need_weights=False)[0].transpose(0, 1)
        h2 = ours.ln_2(y)
        ref = y + ours.mlp.c_proj(ours.mlp.c_fc(h2) * torch.sigmoid(1.702 * ours.mlp.c_fc(h2)))
        torch.testing.assert_close(ours(x), ref, rtol=1e-5, atol=1e-5)


def test_unknown_arch_key_is_an_error():
    from vot_simtrack.simtrack import build_simtrack
    with pytest.raises(TypeError, match="widht"):
        build_simtrack(widht=3)
