"""Hook implementations of vot-globaltrack: import strings only (no torch at discovery time)."""
from vot_core.hookspecs import hookimpl


@hookimpl
def register_trackers(register):
    register("GlobalTrack", "vot_globaltrack.tracker:GlobalTrackTracker")


@hookimpl
def register_weights(register):
    from .zoo import entries

    for entry in entries():
        register(entry.name, entry)


@hookimpl
def register_models(register):
    register("QGRCNNModel", "vot_globaltrack.training:QGRCNNModel")
