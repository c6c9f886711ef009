"""Hook implementations of vot-alpharefine: import strings only (no torch at discovery)."""
from vot_core.hookspecs import hookimpl


@hookimpl
def register_refiners(register):
    register("AlphaRefine", "vot_alpharefine.refiner:AlphaRefine")


@hookimpl
def register_weights(register):
    from .zoo import ENTRIES

    for entry in ENTRIES:
        register(entry.name, entry)


@hookimpl
def register_models(register):
    register("AlphaRefineModel", "vot_alpharefine.training:AlphaRefineModel")
