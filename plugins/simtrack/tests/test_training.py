"""SimTrack's training model: official losses, names, CLIP initialisation, and it learns."""
import pytest
import torch

from vot_simtrack.tracker import VARIANTS
from vot_simtrack.training import SimTrackModel, clip_visual_state_dict

MICRO = dict(width=32, layers=2, heads=2, patch_size=8, output_dim=16, hidden_dim=16, head_dim=16,
             template_size=56, search_size=112, foveal_size=32)


def _inputs(n=3):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(n, 3, 56, 56, generator=g), torch.randn(n, 3, 112, 112, generator=g),
            torch.tensor([[0.25, 0.25, 0.5, 0.5]] * n), torch.tensor([[0.4, 0.4, 0.2, 0.3]] * n))


def test_losses_are_weighted_as_the_paper():
    torch.manual_seed(0)
    model = SimTrackModel(**MICRO)
    losses = model(*_inputs())
    assert set(losses) == {"loss_giou", "loss_l1", "iou"}
    unweighted = SimTrackModel(**MICRO, loss_weights=dict(giou=1.0, l1=1.0))
    unweighted.load_state_dict(model.state_dict())
    raw = unweighted(*_inputs())
    torch.testing.assert_close(losses["loss_giou"], 2 * raw["loss_giou"])
    torch.testing.assert_close(losses["loss_l1"], 5 * raw["loss_l1"])
    # by hand: L1 is the mean |pred_xyxy - gt_xyxy|, gt = [0.4, 0.4, 0.6, 0.7]
    pred = model(*_inputs(), mode="predict")["pred_boxes"].view(-1, 4)
    pred_xyxy = torch.cat([pred[:, :2] - pred[:, 2:] / 2, pred[:, :2] + pred[:, 2:] / 2], 1)
    gt = torch.tensor([0.4, 0.4, 0.6, 0.7])
    assert losses["loss_l1"].item() == pytest.approx(5 * (pred_xyxy - gt).abs().mean().item(), rel=1e-5)


def test_degenerate_boxes_zero_the_giou_term():
    """The official GIoU asserts x2 >= x1, y2 >= y1; the actor then uses 0 for the batch."""
    model = SimTrackModel(**MICRO)
    template, search, tbox, sbox = _inputs()
    out = model(template, search, tbox, torch.tensor([[0.9, 0.9, -0.5, 0.05]] * 3))  # gt x2 < x1
    assert out["loss_giou"].item() == 0.0 and out["loss_l1"].item() > 0
    flipped = torch.tensor([[[0.5, 0.5, -0.1, 0.2]]] * 3, requires_grad=True)  # predicted w < 0
    model._net = [lambda *a: {"pred_boxes": flipped}]
    out = model(template, search, tbox, sbox)
    assert out["loss_giou"].item() == 0.0
    # gt xyxy [0.4, 0.4, 0.6, 0.7], pred xyxy [0.55, 0.4, 0.45, 0.6]: mean |diff| = 0.3 / 4
    assert out["loss_l1"].item() == pytest.approx(5 * (0.15 + 0 + 0.15 + 0.1) / 4)
    normal = torch.tensor([[[0.5, 0.55, 0.2, 0.3]]] * 3)  # = the gt box: GIoU 1, loss 0
    model._net = [lambda *a: {"pred_boxes": normal}]
    assert model(template, search, tbox, sbox)["loss_giou"].item() == pytest.approx(0.0, abs=1e-6)


def test_state_dict_names_match_the_tracker_network():
    from vot_simtrack.simtrack import build_simtrack

    model = SimTrackModel(**MICRO)
    network = build_simtrack(**MICRO)
    assert list(model.state_dict()) == list(network.state_dict())
    network.load_state_dict(model.state_dict(), strict=True)
    assert VARIANTS["micro"].width == MICRO["width"]


def test_clip_initialisation_from_openai_and_timm_names(tmp_path):
    from timm.models.vision_transformer import _convert_openai_clip

    model = SimTrackModel(**MICRO)
    visual = {k: torch.randn_like(v) for k, v in model.backbone.visual.state_dict().items()}
    openai = {"visual." + k: v.half() for k, v in visual.items()}
    openai["positional_embedding"] = torch.randn(77, 16)  # text tower: ignored
    openai["text_projection"] = torch.randn(16, 16)
    converted = clip_visual_state_dict(openai)
    assert set(converted) == set(visual)
    path = tmp_path / "clip.pth"
    torch.save(openai, path)
    model.load_pretrained(str(path))
    for k, v in visual.items():
        torch.testing.assert_close(model.backbone.visual.state_dict()[k], v.half().float())

    class _Timm(torch.nn.Module):  # what _convert_openai_clip needs to know about the model
        def __init__(self):
            super().__init__()
            self.head = torch.nn.Linear(32, 16)
    timm_state = _convert_openai_clip({"visual." + k: v for k, v in visual.items()}, _Timm())
    assert "patch_embed.proj.weight" in timm_state and "blocks.0.attn.qkv.weight" in timm_state
    back = clip_visual_state_dict(timm_state)
    assert set(back) == set(visual)
    for k, v in visual.items():
        torch.testing.assert_close(back[k], v, msg=k)


def test_micro_config_learns_on_synthetic_pairs():
    """The micro_synthetic config's model, pairs and optimiser groups: a few steps, the loss falls."""
    from mmengine.optim import build_optim_wrapper

    from vot_core.config import load_config
    from vot_core.datasets.synthetic import make_suite
    from vot_core.pipeline import build_component
    from vot_core.registry import MODELS
    from vot_core.training.pairs import PairDataset, PairSamplingConfig

    cfg = load_config("simtrack/micro_synthetic")
    torch.manual_seed(0)
    model = build_component(MODELS, dict(cfg.model))
    assert isinstance(model, SimTrackModel)
    sampling = PairSamplingConfig.from_dict(dict(cfg.train_data.sampling, samples_per_epoch=8, seed=1))
    pairs = PairDataset([make_suite("synthetic-tiny")], config=sampling)
    batch = torch.utils.data.default_collate([pairs[i] for i in range(8)])
    assert batch["template"].shape == (8, 3, 56, 56) and batch["search"].shape == (8, 3, 112, 112)
    wrapper = build_optim_wrapper(model, dict(cfg.optim_wrapper, clip_grad=None))
    rates = {g["lr"] for g in wrapper.optimizer.param_groups}
    assert rates == {1e-3, 1e-4}  # CLIP tower at 0.1x, pos_fc / bottleneck / head at 1x
    history = []
    for _ in range(30):
        losses = model(batch["template"], batch["search"], batch["template_box"], batch["search_box"])
        total = losses["loss_giou"] + losses["loss_l1"]
        wrapper.update_params(total)
        history.append(float(total.detach()))
    assert history[-1] < 0.7 * history[0], history
