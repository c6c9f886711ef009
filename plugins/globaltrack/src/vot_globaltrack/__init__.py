"""vot-globaltrack: GlobalTrack (AAAI 2020) for vot. Importing it is cheap; the network and
tracker live in :mod:`vot_globaltrack.qg_rcnn` and :mod:`vot_globaltrack.tracker`."""
__version__ = "0.1.0"
