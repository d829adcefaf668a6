"""The k-NN estimators written on SciPy's ``cKDTree``: a second reference,
independent of the brute-force oracle (``knn_reference``) and of fastdiv,
for tie-free data (each point's k-th neighbour is ``query(k=k + 1)``'s
last, the point itself first) and for sizes the O(n^2) oracle cannot reach.
Plain means of the terms: agreement with fastdiv to about 1e-12 relative.
"""

import math

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma


def entropy(x, k, metric):
    n, d = x.shape
    p = 2 if metric == "euclidean" else np.inf
    eps = cKDTree(x).query(x, k=k + 1, p=p)[0][:, k]  # [0] is the point itself
    if metric == "euclidean":
        log_v = d / 2 * math.log(math.pi) - math.lgamma(d / 2 + 1)
    else:
        log_v = d * math.log(2)
    return digamma(n) - digamma(k) + log_v + d * np.mean(np.log(eps))


def ksg(x, y, k, algorithm):
    n = x.shape[0]
    eps, idx = cKDTree(np.hstack([x, y])).query(np.hstack([x, y]), k=k + 1, p=np.inf)
    eps, idx = eps[:, k], idx[:, 1:]
    if algorithm == 1:
        r = np.nextafter(eps, 0)  # ball counts are <= r: strictly inside eps
        nx = cKDTree(x).query_ball_point(x, r, p=np.inf, return_length=True) - 1
        ny = cKDTree(y).query_ball_point(y, r, p=np.inf, return_length=True) - 1
        return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
    ex = np.max(np.abs(x[idx] - x[:, None, :]), axis=(1, 2))
    ey = np.max(np.abs(y[idx] - y[:, None, :]), axis=(1, 2))
    nx = cKDTree(x).query_ball_point(x, ex, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, ey, p=np.inf, return_length=True) - 1
    return digamma(k) - 1 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))


def cmi(x, y, z, k):
    xyz = np.hstack([x, y, z])
    eps = cKDTree(xyz).query(xyz, k=k + 1, p=np.inf)[0][:, k]
    r = np.nextafter(eps, 0)

    def count(a):
        return cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True) - 1

    nxz, nyz, nz = count(np.hstack([x, z])), count(np.hstack([y, z])), count(z)
    return digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1))


def kl(x, y, k, metric):
    (n, d), m = x.shape, y.shape[0]
    p = 2 if metric == "euclidean" else np.inf
    rho = cKDTree(x).query(x, k=k + 1, p=p)[0][:, k]
    nu = cKDTree(y).query(x, k=[k], p=p)[0][:, 0]
    return d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1))
