"""Type stubs for the compiled discrete estimators (src/fastdiv/_discrete.pyx)."""

import enum

import numpy as np
import numpy.typing as npt

class Need(enum.IntEnum):
    NEED_HX = 1
    NEED_HY = 2
    NEED_HXY = 4
    NEED_MI = 8
    NEED_HXGY = 16
    NEED_HYGX = 32
    NEED_EMI = 64

def code_counts(
    x: npt.NDArray[np.integer], xlo: int, mx: int, nthreads: int
) -> npt.NDArray[np.int64]: ...
def entropy_of_counts(c: npt.NDArray[np.int64]) -> tuple[float, float]: ...
def pair_cells(
    x: npt.NDArray[np.integer],
    y: npt.NDArray[np.integer],
    xlo: int,
    ylo: int,
    mx: int,
    my: int,
    nthreads: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def cell_values(
    need: int,
    ci: npt.NDArray[np.int64],
    cj: npt.NDArray[np.int64],
    cn: npt.NDArray[np.int64],
    mx: int,
    my: int,
    s: npt.NDArray[np.int64] | None = None,
    nthreads: int = 1,
) -> tuple[float, ...]: ...
def pairwise_pieces(
    need: int,
    X: npt.NDArray[np.int64],
    mX: npt.NDArray[np.int64],
    Y: npt.NDArray[np.int64],
    mY: npt.NDArray[np.int64],
    triangle: bool,
    nthreads: int,
) -> npt.NDArray[np.float64]: ...
def expected_mutual_information(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], nthreads: int = 1
) -> float: ...
