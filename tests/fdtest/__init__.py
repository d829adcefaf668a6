"""Helpers shared by the fastdiv test suite (importable because pytest puts
``tests/`` on ``sys.path``: ``pythonpath = ["tests"]`` in pyproject.toml).

* ``measures``    the names of the exact measures, grouped by signature, and ``call``;
                  the metrics of pairwise / nearest and ``loop``, the one-pair calls
* ``reference``   50-digit mpmath oracles and ``check``, the one accuracy bound;
                  ``pairwise_ref`` / ``check_pairwise`` over every pair of rows, and
                  ``check_shortcut``, the bound of pairwise's shortcut metrics
* ``tolerance``   every tolerance the tests compare with, in one table
* ``threads``     ``assert_identical`` (bit for bit) and ``call_beside_heartbeat``
                  (a call releases the GIL)
* ``hist_reference``  NumPy's histograms as the oracle of ``fastdiv.hist`` (bit-for-bit
                  comparisons), and 40-digit oracles of its plug-in estimates
* ``fuzz``        the fuzz harness: profiles, child-process worker, registry,
                  strategies and checks
* ``fuzz_child``  the child side of the harness (run in a separate process)

This file imports nothing: a fuzz child imports ``fdtest.fuzz_child`` and
should start fast.
"""
