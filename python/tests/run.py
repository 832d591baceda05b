"""Runs python/tests/test_estimator.py without pytest: every test_* function, in order.
`run.py [--device DEV]` trains on DEV (default cpu; "opencl": the first OpenCL device).
Exit 0 when all pass, 1 when any fails, 77 (CTest's skip) when numpy or scikit-learn is missing
or DEV is not a device this machine has."""

import os
import sys
import time
import traceback

try:
    import numpy  # noqa: F401
    import sklearn  # noqa: F401
except ImportError as e:
    print("skip: %s (install python3-numpy python3-sklearn)" % e)
    sys.exit(77)

device = "cpu"
if len(sys.argv) == 3 and sys.argv[1] == "--device":
    device = sys.argv[2]
elif len(sys.argv) != 1:
    sys.exit("usage: run.py [--device DEV]")
os.environ["LOGREG_TEST_DEVICE"] = device

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_estimator  # noqa: E402

import logreg  # noqa: E402
import logreg._lib  # noqa: E402
print("library: %s" % logreg._lib.path)
specs = [d["spec"] for d in logreg.devices()]
if device != "cpu" and not any(s == device or s.startswith(device + ":") for s in specs):
    print("skip: no device %s here (devices: %s)" % (device, ", ".join(specs)))
    sys.exit(77)
print("device: %s" % device)
failed = 0
names = [n for n in dir(test_estimator) if n.startswith("test_")]
names.sort(key=lambda n: getattr(test_estimator, n).__code__.co_firstlineno)
for name in names:
    t0 = time.time()
    try:
        getattr(test_estimator, name)()
        print("PASS %s (%.1f s)" % (name, time.time() - t0))
    except Exception:  # noqa: BLE001
        failed += 1
        traceback.print_exc()
        print("FAIL %s" % name)
print("%d of %d tests failed" % (failed, len(names)))
sys.exit(1 if failed else 0)
