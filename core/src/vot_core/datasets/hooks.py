"""Core's dataset loaders as hook implementations (import strings only: nothing heavy loads
until a dataset is built)."""
from ..hookspecs import hookimpl

#: registered name -> loader class
DATASETS = {
    "lasot": "vot_core.datasets.lasot:LaSOT",
    "got10k": "vot_core.datasets.got10k:GOT10k",
    "trackingnet": "vot_core.datasets.trackingnet:TrackingNet",
    "otb": "vot_core.datasets.otb:OTB",
    "uav123": "vot_core.datasets.uav123:UAV123",
    "tnl2k": "vot_core.datasets.tnl2k:TNL2K",
    "vot": "vot_core.datasets.vot:VOT",
    "tlp": "vot_core.datasets.tlp:TLP",
    "coco": "vot_core.datasets.coco:COCO",
    "imagenet_vid": "vot_core.datasets.imagenet_vid:ImageNetVID",
    "imagenet_det": "vot_core.datasets.imagenet_det:ImageNetDET",
    "youtube_vos": "vot_core.datasets.youtube_vos:YouTubeVOS",
    "saliency": "vot_core.datasets.saliency:Saliency",
    "synthetic": "vot_core.datasets.synthetic:SyntheticDataset",
}


@hookimpl
def register_datasets(register):
    for name, target in DATASETS.items():
        register(name, target)
