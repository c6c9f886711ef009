"""Network structure: official keys/shapes, CE keep counts and order, zero recovery, SDPA."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from ostrack_helpers import TINY, randomize_

from vot_ostrack.ostrack import build_ostrack, template_center_mask
from vot_ostrack.vit_ce import candidate_scores, eliminate_candidates

DATA = Path(__file__).parent / "data"


def official_keys(search: int):
    rows = []
    for line in (DATA / "vitb_256_mae_ce_state_dict.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        key, shape, dtype = line.split()
        shape = tuple(int(v) for v in shape.strip("()").split(",") if v)
        if search == 384 and key == "backbone.pos_embed_z":
            shape = (1, 144, 768)
        if search == 384 and key == "backbone.pos_embed_x":
            shape = (1, 576, 768)
        rows.append((key, shape, dtype))
    return rows


@pytest.mark.parametrize("template,search,ce", [(128, 256, True), (192, 384, True),
                                                (128, 256, False)])
def test_state_dict_matches_official_appendix(template, search, ce):
    with torch.device("meta"):  # shapes only: no memory, no init cost
        model = build_ostrack(template_size=template, search_size=search,
                              ce_loc=(3, 6, 9) if ce else ())
    expected = official_keys(search)
    got = [(k, tuple(v.shape), str(v.dtype).replace("torch.", ""))
           for k, v in model.state_dict().items()]
    assert len(got) == 242
    assert got == expected
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == (92_518_533 if search == 256 else 92_825_733)


def test_template_center_mask_indices():
    assert template_center_mask(8).nonzero()[:, 1].tolist() == [27]
    assert template_center_mask(12).nonzero()[:, 1].tolist() == [65]
    assert template_center_mask(8, mode="ALL") is None
    with pytest.raises(ValueError, match="GT_BOX"):
        template_center_mask(8, mode="GT_BOX")


def test_candidate_scores_hand_computed():
    # 2 heads, 2 template rows, 3 search tokens (N = 5 keys)
    rows = torch.zeros(1, 2, 2, 5)
    rows[0, 0, 1, 2:] = torch.tensor([0.2, 0.6, 0.1])
    rows[0, 1, 1, 2:] = torch.tensor([0.4, 0.0, 0.3])
    rows[0, :, 0, 2:] = 9.0  # masked-out row must not count
    mask = torch.tensor([[False, True]])
    scores = candidate_scores(rows, lens_t=2, template_mask=mask)
    assert torch.allclose(scores, torch.tensor([[0.3, 0.3, 0.2]]))
    all_rows = candidate_scores(rows, lens_t=2, template_mask=None)
    assert torch.allclose(all_rows, torch.tensor([[(9 + 0.2 + 9 + 0.4) / 4, (9 + .6 + 9) / 4,
                                                   (9 + .1 + 9 + .3) / 4]]))


def test_eliminate_candidates_keeps_descending_score_order():
    tokens = torch.arange(7, dtype=torch.float32).view(1, 7, 1)  # 2 template + 5 search
    scores = torch.tensor([[0.1, 0.5, 0.3, 0.2, 0.4]])
    gidx = torch.tensor([[10, 11, 12, 13, 14]])
    new, kept, removed = eliminate_candidates(tokens, scores, 2, 0.5, gidx)  # ceil(2.5) = 3
    assert new.flatten().tolist() == [0, 1, 3, 6, 4]  # template, then scores 0.5, 0.4, 0.3
    assert kept.tolist() == [[11, 14, 12]]
    assert removed.tolist() == [[13, 10]]
    same, same_idx, none = eliminate_candidates(tokens, scores, 2, 1.0, gidx)
    assert none is None and same is tokens


def tiny(search=256, template=128, ce=True, fused=True, seed=0):
    model = build_ostrack(template_size=template, search_size=search, fused_attn=fused,
                          ce_loc=(3, 6, 9) if ce else (), **TINY)
    return randomize_(model, seed).eval()


@pytest.mark.parametrize("search,template,counts", [(256, 128, (76, 54, 37)),
                                                    (384, 192, (172, 121, 84))])
def test_ce_keep_counts_and_zero_recovery(search, template, counts):
    model = tiny(search, template)
    g = torch.Generator().manual_seed(1)
    z = torch.randn(2, 3, template, template, generator=g)
    x = torch.randn(2, 3, search, search, generator=g)
    mask = template_center_mask(template // 16, batch=2)
    with torch.no_grad():
        out = model(z, x, ce_template_mask=mask)
    removed = out["removed_indexes_s"]
    assert [r.shape for r in removed] == [(2, c) for c in counts]
    lens_x = (search // 16) ** 2
    kept = lens_x - sum(counts)
    assert kept == (89 if search == 256 else 199)
    n = (template // 16) ** 2 + kept
    assert out["attn"].shape == (2, TINY["num_heads"], n, n)
    feat = out["backbone_feat"][:, (template // 16) ** 2:]
    for b in range(2):
        gone = torch.cat([r[b] for r in removed])
        assert len(set(gone.tolist())) == sum(counts)  # each position removed once
        assert torch.all(feat[b, gone] == 0)
        alive = torch.ones(lens_x, dtype=torch.bool)
        alive[gone] = False
        assert torch.all(feat[b, alive].abs().sum(-1) > 0)
    assert out["pred_boxes"].shape == (2, 1, 4)
    assert out["score_map"].shape == (2, 1, search // 16, search // 16)
    assert float(out["score_map"].min()) >= 1e-4 and float(out["score_map"].max()) <= 1 - 1e-4


def test_keep_rate_override_and_non_ce_model_agree():
    ce, plain = tiny(seed=3), tiny(ce=False, seed=3)
    plain.load_state_dict(ce.state_dict())
    g = torch.Generator().manual_seed(2)
    z, x = torch.randn(1, 3, 128, 128, generator=g), torch.randn(1, 3, 256, 256, generator=g)
    mask = template_center_mask(8)
    with torch.no_grad():
        off = ce(z, x, ce_template_mask=mask, ce_keep_rate=1.0)
        ref = plain(z, x)
        half = ce(z, x, ce_template_mask=mask, ce_keep_rate=0.5)
    assert off["removed_indexes_s"] == []
    assert torch.equal(off["score_map"], ref["score_map"])
    assert [r.shape[1] for r in half["removed_indexes_s"]] == [128, 64, 32]


def test_fused_attention_matches_explicit_within_1e5():
    explicit, fused = tiny(fused=False, seed=5), tiny(fused=True, seed=5)
    g = torch.Generator().manual_seed(4)
    z, x = torch.randn(1, 3, 128, 128, generator=g), torch.randn(1, 3, 256, 256, generator=g)
    mask = template_center_mask(8)
    with torch.no_grad():
        a = explicit(z, x, ce_template_mask=mask)
        b = fused(z, x, ce_template_mask=mask, return_last_attn=False)
    for r1, r2 in zip(a["removed_indexes_s"], b["removed_indexes_s"]):
        assert torch.equal(r1, r2)
    for key in ("score_map", "size_map", "offset_map", "pred_boxes", "backbone_feat"):
        err = (a[key] - b[key]).abs().max() / a[key].abs().max()
        assert err < 1e-5, (key, float(err))
    assert b["attn"] is None and a["attn"] is not None


def test_derived_position_embeddings_are_bicubic_resizes_of_pos_embed():
    model = build_ostrack(**TINY)
    grid = model.backbone.pos_embed[:, 1:].reshape(1, 14, 14, -1).permute(0, 3, 1, 2)
    z = torch.nn.functional.interpolate(grid, size=(8, 8), mode="bicubic", align_corners=False)
    assert torch.allclose(model.backbone.pos_embed_z, z.flatten(2).transpose(1, 2), atol=1e-6)
