# lavaan references for path equality on the metric-invariant baseline and for a latent
# indirect-effect difference under metric invariance (tests/test_sem_metric_paths.py,
# tests/test_sem_montecarlo.py). Run from the repository root:
#   Rscript tests/reference/sem/lavaan_metric_paths.R      (R 4, lavaan 0.6-14)
# Model: the Holzinger–Swineford CFA by school with a latent chain visual → textual → speed
# (a: textual ~ visual, b: speed ~ textual) and a direct path speed ~ visual. Groups in the
# data's order: 1 Pasteur, 2 Grant-White. Writes into tests/reference/sem/:
# - lavaan_metric_paths_lrt.csv: baseline (configural or metric), path (a or b), chisq_diff,
#   df_diff, pvalue of anova(path held equal, baseline), and both models' chisq and df;
# - lavaan_metric_paths_defined.csv: the metric model's defined parameters ind1 := a1*b1
#   (Pasteur), ind2 := a2*b2 (Grant-White), diff := a1*b1 - a2*b2, with est and the delta-method se;
# - lavaan_metric_paths_estimates.csv: the metric model's free parameters (group label, lhs, op,
#   rhs, est, se).
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/sem"
hs <- read.csv(file.path(here, "HolzingerSwineford1939.csv"))
cfa_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
structure <- function(a, b) {
  paste(cfa_model, sprintf("textual ~ %s*visual", a), sprintf("speed ~ %s*textual + visual", b), sep = "\n")
}
free <- paste(structure("c(a1, a2)", "c(b1, b2)"),
              "ind1 := a1*b1\nind2 := a2*b2\ndiff := a1*b1 - a2*b2", sep = "\n")
held <- list(a = structure("c(a, a)", "c(b1, b2)"), b = structure("c(a1, a2)", "c(b, b)"))
rows <- list()
for (baseline in c("configural", "metric")) {
  equal <- if (baseline == "metric") "loadings" else ""
  base_fit <- sem(free, data = hs, group = "school", group.equal = equal)
  for (path in names(held)) {
    fit <- sem(held[[path]], data = hs, group = "school", group.equal = equal)
    a <- anova(fit, base_fit)
    rows[[length(rows) + 1]] <- data.frame(
      baseline = baseline, path = path, chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
      pvalue = a[["Pr(>Chisq)"]][2], chisq_held = fitMeasures(fit, "chisq"), df_held = fitMeasures(fit, "df"),
      chisq_baseline = fitMeasures(base_fit, "chisq"), df_baseline = fitMeasures(base_fit, "df"))
  }
  if (baseline == "metric") metric <- base_fit
}
write.csv(do.call(rbind, rows), file.path(here, "lavaan_metric_paths_lrt.csv"), row.names = FALSE)
pe <- parameterEstimates(metric)
defined <- pe[pe$op == ":=", c("lhs", "est", "se")]
write.csv(defined, file.path(here, "lavaan_metric_paths_defined.csv"), row.names = FALSE)
pe <- pe[pe$op %in% c("=~", "~", "~~") & pe$se > 0, ]
write.csv(data.frame(group = lavInspect(metric, "group.label")[pe$group], lhs = pe$lhs, op = pe$op,
                     rhs = pe$rhs, est = pe$est, se = pe$se),
          file.path(here, "lavaan_metric_paths_estimates.csv"), row.names = FALSE)
