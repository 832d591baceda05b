"""logreg: scikit-learn-style logistic regression on liblogreg.so (ctypes bindings)."""

from ._estimator import LogisticRegression, devices, load
from ._lib import LogregError

__version__ = "0.1.0"
__all__ = ["LogisticRegression", "load", "devices", "LogregError"]
