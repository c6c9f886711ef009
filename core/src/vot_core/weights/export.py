"""Release a trained checkpoint: only the network's tensors, optionally in float16.

``vot train`` writes mmengine checkpoints (``state_dict``, optimiser, message hub, config).
A released file holds just the network under ``'net'`` (the key every vot plugin reads), with
floating-point tensors cast to ``dtype`` (float16 halves the size; the trackers cast back to
float32 when loading). The file is written atomically, with its sha256 returned for a zoo entry.
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Tuple

DTYPES = ("float32", "float16", "bfloat16")


def export_weights(checkpoint: os.PathLike, output: os.PathLike,
                   dtype: str = "float16") -> Tuple[Path, str, int]:
    """Write ``{'net': state_dict}`` of ``checkpoint`` to ``output``: (path, sha256, tensors)."""
    import torch

    from . import extract_state_dict, load_checkpoint
    from .download import sha256_file
    from .errors import WeightsError

    if dtype not in DTYPES:
        raise WeightsError(f"export dtype must be one of {DTYPES}, got {dtype!r}")
    state = extract_state_dict(load_checkpoint(checkpoint), keys=("state_dict", "net", "model"))
    target = getattr(torch, dtype)
    net = {k: (v.to(target) if v.is_floating_point() else v).clone()
           for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not net:
        raise WeightsError(f"{checkpoint}: no tensors to export")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=output.name + ".", suffix=".part", dir=output.parent)
    os.close(fd)
    try:
        buffer = io.BytesIO()  # a file-like target: the archive's inner names do not vary
        torch.save({"net": net}, buffer)
        with open(tmp, "wb") as f:
            f.write(buffer.getvalue())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a release file is world-readable
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return output, sha256_file(output), len(net)
