# Reference outputs for tests/test_sem_single.py (and the data of the other utils.sem tests) from
# lavaan 0.6-14 on R 4.2.
#
# Run from the repository root:   Rscript tests/reference/sem/lavaan_reference.R
# It writes into tests/reference/sem/:
#   HolzingerSwineford1939.csv, PoliticalDemocracy.csv   lavaan's example data, as shipped
#   single_<model>_fit.csv         fitMeasures(fit): columns measure, value (all of lavaan's
#                                  measures, named as lavaan names them; values to 15 digits)
#   single_<model>_estimates.csv   parameterEstimates(fit, standardized = TRUE): lhs, op, rhs,
#                                  label, est, se, z, pvalue, std.all (ci and std.lv/nox dropped)
# for the single-group models below: the lavaan tutorial's Holzinger–Swineford 3-factor CFA
# (hs_cfa), the same with an equality constraint between two loadings (hs_cfa_ceq), its
# PoliticalDemocracy SEM with residual covariances (poldem_sem), and a path model with observed
# exogenous variables on PoliticalDemocracy (poldem_path). Default ML estimation,
# expected information, fixed.x = TRUE (lavaan's defaults), no mean structure.
# Needs: lavaan (Debian: r-cran-lavaan); otherwise base R.

library(lavaan)

out <- "tests/reference/sem"
write.csv(lavaan::HolzingerSwineford1939, file.path(out, "HolzingerSwineford1939.csv"), row.names = FALSE)
write.csv(lavaan::PoliticalDemocracy, file.path(out, "PoliticalDemocracy.csv"), row.names = FALSE)

models <- list(
  hs_cfa = list(data = HolzingerSwineford1939, syntax = "
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
  "),
  poldem_sem = list(data = PoliticalDemocracy, syntax = "
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
  "),
  hs_cfa_ceq = list(data = HolzingerSwineford1939, syntax = "
    visual  =~ x1 + a*x2 + b*x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
    a == b
  "),
  poldem_path = list(data = PoliticalDemocracy, syntax = "
    y1 ~ x1 + x2
    y5 ~ y1 + x1
  ")
)

for (name in names(models)) {
  m <- models[[name]]
  fit <- sem(m$syntax, data = m$data)
  measures <- fitMeasures(fit)
  write.csv(data.frame(measure = names(measures), value = sprintf("%.15g", as.numeric(measures))),
            file.path(out, paste0("single_", name, "_fit.csv")), row.names = FALSE)
  pe <- parameterEstimates(fit, standardized = TRUE, ci = FALSE)
  if (is.null(pe$label)) pe$label <- ""  # lavaan drops the column when no parameter has a label
  pe <- pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std.all")]
  num <- c("est", "se", "z", "pvalue", "std.all")
  pe[num] <- lapply(pe[num], function(v) sprintf("%.15g", v))
  write.csv(pe, file.path(out, paste0("single_", name, "_estimates.csv")), row.names = FALSE)
}
