"""Type stubs for the compiled neighbour searches (src/fastdiv/_knn.pyx)."""

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

class Metric(enum.IntEnum):
    EUCLIDEAN = 0
    CHEBYSHEV = 1

class Status(enum.IntEnum):
    OK = 0
    NOT_FINITE = 1
    FEW_DISTINCT = 2
    CLASS_FEW_DISTINCT = 3
    NO_CLASS = 4
    NO_MEMORY = 5

_Var = tuple[np.ndarray, int, Any]
_Out = tuple[npt.NDArray[np.float64], npt.NDArray[np.int32], npt.NDArray[np.int32]]

def digamma(m: int) -> float: ...
def entropy(x: _Var, n: int, k: int, metric: int, nthreads: int) -> _Out: ...
def ksg(x: _Var, y: _Var, n: int, k: int, algorithm: int, nthreads: int) -> _Out: ...
def cmi(x: _Var, y: _Var, z: _Var, n: int, k: int, nthreads: int) -> _Out: ...
def kl(x: _Var, y: _Var, n: int, m: int, k: int, metric: int, nthreads: int) -> _Out: ...
def ross(
    x: _Var, codes: npt.NDArray[np.int64], ncls: int, n: int, k: int, nthreads: int
) -> _Out: ...
def ksg_columns(X: _Var, y: _Var, n: int, k: int, algorithm: int, nthreads: int) -> _Out: ...
def ross_columns(
    X: _Var, codes: npt.NDArray[np.int64], ncls: int, n: int, k: int, nthreads: int
) -> _Out: ...
