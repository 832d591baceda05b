"""logreg.LogisticRegression: a scikit-learn estimator that trains and predicts with
liblogreg.so through ctypes."""

import ctypes
import os
import tempfile
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

def _sklearn_version():
    import sklearn
    parts = []
    for p in sklearn.__version__.split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


# scikit-learn 1.4 and later minimize the mean loss (lbfgs's tol is on its gradient).
_SKLEARN_MEAN_LOSS = _sklearn_version() >= (1, 4)

try:  # scikit-learn >= 1.6: a function (BaseEstimator._validate_data went away in 1.7)
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # older: the estimator's method
    def _validate_data(est, *args, **kwargs):
        return est._validate_data(*args, **kwargs)

from . import _lib
from ._lib import lib

# scikit-learn's solver names, and the library's own optimizer names.
_SOLVERS = {"lbfgs": "lbfgs", "newton-cg": "newton", "newton": "newton", "gd": "gd",
            "sgd": "sgd", "momentum": "momentum", "adam": "adam", "adagrad": "adagrad",
            "owlqn": "owlqn", "saga": "owlqn", "liblinear": "owlqn"}
# The solvers an L1 term trains with: the library's OWL-QN, whatever scikit-learn's name for
# its own L1 solver ("saga", "liblinear") or the default ("lbfgs") was given.
_L1_SOLVERS = ("lbfgs", "owlqn", "saga", "liblinear")
_PENALTIES = ("l2", "l1", "elasticnet", None, "none")


class _Model:
    """Owns one logreg_model handle."""

    def __init__(self, handle):
        self.handle = ctypes.c_void_p(handle)

    def __del__(self):
        if self.handle and lib is not None:
            lib.logreg_model_free(self.handle)
            self.handle = ctypes.c_void_p()

    def save(self, path):
        err = _lib.Error()
        st = lib.logreg_model_save(self.handle, os.fsencode(path), ctypes.byref(err))
        if st:
            _lib.raise_for(st, err)

    @classmethod
    def load(cls, path):
        err = _lib.Error()
        out = ctypes.c_void_p()
        st = lib.logreg_model_load(os.fsencode(path), ctypes.byref(out), ctypes.byref(err))
        if st:
            _lib.raise_for(st, err)
        return cls(out.value)

    def to_bytes(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "model.json")
            self.save(p)
            with open(p, "rb") as f:
                return f.read()

    @classmethod
    def from_bytes(cls, data):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "model.json")
            with open(p, "wb") as f:
                f.write(data)
            return cls.load(p)


def _x_buffer(X):
    """X as a C-contiguous float32 or float64 array and its logreg_dtype."""
    if X.dtype == np.float32:
        return np.ascontiguousarray(X), _lib.LOGREG_FLOAT32
    return np.ascontiguousarray(X, dtype=np.float64), _lib.LOGREG_FLOAT64


def _names_array(names):
    enc = [str(s).encode("utf-8") for s in names]
    arr = (ctypes.c_char_p * len(enc))(*enc)
    return arr, enc  # keep enc alive with arr


def _class_from_name(names):
    """Class labels of a loaded model: ints when every name is an integer, else strings."""
    try:
        ints = [int(s) for s in names]
        if [str(i) for i in ints] == list(names):
            return np.array(ints)
    except ValueError:
        pass
    return np.array(names, dtype=object)



def _canonical_order(X, y, sw):
    """Sparse rows sorted by a fixed random projection of (row, label, weight): the same rows in
    any order reach the library in one order, so that a fit does not depend on the row order,
    bit for bit, on any device (a float32 device sums in row order; scikit-learn's
    check_sample_weights_invariance compares a fit with its rows shuffled). Rows with equal
    keys are equal rows, whose order does not matter. Dense rows are ordered by the library
    as it copies them (LOGREG_BUFFER_CANONICAL_ORDER), without a gathered copy here."""
    n, d = X.shape
    r = np.random.RandomState(20261126).standard_normal(d + 2)
    key = np.asarray(X @ r[:d].astype(X.dtype)).ravel() + y * r[d] + sw * r[d + 1]
    order = np.argsort(key, kind="stable")
    return X[order], y[order], sw[order]


def _encode_labels(y):
    """check_classification_targets(y), then classes_ and each row's class index as
    np.unique(y, return_inverse=True) gives them. Labels that are all Python strings (an object
    array, as pandas gives them) take a set and a dict instead of numpy's sorts of Python
    objects (twice: scikit-learn's check sorts them too; bench/RESULTS.md, "The per-fit cost
    outside training"); the check then runs on the class indices, which have y's length and
    number of distinct values and so get the same verdict (binary or multiclass, and the
    warning about too many classes) as strings do."""
    if y.dtype == object and y.ndim == 1 and y.size:
        values = y.tolist()
        try:
            names = sorted(set(values))
        except TypeError:  # labels that do not order: numpy's own error below
            names = None
        if names is not None and all(type(c) is str for c in names):
            index = {c: i for i, c in enumerate(names)}
            y_idx = np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
            check_classification_targets(y_idx)
            classes = np.empty(len(names), dtype=object)
            classes[:] = names
            return classes, y_idx
    check_classification_targets(y)
    return np.unique(y, return_inverse=True)


def _csr_arrays(X):
    """A scipy.sparse matrix as the library's CSR arrays (logreg_dataset_from_csr): int64 row
    pointers, int32 column indices sorted within each row without duplicates, float32 or
    float64 values (explicit zeros kept: they are entries like any other), and its
    logreg_dtype."""
    X = sp.csr_matrix(X)  # a copy for other formats; CSR stays as it is
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()  # sorts the indices too
    dtype = _lib.LOGREG_FLOAT32 if X.dtype == np.float32 else _lib.LOGREG_FLOAT64
    values = np.ascontiguousarray(X.data, dtype=np.float32 if dtype == _lib.LOGREG_FLOAT32
                                  else np.float64)
    return (np.ascontiguousarray(X.indptr, dtype=np.int64),
            np.ascontiguousarray(X.indices, dtype=np.int32), values, dtype)


def _path_cache():
    """The file where the library keeps --gemm auto's measured choices, as the CLI names it:
    $LOGREG_PATH_CACHE (empty: none), else $XDG_CACHE_HOME/logreg/paths.tsv, else
    ~/.cache/logreg/paths.tsv. None when no folder can be made."""
    env = os.environ.get("LOGREG_PATH_CACHE")
    if env is not None:
        return env.encode() if env else None
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.path.join(os.environ["HOME"], ".cache") if os.environ.get("HOME") else None)
    if not base:
        return None
    path = os.path.join(base, "logreg", "paths.tsv")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError:
        return None
    return path.encode()

class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression trained by liblogreg (scikit-learn's LogisticRegression API).

    penalty, C, l1_ratio, max_iter, class_weight, fit_intercept, warm_start, random_state mean
    what they mean in scikit-learn; n_jobs is the library's thread count (None or -1: all).
    solver is "lbfgs" (default), "newton-cg" (the library's trust-region Newton), or one of the
    library's first-order optimizers "gd", "sgd", "momentum", "adam", "adagrad" (learning_rate,
    batch_size); penalty="l1" or "elasticnet" trains with the library's OWL-QN ("owlqn"; the
    names "lbfgs", "saga" and "liblinear" are taken for it), whose zeros are exact. tol is the installed scikit-learn's: before 1.4 the fit stops at max |gradient|
    <= tol of C times the weighted sum of the losses plus half the squared weights, i.e. at
    tol / (C * sum of weights) on the library's mean objective; from 1.4 on, as scikit-learn's
    lbfgs then does, at max |gradient| <= tol of the mean objective itself. device: "auto", "cpu" (the native CPU backend),
    "reference" (the plain backend the tests hold the others to), "opencl" or "opencl:P:D";
    with "auto" a device failure goes on on cpu from the last state read back, with a
    RuntimeWarning.

    The library standardizes every feature (training mean, population standard deviation) as
    a preconditioner and penalizes the weights in the caller's units (coef_, as scikit-learn
    does; the CLI's `--penalty-scale raw`), so the optimum is scikit-learn's on unscaled X too.
    fit_intercept=False fixes the intercept at 0 and scales the features without centring them
    (`--no-intercept`).
    """

    # Tests only: the library's fault-injection hook (logreg_test_hooks.fail_call: the K-th
    # OpenCL call fails); 0, off. Not a parameter (set it on an instance).
    _fail_opencl_call = 0

    # C, solver and tol are scikit-learn's defaults (its API's contract, which check_estimator
    # holds the package to); the iteration cap is the library's (logreg_params_init).
    def __init__(self, penalty="l2", C=1.0, l1_ratio=None, solver="lbfgs",
                 max_iter=_lib.defaults().epochs, tol=1e-4, class_weight=None,
                 fit_intercept=True, warm_start=False, n_jobs=None, device="auto",
                 batch_size=None, learning_rate=None, random_state=None, verbose=0):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.fit_intercept = fit_intercept
        self.device = device
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.verbose = verbose

    # ---- training ----

    def _l1_ratio(self):
        """The L1 share of the penalty that penalty and l1_ratio say (scikit-learn's rules)."""
        if self.penalty not in _PENALTIES:
            raise ValueError("penalty must be one of 'l2', 'l1', 'elasticnet' or None, got %r"
                             % (self.penalty,))
        if self.penalty == "elasticnet":
            r = self.l1_ratio
            if not (isinstance(r, (int, float, np.number)) and 0 <= r <= 1):
                raise ValueError("l1_ratio must be a number in [0, 1] with penalty='elasticnet', "
                                 "got %r" % (r,))
            return float(r)
        return 1.0 if self.penalty == "l1" else 0.0

    def fit(self, X, y, sample_weight=None):
        if self.solver not in _SOLVERS:
            raise ValueError("solver must be one of %s, got %r" % (sorted(_SOLVERS), self.solver))
        l1_ratio = self._l1_ratio()
        if l1_ratio > 0 and self.solver not in _L1_SOLVERS:
            raise ValueError("penalty=%r trains with the library's OWL-QN: solver must be one of "
                             "%s, got %r" % (self.penalty, list(_L1_SOLVERS), self.solver))
        if not (self.n_jobs is None or (isinstance(self.n_jobs, (int, np.integer))
                                        and self.n_jobs != 0)):
            raise ValueError("n_jobs must be None, -1 or a positive integer, got %r"
                             % (self.n_jobs,))
        if not (isinstance(self.C, (int, float, np.number)) and self.C > 0):
            raise ValueError("C must be a positive number, got %r" % (self.C,))
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter > 0):
            raise ValueError("max_iter must be a positive integer, got %r" % (self.max_iter,))
        if not (isinstance(self.tol, (int, float, np.number)) and self.tol >= 0):
            raise ValueError("tol must be >= 0, got %r" % (self.tol,))
        X, y = _validate_data(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
                              order="C")
        self.classes_, y_idx = _encode_labels(y)
        k = len(self.classes_)
        if k < 2:
            raise ValueError("This solver needs samples of at least 2 classes in the data, but "
                             "the data contains only one class: %r" % (self.classes_[0],))
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight is not None:
            sw = sw * compute_sample_weight(self.class_weight, y)
        # A zero-weight row adds nothing to the objective: leave such rows out, so that the fit
        # is the same computation as without them (a float32 device would otherwise sum the
        # same numbers in another order, and the scaler would count them).
        keep = sw > 0
        if not keep.all():
            X, y_idx, sw = X[keep], y_idx[keep], sw[keep]
        if X.shape[0] == 0:
            raise ValueError("every sample weight is zero")
        if sp.issparse(X):
            X, y_idx, sw = _canonical_order(X, y_idx, sw)
        yb = np.ascontiguousarray(y_idx, dtype=np.int32)
        swb = None if np.all(sw == 1.0) else np.ascontiguousarray(sw, dtype=np.float64)
        n, d = X.shape
        cnames, _keep1 = _names_array(self.classes_)
        err = _lib.Error()
        ds = ctypes.c_void_p()
        if sp.issparse(X):
            # Sparse rows stay sparse: the library scales them without centring, trains on
            # CSR and never densifies (docs/formats.md, "Sparse data").
            ip, ix, vals, dtype = _csr_arrays(X)
            st = lib.logreg_dataset_from_csr(
                n, d, ip.ctypes.data, ix.ctypes.data, vals.ctypes.data, dtype, yb.ctypes.data,
                k, None if swb is None else swb.ctypes.data, cnames, ctypes.byref(ds),
                ctypes.byref(err))
        else:
            Xb, dtype = _x_buffer(X)
            fnames = None
            if hasattr(self, "feature_names_in_"):
                fnames, _keep2 = _names_array(self.feature_names_in_)
            # The library copies the rows in their canonical order as it rounds them to float32
            # (see _canonical_order): X is read where it is, never gathered here.
            st = lib.logreg_dataset_from_buffer(
                n, d, Xb.ctypes.data, dtype, 0, yb.ctypes.data, k,
                None if swb is None else swb.ctypes.data, cnames, fnames,
                _lib.LOGREG_BUFFER_CANONICAL_ORDER, ctypes.byref(ds), ctypes.byref(err))
        if st:
            _lib.raise_for(st, err)
        try:
            params = _lib.Params()
            lib.logreg_params_init(ctypes.byref(params))
            no_penalty = self.penalty in (None, "none")
            solver = "owlqn" if l1_ratio > 0 and not no_penalty else _SOLVERS[self.solver]
            if solver == "owlqn" and l1_ratio == 0:  # saga, liblinear with an L2 penalty
                solver = "lbfgs"
            params.optimizer = _lib.optimizer(solver)
            params.epochs = int(self.max_iter)
            params.C = float("inf") if no_penalty else float(self.C)
            params.l1_ratio = 0.0 if no_penalty else l1_ratio
            if self.n_jobs is not None and self.n_jobs > 0:
                params.threads = int(self.n_jobs)
            # warm_start: the next fit starts from this one's coef_ and intercept_, when they
            # fit the data (scikit-learn's rule: the same features and weight columns).
            kw = 1 if k == 2 else k
            init = None
            if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (kw, d):
                init = (np.ascontiguousarray(self.coef_.T, dtype=np.float64),
                        np.ascontiguousarray(self.intercept_, dtype=np.float64))
                params.init_coef = init[0].ctypes.data
                params.init_intercept = init[1].ctypes.data
            params.raw_penalty = 1
            params.no_intercept = 0 if self.fit_intercept else 1
            params.binary = 1 if k == 2 else 0
            total_w = float(sw.sum())
            # scikit-learn's tol: before 1.4 on the gradient of C * sum_i w_i l_i + |W|^2 / 2,
            # which is C * sum(w) times the library's mean objective J; since 1.4 (its PR 26721)
            # on the gradient of the mean objective, the library's J itself.
            scale = 1.0 if _SKLEARN_MEAN_LOSS else (
                total_w if no_penalty else float(self.C) * total_w)
            params.tol = float(self.tol) / scale if self.tol > 0 else 1e-300
            if self.batch_size is not None:
                params.batch_size = int(self.batch_size)
            if self.learning_rate is not None:
                params.lr = float(self.learning_rate)
            if isinstance(self.random_state, (int, np.integer)):
                params.seed = int(self.random_state) & 0xFFFFFFFFFFFFFFFF
            elif self.random_state is not None:  # a RandomState: draw a seed from it
                params.seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
            device = str(self.device).encode()
            params.device = device
            # "auto" promises a fit: a device fault goes on on cpu from the last state read
            # back (logreg_train_result.fallback says so; warned below), as `logreg train` does.
            params.cpu_fallback = 1 if device == b"auto" else 0
            # The dataset is this fit's own copy of X: training takes it and preprocesses it in
            # place instead of copying it again (consume_x), except where a device failure would
            # need it to go on on cpu.
            params.consume_x = 0 if params.cpu_fallback else 1
            # The library's fault-injection test hook (tests only; 0: off): logreg_hooks.h.
            hooks = _lib.TestHooks()
            if self._fail_opencl_call:
                hooks.fail_call = int(self._fail_opencl_call)
                # auto keeps the OpenCL device on small data too, so that the fault hits it
                hooks.auto_keeps_device = 1
                params.device_options.hooks = ctypes.pointer(hooks)
            # OpenCL: the evaluation path --gemm auto measured is kept in the CLI's cache file,
            # so that every later fit on this device and shape class takes the same path (a fit
            # that re-timed the paths could pick another and differ in the last bits).
            cache = _path_cache()
            if cache:
                params.path_cache = cache
            cb = None
            if self.verbose:
                def _progress(user, info):
                    i = info.contents
                    print("epoch %d/%d: objective %.8g, train loss %.6g, accuracy %.4f"
                          % (i.epoch, i.epochs, i.objective, i.train_loss, i.train_accuracy))
                cb = _lib.PROGRESS_FN(_progress)
                params.progress = cb
            if lib.logreg_params_check(ctypes.byref(params), ctypes.byref(err)) != 0:
                raise ValueError(err.message.decode())
            result = _lib.TrainResult()
            model = ctypes.c_void_p()
            st = lib.logreg_train(ds, None, ctypes.byref(params), ctypes.byref(model),
                                  ctypes.byref(result), ctypes.byref(err))
            if st:
                _lib.raise_for(st, err)
        finally:
            lib.logreg_dataset_free(ds)
        self._set_model(_Model(model.value))
        self.n_iter_ = np.array([result.epochs_run], dtype=np.int32)
        self.stop_reason_ = (result.stop_reason or b"").decode()
        self.device_ = result.device.decode("utf-8", "replace")
        if result.fallback:
            warnings.warn("logreg: " + result.fallback.decode("utf-8", "replace"), RuntimeWarning)
        # Only a fit that stopped at max_iter short of its tolerance warns (the library says
        # "tol" where the last iteration met it), in tol's units: the gradient the fit reached
        # against the tol it missed.
        if self.stop_reason_ == "max_iter" and not result.grad_max <= result.tol:
            warnings.warn("logreg: %s stopped at max_iter=%d before its tolerance: max |gradient| "
                          "%.3g > tol=%g, so the coefficients are not at the optimum; raise "
                          "max_iter (or raise tol to accept a looser fit)"
                          % (self.solver, self.max_iter, result.grad_max * scale, self.tol),
                          ConvergenceWarning)
        return self

    def _set_model(self, model):
        self._model = model
        h = model.handle
        d = lib.logreg_model_features(h)
        kw = lib.logreg_model_weight_columns(h)
        w = np.empty((d, kw), dtype=np.float64)
        b = np.empty(kw, dtype=np.float64)
        lib.logreg_model_raw_weights(h, w.ctypes.data, b.ctypes.data)
        self.coef_ = np.ascontiguousarray(w.T)
        self.intercept_ = b
        self.n_features_in_ = int(d)

    # ---- prediction ----

    def _check_X(self, X):
        check_is_fitted(self)
        return _validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                              order="C", reset=False)

    def _sparse_proba(self, X):
        """Probabilities of sparse rows: logreg_predict_proba on a CSR dataset."""
        n, d = X.shape
        ip, ix, vals, dtype = _csr_arrays(X)
        err = _lib.Error()
        ds = ctypes.c_void_p()
        st = lib.logreg_dataset_from_csr(n, d, ip.ctypes.data, ix.ctypes.data, vals.ctypes.data,
                                         dtype, None, 0, None, None, ctypes.byref(ds),
                                         ctypes.byref(err))
        if st:
            _lib.raise_for(st, err)
        try:
            out = np.empty((n, lib.logreg_model_classes(self._model.handle)), dtype=np.float64)
            st = lib.logreg_predict_proba(self._model.handle, ds, out.ctypes.data,
                                          ctypes.byref(err))
            if st:
                _lib.raise_for(st, err)
        finally:
            lib.logreg_dataset_free(ds)
        return out

    def _model_buffer(self, X, fn, cols):
        """fn (a logreg_model_*_buffer call) on X's rows into a new (n, cols) float64 array."""
        X = self._check_X(X)
        if sp.issparse(X):
            # Sparse rows: the probabilities from the library's CSR prediction; the decision
            # function from the raw weights, x rounded to float32 as the library stores it.
            if fn is lib.logreg_model_predict_proba_buffer:
                return self._sparse_proba(X)
            Xf = sp.csr_matrix(X, dtype=np.float32).astype(np.float64)
            return np.asarray(Xf @ self.coef_.T) + self.intercept_
        Xb, dtype = _x_buffer(X)
        out = np.empty((Xb.shape[0], cols), dtype=np.float64)
        err = _lib.Error()
        st = fn(self._model.handle, Xb.shape[0], Xb.shape[1], Xb.ctypes.data, dtype, 0,
                out.ctypes.data, ctypes.byref(err))
        if st:
            _lib.raise_for(st, err)
        return out

    def decision_function(self, X):
        check_is_fitted(self)
        kw = lib.logreg_model_weight_columns(self._model.handle)
        out = self._model_buffer(X, lib.logreg_model_decision_function_buffer, kw)
        return out.ravel() if kw == 1 else out

    def predict_proba(self, X):
        check_is_fitted(self)
        return self._model_buffer(X, lib.logreg_model_predict_proba_buffer,
                                  lib.logreg_model_classes(self._model.handle))

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            idx = (scores > 0).astype(int)
        else:
            idx = scores.argmax(axis=1)
        return self.classes_[idx]

    # ---- model files and pickling ----

    def save(self, path):
        """Writes the CLI's JSON model file (`logreg predict --model PATH` reads it)."""
        check_is_fitted(self)
        self._model.save(path)

    def __getstate__(self):
        state = self.__dict__.copy()
        if "_model" in state:
            state["_model"] = self._model.to_bytes()
        return state

    def __setstate__(self, state):
        model = state.pop("_model", None)
        self.__dict__.update(state)
        if model is not None:
            self._model = _Model.from_bytes(model)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"binary_only": False, "requires_y": True}

    def __sklearn_tags__(self):  # scikit-learn >= 1.6: sparse X (CSR) is taken
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags


def load(path):
    """A fitted LogisticRegression from a JSON model file written by `logreg train` or save().
    classes_ are the model's class names (integers when every name is one); coef_ and
    intercept_ are the model's weights in the caller's units; n_iter_ the iterations its training
    ran, as the file records them."""
    model = _Model.load(path)
    est = LogisticRegression()
    h = model.handle
    k = lib.logreg_model_classes(h)
    names = [lib.logreg_model_class_name(h, i).decode("utf-8") for i in range(k)]
    est.classes_ = _class_from_name(names)
    est._set_model(model)
    est.n_iter_ = np.array([lib.logreg_model_iterations(h)], dtype=np.int32)
    fn = [lib.logreg_model_feature_name(h, j).decode("utf-8") for j in range(est.n_features_in_)]
    if not all(f == "x%d" % j for j, f in enumerate(fn)):
        est.feature_names_in_ = np.array(fn, dtype=object)
    return est


def devices():
    """What `logreg devices` lists: one dict per device, cpu first, the reference second."""
    lst = ctypes.POINTER(_lib.DeviceInfo)()
    count = ctypes.c_size_t()
    err = _lib.Error()
    st = lib.logreg_devices_list(None, ctypes.byref(lst), ctypes.byref(count), ctypes.byref(err))
    if st:
        _lib.raise_for(st, err)
    try:
        out = []
        for i in range(count.value):
            d = lst[i]
            out.append({
                "spec": d.spec.decode(), "backend": ("reference", "opencl", "cpu")[d.backend],
                "type": lib.logreg_device_type_name(d.type).decode(),
                "name": d.name.decode("utf-8", "replace"),
                "vendor": d.vendor.decode("utf-8", "replace"),
                "platform": d.platform_name.decode("utf-8", "replace"),
                "platform_version": d.platform_version.decode("utf-8", "replace"),
                "driver": d.driver.decode("utf-8", "replace"),
                "c_version": d.c_version.decode("utf-8", "replace"),
                "compute_units": d.compute_units, "global_mem": d.global_mem,
                "max_alloc": d.max_alloc, "local_mem": d.local_mem,
                "max_work_group": d.max_work_group, "fp64": bool(d.fp64),
            })
        return out
    finally:
        lib.logreg_devices_free(lst)


__all__ = ["LogisticRegression", "load", "devices", "NotFittedError"]
