"""SimTrack's backbone: OpenAI CLIP's visual tower with SimTrack's joint token sequence.

Paper: "Backbone is All Your Need: A Simplified Architecture for Visual Object Tracking"
(Chen et al., ECCV 2022). Official code: https://github.com/LPXTT/SimTrack
(``lib/models/stark/clipvit16.py``); tower: https://github.com/openai/CLIP (``clip/model.py``).

Parameter names follow the official checkpoint (``visual.conv1``, ``visual.transformer.resblocks.i
.attn.in_proj_weight``, ``pos_fc.0`` ...). The blocks compute exactly what timm's CLIP ViT blocks
(``vit_base_patch16_clip_quickgelu_224``: pre-norm, packed qkv, scaled-dot-product attention,
QuickGELU) compute, whose numerics equal CLIP's ``nn.MultiheadAttention`` blocks; they are written
here only because timm names the parameters differently (``attn.qkv`` vs ``attn.in_proj_weight``).

Token order in the joint sequence: ``[template | class | search | foveal]``; the foveal tokens
attend but their outputs are dropped.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from vot_core import nn_fast


# --------------------------------------------------------------------------------------------
# CLIP blocks (official names, timm's computation)
# --------------------------------------------------------------------------------------------
class CLIPAttention(nn.Module):
    """Multi-head self-attention with ``nn.MultiheadAttention``'s parameter names.

    Batch-first, packed in-projection, ``F.scaled_dot_product_attention``; no mask, no dropout.
    """

    def __init__(self, width: int, heads: int):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} heads")
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
        self.out_proj = nn.Linear(width, width)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x: torch.Tensor, queries: Optional[slice] = None,
                residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``x`` (B, N, C) -> (B, N, C); with ``queries`` only those rows are returned; with
        ``residual`` the result is ``residual + attention`` (fused into the projection)."""
        B, N, C = x.shape
        qkv = nn_fast.linear(self, x, names=("in_proj_weight", "in_proj_bias"))
        qkv = qkv.reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if queries is not None:
            q = q[:, :, queries]
        out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).reshape(B, q.shape[2], C)
        return nn_fast.linear(self.out_proj, out, residual=residual)


class CLIPMlp(nn.Module):
    """``c_fc`` -> QuickGELU -> ``c_proj`` (CLIP's MLP, ratio 4)."""

    def __init__(self, width: int, ratio: float = 4.0):
        super().__init__()
        hidden = int(width * ratio)
        self.c_fc = nn.Linear(width, hidden)
        self.c_proj = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor, residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``c_proj(quick_gelu(c_fc(x)))``, plus ``residual`` if given (fused at inference)."""
        return nn_fast.quick_gelu_mlp(self.c_fc, self.c_proj, x, residual=residual)


class ResidualAttentionBlock(nn.Module):
    """Pre-norm transformer block: ``x + attn(ln_1(x))`` then ``x + mlp(ln_2(x))``."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attn = CLIPAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = CLIPMlp(width)
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)

    def forward(self, x: torch.Tensor, queries: Optional[slice] = None) -> torch.Tensor:
        """With ``queries`` only those token rows are updated and returned (the keys and
        values still come from every token); the rows equal the full computation's."""
        residual = x if queries is None else x[:, queries]
        x = self.attn(self.ln_1(x), queries, residual=residual)
        return self.mlp(self.ln_2(x), residual=x)


class Transformer(nn.Module):
    """A stack of ``ResidualAttentionBlock`` (CLIP's ``transformer.resblocks``)."""

    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.ModuleList(ResidualAttentionBlock(width, heads) for _ in range(layers))

    def forward(self, x: torch.Tensor, last_queries: Optional[slice] = None) -> torch.Tensor:
        for i, block in enumerate(self.resblocks):
            x = block(x, last_queries if i == len(self.resblocks) - 1 else None)
        return x


class VisionTransformer(nn.Module):
    """CLIP's visual tower, as submodules (SimTrack never calls its ``forward``).

    ``proj`` (width x output_dim) is kept only because the official checkpoint holds it.
    """

    def __init__(self, width: int = 768, layers: int = 12, heads: int = 12, patch_size: int = 16,
                 grid_size: int = 14, output_dim: int = 512):
        super().__init__()
        scale = width ** -0.5
        self.patch_size = patch_size
        self.grid_size = grid_size
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid_size ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def patch_embed(self, image: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, H/p * W/p, C), row-major token order."""
        return self.conv1(image).flatten(2).transpose(1, 2)


# --------------------------------------------------------------------------------------------
# SimTrack's backbone
# --------------------------------------------------------------------------------------------
class TemplatePositionMLP(nn.Sequential):
    """``pos_fc``: Linear(3 -> C/2) -> ReLU -> Linear(C/2 -> C) -> Sigmoid (output later mapped
    to (-1, 1)); its input per template patch is (coverage, centre x, centre y)."""

    def __init__(self, width: int):
        super().__init__(nn.Linear(3, width // 2), nn.ReLU(), nn.Linear(width // 2, width),
                         nn.Sigmoid())


def template_patch_geometry(grid: int, stride: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Anchors (grid², 4) normalized x1,y1,x2,y2 and centres (grid², 2) of the template patches,
    row-major, float32, computed in the official order of operations (for bit equality)."""
    side = stride * grid
    starts = torch.arange(0, side, stride)
    y1 = starts.unsqueeze(1).repeat(1, grid).reshape(-1)
    x1 = starts.unsqueeze(0).repeat(grid, 1).reshape(-1)
    x2, y2 = x1 + stride, y1 + stride
    anchors = torch.stack([x1, y1, x2, y2], 1) / side
    centres = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2], 1) / side
    return anchors, centres


def patch_coverage(anchors: torch.Tensor, template_box: torch.Tensor) -> torch.Tensor:
    """Fraction of each patch covered by the target: intersection / patch area (not an IoU).

    ``anchors`` (P, 4) xyxy; ``template_box`` (B, 4) normalized x, y, w, h, clamped to [0, 1]
    after conversion to xyxy. Returns (B, P) in the promoted dtype of the two inputs.
    """
    x, y, w, h = template_box.unbind(-1)
    box = torch.stack([x, y, x + w, y + h], -1).clamp(0.0, 1.0).unsqueeze(1)  # (B, 1, 4)
    anchor = anchors.unsqueeze(0)
    area = (anchor[..., 2] - anchor[..., 0]) * (anchor[..., 3] - anchor[..., 1])
    lt = torch.max(anchor[..., :2], box[..., :2])
    rb = torch.min(anchor[..., 2:], box[..., 2:])
    wh = (rb - lt).clamp(min=0)
    return wh[..., 0] * wh[..., 1] / area.clamp(min=0)


class SimTrackBackbone(nn.Module):
    """CLIP visual tower + SimTrack's token assembly (the official ``CLIPVIT`` module)."""

    def __init__(self, width: int = 768, layers: int = 12, heads: int = 12, patch_size: int = 16,
                 pretrain_grid: int = 14, template_size: int = 112, search_size: int = 224,
                 foveal_size: int = 64, output_dim: int = 512):
        super().__init__()
        for name, size in (("template", template_size), ("search", search_size),
                           ("foveal", foveal_size)):
            if size % patch_size:
                raise ValueError(f"{name} size {size} is not a multiple of the patch {patch_size}")
        self.visual = VisionTransformer(width, layers, heads, patch_size, pretrain_grid, output_dim)
        self.pos_fc = TemplatePositionMLP(width)
        self.num_features = width
        self.patch_size = patch_size
        self.template_grid = template_size // patch_size
        self.search_grid = search_size // patch_size
        self.foveal_grid = foveal_size // patch_size
        if not 0 < self.foveal_grid < self.template_grid - 1:
            raise ValueError(f"foveal size {foveal_size} must leave at least one patch on each "
                             f"side of the {template_size}-px template")
        # Official rule: the foveal window is "shifted" only when this divisibility holds.
        self.shift_foveal = (template_size - foveal_size) % (2 * foveal_size) == 0
        anchors, centres = template_patch_geometry(self.template_grid, patch_size)
        self.register_buffer("template_anchors", anchors, persistent=False)
        self.register_buffer("template_centres", centres, persistent=False)

    # -- template side (constant over a sequence: the tracker computes it once) --------------
    def template_position_embedding(self, template_box: torch.Tensor) -> torch.Tensor:
        """(B, 4) normalized x, y, w, h in template-crop units -> (B, C, g, g) in (-1, 1)."""
        B, g = template_box.shape[0], self.template_grid
        coverage = (patch_coverage(self.template_anchors, template_box) + 1) / 2
        centres = self.template_centres.unsqueeze(0).expand(B, -1, -1)
        features = torch.cat([coverage.unsqueeze(-1), centres.to(coverage.dtype)], -1)
        embed = self.pos_fc(features.to(self.visual.conv1.weight.dtype)) * 2 - 1
        return embed.reshape(B, g, g, -1).permute(0, 3, 1, 2)

    def foveal_position_embedding(self, template_embed: torch.Tensor) -> torch.Tensor:
        """Each foveal token gets the mean of the two template cells its window overlaps,
        (r, c) and (r + 1, c + 1) one cell in from the crop corner, as (B, f², C)."""
        B, C, g, _ = template_embed.shape
        f = self.foveal_grid
        padded = template_embed.new_zeros(B, C, g + 1, g + 1)
        shifted = template_embed.new_zeros(B, C, g + 1, g + 1)
        padded[:, :, :g, :g] = template_embed
        shifted[:, :, 1:, 1:] = template_embed
        start = (g - f) // 2 + 1
        window = (padded + shifted)[:, :, start:start + f, start:start + f] / 2
        return window.flatten(2).transpose(1, 2)

    def foveal_patches(self, template: torch.Tensor) -> torch.Tensor:
        """Patch tokens (B, f², C) of the central foveal window of the template image."""
        p, g, f = self.patch_size, self.template_grid, self.foveal_grid
        if self.shift_foveal:
            shifted = torch.zeros_like(template)
            shifted[:, :, :-(p // 2), :-(p // 2)] = template[:, :, p // 2:, p // 2:]
            tokens = self.visual.conv1(shifted)
            cut = (g - f) // 2
            return tokens[:, :, cut:-cut, cut:-cut].flatten(2).transpose(1, 2)
        cut = (g - f) * p // 2
        return self.visual.patch_embed(template[:, :, cut:-cut, cut:-cut])

    def embed_template(self, template: torch.Tensor,
                       template_box: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Template tokens (B, g², C) and foveal tokens (B, f², C), embeddings added."""
        position = self.template_position_embedding(template_box)
        tokens = self.visual.patch_embed(template) + position.flatten(2).transpose(1, 2)
        foveal = self.foveal_patches(template) + self.foveal_position_embedding(position)
        return tokens, foveal

    # -- search side -----------------------------------------------------------------------------
    def search_position_embedding(self, grid: int) -> torch.Tensor:
        """CLIP's grid embedding resized (bilinear, no antialias) to ``grid``; (grid², C)."""
        pos = self.visual.positional_embedding[1:]
        side = self.visual.grid_size
        if grid == side:  # bilinear 14 -> 14 is the identity; skip the copy
            return pos
        pos = pos.reshape(1, side, side, -1).permute(0, 3, 1, 2)
        pos = F.interpolate(pos, size=(grid, grid), mode="bilinear", align_corners=False)
        return pos.flatten(2).transpose(1, 2)[0]

    def embed_search(self, search: torch.Tensor) -> torch.Tensor:
        """Class token followed by the search tokens, CLIP positions added: (B, 1 + s², C)."""
        tokens = self.visual.patch_embed(search)
        B, _, C = tokens.shape
        grid = search.shape[-1] // self.patch_size
        cls = self.visual.class_embedding.reshape(1, 1, C).expand(B, 1, C)
        cls = cls + self.visual.positional_embedding[0]
        return torch.cat([cls, tokens + self.search_position_embedding(grid)], 1)

    # -- joint encoder ---------------------------------------------------------------------------
    def encode(self, template_tokens: torch.Tensor, search_tokens: torch.Tensor,
               foveal_tokens: torch.Tensor, search_only: bool = False) -> torch.Tensor:
        """``[template | class | search | foveal]`` -> ln_pre -> blocks -> ln_post.

        Returns (B, g² + 1 + s², C) (the foveal outputs dropped, as official) or, with
        ``search_only``, just the s² search outputs (the last block then updates only them).
        """
        x = torch.cat([template_tokens, search_tokens, foveal_tokens], 1)
        x = self.visual.ln_pre(x)
        if search_only:
            start = template_tokens.shape[1] + 1  # after the template and the class token
            search = slice(start, start + search_tokens.shape[1] - 1)
            return self.visual.ln_post(self.visual.transformer(x, last_queries=search))
        x = self.visual.transformer(x)
        return self.visual.ln_post(x[:, :x.shape[1] - foveal_tokens.shape[1]])

    def forward(self, template: torch.Tensor, search: torch.Tensor,
                template_box: torch.Tensor) -> torch.Tensor:
        """Official interface: (B, g² + 1 + s², C) output tokens."""
        template_tokens, foveal_tokens = self.embed_template(template, template_box)
        return self.encode(template_tokens, self.embed_search(search), foveal_tokens)
