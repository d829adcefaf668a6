"""Type stubs for the compiled joint-table kernels (src/fastdiv/_joint.pyx)."""

import enum

import numpy as np
import numpy.typing as npt

class Measure(enum.IntEnum):
    JOINT_ENTROPY = 0
    CONDITIONAL_ENTROPY = 1
    MUTUAL_INFORMATION = 2

class Status(enum.IntEnum):
    NONFINITE = 1
    NEGATIVE = 2
    ZEROSUM = 3
    SUMOFF = 4

def tables(
    measure: int,
    P: np.ndarray,
    out: npt.NDArray[np.float64],
    *,
    normalize: bool = ...,
    tol: float = ...,
    logk: float = ...,
    scale: float = ...,
    top: float = ...,
    nthreads: int = ...,
) -> tuple[int, int]: ...
