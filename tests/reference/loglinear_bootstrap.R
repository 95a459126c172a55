# Reference values for the parametric-bootstrap tests of tests/test_loglinear.py, from R's
# loglin() (iterative proportional fitting) and rmultinom(): an implementation independent of
# the book's (its own random numbers, its own fitting), so the tests compare the two
# statistically, within their combined Monte Carlo error.
#
# Run from the repository root:   Rscript tests/reference/loglinear_bootstrap.R
# It writes tests/reference/loglinear_bootstrap_r.csv with one row per nested test on the 3×4×3
# table of data/khodakarami2014/counts.csv: every model of the standard hierarchy against the
# saturated model (goodness of fit), and each two-way term dropped from the homogeneous-association
# model. Columns: test, smaller and larger (generating classes as "a*b + c"), delta_g2 (observed),
# n_sim, exceed (simulated ΔG² ≥ observed), bootstrap_p = (1 + exceed) / (1 + n_sim), and the
# mean and standard deviation of the simulated ΔG². Each replicate draws a multinomial table with
# the observed total from the smaller model's fitted probabilities and refits both models.
# loglin needs no special care for zeros: a cell whose margin is 0 is fitted 0 and adds 0 to G².
# Tables whose IPF has not met eps within iter cycles (estimates on the boundary, where IPF
# crawls) keep their last iterate; `not_converged` counts them (their G² is off by < 1e-3).
# Written with R 4.2.2; base R only; about 3 minutes.

counts <- read.csv("data/khodakarami2014/counts.csv", stringsAsFactors = TRUE)
observed <- xtabs(count ~ system + process + knowledge, data = counts)
n <- sum(observed)
n_sim <- 20000L
set.seed(20140127)

classes <- c(
  "system + process + knowledge",
  "system*process + knowledge",
  "system*knowledge + process",
  "process*knowledge + system",
  "system*process + system*knowledge",
  "system*process + process*knowledge",
  "system*knowledge + process*knowledge",
  "system*process + system*knowledge + process*knowledge"
)
saturated <- "system*process*knowledge"
homogeneous <- classes[8]
tests <- rbind(
  data.frame(test = paste("fit of", classes), smaller = classes, larger = saturated),
  data.frame(test = c("drop system*process", "drop system*knowledge", "drop process*knowledge"),
             smaller = c("system*knowledge + process*knowledge", "system*process + process*knowledge",
                         "system*process + system*knowledge"),
             larger = homogeneous)
)

margin_of <- function(terms) lapply(strsplit(strsplit(terms, " \\+ ")[[1]], "\\*"), trimws)
not_converged <- 0L
g2 <- function(table, terms, fit = FALSE) {
  withCallingHandlers(
    loglin(table, margin_of(terms), fit = fit, eps = 1e-6, iter = 5000, print = FALSE),
    warning = function(w) {
      not_converged <<- not_converged + 1L
      invokeRestart("muffleWarning")
    }
  )
}

rows <- lapply(seq_len(nrow(tests)), function(i) {
  smaller <- tests$smaller[i]
  larger <- tests$larger[i]
  null <- g2(observed, smaller, fit = TRUE)
  delta <- null$lrt - g2(observed, larger)$lrt
  probabilities <- as.vector(null$fit) / n
  draws <- rmultinom(n_sim, n, probabilities)
  before <- not_converged
  simulated <- vapply(seq_len(n_sim), function(b) {
    table <- array(draws[, b], dim = dim(observed), dimnames = dimnames(observed))
    g2(table, smaller)$lrt - g2(table, larger)$lrt
  }, numeric(1))
  exceed <- sum(simulated >= delta - 1e-8 * max(1, delta))
  data.frame(test = tests$test[i], smaller = smaller, larger = larger, delta_g2 = delta,
             n_sim = n_sim, exceed = exceed, bootstrap_p = (1 + exceed) / (1 + n_sim),
             mean_delta_g2 = mean(simulated), sd_delta_g2 = sd(simulated),
             not_converged = not_converged - before)
})
out <- do.call(rbind, rows)
write.csv(out, "tests/reference/loglinear_bootstrap_r.csv", row.names = FALSE)
print(out, digits = 6)
