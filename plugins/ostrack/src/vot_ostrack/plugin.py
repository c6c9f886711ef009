"""Hook implementations of vot-ostrack: import strings only (no torch at discovery time)."""
from vot_core.hookspecs import hookimpl


@hookimpl
def register_trackers(register):
    register("OSTrack", "vot_ostrack.tracker:OSTrackTracker")


@hookimpl
def register_weights(register):
    from .zoo import entries

    for entry in entries():
        register(entry.name, entry)


@hookimpl
def register_models(register):
    register("OSTrackModel", "vot_ostrack.training:OSTrackModel")
