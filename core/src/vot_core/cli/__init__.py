"""The ``vot`` command line: one entry point, one module per subcommand.

A subcommand module defines ``add_parser(subparsers) -> argparse.ArgumentParser`` and
``run(args) -> int``, imports nothing heavy at module level (``vot --help`` imports every
subcommand module and must not import torch), and is listed in :data:`COMMANDS`.

Errors a user can fix (a missing file, a bad box, an unknown config, a broken plugin) are printed
as one line ``vot <command>: error: ...`` with exit code 2; ``--traceback`` shows the traceback.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from typing import List, Optional
from typing import Sequence as Seq

#: Subcommand modules, in the order ``vot --help`` lists them. Add new ones here.
COMMANDS = (
    "vot_core.cli.track",
    "vot_core.cli.demo",
    "vot_core.cli.eval",
    "vot_core.cli.analyze",
    "vot_core.cli.train",
    "vot_core.cli.export",
    "vot_core.cli.plugins",
    "vot_core.cli.new_plugin",
)

EXIT_USAGE = 2


def _version() -> str:
    from .. import __version__
    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vot", description="vot: modular single-object visual tracking.",
        epilog="Run 'vot COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"vot (vot-core) {_version()}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full traceback of an error instead of one line")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for target in COMMANDS:
        module = importlib.import_module(target)
        before = set(subparsers.choices)
        sub = module.add_parser(subparsers)
        names = [n for n in subparsers.choices if n not in before]
        sub.set_defaults(run=module.run, command=names[0] if names else target.rsplit(".", 1)[-1])
    return parser


def _command_names(parser: argparse.ArgumentParser) -> List[str]:
    for action in parser._actions:  # argparse offers no public accessor
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _first_positional(argv: Seq[str]) -> Optional[str]:
    for token in argv:
        if token == "--":
            return None
        if not token.startswith("-"):
            return token
    return None


def user_error_types() -> tuple:
    """Exception types reported as one line: bad input, not bugs.

    Built from modules already imported, so that catching them imports nothing heavy.
    """
    types = [ValueError, OSError, ImportError]
    for module_name, attr in (("vot_core.plugins", "PluginError"),
                              ("vot_core.weights", "WeightsError"),
                              ("vot_core.config", "ConfigError")):
        module = sys.modules.get(module_name)
        cls = getattr(module, attr, None) if module is not None else None
        if isinstance(cls, type):
            types.append(cls)
    return tuple(types)


def describe_error(exc: BaseException) -> str:
    """One line (or a few) saying what went wrong, without a traceback."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ImportError,)) or type(exc) in (OSError,):
        text = f"{type(exc).__name__}: {text}"
    return text


def broken_plugin_notes() -> List[str]:
    """``note:`` lines for plugins that failed to load (only if discovery already ran)."""
    module = sys.modules.get("vot_core.plugins")
    manager = getattr(module, "_MANAGER", None) if module is not None else None
    if manager is None:
        return []
    return [f"note: plugin '{info.name}' ({info.distribution or '?'} {info.version or ''}) "
            f"failed to load and was skipped: {info.error}"
            for info in manager.infos.values() if info.error]


def main(argv: Optional[Seq[str]] = None) -> int:
    """Run ``vot`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = _command_names(parser)
    word = _first_positional(argv)
    if word is not None and word not in commands:
        close = difflib.get_close_matches(word, commands, n=2)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        print(f"vot: error: unknown command '{word}'.{hint} Commands: {', '.join(commands)}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error (argparse printed it)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print(f"vot {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - sorted into user errors and bugs below
        if args.traceback or not isinstance(exc, user_error_types()):
            raise
        print(f"vot {args.command}: error: {describe_error(exc)}", file=sys.stderr)
        for note in broken_plugin_notes():
            print(note, file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
