# Reference values for tests/test_loglinear.py from R's loglin() (iterative proportional fitting)
# and glm(family = poisson): the standard hierarchy of log-linear models for the 3×4×3 table of
# data/khodakarami2014/counts.csv.
#
# Run from the repository root:   Rscript tests/reference/loglinear.R
# It writes tests/reference/loglinear_r.csv with one row per model: terms (the generating class
# as "a*b + c"), loglin's G² (lrt) and df, X² from loglin's fitted table, and glm's residual
# deviance, Pearson X² and residual df. Both df are nominal: R does not adjust them for cells
# forced to zero by a zero margin. loglin's own `pearson` is NaN for any model with such cells
# (0/0 in a cell fitted 0), so X² is summed over the cells with a positive fitted value; a
# forced-zero cell has observed 0 and adds nothing. glm warns "fitted rates numerically 0": those
# are the forced-zero cells, whose fitted values glm drives to ~1e-10 instead of dropping them.
# Written with R 4.2.2; base R only.

counts <- read.csv("data/khodakarami2014/counts.csv", stringsAsFactors = TRUE)
table3 <- xtabs(count ~ system + process + knowledge, data = counts)

models <- list(
  "system + process + knowledge",
  "system*process + knowledge",
  "system*knowledge + process",
  "process*knowledge + system",
  "system*process + system*knowledge",
  "system*process + process*knowledge",
  "system*knowledge + process*knowledge",
  "system*process + system*knowledge + process*knowledge",
  "system*process*knowledge"
)

rows <- lapply(models, function(terms) {
  margin <- lapply(strsplit(strsplit(terms, " \\+ ")[[1]], "\\*"), trimws)
  # Tight convergence: loglin's default (eps = 0.1 on the fitted margins) is far too loose for 1e-4.
  ll <- loglin(table3, margin, fit = TRUE, eps = 1e-12, iter = 10000, print = FALSE)
  gl <- glm(as.formula(paste("count ~", terms)), family = poisson, data = counts,
            control = glm.control(epsilon = 1e-12, maxit = 200))
  positive <- ll$fit > 0
  x2 <- sum((table3[positive] - ll$fit[positive])^2 / ll$fit[positive])
  data.frame(terms = terms, loglin_g2 = ll$lrt, loglin_x2 = x2, loglin_df = ll$df,
             glm_deviance = deviance(gl), glm_x2 = sum(residuals(gl, type = "pearson")^2),
             glm_df = df.residual(gl))
})
out <- do.call(rbind, rows)
write.csv(out, "tests/reference/loglinear_r.csv", row.names = FALSE)
print(out, digits = 10)
