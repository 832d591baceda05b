"""sklearn_paths.py: every OpenCL evaluation path against scikit-learn's optimum on its bundled
data sets, through the CLI: for each data set (iris, digits, breast cancer as --binary, wine; raw,
unscaled), C and path, `logreg train --device opencl --gemm PATH --penalty-scale raw --C C --tol 1e-13`
and the model loaded with the Python package (raw units), against scikit-learn's
LogisticRegression(newton-cg, tol 1e-8): relative L2 distance of coef_ and intercept_ (and of
the intercepts centred, the softmax's free constant removed).

Run (Debian's python3 with numpy and scikit-learn; after bash scripts/build.sh):
  /usr/bin/python3 bench/sklearn_paths.py build/logreg fused,tiled,own,clblast \
      iris,digits,bc,wine 0.1,1,10
"""
import subprocess, sys, os, warnings, tempfile, numpy as np
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
os.environ.setdefault("LOGREG_LIBRARY", os.path.join(HERE, "..", "build", "liblogreg.so"))
import logreg
from sklearn.datasets import load_digits, load_breast_cancer, load_wine, load_iris
from sklearn.linear_model import LogisticRegression as Sk
B = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "logreg")
TMP = tempfile.mkdtemp(prefix="sklearn_paths.")
paths = sys.argv[2].split(",") if len(sys.argv) > 2 else ["fused","tiled","own","clblast"]
sets = {"digits": load_digits, "bc": load_breast_cancer, "wine": load_wine, "iris": load_iris}
names = sys.argv[3].split(",") if len(sys.argv) > 3 else ["digits"]
Cs = [float(c) for c in sys.argv[4].split(",")] if len(sys.argv) > 4 else [10.0]
for name in names:
  X, y = sets[name](return_X_y=True)
  f = os.path.join(TMP, "%s.csv" % name)
  np.savetxt(f, np.column_stack([X, y]), delimiter=",", fmt="%.17g")
  for C in Cs:
    with warnings.catch_warnings():
      warnings.simplefilter("ignore")
      ref = Sk(C=C, solver="newton-cg", tol=1e-8, max_iter=10000).fit(X, y)
    for p in paths:
      m = os.path.join(TMP, "m.json")
      r = subprocess.run([B, "train", f, "--no-header", "--device", "opencl", "--gemm", p, "--penalty", "raw",
                          "--C", str(C), "--tol", "1e-13", "--epochs", "100000", "--split", "1,0,0", "--model", m, "--quiet"] + (["--binary"] if len(set(y)) == 2 else []),
                         capture_output=True, text=True)
      if r.returncode: print(r.stderr); continue
      o = logreg.load(m)
      rc = np.linalg.norm(o.coef_ - ref.coef_) / np.linalg.norm(ref.coef_)
      ri = np.linalg.norm(o.intercept_ - ref.intercept_) / max(np.linalg.norm(ref.intercept_), 1e-300)
      print("%-7s C=%-5g %-8s coef %.2e intercept %.2e iters %s" % (name, C, p, rc, ri, o.n_iter_), flush=True)
      c = lambda v: v - v.mean()
      if len(ref.intercept_) > 1:
        print("   centred intercept %.2e; sum ours %.3e sum sk %.3e" % (np.linalg.norm(c(o.intercept_) - c(ref.intercept_)) / np.linalg.norm(c(ref.intercept_)), o.intercept_.sum(), ref.intercept_.sum()))
