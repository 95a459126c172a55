# lavaan refits of 50 bootstrap resamples of each channel of the infusion-use employee data,
# for tests/test_sem_scoring.py (utils.sem's batched Fisher-scoring bootstrap, resample by
# resample). Run from the repository root, after make_resamples.py:
#   Rscript tests/reference/sem/lavaan_resamples.R      (R 4, lavaan 0.6-14)
# Reads tests/reference/infusion/employee_data.csv and tests/reference/sem/resamples_infusion.csv
# (rows: 0-based positions within each channel's rows in data order). For every resample it fits
# the infusion-use latent model (utils/infusion/models.py LATENT_SEM, written out below)
# - "separate": in each channel on its own (sem() on that channel's resampled rows);
# - "metric": in both channels at once, group = "channel", group.equal = "loadings", the two
#   channels' resamples of the same number stacked (contact_center first, as drawn);
# and writes tests/reference/sem/lavaan_resamples.csv: resample, fit, channel, lhs, op, rhs, est
# for every free parameter with op =~, ~ or ~~ (ML, expected information, fixed.x = TRUE).
# lavaan's default optimizer (nlminb, rel.tol 1e-10) stopped with INF ~ log_tenure up to 2.6e-5
# from the optimum on some resamples (gradient about 1e-3 on lavaan's scale, objective higher than
# at utils.sem's solution), and nlminb with a tighter rel.tol reports false convergence; so the
# fits use optim.method = "BFGS" with reltol 1e-15, whose solutions agree with utils.sem's to
# well within 1e-5. The model string is written to
# lavaan_resamples_model.txt so the test can check it against models.LATENT_SEM.
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("tests/reference/infusion/employee_data.csv")
resamples <- read.csv("tests/reference/sem/resamples_infusion.csv")
LATENT_SEM <- "INF =~ inf1 + inf2 + inf3
USAT =~ usat1 + usat2 + usat3
CONF =~ conf1 + conf2 + conf3
CSAT =~ csat1 + csat2 + csat3
INF ~ log_tenure
USAT ~ INF
CONF ~ INF + USAT + log_tenure + log_contacts
CSAT ~ CONF + log_contacts"
writeLines(LATENT_SEM, "tests/reference/sem/lavaan_resamples_model.txt")
TIGHT <- list(reltol = 1e-15, maxit = 10000)
rows_of <- function(b, channel) {
  line <- resamples[resamples$resample == b & resamples$channel == channel, "rows"]
  part <- d[d$channel == channel, ]
  part[as.integer(strsplit(line, " ")[[1]]) + 1, ]
}
keep <- function(fit, b, kind) {
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op %in% c("=~", "~", "~~") & !is.na(pe$se) & pe$se > 0, ]
  channel <- if (kind == "metric") lavInspect(fit, "group.label")[pe$group] else NA
  data.frame(resample = b, fit = kind, channel = channel, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est)
}
out <- list()
for (b in sort(unique(resamples$resample))) {
  parts <- list()
  for (channel in c("contact_center", "retail_store")) {
    part <- rows_of(b, channel)
    parts[[channel]] <- part
    one <- keep(sem(LATENT_SEM, data = part, optim.method = "BFGS", control = TIGHT), b, "separate")
    one$channel <- channel
    out[[length(out) + 1]] <- one
  }
  both <- rbind(parts$contact_center, parts$retail_store)
  out[[length(out) + 1]] <- keep(sem(LATENT_SEM, data = both, group = "channel", group.equal = "loadings",
                                   optim.method = "BFGS", control = TIGHT), b, "metric")
}
write.csv(do.call(rbind, out), "tests/reference/sem/lavaan_resamples.csv", row.names = FALSE)
