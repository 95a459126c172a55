# Reference values for tests/test_sem_bootstrap.py (part C of issue 4): indirect effects with
# lavaan's nonparametric bootstrap. Run from this folder:  Rscript lavaan_bootstrap.R
# Writes lavaan_bootstrap.csv: for each defined effect, the ML estimate, the bootstrap SD and the
# percentile and bias-corrected ("bca.simple" = BC without acceleration) 95% intervals.
# The bootstrap draws differ from numpy's, so the Python test compares intervals and SDs within a
# Monte Carlo tolerance; the estimates are compared exactly (within 0.001).
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("PoliticalDemocracy.csv")
model <- "
  y1 ~ a*x1 + x2
  y5 ~ b*y1 + x1
  ind := a*b
  direct_a := a
"
set.seed(20261122)
fit <- sem(model, data = data, se = "bootstrap", bootstrap = 5000)
boot <- lavInspect(fit, "boot")
defined <- c("ind", "direct_a")
draws <- cbind(ind = boot[, "a"] * boot[, "b"], direct_a = boot[, "a"])
rows <- lapply(defined, function(name) {
  perc <- parameterEstimates(fit, boot.ci.type = "perc", level = 0.95)
  bc <- parameterEstimates(fit, boot.ci.type = "bca.simple", level = 0.95)
  p <- perc[perc$label == name & perc$op %in% c(":=", "~"), ][1, ]
  b <- bc[bc$label == name & bc$op %in% c(":=", "~"), ][1, ]
  data.frame(effect = name, estimate = p$est, se = sd(draws[, name]),
             pct_low = p$ci.lower, pct_high = p$ci.upper, bc_low = b$ci.lower, bc_high = b$ci.upper,
             n_boot = nrow(boot), lavaan = as.character(packageVersion("lavaan")))
})
write.csv(do.call(rbind, rows), "lavaan_bootstrap.csv", row.names = FALSE)
