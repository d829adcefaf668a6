"""Type stubs for the compiled tile driver (src/fastdiv/_tiles.pyx)."""

import numpy as np
import numpy.typing as npt

def check_rows(
    code: int,
    X: npt.NDArray[np.floating],
    *,
    normalize: bool = True,
    logits: bool = False,
    tol: float = 0.0,
    alpha: float = 1.0,
    nthreads: int = 1,
) -> tuple[int, int, int] | None: ...
def pairwise(
    code: int,
    P: npt.NDArray[np.floating],
    Q: npt.NDArray[np.floating] | None,
    out: npt.NDArray[np.float64],
    *,
    normalize: bool = True,
    logits: bool = False,
    tolp: float = 0.0,
    tolq: float = 0.0,
    alpha: float = 1.0,
    scale: float = 1.0,
    nthreads: int = 1,
    tile_rows: int = 0,
) -> tuple[int, int, int] | None: ...
def nearest(
    code: int,
    P: npt.NDArray[np.floating],
    Q: npt.NDArray[np.floating] | None,
    k: int,
    vals: npt.NDArray[np.float64],
    idx: npt.NDArray[np.intp],
    *,
    normalize: bool = True,
    logits: bool = False,
    tolp: float = 0.0,
    tolq: float = 0.0,
    alpha: float = 1.0,
    scale: float = 1.0,
    nthreads: int = 1,
    tile_rows: int = 0,
) -> tuple[int, int, int] | None: ...
