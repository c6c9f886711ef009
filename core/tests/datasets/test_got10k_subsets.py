"""GOT-10k training subsets (``vottrain`` / ``votval``): positions in ``train/list.txt`` from
the pytracking/OSTrack list files, downloaded once with their sha256 checked, or given."""
import hashlib
import os

import pytest

from vot_core.datasets import DatasetError
from vot_core.datasets import got10k as got10k_module
from vot_core.datasets.got10k import GOT10k
from vot_core.weights import WeightsError

from .test_got10k import _seq

NAMES = [f"GOT-10k_Train_{i:06d}" for i in range(1, 7)]


@pytest.fixture
def train_root(tmp_path):
    root = tmp_path / "GOT-10k"
    for name in NAMES:
        _seq(str(root / "train"), name, 4)
    # list.txt is not sorted: positions follow list.txt, not the folder names
    order = NAMES[3:] + NAMES[:3]
    (root / "train" / "list.txt").write_text("\n".join(order) + "\n")
    return str(root), order


def test_subset_file_selects_positions_of_list_txt(train_root, tmp_path):
    root, order = train_root
    subset = tmp_path / "vot_train.txt"
    subset.write_text("4\n0\n5\n")
    ds = GOT10k(root, split="vottrain", subset_file=str(subset))
    assert ds.sequence_names() == [order[4], order[0], order[5]]
    assert len(ds[0]) == 4 and ds[order[5]].name == order[5]


def test_bad_subset_files_name_file_and_line(train_root, tmp_path):
    root, _ = train_root
    subset = tmp_path / "bad.txt"
    subset.write_text("1\n6\n")
    with pytest.raises(DatasetError, match=r"bad.txt line 2: '6' is not a position in the 6"):
        GOT10k(root, split="votval", subset_file=str(subset))
    with pytest.raises(DatasetError, match="subset file does not exist"):
        GOT10k(root, split="vottrain", subset_file=str(tmp_path / "missing.txt"))
    with pytest.raises(DatasetError, match="subset_file is for the splits"):
        GOT10k(root, split="train", subset_file=str(subset))


def test_subset_list_is_downloaded_once_and_its_sha256_checked(train_root, tmp_path, monkeypatch):
    root, order = train_root
    server = tmp_path / "server"
    server.mkdir()
    body = b"2\n3\n"
    (server / "got10k_vot_train_split.txt").write_bytes(body)
    monkeypatch.setattr(got10k_module, "_SPECS", server.as_uri() + "/")
    monkeypatch.setitem(got10k_module.SUBSETS, "vottrain",
                        ("got10k_vot_train_split.txt", hashlib.sha256(body).hexdigest()))
    ds = GOT10k(root, split="vottrain", cache=False)
    assert ds.sequence_names() == [order[2], order[3]]
    cached = os.path.join(os.environ["VOT_CACHE"], "splits", "got10k_vot_train_split.txt")
    assert open(cached, "rb").read() == body
    os.remove(server / "got10k_vot_train_split.txt")  # the cached copy is used from now on
    assert GOT10k(root, split="vottrain", cache=False).sequence_names() == [order[2], order[3]]

    (server / "got10k_vot_val_split.txt").write_bytes(b"1\n")  # not the published file
    with pytest.raises(WeightsError, match="sha256"):
        GOT10k(root, split="votval", cache=False)
    assert not os.path.exists(os.path.join(os.environ["VOT_CACHE"], "splits",
                                           "got10k_vot_val_split.txt"))

