"""One-stream ViT-B/16 backbone of OSTrack with candidate elimination (CE).

Paper: Ye et al., "Joint Feature Learning and Relation Modeling for Tracking: A One-Stream
Framework", ECCV 2022. Official code: https://github.com/botaoye/OSTrack.

Template and search patches share one patch embedding, get their own position embeddings
(``pos_embed_z`` / ``pos_embed_x``), are concatenated ``[template; search]`` and pass through
pre-norm transformer blocks. In the CE blocks (0-based 3, 6, 9 in the released models) the
search tokens least attended by the template-centre query are dropped after the attention
residual; after the final norm the dropped search positions are restored as exact zeros.
A model built without CE locations is the plain one-stream ViT (``vitb_*_mae_32x4`` configs);
both have the same state_dict keys (``cls_token``/``pos_embed`` kept for the MAE init, unused).

Where no gradient is needed the linears run through ``vot_core.nn_fast`` (oneDNN, bias/GELU/
residual fused); training runs the plain composition.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from timm.layers import DropPath, Mlp, PatchEmbed, trunc_normal_
from torch import nn

from vot_core import nn_fast

LN_EPS = 1e-6


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------
class Attention(nn.Module):
    """Multi-head self-attention that can also return attention probabilities (CE needs them).

    ``fused=True`` computes the output with ``scaled_dot_product_attention`` and, when only the
    template rows of the probabilities are needed (CE scoring), computes just those rows
    explicitly. ``fused=False`` is the official explicit ``softmax(q k^T * scale) v``.
    """

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, fused: bool = True):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.fused = fused
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, template_rows: int = 0, return_attn: bool = False,
                residual: Optional[torch.Tensor] = None, queries_from: int = 0,
                rows_index: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor], Optional[torch.Tensor]]:
        """Return ``(out, attn, rows)``: ``attn`` (B, heads, N, N) if ``return_attn`` else
        None; ``rows`` the probabilities of the first ``template_rows`` queries (or None), or
        with ``rows_index`` (B, k) only of those queries (B, heads, k, N).
        With ``residual``, ``out`` is ``residual + out`` (fused into the projection). With
        ``queries_from`` > 0 only the outputs of the queries from that row on are computed
        (fused path, no probabilities)."""
        B, N, C = x.shape
        qkv = nn_fast.linear(self.qkv, x).reshape(B, N, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        if queries_from:
            if return_attn or template_rows or not self.fused:
                raise ValueError("queries_from needs the fused attention without probabilities")
            out = F.scaled_dot_product_attention(q[:, :, queries_from:], k, v)
            out = out.transpose(1, 2).reshape(B, N - queries_from, C)
            return nn_fast.linear(self.proj, out, residual=residual), None, None
        attn = rows = None
        if return_attn or not self.fused:
            attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
            out = attn @ v
            if template_rows:
                rows = attn[:, :, :template_rows] if rows_index is None else \
                    attn.gather(2, _row_gather_index(rows_index, attn))
        else:
            out = F.scaled_dot_product_attention(q, k, v)
            if template_rows:
                q_rows = q[:, :, :template_rows] if rows_index is None else \
                    q.gather(2, _row_gather_index(rows_index, q))
                rows = ((q_rows @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        out = nn_fast.linear(self.proj, out.transpose(1, 2).reshape(B, N, C), residual=residual)
        return out, (attn if return_attn else None), rows


def _row_gather_index(rows_index: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``rows_index`` (B, k) as a gather index over dim 2 of ``t`` (B, heads, N, D)."""
    B, H, _, D = t.shape
    return rows_index[:, None, :, None].expand(B, H, -1, D)


def template_rows_index(template_mask: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """(B, k) indices of the True template rows of the CE mask (the same count per sample, as
    the official ``view`` requires), or None for all rows."""
    if template_mask is None:
        return None
    B = template_mask.shape[0]
    return template_mask.nonzero()[:, 1].view(B, -1)


def candidate_scores(template_rows: torch.Tensor, lens_t: int,
                     template_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """Score each search token by the attention the (masked) template queries pay to it.

    ``template_rows``: (B, heads, lens_t, lens_t + lens_s) probabilities. With a mask (B, lens_t)
    only its True rows count (CTR_POINT: the template centre); rows then heads are averaged.
    """
    attn_t = template_rows[:, :, :, lens_t:]
    if template_mask is not None:
        B, H, _, lens_s = attn_t.shape
        rows = template_mask[:, None, :, None].expand(-1, H, -1, lens_s)
        attn_t = attn_t[rows].view(B, H, -1, lens_s)
    return attn_t.mean(dim=2).mean(dim=1)


def eliminate_candidates(tokens: torch.Tensor, scores: torch.Tensor, lens_t: int,
                         keep_ratio: float, global_index: torch.Tensor
                         ) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
    """Keep the ``ceil(keep_ratio * lens_s)`` best-scored search tokens, in descending-score
    order (``torch.sort``, as the official code; ties keep the sort's order).

    Returns ``(tokens [template; kept], kept global index, removed global index or None)``.
    """
    lens_s = scores.shape[1]
    lens_keep = math.ceil(keep_ratio * lens_s)
    if lens_keep == lens_s:
        return tokens, global_index, None
    order = torch.sort(scores, dim=1, descending=True).indices
    keep, drop = order[:, :lens_keep], order[:, lens_keep:]
    B, _, C = tokens.shape
    kept = tokens[:, lens_t:].gather(1, keep.unsqueeze(-1).expand(B, -1, C))
    tokens = torch.cat([tokens[:, :lens_t], kept], dim=1)
    return tokens, global_index.gather(1, keep), global_index.gather(1, drop)


class CEBlock(nn.Module):
    """Pre-norm ViT block; with ``keep_ratio_search < 1`` it prunes search tokens between the
    attention residual and the MLP (the official CEBlock order)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0, qkv_bias: bool = True,
                 drop_path: float = 0.0, keep_ratio_search: float = 1.0, fused_attn: bool = True):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = Attention(dim, num_heads, qkv_bias=qkv_bias, fused=fused_attn)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio), act_layer=nn.GELU)
        self.keep_ratio_search = keep_ratio_search

    def effective_keep_ratio(self, override: Optional[float]) -> float:
        """The official rule: prune only if this block prunes and the override (if any) < 1."""
        if self.keep_ratio_search < 1 and (override is None or override < 1):
            return self.keep_ratio_search if override is None else override
        return 1.0

    def forward(self, x: torch.Tensor, lens_t: int, global_index_s: torch.Tensor,
                template_mask: Optional[torch.Tensor] = None, keep_rate: Optional[float] = None,
                return_attn: bool = False, search_only: bool = False,
                rows_index: Optional[torch.Tensor] = None):
        """``search_only``: return only the search rows (B, Ls, C); where this block does not
        prune and no probabilities are asked, the template rows are then not computed.
        ``rows_index``: :func:`template_rows_index` of ``template_mask`` if already known."""
        keep = self.effective_keep_ratio(keep_rate)
        # residual adds fused into the output linears unless drop-path is active (training)
        fuse = not (self.training and isinstance(self.drop_path, DropPath))
        if search_only and fuse and keep >= 1 and not return_attn and self.attn.fused:
            search = x[:, lens_t:]
            x, _, _ = self.attn(self.norm1(x), residual=search, queries_from=lens_t)
            return nn_fast.gelu_mlp(self.mlp.fc1, self.mlp.fc2, self.norm2(x), residual=x), \
                global_index_s, None, None
        if search_only:
            x, global_index_s, removed, attn = self.forward(
                x, lens_t, global_index_s, template_mask, keep_rate, return_attn,
                rows_index=rows_index)
            return x[:, lens_t:], global_index_s, removed, attn
        if keep < 1 and rows_index is None:
            rows_index = template_rows_index(template_mask)
        # only the masked template rows of the probabilities are computed (CE scores use them)
        out, attn, rows = self.attn(self.norm1(x), template_rows=lens_t if keep < 1 else 0,
                                    return_attn=return_attn, residual=x if fuse else None,
                                    rows_index=rows_index if keep < 1 else None)
        x = out if fuse else x + self.drop_path(out)
        removed = None
        if keep < 1:
            scores = candidate_scores(rows, lens_t, None)
            x, global_index_s, removed = eliminate_candidates(x, scores, lens_t, keep,
                                                              global_index_s)
        if fuse:
            return nn_fast.gelu_mlp(self.mlp.fc1, self.mlp.fc2, self.norm2(x), residual=x), \
                global_index_s, removed, attn
        x = x + self.drop_path(self.mlp(self.norm2(x)))
        return x, global_index_s, removed, attn


# ---------------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------------
class VisionTransformerCE(nn.Module):
    """ViT backbone of OSTrack: ``forward(z, x) -> ([z; x] tokens (B, Lz+Lx, D), aux)``."""

    def __init__(self, template_size: int = 128, search_size: int = 256, patch_size: int = 16,
                 embed_dim: int = 768, depth: int = 12, num_heads: int = 12,
                 mlp_ratio: float = 4.0, qkv_bias: bool = True, drop_path_rate: float = 0.0,
                 ce_loc: Sequence[int] = (), ce_keep_ratio: Sequence[float] = (),
                 pretrain_img_size: int = 224, fused_attn: bool = True):
        super().__init__()
        if len(ce_loc) != len(ce_keep_ratio):
            raise ValueError(f"ce_loc {list(ce_loc)} and ce_keep_ratio {list(ce_keep_ratio)} "
                             "must have the same length")
        for size, what in ((template_size, "template_size"), (search_size, "search_size")):
            if size % patch_size:
                raise ValueError(f"{what} {size} is not a multiple of patch_size {patch_size}")
        self.patch_size = patch_size
        self.embed_dim = embed_dim
        self.pretrain_grid = pretrain_img_size // patch_size
        self.template_grid = template_size // patch_size
        self.search_grid = search_size // patch_size
        self.ce_loc = tuple(int(i) for i in ce_loc)
        # parameters in the official state_dict order
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.pretrain_grid ** 2 + 1, embed_dim))
        self.pos_embed_z = nn.Parameter(torch.zeros(1, self.template_grid ** 2, embed_dim))
        self.pos_embed_x = nn.Parameter(torch.zeros(1, self.search_grid ** 2, embed_dim))
        self.patch_embed = PatchEmbed(img_size=None, patch_size=patch_size, in_chans=3,
                                      embed_dim=embed_dim)
        rates = [r.item() for r in torch.linspace(0, drop_path_rate, depth, device="cpu")]
        keep = {loc: float(r) for loc, r in zip(self.ce_loc, ce_keep_ratio)}
        self.blocks = nn.Sequential(*[
            CEBlock(embed_dim, num_heads, mlp_ratio, qkv_bias, drop_path=rates[i],
                    keep_ratio_search=keep.get(i, 1.0), fused_attn=fused_attn)
            for i in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=LN_EPS)
        self.init_weights()

    # -- init ----------------------------------------------------------------------------------
    def init_weights(self) -> None:
        """timm ViT init (truncated normal 0.02 for linears and ``pos_embed``), then the
        template/search position embeddings derived from ``pos_embed`` as in training."""
        trunc_normal_(self.pos_embed, std=0.02)
        trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        self.derive_track_pos_embed()

    @torch.no_grad()
    def derive_track_pos_embed(self) -> None:
        """Set ``pos_embed_z/x`` by bicubic resizing of ``pos_embed`` (no cls entry, no
        antialias): what the official ``finetune_track`` does once after the MAE load."""
        grid = self.pos_embed[:, 1:].transpose(1, 2).reshape(
            1, self.embed_dim, self.pretrain_grid, self.pretrain_grid)
        for target, n in ((self.pos_embed_z, self.template_grid), (self.pos_embed_x, self.search_grid)):
            resized = F.interpolate(grid, size=(n, n), mode="bicubic", align_corners=False)
            target.copy_(resized.flatten(2).transpose(1, 2))

    # -- forward -------------------------------------------------------------------------------
    def embed_template(self, z: torch.Tensor) -> torch.Tensor:
        """Template patch tokens with their position embedding (constant over a video)."""
        return self.patch_embed(z) + self.pos_embed_z

    def embed_search(self, x: torch.Tensor) -> torch.Tensor:
        return self.patch_embed(x) + self.pos_embed_x

    def forward(self, z: torch.Tensor, x: torch.Tensor,
                ce_template_mask: Optional[torch.Tensor] = None,
                ce_keep_rate: Optional[float] = None, return_last_attn: bool = True):
        """Joint feature extraction and relation modelling.

        Returns ``(tokens, aux)``: tokens (B, Lz + Lx, D) after the final norm with pruned
        search positions as zeros; ``aux = {'attn': last block's attention (or None),
        'removed_indexes_s': [per CE layer (B, n_removed) int64]}``.
        """
        return self.encode(self.embed_template(z), self.embed_search(x), ce_template_mask,
                           ce_keep_rate, return_last_attn)

    def encode(self, z: torch.Tensor, x: torch.Tensor,
               ce_template_mask: Optional[torch.Tensor] = None,
               ce_keep_rate: Optional[float] = None, return_last_attn: bool = True,
               search_only: bool = False):
        """:meth:`forward` from embedded tokens (B, Lz, D) and (B, Lx, D). ``search_only``
        returns only the search tokens (B, Lx, D) and skips the template rows of the last
        block (the tracker's per-frame call: the head reads only the search tokens)."""
        B, lens_z, lens_x = x.shape[0], z.shape[1], x.shape[1]
        tokens = torch.cat([z, x], dim=1)
        global_index_s = torch.arange(lens_x, device=x.device).unsqueeze(0).expand(B, -1)
        rows_index = template_rows_index(ce_template_mask) if self.ce_loc else None
        removed: List[torch.Tensor] = []
        attn = None
        last = len(self.blocks) - 1
        for i, blk in enumerate(self.blocks):
            tokens, global_index_s, removed_i, attn = blk(
                tokens, lens_z, global_index_s, ce_template_mask, ce_keep_rate,
                return_attn=return_last_attn and i == last, search_only=search_only and i == last,
                rows_index=rows_index)
            if removed_i is not None:
                removed.append(removed_i)
        tokens = self.norm(tokens)
        if search_only:
            if removed:
                search = tokens.new_zeros(B, lens_x, tokens.shape[2])
                index = global_index_s.unsqueeze(-1).expand(-1, -1, tokens.shape[2])
                tokens = search.scatter_(1, index, tokens)
            return tokens, {"attn": attn, "removed_indexes_s": removed}
        if removed:
            kept = tokens[:, lens_z:]
            search = kept.new_zeros(B, lens_x, kept.shape[2])
            search.scatter_(1, global_index_s.unsqueeze(-1).expand(-1, -1, kept.shape[2]), kept)
            tokens = torch.cat([tokens[:, :lens_z], search], dim=1)
        return tokens, {"attn": attn, "removed_indexes_s": removed}

    def extra_repr(self) -> str:
        return (f"template_grid={self.template_grid}, search_grid={self.search_grid}, "
                f"ce_loc={self.ce_loc}")
