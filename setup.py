"""Build the fastdiv extensions.

* OpenMP is used where the compiler has it: a tiny program is compiled,
  linked and run with the compiler's OpenMP flag; if that fails the package
  is built serially with one warning.  ``FASTDIV_NO_OPENMP=1`` forces the
  serial build.
* Flags: ``-O3 -fno-math-errno -fno-trapping-math`` (safe: NaN and infinity
  semantics are kept; never ``-ffast-math``) and no ``-march``: the kernels
  carry their own AVX2/AVX-512 variants chosen at run time (src/fd_core.c),
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
from setuptools.command.build_clib import build_clib
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


# Extensions whose distances must not depend on the instruction set: no
# product fused into a sum (GCC fuses by default where FMA exists, which the
# AVX2 and AVX-512 forms of fastdiv._knn's search have; their distances must
# equal the scalar form's that its counts compare them with).  MSVC does not
# fuse by default.
EXACT = {"fastdiv._knn"}
EXACT_PRODUCTS = ["-ffp-contract=off"]


def c_flags(compiler):
    """Optimization flags for the C of the core and of the extensions."""
    if compiler.compiler_type == "msvc":
        return ["/O2"]
    opt = ["-O1", "-g"] if DEBUG else ["-O3"]
    return opt + [
        "-fno-math-errno",
        "-fno-trapping-math",
        "-Wno-unused-function",
        "-Wno-unreachable-code",
    ]


# The C core (src/fd_core.h): compiled once into a static library that every
# extension links.  Its headers are listed so that editing one rebuilds it.
CORE_HEADERS = [
    "src/fd_core.h",
    "src/fd_math.h",
    "src/fd_wide.h",
    "src/fd_kernels_isa.h",
    "src/fd_kernels.template.c",
    "src/fd_knn.h",
    "src/fd_knn_lanes.h",
]
CORE = (
    "fastdiv_core",
    {
        "sources": ["src/fd_core.c", "src/fd_measures.c", "src/fd_emi.c"],
        "include_dirs": ["src"],
        "obj_deps": {"": CORE_HEADERS},
    },
)


class BuildClib(build_clib):
    def build_libraries(self, libraries):
        # hidden: the core's functions are linked statically, never exported
        # from an extension, so calls between them need no interposition
        # (GCC may inline them)
        hidden = [] if self.compiler.compiler_type == "msvc" else ["-fvisibility=hidden"]
        for _, info in libraries:
            info["cflags"] = c_flags(self.compiler) + hidden
        super().build_libraries(libraries)


def build_jobs():
    """Parallel jobs for the build: the cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class BuildExt(build_ext):
    def finalize_options(self):
        super().finalize_options()
        # the extensions compile independently: one per core at a time
        if self.parallel is None:
            self.parallel = build_jobs()

    def run(self):
        # the extensions link the core: build it first (``build`` does, but
        # ``build_ext --inplace`` alone would not)
        self.run_command("build_clib")
        super().run()

    def build_extensions(self):
        cflags = c_flags(self.compiler)
        omp = None if NO_OPENMP else openmp_flags(self.compiler)
        if omp is None:
            reason = "FASTDIV_NO_OPENMP=1" if NO_OPENMP else "the compiler has no working OpenMP"
            warnings.warn(
                f"fastdiv: building without OpenMP ({reason}); kernels run on one thread.",
                stacklevel=1,
            )
            print(f"fastdiv: building WITHOUT OpenMP ({reason})", file=sys.stderr)
            ocflags, olflags = [], []
        else:
            ocflags, olflags = omp
        for ext in self.extensions:
            msvc = self.compiler.compiler_type == "msvc"
            exact = EXACT_PRODUCTS if ext.name in EXACT and not msvc else []
            ext.extra_compile_args = cflags + exact + ocflags + list(ext.extra_compile_args)
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
            nthreads=build_jobs(),
        )
        for ext, done in zip(self.extensions, translated):
            ext.sources = done.sources
        super().build_extensions()


# Every extension links the core (the linker takes only what a module calls:
# _rows calls the core, the other modules call _rows).
PXD = [
    "src/_core.pxd",
    "src/_openmp.pxd",
    "src/_typedefs.pxd",
    "src/fastdiv/__init__.pxd",
    "src/fastdiv/_rows.pxd",
]


def extension(name):
    return Extension(
        f"fastdiv.{name}",
        [f"src/fastdiv/{name}.pyx"],
        include_dirs=["src", np.get_include()],
        define_macros=[
            ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
            ("FD_DEBUG", "1" if DEBUG else "0"),
        ],
        depends=CORE_HEADERS + PXD,
    )


extensions = [
    extension("_rows"),
    extension("_divergence"),
    extension("_tiles"),
    extension("_joint"),
    extension("_discrete"),
    extension("_binning"),
    extension("_knn"),
]

setup(
    libraries=[CORE],
    ext_modules=extensions,
    cmdclass={"build_clib": BuildClib, "build_ext": BuildExt},
)
