"""Type stubs for the compiled histogram kernels (src/fastdiv/_binning.pyx)."""

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

class Mode(enum.IntEnum):
    NUMPY_UNIFORM = 0
    EDGES = 1

def histogram(
    x: np.ndarray,
    plan: dict[str, Any],
    edges: npt.NDArray[np.float64],
    *,
    weights: np.ndarray | None = ...,
    batch: bool = ...,
    nthreads: int = ...,
) -> tuple[npt.NDArray[Any], int]: ...
def histogram2d(
    x: np.ndarray,
    y: np.ndarray,
    px: dict[str, Any],
    py: dict[str, Any],
    ex: npt.NDArray[np.float64],
    ey: npt.NDArray[np.float64],
    *,
    weights: np.ndarray | None = ...,
    nthreads: int = ...,
) -> tuple[npt.NDArray[Any], int]: ...
