"""Type stubs for the compiled row driver (src/_divergence.pyx)."""
import enum

import numpy as np
import numpy.typing as npt

class Measure(enum.IntEnum):
    ENTROPY = 0
    CROSS_ENTROPY = 1
    KL = 2
    JS = 3
    JS_DISTANCE = 4
    TV = 5
    HELLINGER = 6
    RENYI_ENTROPY = 7
    RENYI_DIVERGENCE = 8

class Status(enum.IntEnum):
    NONFINITE = 1
    NEGATIVE = 2
    ZEROSUM = 3
    SUMOFF = 4
    STATUS_STRIDE = 8

def measure(
    code: int,
    P: np.ndarray,
    Q: np.ndarray | None,
    out: npt.NDArray[np.float64],
    *,
    normalize: bool = ...,
    logits: bool = ...,
    tolp: float = ...,
    tolq: float = ...,
    alpha: float = ...,
    scale: float = ...,
    top: float = ...,
    nthreads: int = ...,
) -> tuple[int, int]: ...
def simple(
    code: int,
    p: object,
    q: object,
    alpha: float,
    base: object,
    axis: object,
    keepdims: object,
    normalize: object,
    logits: object,
    n_threads: object,
) -> np.float64 | None: ...
def neglog(P: np.ndarray, out: npt.NDArray[np.float64], nthreads: int = ...) -> int: ...
def openmp_info() -> tuple[bool, int, int]: ...
def debug_build() -> bool: ...
def omp_max_threads() -> int: ...
def isa_available() -> list[str]: ...
def get_isa() -> str: ...
def set_isa(name: str) -> None: ...
def simd_log(x: npt.ArrayLike) -> np.ndarray: ...
def simd_exp(x: npt.ArrayLike) -> np.ndarray: ...
def simd_logs(x: npt.ArrayLike) -> np.ndarray: ...
def simd_logratio(x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray: ...
