"""Hook specifications of the `vot` plugin project.

Every hook receives a ``register`` callback instead of returning a list, so the specs can grow
without breaking plugins. ``register(name, factory)`` takes a class, a callable or an import
string ``"package.module:Attribute"`` (imported only when first built, so registration is cheap).
"""
import pluggy

hookspec = pluggy.HookspecMarker("vot")
hookimpl = pluggy.HookimplMarker("vot")


@hookspec
def register_backbones(register):
    """Register feature extractors (``nn.Module`` factories) by name.

    :param register: ``register(name, factory)``; the factory builds the backbone from keyword
        arguments of a config's ``backbone=dict(type=name, ...)``.
    """


@hookspec
def register_trackers(register):
    """Register trackers (classes following :class:`vot_core.tracker.Tracker`) by type name.

    :param register: ``register(name, factory)``; ``name`` is what configs use as ``type=``.
    """


@hookspec
def register_refiners(register):
    """Register refiners (classes following :class:`vot_core.tracker.Refiner`) by type name.

    :param register: ``register(name, factory)``; ``name`` is what configs use as ``type=``.
    """


@hookspec
def register_datasets(register):
    """Register dataset loaders by name (e.g. ``lasot``, ``got10k``).

    :param register: ``register(name, factory)``; the factory takes ``root`` and options and
        returns an object yielding :class:`vot_core.structures.Sequence`.
    """


@hookspec
def register_weights(register):
    """Register model-zoo entries (:class:`vot_core.weights.WeightsEntry`) by name.

    :param register: ``register(name, entry)``; ``entry`` holds the download address, sha256,
        the paper and origin repository, and an optional converter.
    """


@hookspec
def register_models(register):
    """Register trainable models (mmengine ``BaseModel`` factories) for the training engine.

    :param register: ``register(name, factory)``; used by ``model=dict(type=name, ...)``.
    """
