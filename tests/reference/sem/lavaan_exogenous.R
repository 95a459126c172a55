# lavaan references for models with zero, one and two observed exogenous variables
# (tests/test_sem_exogenous.py; utils.sem.fit, fit_groups and indirect_effects).
# Data: exogenous.csv, written by make_exogenous.py. Run from the repository root:
#   Rscript tests/reference/sem/lavaan_exogenous.R      (R 4, lavaan 0.6-14)
# Writes into tests/reference/sem/:
# - lavaan_exogenous_fit.csv: model, groups ("single" or "multigroup"), measure, value
#   (fitMeasures chisq, df, pvalue, cfi, tli, rmsea, srmr, logl, aic, bic, npar);
# - lavaan_exogenous_estimates.csv: parameterEstimates() rows (ops =~, ~, ~~, :=) of every fit:
#   model, groups, group (the group label, "" for single-group fits), lhs, op, rhs, est, se.
# Defaults as utils.sem: ML, expected information, fixed.x = TRUE. Multi-group fits are
# configural (nothing equal), groups in the data's order (a, b). ind := a*b is the indirect
# effect x → m → y (X → m → y in the model without observed exogenous variables).
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/sem"
d <- read.csv(file.path(here, "exogenous.csv"))
models <- list(
  zero = "X =~ x1 + x2 + x3
m ~ a*X
y ~ b*m
ind := a*b",
  one_saturated = "m ~ a*x
y ~ b*m + x
ind := a*b",
  one = "m ~ a*x
y ~ b*m
ind := a*b",
  two = "m ~ a*x + w
y ~ b*m + x
ind := a*b"
)
# per-group labels for the multi-group fits: a and b become c(a1, a2), c(b1, b2)
multigroup <- function(model) {
  model <- sub("a\\*", "c(a1, a2)*", model)
  model <- sub("b\\*", "c(b1, b2)*", model)
  sub("ind := a\\*b", "ind1 := a1*b1\nind2 := a2*b2", model)
}
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic", "npar")
fit_rows <- list()
est_rows <- list()
for (name in names(models)) {
  for (kind in c("single", "multigroup")) {
    if (kind == "single") {
      fit <- sem(models[[name]], data = d)
    } else {
      fit <- sem(multigroup(models[[name]]), data = d, group = "group")
    }
    fit_rows[[length(fit_rows) + 1]] <- data.frame(model = name, groups = kind, measure = measures,
                                                   value = unname(fitMeasures(fit, measures)))
    pe <- parameterEstimates(fit)
    pe <- pe[pe$op %in% c("=~", "~", "~~", ":="), ]
    group <- if (kind == "single") rep("", nrow(pe)) else
      ifelse(pe$group > 0, lavInspect(fit, "group.label")[pmax(pe$group, 1)], "")
    est_rows[[length(est_rows) + 1]] <- data.frame(model = name, groups = kind, group = group,
                                                   lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                                                   est = pe$est, se = pe$se)
  }
}
write.csv(do.call(rbind, fit_rows), file.path(here, "lavaan_exogenous_fit.csv"), row.names = FALSE)
write.csv(do.call(rbind, est_rows), file.path(here, "lavaan_exogenous_estimates.csv"), row.names = FALSE)
