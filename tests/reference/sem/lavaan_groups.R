# Reference values for tests/test_sem_groups.py (utils/sem/groups.py): lavaan's multi-group fits
# of the Holzinger–Swineford three-factor CFA by school (Pasteur, Grant-White).
#
# Run from the repository root:   Rscript tests/reference/sem/lavaan_groups.R
# Written with R 4.2 and lavaan 0.6-14. It writes, into tests/reference/sem/:
# - lavaan_groups_fit.csv: one row per model (configural, metric, scalar, path_label,
#   path_regressions, path_configural, observed_configural, observed_equal) with
#   chi2, df, pvalue, cfi, tli, rmsea, srmr, logl, aic, bic, npar, ntotal;
# - lavaan_groups_estimates.csv: one row per free parameter and group of each model (lhs, op,
#   rhs, group label, est, se, std_all);
# - lavaan_groups_lrt.csv: lavaan's anova() of configural vs metric and metric vs scalar.
# Estimator ML with lavaan's defaults for multi-group models (likelihood "normal": covariances
# divide by n_g; chi2 = sum_g n_g F_g; expected information).
library(lavaan)
out <- "tests/reference/sem"
hs <- lavaan::HolzingerSwineford1939
hs_path <- file.path(out, "HolzingerSwineford1939.csv")
if (!file.exists(hs_path)) write.csv(hs, hs_path, row.names = FALSE)

cfa_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
# structural models for tests of regressions held equal. lavaan frees the residual covariance of
# the two endogenous factors by default (auto.cov.y); semopy does not, so it is written out.
# path_label: one label shared across groups (c(b, b)) holds textual ~ visual equal;
# path_regressions: group.equal = "regressions"; path_configural: nothing equal (the per-group
# estimates of separate group fits, for path_differences).
path_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ c(b, b)*visual
speed ~ visual
textual ~~ speed"
path_model_free <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ visual
speed ~ visual
textual ~~ speed"

# a path model with observed exogenous variables (x1, x2; lavaan's fixed.x: their moments are
# neither data nor parameters, and the log-likelihood is conditional on them).
observed_model <- "x4 ~ x1 + x2
x5 ~ x4 + x1"

fits <- list(
  configural = cfa(cfa_model, data = hs, group = "school"),
  metric = cfa(cfa_model, data = hs, group = "school", group.equal = "loadings"),
  scalar = cfa(cfa_model, data = hs, group = "school", group.equal = c("loadings", "intercepts")),
  path_label = sem(path_model, data = hs, group = "school"),
  path_regressions = sem(path_model_free, data = hs, group = "school",
                         group.equal = "regressions"),
  path_configural = sem(path_model_free, data = hs, group = "school"),
  observed_configural = sem(observed_model, data = hs, group = "school"),
  observed_equal = sem(observed_model, data = hs, group = "school",
                       group.equal = c("regressions", "intercepts"))
)
measures <- c("chi2" = "chisq", "df" = "df", "pvalue" = "pvalue", "cfi" = "cfi", "tli" = "tli",
              "rmsea" = "rmsea", "srmr" = "srmr", "loglik" = "logl", "aic" = "aic",
              "bic" = "bic", "npar" = "npar", "n" = "ntotal")
fit_rows <- do.call(rbind, lapply(names(fits), function(name) {
  values <- fitMeasures(fits[[name]], unname(measures))
  row <- as.data.frame(as.list(setNames(as.numeric(values), names(measures))))
  cbind(model = name, row)
}))
write.csv(fit_rows, file.path(out, "lavaan_groups_fit.csv"), row.names = FALSE)

est_rows <- do.call(rbind, lapply(names(fits), function(name) {
  pe <- parameterEstimates(fits[[name]], standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~", "~~", "~1") & !is.na(pe$se) & pe$se > 0, ]
  groups <- lavInspect(fits[[name]], "group.label")
  data.frame(model = name, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = groups[pe$group],
             est = pe$est, se = pe$se, std_all = pe$std.all)
}))
write.csv(est_rows, file.path(out, "lavaan_groups_estimates.csv"), row.names = FALSE)

lrt <- function(smaller, larger, name) {
  a <- anova(fits[[larger]], fits[[smaller]])
  data.frame(comparison = name, chi2_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
             pvalue = a[["Pr(>Chisq)"]][2])
}
write.csv(rbind(lrt("metric", "configural", "configural_vs_metric"),
                lrt("scalar", "metric", "metric_vs_scalar")),
          file.path(out, "lavaan_groups_lrt.csv"), row.names = FALSE)
