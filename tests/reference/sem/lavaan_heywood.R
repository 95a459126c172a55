# lavaan references for a two-group Heywood case (tests/test_sem_heywood.py; utils.sem.fit_groups).
# Data: heywood_two_group.csv, written by make_heywood.py. Run from the repository root:
#   Rscript tests/reference/sem/lavaan_heywood.R      (R 4, lavaan 0.6-14)
# lavaan leaves variances unbounded: group g1's residual variance of a comes out negative, and
# lavaan warns ("some estimated ov variances are negative"). Writes into tests/reference/sem/:
# - lavaan_heywood_fit.csv: model (configural, metric), measure, value (fitMeasures);
# - lavaan_heywood_estimates.csv: parameterEstimates() rows with se > 0: model, group, lhs, op,
#   rhs, est, se.
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/sem"
d <- read.csv(file.path(here, "heywood_two_group.csv"))
model <- "F =~ a + b + c + d"
fits <- list(configural = suppressWarnings(cfa(model, data = d, group = "group")),
             metric = suppressWarnings(cfa(model, data = d, group = "group", group.equal = "loadings")))
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic", "npar")
fit_rows <- do.call(rbind, lapply(names(fits), function(name) {
  data.frame(model = name, measure = measures, value = unname(fitMeasures(fits[[name]], measures)))
}))
write.csv(fit_rows, file.path(here, "lavaan_heywood_fit.csv"), row.names = FALSE)
est_rows <- do.call(rbind, lapply(names(fits), function(name) {
  pe <- parameterEstimates(fits[[name]])
  pe <- pe[!is.na(pe$se) & pe$se > 0, ]
  data.frame(model = name, group = lavInspect(fits[[name]], "group.label")[pe$group],
             lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se)
}))
write.csv(est_rows, file.path(here, "lavaan_heywood_estimates.csv"), row.names = FALSE)
