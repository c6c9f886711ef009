"""Hook implementations of vot-dmtrack: import strings only (no torch at discovery time)."""
from vot_core.hookspecs import hookimpl


@hookimpl
def register_trackers(register):
    register("DMTrack", "vot_dmtrack.tracker:DMTrackTracker")


@hookimpl
def register_weights(register):
    from .zoo import entries

    for entry in entries():
        register(entry.name, entry)


@hookimpl
def register_models(register):
    register("DMTrackModel", "vot_dmtrack.training:DMTrackModel")
