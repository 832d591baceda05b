#!/usr/bin/env python3
"""show_stats.py: statsmodels' side of tests/cli_show.sh.

  show_stats.py data DIR
      writes the test's CSV files into DIR from statsmodels' bundled public data sets (offline):
      spector.csv (Spector and Mazzeo's 32 students: GRADE on GPA, TUCE, PSI; the Logit
      example), anes96.csv (944 respondents of the 1996 American National Election Study: party
      identification PID, 7 classes, on 8 features; the MNLogit example), educ.csv (anes96's
      vote on age, income and the categorical educ), and made-up variants: quasi.csv (a 0/1
      feature "honors" that is 1 only where GRADE is 1: quasi-complete separation),
      complete.csv (a feature "score" that separates GRADE completely), collinear.csv (GPA2 =
      2 GPA + 1), constant.csv (a feature that is 5 on every row) and party.csv (three parties
      from PID, and a 0/1 feature "flag" that is 1 only for Republicans).
  show_stats.py compare CSV SHOW_JSON TOL [FORMULA]
      fits statsmodels' Logit (two classes) or MNLogit (more) on CSV, the label its last column,
      with a constant, by Newton's method to 1e-14 (or smf.logit(FORMULA) with patsy's treatment
      coding for a categorical), and checks that the "stats" of `logreg show --json` (or `train
      --stats --json`) agree within TOL relative: coefficients, standard errors, z, p-values,
      both interval ends, the log-likelihood; LL-null against its closed form sum n_k log(n_k /
      N) (statsmodels fits it by iterations, to about 1e-10), and the LLR p-value and pseudo
      R-squared from those with scipy's chi2.

The features are given to statsmodels as logreg reads them: float32 values (the CSV's text
rounded to float32), so that both fit the same numbers.
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.api as sm
import statsmodels.formula.api as smf


def write_data(out):
    def save(df, name):
        df.to_csv(os.path.join(out, name), index=False, float_format="%.9g")

    sp = sm.datasets.spector.load_pandas().data[["GPA", "TUCE", "PSI", "GRADE"]].copy()
    sp["GRADE"] = sp["GRADE"].astype(int)
    sp["PSI"] = sp["PSI"].astype(int)
    save(sp, "spector.csv")
    an = sm.datasets.anes96.load_pandas().data
    feats = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "age", "educ", "income"]
    a = an[feats].copy()
    a["PID"] = an["PID"].astype(int)
    save(a, "anes96.csv")
    e = an[["age", "income", "educ"]].copy()
    e["educ"] = e["educ"].astype(int)
    e["vote"] = an["vote"].astype(int)
    save(e, "educ.csv")
    rows = np.arange(len(sp))
    q = sp.copy()
    q.insert(3, "honors", ((q.GRADE == 1) & (rows % 5 < 3)).astype(int))
    save(q, "quasi.csv")
    c = sp.copy()
    c.insert(3, "score", (2 * c.GRADE - 1) + 0.9 * np.sin(rows * 1.7))
    save(c, "complete.csv")
    l = sp.copy()
    l.insert(3, "GPA2", 2 * l.GPA + 1)
    save(l, "collinear.csv")
    k = sp.copy()
    k.insert(3, "const", 5.0)
    save(k, "constant.csv")
    party = np.where(an.PID <= 2, "dem", np.where(an.PID == 3, "ind", "rep"))
    p = an[["age", "income", "educ"]].copy()
    p["flag"] = ((party == "rep") & (np.arange(len(p)) % 3 == 0)).astype(int)
    p["party"] = party
    save(p, "party.csv")


def compare(csv, show_json, tol, formula=None):
    df = pd.read_csv(csv)
    target = df.columns[-1]
    feats = list(df.columns[:-1])
    for f in feats:  # as logreg holds them (integers stay integers: patsy's levels "2", not "2.0")
        if df[f].dtype.kind == "f":
            df[f] = df[f].astype(np.float32).astype(np.float64)
    y = df[target]
    k = y.nunique()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if formula:
            r = smf.logit(formula, df).fit(disp=0, method="newton", tol=1e-14, maxiter=200)
        else:
            model = sm.Logit if k == 2 else sm.MNLogit
            r = model(y, sm.add_constant(df[feats])).fit(disp=0, method="newton", tol=1e-14,
                                                         maxiter=200)
    out = json.load(open(show_json))
    st = out["stats"]
    assert st["valid"] and st["verdict"] == "valid", st
    classes = out.get("classes") or sorted(str(c) for c in y.unique())
    params = np.asarray(r.params)
    bse, z, p = np.asarray(r.bse), np.asarray(r.tvalues), np.asarray(r.pvalues)
    ci = np.asarray(r.conf_int())
    names = list(r.params.index)
    if params.ndim == 1:  # Logit: one vector
        params, bse, z, p = params[:, None], bse[:, None], z[:, None], p[:, None]
        ci = ci.reshape(-1, 1, 2)
    else:  # MNLogit: conf_int() stacks the vectors, (K - 1) x terms rows
        ci = ci.reshape(params.shape[1], params.shape[0], 2).transpose(1, 0, 2)

    def term_index(term):
        if term == "(intercept)":
            return names.index("Intercept" if formula else "const")
        if formula and "=" in term:
            col, level = term.split("=", 1)
            return names.index("C(%s)[T.%s]" % (col, level))
        return names.index(term)

    worst, seen = {}, 0
    for row in st["table"]:
        v = classes.index(row["class"]) - 1
        t = term_index(row["term"])
        for key, ref in [("coef", params[t, v]), ("std_err", bse[t, v]), ("z", z[t, v]),
                         ("p_value", p[t, v]), ("ci_low", ci[t, v, 0]), ("ci_high", ci[t, v, 1])]:
            rel = abs(row[key] - ref) / abs(ref)
            worst[key] = max(worst.get(key, 0.0), rel)
            assert rel <= tol, (row["class"], row["term"], key, row[key], ref, rel)
        seen += 1
    assert seen == params.size, (seen, params.shape)
    counts = y.value_counts().values.astype(float)
    llnull = float(np.sum(counts * np.log(counts / counts.sum())))
    df_model = params.size - params.shape[1]
    llr_p = scipy.stats.chi2.sf(2 * (r.llf - llnull), df_model)
    for key, got, ref, t in [("log_likelihood", st["log_likelihood"], r.llf, tol),
                             ("ll_null", st["ll_null"], llnull, 1e-12),
                             ("ll_null (statsmodels')", st["ll_null"], r.llnull, 1e-8),
                             ("pseudo_r2", st["pseudo_r2"], 1 - r.llf / llnull, tol),
                             ("llr_p_value", st["llr_p_value"], llr_p, tol)]:
        rel = abs(got - ref) / abs(ref)
        worst[key] = rel
        assert rel <= t, (key, got, ref, rel)
    assert st["df_model"] == df_model, (st["df_model"], df_model)
    print("%s: %d coefficients; worst relative differences: %s" % (
        os.path.basename(csv), seen, ", ".join("%s %.1e" % kv for kv in worst.items())))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "data":
        write_data(sys.argv[2])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], float(sys.argv[4]), *sys.argv[5:])
    else:
        sys.exit(__doc__)
