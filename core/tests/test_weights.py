"""vot_core.weights: safe reading of pickled training objects (zip and legacy formats), downloads
with cache, sha256 and partial-transfer checks, zoo names, and strict loading messages."""
from __future__ import annotations

import collections
import dataclasses
import hashlib
import http.server
import os
import pickle
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest
import torch
from torch import nn

from vot_core.registry import WEIGHTS
from vot_core.weights import (
    PickledObject,
    WeightsEntry,
    WeightsError,
    extract_state_dict,
    load_checkpoint,
    load_state_dict_strict,
    load_weights,
    resolve_weights,
    sha256_file,
)

# ---------------------------------------------------------------- helpers

def fake_class(module: str, name: str):
    """A class whose pickle names ``module.name`` (e.g. OSTrack's ``lib.train.admin.settings``);
    the modules exist only while the checkpoint is written."""
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    cls = type(name, (), {"__module__": module})
    setattr(sys.modules[module], name, cls)
    return cls


def forget_modules(*roots):
    for key in [k for k in sys.modules if k.split(".")[0] in roots]:
        del sys.modules[key]


class RunsCode:
    """A pickle that asks to run code on load (the classic ``__reduce__`` attack)."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def training_checkpoint(marker: Path):
    """OSTrack/Alpha-Refine-like container: state_dict plus pickled training objects, plus
    three payloads that would create ``marker`` if any code ran."""
    settings_cls = fake_class("lib.train.admin.settings", "Settings")
    constructor_cls = fake_class("ltr.admin.model_constructor", "NetConstructor")
    settings = settings_cls()
    settings.env = "workspace"
    settings.lr = 4e-4
    constructor = constructor_cls()
    constructor.fun_name = "SEcm_resnet34"
    constructor.kwds = {"used_layers": ["layer3"], "pool_size": 8}
    state = collections.OrderedDict(weight=torch.randn(4, 3), bias=torch.arange(4.0),
                                    num_batches_tracked=torch.tensor(7))
    payloads = [RunsCode(os.system, f"touch {marker}"),
                RunsCode(subprocess.call, ["touch", str(marker)]),
                RunsCode(eval, f"open({str(marker)!r}, 'w')")]
    ckpt = {"epoch": 300, "net": state, "settings": settings, "constructor": constructor,
            "payloads": payloads, "optimizer": {"state": {}, "param_groups": [{"lr": 1e-4}]}}
    return ckpt, state


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VOT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("VOT_OFFLINE", raising=False)
    return tmp_path / "cache" / "weights"


# ---------------------------------------------------------------- restricted unpickler

@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_training_objects_load_inertly_and_no_code_runs(tmp_path, legacy):
    marker = tmp_path / "pwned"
    ckpt, state = training_checkpoint(marker)
    path = tmp_path / "ckpt.pth.tar"
    try:
        torch.save(ckpt, path, _use_new_zipfile_serialization=not legacy)
    finally:
        forget_modules("lib", "ltr")
    with pytest.raises(pickle.UnpicklingError):  # plain weights_only refuses it (torch >= 2.6)
        torch.load(path, map_location="cpu", weights_only=True)
    out = load_checkpoint(path)
    assert not marker.exists()
    assert out["epoch"] == 300 and isinstance(out["net"], collections.OrderedDict)
    for key, value in state.items():
        assert torch.equal(out["net"][key], value) and out["net"][key].dtype == value.dtype
    assert isinstance(out["settings"], PickledObject)
    assert out["settings"].pickled_class == "lib.train.admin.settings.Settings"
    assert out["settings"].state == {"env": "workspace", "lr": 4e-4}
    assert out["constructor"].state["fun_name"] == "SEcm_resnet34"
    called = [p.pickled_class for p in out["payloads"]]
    assert called == ["posix.system" if os.name == "posix" else "nt.system", "subprocess.call", "builtins.eval"]
    assert out["payloads"][0].args == (f"touch {marker}",)
    assert list(extract_state_dict(out)) == ["weight", "bias", "num_batches_tracked"]


def test_cuda_tagged_checkpoint_loads_on_cpu(tmp_path, monkeypatch):
    """Released OSTrack/Alpha-Refine files were saved on cuda:0; map_location brings them home."""
    path = tmp_path / "cuda.pth"
    state = {"w": torch.randn(2, 2)}
    with monkeypatch.context() as m:
        m.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        torch.save({"net": state}, path)
    out = load_checkpoint(path)
    assert out["net"]["w"].device.type == "cpu" and torch.equal(out["net"]["w"], state["w"])


def test_corrupt_file_gives_clear_error(tmp_path):
    path = tmp_path / "broken.pth"
    path.write_bytes(b"this is not a checkpoint")
    with pytest.raises(WeightsError, match="cannot read checkpoint"):
        load_checkpoint(path)


# ---------------------------------------------------------------- containers and strict loading

def test_extract_state_dict_containers():
    sd = {"a.weight": torch.zeros(2), "b.bias": torch.ones(1)}
    assert extract_state_dict({"net": sd, "epoch": 3}) == sd  # OSTrack / pytracking
    assert extract_state_dict({"meta": {"epoch": 1}, "state_dict": sd}) == sd  # mmdetection
    assert extract_state_dict({"model": sd}) == sd  # MAE / timm
    assert extract_state_dict(sd) == sd  # flat (SimTrack)
    stripped = extract_state_dict({"state_dict": {"module." + k: v for k, v in sd.items()}})
    assert list(stripped) == list(sd)
    with pytest.raises(WeightsError, match="top level holds"):
        extract_state_dict({"epoch": 3, "net": None})


def small_net():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(4, 2))


def test_load_state_dict_strict_lists_missing_unexpected_and_shapes():
    net = small_net()
    sd = small_net().state_dict()
    load_state_dict_strict(net, sd)
    assert torch.equal(net[0].weight, sd["0.weight"])
    bad = dict(sd)
    del bad["1.running_var"], bad["1.num_batches_tracked"]
    bad["head.extra"] = torch.zeros(1)
    bad["2.weight"] = torch.zeros(3, 4)
    with pytest.raises(WeightsError) as err:
        load_state_dict_strict(net, bad, source="ostrack-384.pth")
    msg = str(err.value)
    assert "ostrack-384.pth" in msg
    assert "2 missing: 1.running_var, 1.num_batches_tracked" in msg
    assert "1 unexpected: head.extra" in msg
    assert "1 wrong shape: 2.weight (checkpoint (3, 4), model (2, 4))" in msg
    many = {f"x{i}": torch.zeros(1) for i in range(9)}
    with pytest.raises(WeightsError, match=r"9 unexpected: x0, x1, x2, x3, x4, \.\.\. \(4 more\)"):
        load_state_dict_strict(nn.Identity(), many)


def test_load_weights_with_converter(tmp_path):
    net = small_net()
    sd = small_net().state_dict()
    path = tmp_path / "renamed.pth"
    torch.save({"net": {"renamed." + k: v for k, v in sd.items()}}, path)
    with pytest.raises(WeightsError, match="missing"):
        load_weights(net, path)
    load_weights(net, path, converter=lambda s: {k[len("renamed."):]: v for k, v in s.items()})
    assert torch.equal(net[2].weight, sd["2.weight"])


# ---------------------------------------------------------------- downloads and the cache

def write_checkpoint(path: Path):
    state = {"w": torch.arange(6.0).reshape(2, 3)}
    torch.save({"net": state}, path)
    return state, hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_url_download_is_cached_and_hash_checked(tmp_path, cache):
    src = tmp_path / "release" / "model_ep0300.pth.tar"
    src.parent.mkdir()
    state, digest = write_checkpoint(src)
    out = load_checkpoint(src.as_uri())
    assert torch.equal(out["net"]["w"], state["w"])
    cached = cache / "model_ep0300.pth.tar"
    assert cached.is_file() and sha256_file(cached) == digest
    src.unlink()  # second use comes from the cache
    assert resolve_weights(src.as_uri()) == cached


def test_sha256_mismatch_leaves_no_cached_file(tmp_path, cache, monkeypatch):
    src = tmp_path / "m.pth"
    write_checkpoint(src)
    entry = WeightsEntry("test/sha-mismatch", src.as_uri(), sha256="0" * 64, repo="github.com/x/y")
    WEIGHTS.add(entry.name, entry, origin="test")
    try:
        with pytest.raises(WeightsError, match="expected 0000") as err:
            load_checkpoint(entry.name)
        assert str(cache / "m.pth") in str(err.value)
    finally:
        WEIGHTS.remove(entry.name)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_zoo_name_downloads_with_prefix_hash(tmp_path, cache):
    src = tmp_path / "zoo.pth"
    state, digest = write_checkpoint(src)
    entry = WeightsEntry("test/zoo-ok", src.as_uri(), sha256=digest[:10], filename="renamed.pth",
                         paper="Paper", repo="github.com/x/y", config="x/y", input_size=(128, 256))
    WEIGHTS.add(entry.name, entry, origin="test")
    try:
        out = load_checkpoint(entry.name)
        assert torch.equal(out["net"]["w"], state["w"])
        assert (cache / "renamed.pth").is_file()
    finally:
        WEIGHTS.remove(entry.name)


def test_drive_entry_and_unknown_name_say_what_to_do(cache, monkeypatch):
    entry = WeightsEntry("test/drive", "https://drive.google.com/file/d/abc/view", filename="OSTrack_ep0300.pth.tar")
    WEIGHTS.add(entry.name, entry, origin="test")
    try:
        with pytest.raises(WeightsError, match="cannot be downloaded automatically") as err:
            load_checkpoint(entry.name)
        assert str(cache / "OSTrack_ep0300.pth.tar") in str(err.value)
        assert "drive.google.com" in str(err.value)
    finally:
        WEIGHTS.remove(entry.name)
    with pytest.raises(WeightsError, match="not found: no such file .*not a URL or a registered zoo name"):
        load_checkpoint("no-such-weights-name")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_and_offline_errors_name_the_cache_path(cache, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}/ostrack.pth"  # nothing listens there
    with pytest.raises(WeightsError, match="could not download") as err:
        resolve_weights(url)
    assert f"put it at {cache / 'ostrack.pth'}" in str(err.value)
    monkeypatch.setenv("VOT_OFFLINE", "1")
    with pytest.raises(WeightsError, match="VOT_OFFLINE"):
        resolve_weights(url)


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    claim = 0  # Content-Length sent (more than the body for a cut transfer)

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(self.claim))
        self.end_headers()
        self.wfile.write(self.body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_http_download_and_partial_transfer(tmp_path, cache, http_server):
    src = tmp_path / "full.pth"
    state, digest = write_checkpoint(src)
    data = src.read_bytes()
    port = http_server.server_address[1]
    _Handler.body, _Handler.claim = data, len(data)
    out = load_checkpoint(f"http://127.0.0.1:{port}/full.pth")
    assert torch.equal(out["net"]["w"], state["w"]) and sha256_file(cache / "full.pth") == digest
    _Handler.body, _Handler.claim = data[: len(data) // 2], len(data)
    with pytest.raises(WeightsError, match="could not download|stopped after"):
        resolve_weights(f"http://127.0.0.1:{port}/cut.pth")
    assert sorted(p.name for p in cache.iterdir()) == ["full.pth"]  # no partial file left


# ---------------------------------------------------------------- zoo entries

def test_weights_entry_is_frozen_with_defaults():
    e = WeightsEntry("ostrack/vitb_256", "https://example.org/files/OSTrack_ep0300.pth.tar?dl=1")
    assert e.file_name == "OSTrack_ep0300.pth.tar" and e.direct_download
    assert e.mean == (0.485, 0.456, 0.406) and e.converter is None
    assert WeightsEntry("a/b", "https://example.org/").file_name == "a_b.pth"
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.url = "x"


def test_safetensors_file(tmp_path):
    from safetensors.torch import save_file
    state = {"a.weight": torch.randn(3, 2), "a.bias": torch.zeros(3)}
    save_file(state, str(tmp_path / "m.safetensors"))
    out = extract_state_dict(load_checkpoint(tmp_path / "m.safetensors"))
    assert out.keys() == state.keys() and all(torch.equal(out[k], state[k]) for k in state)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_torchscript_archive_is_not_run(tmp_path):
    scripted = torch.jit.script(nn.Linear(2, 2))
    path = tmp_path / "scripted.pt"
    scripted.save(str(path))
    with pytest.raises(WeightsError, match="TorchScript archive"):
        load_checkpoint(path)
