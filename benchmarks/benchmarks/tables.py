"""asv benchmarks for the measures on joint tables (``fastdiv.mutual_information``).

* ``MutualInformation``: 10,000 tables of 64 x 64 cells (41 M cells), dtype x
  threads, ``time_`` / ``peakmem_`` pairs on the same seeded input.  The
  target: at least 1 G cells/s with 2 threads on float64 (<= 41 ms).
* ``TableMeasures``: the three measures on the same batch, float64.

Inputs are count-like tables with some zero cells (uniform in [0, 1), a
quarter of the cells set to 0), built in place.  ``peakmem_`` includes the
input built in ``setup``; an increase means the call copied the input or made
a large temporary.  Threads are set in ``setup`` and restored in ``teardown``.
"""

import numpy as np

import fastdiv

SEED = 20240611
SHAPE = (10_000, 64, 64)
DTYPES = ["float32", "float64"]
THREADS = [1, 2]


def tables(shape=SHAPE, dtype="float64", seed=SEED):
    rng = np.random.default_rng(seed)
    t = rng.random(shape, dtype=np.dtype(dtype))
    t[t < 0.25] = 0
    return t


class _Threads:
    def _set_threads(self, threads):
        self._saved_threads = fastdiv.get_num_threads()
        fastdiv.set_num_threads(threads)

    def teardown(self, *params):
        saved = getattr(self, "_saved_threads", None)
        if saved is not None:
            fastdiv.set_num_threads(saved)


class MutualInformation(_Threads):
    params = [DTYPES, THREADS]
    param_names = ["dtype", "threads"]
    timeout = 300

    def setup(self, dtype, threads):
        self.t = tables(dtype=dtype)
        self._set_threads(threads)
        fastdiv.mutual_information(self.t)  # first call outside the timing

    def time_mutual_information(self, dtype, threads):
        fastdiv.mutual_information(self.t)

    def peakmem_mutual_information(self, dtype, threads):
        fastdiv.mutual_information(self.t)


class TableMeasures(_Threads):
    params = [["joint_entropy", "conditional_entropy", "mutual_information"], THREADS]
    param_names = ["measure", "threads"]
    timeout = 300

    def setup(self, measure, threads):
        self.t = tables()
        self.fn = getattr(fastdiv, measure)
        self._set_threads(threads)
        self.fn(self.t)

    def time_measure(self, measure, threads):
        self.fn(self.t)

    def peakmem_measure(self, measure, threads):
        self.fn(self.t)
