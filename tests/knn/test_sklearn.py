"""``mutual_information_features`` against scikit-learn's public
``mutual_info_regression`` (KSG algorithm 1) and ``mutual_info_classif``
(Ross), the job it does.

scikit-learn scales each continuous column to unit standard deviation
(without centring: KSG does not see a translation), adds noise of 1e-10
times the column's mean modulus (at least 1e-10) to it, and clips negative
estimates to 0.  So fastdiv runs with ``standardize=True`` and its result is
clipped before the comparison.  On continuous (tie-free) data the noise
moves a neighbour or a count only where two distances from a point are
within ~1e-10 of each other (gaps are ~1e-3 here: ~1e-4 per data set), and
each such change moves one count by 1, the estimate by at most 1/n: the
tolerance, 10/n (= 0.0125 nats at n = 800), allows ten such changes and is
far below the estimates compared (0.03 to 0.5 nats), a column of
independent noise (~0) included.  (Observed: agreement to ~4e-15.)  On
data with ties the noise decides which copy is a neighbour, a different
rule from fastdiv's (copies skipped): no comparison there.
"""

import numpy as np
import pytest
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from fastdiv import knn as K
from fdtest import knn_reference as R

N = 800
TOL = 10 / N


def features(seed):
    rng = np.random.default_rng(seed)
    X, y = R.dependent(rng, N, 4, 1, r=1.0, scales=[1.0, 100.0, 0.01, 5.0])
    X[:, 3] = rng.standard_normal(N) * 3.0 - 40.0  # independent of y
    return rng, X, y[:, 0] * 7.0 + 2.0


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_mutual_info_regression(k, seed):
    _, X, y = features(seed)
    want = mutual_info_regression(X, y, n_neighbors=k, random_state=seed)
    got = K.mutual_information_features(X, y, k, standardize=True)
    assert got.shape == want.shape == (4,)
    np.testing.assert_allclose(np.maximum(got, 0.0), want, rtol=0, atol=TOL)
    assert np.all(want[:3] > 0.03)  # the comparison compares estimates, not zeros
    # a single column is the same estimate
    one = K.mutual_information(X[:, 1], y, k, standardize=True)
    assert abs(max(float(one), 0.0) - want[1]) <= TOL


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_mutual_info_classif(k, n_classes):
    # classes of ~N / n_classes points: more than 2k, where scikit-learn's
    # neighbour search is exact (see test_oracle.py)
    rng, X, _ = features(k + n_classes)
    lab = R.labels_for(rng, X, n_classes)
    want = mutual_info_classif(X, lab, n_neighbors=k, random_state=k)
    got = K.mutual_information_features(X, lab, k, y_discrete=True, standardize=True)
    np.testing.assert_allclose(np.maximum(got, 0.0), want, rtol=0, atol=TOL)
    assert want[0] > 0.1
    # standardizing one column at a time changes nothing for Ross (max-norm
    # in one dimension: a scale): the same without it, to rounding
    plain = K.mutual_information_features(X, lab, k, y_discrete=True)
    np.testing.assert_allclose(np.maximum(plain, 0.0), want, rtol=0, atol=TOL)
    # labels as strings
    names = np.array(["alpha", "beta", "gamma", "delta"])[lab]
    same = K.mutual_information_features(X, names, k, y_discrete=True, standardize=True)
    np.testing.assert_allclose(same, got, rtol=0, atol=1e-12)
