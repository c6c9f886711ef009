"""nox sessions for the vot monorepo.

Environments reuse the interpreter's torch (5.5 GB per copy) through
``--system-site-packages``; the dev pins are installed there once (see README).

    nox -s tests            # every package installed editable, every test suite
    nox -s isolated         # one session per package: build its wheel, install, run its tests
    nox -s template         # render the plugin template, install it, check discovery + a pipeline
    nox -s ops_cuda         # compile the CUDA kernels (they cannot run without a GPU)
    nox -s lint demo bench
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PINS = ["torch==2.14.1", "torchvision==0.29.1"]
TOOLS = ["timm", "pluggy", "mmengine", "opencv-python", "numpy", "pytest", "pybind11", "tqdm",
         "matplotlib", "ninja"]  # ninja: parallel, incremental builds of the vot-ops kernels
PLUGINS = ["ostrack", "simtrack", "alpharefine", "globaltrack", "dmtrack"]
PACKAGES = {"core": "./core", "ops": "./ops", **{p: f"./plugins/{p}" for p in PLUGINS}}
VENV = dict(venv_params=["--system-site-packages"], reuse_venv=True)

nox.options.sessions = ["tests"]


def _install_base(session: nox.Session) -> None:
    session.install(*PINS, *TOOLS)


def _install_ops(session: nox.Session, editable: bool = True) -> None:
    # the extension builds against the torch already installed: no build isolation
    args = ["-e", "./ops"] if editable else ["./ops"]
    session.install("--no-build-isolation", "--no-deps", *args)


def _test_dirs() -> list:
    return [f"{path}/tests" for path in PACKAGES.values() if (ROOT / path / "tests").is_dir()]


@nox.session(**VENV)
def tests(session: nox.Session) -> None:
    """All packages installed editable, all test suites, plugins loaded strictly."""
    _install_base(session)
    _install_ops(session)
    for path in ["./core"] + [f"./plugins/{p}" for p in PLUGINS]:
        session.install("--no-deps", "-e", path)
    env = {"VOT_STRICT_PLUGINS": "1", "MPLBACKEND": "Agg",
           "VOT_CACHE": str(Path(session.create_tmp()) / "cache")}
    session.run("python", "-m", "pytest", *_test_dirs(), *session.posargs, env=env)


@nox.session(**VENV)
@nox.parametrize("package", list(PACKAGES))
def isolated(session: nox.Session, package: str) -> None:
    """Build one package's wheel, install it (with vot-core/vot-ops wheels it needs), test it."""
    _install_base(session)
    path = PACKAGES[package]
    wheels = Path(session.create_tmp()) / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    needed = ["core"] if package != "ops" else []
    if package in ("ops", "globaltrack", "dmtrack", "alpharefine"):
        needed.append("ops")
    for name in dict.fromkeys(needed + [package]):
        extra = ["--no-build-isolation"] if name == "ops" else []
        session.run("pip", "wheel", "--no-deps", *extra, "-w", str(wheels), PACKAGES[name])
    session.install("--no-deps", "--force-reinstall", *map(str, wheels.glob("*.whl")))
    env = {"VOT_PLUGINS": f"core,{package}", "MPLBACKEND": "Agg"}
    # run from a temporary folder so the tests import the installed wheel, not the source tree
    with session.chdir(session.create_tmp()):
        session.run("python", "-m", "pytest", str(ROOT / path / "tests"), "-q", env=env)


@nox.session(**VENV)
def template(session: nox.Session) -> None:
    """A third party's plugin: render the template outside the tree, install, discover, run."""
    _install_base(session)
    session.install("--no-deps", "-e", "./core", "-e", "./plugins/alpharefine")
    out = Path(session.create_tmp()) / "third-party"
    shutil.rmtree(out, ignore_errors=True)
    session.run("vot", "new-plugin", "demo_camshift", "--output", str(out))
    session.install("--no-deps", str(out / "vot-demo_camshift"))
    session.run("python", "-m", "vot_core.cli", "plugins", "--json")
    session.run("python", str(ROOT / "core" / "tests" / "helpers" / "check_template_plugin.py"),
                "demo_camshift")
    session.run("python", "-m", "pytest", str(out / "vot-demo_camshift" / "tests"), "-q")


@nox.session(**VENV)
def ops_cuda(session: nox.Session) -> None:
    """Compile the CUDA kernels with nvcc (one architecture); they cannot run without a GPU."""
    _install_base(session)
    cuda_home = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
    if not Path(cuda_home, "bin", "nvcc").exists():
        session.error(f"nvcc not found under CUDA_HOME={cuda_home}; set CUDA_HOME to the toolkit")
    env = {"CUDA_HOME": cuda_home, "VOT_OPS_CUDA": "1",
           "TORCH_CUDA_ARCH_LIST": os.environ.get("TORCH_CUDA_ARCH_LIST", "8.0"),
           "MAX_JOBS": "2"}
    build = Path(session.create_tmp()).resolve() / "cuda-build"
    with session.chdir("ops"):
        session.run("python", "setup.py", "build_ext", "--build-temp", str(build / "tmp"),
                    "--build-lib", str(build / "lib"), env=env)
    built = sorted((build / "lib").rglob("_C*.so"))
    if not built:
        session.error("the CUDA build produced no extension module")
    # the library links against the CUDA runtime and registers its CPU and CUDA kernels
    session.run("python", "-c", "import sys, torch; torch.ops.load_library(sys.argv[1]); "
                "print('loaded', sys.argv[1], torch.ops.vot_ops.roi_align.default)", str(built[0]))


@nox.session(**VENV)
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "core", "ops", "plugins", "bench", "noxfile.py")


@nox.session(**VENV)
def demo(session: nox.Session) -> None:
    _install_base(session)
    session.install("--no-deps", "-e", "./core", "-e", "./plugins/ostrack", "-e", "./plugins/alpharefine")
    session.run("vot", "demo", "--output", str(Path(session.create_tmp()) / "demo"))


@nox.session(**VENV)
def bench(session: nox.Session) -> None:
    _install_base(session)
    _install_ops(session)
    for path in ["./core"] + [f"./plugins/{p}" for p in PLUGINS]:
        session.install("--no-deps", "-e", path)
    for script in sorted((ROOT / "bench").glob("*.py")):
        session.run("python", str(script), *session.posargs)
