"""Build the fastdiv extensions.

* OpenMP is used where the compiler has it: a tiny program is compiled,
  linked and run with the compiler's OpenMP flag; if that fails the package
  is built serially with one warning.  ``FASTDIV_NO_OPENMP=1`` forces the
  serial build.
* Flags: ``-O3 -fno-math-errno -fno-trapping-math`` (safe: NaN and infinity
  semantics are kept; never ``-ffast-math``) and no ``-march``: the kernels
  carry their own AVX2/AVX-512 variants chosen at run time (src/fd_kernels.h),
  so one build runs on any x86-64.
* Cython directives live here, once.  ``FASTDIV_DEBUG=1`` turns bounds and
  wraparound checks back on.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("FASTDIV_DEBUG", "") == "1"
NO_OPENMP = os.environ.get("FASTDIV_NO_OPENMP", "") == "1"

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}

OPENMP_PROBE = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    printf("%d\n", n > 0);
    return n > 0 ? 0 : 1;
}
"""


def openmp_flags(compiler):
    """(compile_args, link_args) that give working OpenMP, or None."""
    if compiler.compiler_type == "msvc":
        candidates = [(["/openmp"], [])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"]), (["-Xpreprocessor", "-fopenmp"], ["-lomp"])]
    tmp = tempfile.mkdtemp(prefix="fastdiv-omp-")
    try:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(OPENMP_PROBE)
        for cflags, lflags in candidates:
            try:
                objs = compiler.compile([src], output_dir=tmp, extra_postargs=cflags)
                exe = os.path.join(tmp, "probe")
                compiler.link_executable(objs, exe, extra_postargs=lflags)
                out = subprocess.run([exe], capture_output=True, text=True, timeout=60)
                if out.returncode == 0 and out.stdout.strip() == "1":
                    return cflags, lflags
            except Exception:  # noqa: BLE001 - any failure of the probe means no OpenMP
                continue
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class BuildExt(build_ext):
    def build_extensions(self):
        ctype = self.compiler.compiler_type
        if ctype == "msvc":
            cflags = ["/O2"]
        else:
            cflags = [
                "-O3",
                "-fno-math-errno",
                "-fno-trapping-math",
                "-Wno-unused-function",
                "-Wno-unreachable-code",
            ]
        omp = None if NO_OPENMP else openmp_flags(self.compiler)
        if omp is None:
            reason = "FASTDIV_NO_OPENMP=1" if NO_OPENMP else "the compiler has no working OpenMP"
            warnings.warn(
                f"fastdiv: building without OpenMP ({reason}); kernels run on one thread.",
                stacklevel=1,  # the default, made explicit: the warning is about the build
            )
            print(f"fastdiv: building WITHOUT OpenMP ({reason})", file=sys.stderr)
            ocflags, olflags = [], []
        else:
            ocflags, olflags = omp
        if DEBUG and ctype != "msvc":
            cflags = ["-O0", "-g"] + cflags[1:]
        for ext in self.extensions:
            ext.extra_compile_args = cflags + ocflags + list(ext.extra_compile_args)
            ext.extra_link_args = olflags + list(ext.extra_link_args)
        # translate .pyx -> .c here, not at import of setup.py, so that the
        # sdist sees the .pyx sources and the C goes to the build directory
        # (cythonize returns plain distutils Extensions: keep setuptools' own
        # objects and take only their translated sources)
        translated = cythonize(
            self.extensions,
            compiler_directives=DIRECTIVES,
            include_path=["src"],
            build_dir=os.path.join(self.build_temp, "cython"),
            quiet=True,
        )
        for ext, done in zip(self.extensions, translated):
            ext.sources = done.sources
        super().build_extensions()


extensions = [
    Extension(
        "fastdiv._divergence",
        ["src/_divergence.pyx"],
        include_dirs=["src", np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        depends=[
            "src/fd_kernels.h",
            "src/fd_block_t.h",
            "src/fd_math.h",
            "src/_kernels.pxd",
            "src/_openmp.pxd",
        ],
    ),
]

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt})
