"""Build script of vot-ops: compiles the C++ CPU kernels, and the CUDA kernels when
``VOT_OPS_CUDA=1`` or a GPU is visible (``VOT_OPS_CUDA=0`` forces a CPU-only build).

Metadata lives in pyproject.toml; this file only declares the extension ``vot_ops._C``.
"""
from __future__ import annotations

import os
import shutil
import sys
from glob import glob
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
CSRC = "csrc"


def _explain(message: str) -> None:
    bar = "=" * 78
    sys.stderr.write(f"\n{bar}\nvot-ops build: {message}\n{bar}\n\n")


def _want_cuda(torch) -> bool:
    flag = os.environ.get("VOT_OPS_CUDA", "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return False
    if flag in ("1", "true", "yes", "on"):
        return True
    return bool(torch.cuda.is_available())


def _check_compilers(cuda: bool) -> None:
    cxx = os.environ.get("CXX", "c++")
    if shutil.which(cxx) is None and shutil.which("g++") is None and shutil.which("clang++") is None:
        _explain(
            f"no C++ compiler found (looked for '{cxx}', g++, clang++).\n"
            "Install one (Debian/Ubuntu: `apt-get install g++`; macOS: `xcode-select --install`;\n"
            "Windows: Visual Studio Build Tools), or use vot-ops without compiling:\n"
            "the pure-PyTorch reference kernels are used automatically (slower)."
        )
        raise SystemExit(1)
    if cuda:
        from torch.utils.cpp_extension import CUDA_HOME

        if CUDA_HOME is None or not Path(CUDA_HOME, "bin", "nvcc").exists():
            _explain(
                "VOT_OPS_CUDA=1 but no CUDA toolkit (nvcc) was found.\n"
                "Set CUDA_HOME to the toolkit that matches torch.version.cuda "
                "(e.g. CUDA_HOME=/usr/local/cuda-13.0),\nor build the CPU kernels only with VOT_OPS_CUDA=0."
            )
            raise SystemExit(1)


def _extensions():
    try:
        import torch
        from torch.utils.cpp_extension import BuildExtension, CppExtension, CUDAExtension
    except ImportError:
        _explain(
            "PyTorch must be installed before vot-ops is built "
            "(pip install torch; then pip install --no-build-isolation ./ops)."
        )
        raise
    cuda = _want_cuda(torch)
    _check_compilers(cuda)
    sources = sorted(glob(f"{CSRC}/*.cpp")) + sorted(glob(f"{CSRC}/cpu/*.cpp"))
    # torch.utils.cpp_extension adds the C++ standard torch needs (C++20 for torch >= 2.10)
    cxx_flags = ["-O3"] if os.name != "nt" else ["/O2"]
    macros = []
    if cuda:
        sources += sorted(glob(f"{CSRC}/cuda/*.cu"))
        macros.append(("VOT_OPS_WITH_CUDA", None))
        ext = CUDAExtension(
            "vot_ops._C",
            sources,
            include_dirs=[str(HERE / CSRC)],
            define_macros=macros,
            extra_compile_args={"cxx": cxx_flags, "nvcc": ["-O3", "--expt-relaxed-constexpr"]},
        )
    else:
        ext = CppExtension(
            "vot_ops._C",
            sources,
            include_dirs=[str(HERE / CSRC)],
            extra_compile_args={"cxx": cxx_flags},
        )
    print(f"vot-ops: building {'CPU + CUDA' if cuda else 'CPU'} kernels ({len(sources)} files)")
    base = BuildExtension.with_options(use_ninja=shutil.which("ninja") is not None)

    class BuildExt(base):
        """Keeps object files in ops/build/ also for editable installs (which otherwise build in
        a fresh temporary folder), so ninja recompiles only the changed files."""

        def run(self):
            if getattr(self, "editable_mode", False) or self.inplace:
                tag = "cuda" if cuda else "cpu"
                self.build_temp = str(HERE / "build" / f"temp-{tag}-py{sys.version_info[0]}{sys.version_info[1]}")
            super().run()

    return [ext], {"build_ext": BuildExt}


ext_modules, cmdclass = _extensions()
setup(ext_modules=ext_modules, cmdclass=cmdclass)
