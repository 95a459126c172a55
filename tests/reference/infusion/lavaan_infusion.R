# lavaan references for the infusion-use replication (utils/infusion/, tests/test_infusion_lavaan.py):
# the book's SEM numbers, fitted by lavaan to the same employee-level data.
#
# Run from the repository root, after make_employee_data.py (written with R 4.2, lavaan 0.6-14):
#   PYTHONPATH=. .venv/bin/python tests/reference/infusion/make_employee_data.py
#   Rscript tests/reference/infusion/lavaan_infusion.R
# It reads tests/reference/infusion/employee_data.csv (= employee_data(load_study())) and writes,
# into tests/reference/infusion/:
# - lavaan_infusion_fit.csv: one row per model and channel with fitMeasures() chisq, df, pvalue,
#   cfi, tli, rmsea, rmsea.ci.lower, rmsea.ci.upper, srmr, logl, aic, bic, npar, ntotal.
#   Models: per channel (channel = retail_store / contact_center) cfa, latent_sem, composite_sem;
#   multi-group by channel (channel = "multigroup") cfa_configural, cfa_metric (group.equal =
#   "loadings"), cfa_scalar (c("loadings", "intercepts")), latent_free (nothing equal) and
#   latent_equal_<path> for each of the four key paths held equal across channels; latent_metric
#   (loadings equal) and latent_metric_equal_<path> (loadings and the path equal);
# - lavaan_infusion_estimates.csv: parameterEstimates(standardized = TRUE) rows with op =~, ~, ~~
#   (fixed ones included, se 0) of every model above: model, channel (the group), lhs, op, rhs,
#   est, se, std_all;
# - lavaan_infusion_lrt.csv: anova(held equal, baseline) for each key path and baseline
#   (configural: latent_free; metric: latent_metric): path, baseline, chisq_diff, df_diff, pvalue;
# - lavaan_infusion_r2.csv: lavInspect(fit, "r2") of the per-channel latent and composite models:
#   model, channel, variable, r2;
# - lavaan_infusion_models.csv: the model strings used and the lavaan version (the test checks the
#   strings against utils/infusion/models.py, so references from other strings are caught).
#
# Defaults as utils.sem: ML, expected information, fixed.x = TRUE (log_tenure and log_contacts are
# observed exogenous: their moments are data, not parameters; loglik conditional on them).
# Groups in the order retail_store, contact_center (the data's order, as utils.sem.fit_groups).
#
# auto.cov.y: sem() frees the residual covariances of "purely dependent" variables (those that
# are regressed on others but predict nothing). In LATENT_SEM and COMPOSITE_SEM only one variable
# is such (CSAT; csat): INF, USAT and CONF (infusion, usat, conf) all predict something. So lavaan
# adds no covariance that semopy lacks, and df agree (per channel: CFA 48, latent 70, composite 6).
# The script stops if a free covariance between two different variables appears in a structural
# model (which would mean lavaan's model is no longer semopy's). In the CFA, both free the six
# factor covariances (cfa() / semopy's default for exogenous factors).
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/infusion"
d <- read.csv(file.path(here, "employee_data.csv"))
CHANNELS <- c("retail_store", "contact_center")
stopifnot(setequal(unique(d$channel), CHANNELS))

# The model strings of utils/infusion/models.py, written out: they must match it exactly
# (models.CFA, models.LATENT_SEM, models.COMPOSITE_SEM; tests/test_infusion_lavaan.py checks this
# file and lavaan_infusion_models.csv against them).
CFA <- "INF =~ inf1 + inf2 + inf3
USAT =~ usat1 + usat2 + usat3
CONF =~ conf1 + conf2 + conf3
CSAT =~ csat1 + csat2 + csat3"
LATENT_SEM <- "INF =~ inf1 + inf2 + inf3
USAT =~ usat1 + usat2 + usat3
CONF =~ conf1 + conf2 + conf3
CSAT =~ csat1 + csat2 + csat3
INF ~ log_tenure
USAT ~ INF
CONF ~ INF + USAT + log_tenure + log_contacts
CSAT ~ CONF + log_contacts"
COMPOSITE_SEM <- "infusion ~ log_tenure
usat ~ infusion
conf ~ infusion + usat + log_tenure + log_contacts
csat ~ conf + log_contacts"

# hypotheses.equality_tests: each key path labelled p in both groups (c(p, p)*x holds it equal),
# everything else free; the test is against latent_free.
PATHS <- list("CONF~INF" = c("CONF", "INF"), "CONF~USAT" = c("CONF", "USAT"),
              "USAT~INF" = c("USAT", "INF"), "CSAT~CONF" = c("CSAT", "CONF"))
with_equal_path <- function(model, outcome, predictor) {
  lines <- strsplit(model, "\n", fixed = TRUE)[[1]]
  at <- which(startsWith(lines, paste0(outcome, " ~ ")))
  stopifnot(length(at) == 1)
  terms <- strsplit(sub("^[^~]*~ ", "", lines[at]), " + ", fixed = TRUE)[[1]]
  stopifnot(predictor %in% terms)
  terms[terms == predictor] <- paste0("c(p, p)*", predictor)
  lines[at] <- paste0(outcome, " ~ ", paste(terms, collapse = " + "))
  paste(lines, collapse = "\n")
}

no_added_covariances <- function(fit) {
  pt <- parTable(fit)
  extra <- pt[pt$op == "~~" & pt$lhs != pt$rhs & pt$free > 0, ]
  if (nrow(extra) > 0) stop("lavaan freed covariances semopy lacks: ",
                            paste(extra$lhs, extra$op, extra$rhs, collapse = ", "))
  fit
}

fits <- list()  # name -> list(fit, channel)
for (ch in CHANNELS) {
  part <- d[d$channel == ch, ]
  fits[[paste0("cfa.", ch)]] <- list(model = "cfa", channel = ch, fit = cfa(CFA, data = part))
  fits[[paste0("latent_sem.", ch)]] <- list(model = "latent_sem", channel = ch,
                                            fit = no_added_covariances(sem(LATENT_SEM, data = part)))
  fits[[paste0("composite_sem.", ch)]] <- list(model = "composite_sem", channel = ch,
                                               fit = no_added_covariances(sem(COMPOSITE_SEM, data = part)))
}
multigroup <- list(
  cfa_configural = cfa(CFA, data = d, group = "channel", group.label = CHANNELS),
  cfa_metric = cfa(CFA, data = d, group = "channel", group.label = CHANNELS, group.equal = "loadings"),
  cfa_scalar = cfa(CFA, data = d, group = "channel", group.label = CHANNELS,
                   group.equal = c("loadings", "intercepts")),
  latent_free = no_added_covariances(sem(LATENT_SEM, data = d, group = "channel", group.label = CHANNELS))
)
multigroup$latent_metric <- no_added_covariances(
  sem(LATENT_SEM, data = d, group = "channel", group.label = CHANNELS, group.equal = "loadings"))
for (path in names(PATHS)) {
  model <- with_equal_path(LATENT_SEM, PATHS[[path]][1], PATHS[[path]][2])
  multigroup[[paste0("latent_equal_", path)]] <- no_added_covariances(
    sem(model, data = d, group = "channel", group.label = CHANNELS))
  multigroup[[paste0("latent_metric_equal_", path)]] <- no_added_covariances(
    sem(model, data = d, group = "channel", group.label = CHANNELS, group.equal = "loadings"))
}
for (name in names(multigroup)) {
  fits[[name]] <- list(model = name, channel = "multigroup", fit = multigroup[[name]])
}
for (entry in fits) stopifnot(lavInspect(entry$fit, "converged"))

measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "logl", "aic", "bic", "npar", "ntotal")
fit_rows <- do.call(rbind, lapply(fits, function(entry) {
  values <- fitMeasures(entry$fit, measures)
  cbind(data.frame(model = entry$model, channel = entry$channel),
        as.data.frame(as.list(setNames(as.numeric(values), measures))))
}))
write.csv(fit_rows, file.path(here, "lavaan_infusion_fit.csv"), row.names = FALSE)

est_rows <- do.call(rbind, lapply(fits, function(entry) {
  pe <- parameterEstimates(entry$fit, standardized = TRUE, ci = FALSE)
  pe <- pe[pe$op %in% c("=~", "~", "~~"), ]
  group <- if (is.null(pe$group)) rep(entry$channel, nrow(pe)) else CHANNELS[pe$group]
  data.frame(model = entry$model, channel = group, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
             est = pe$est, se = pe$se, std_all = pe$std.all)
}))
write.csv(est_rows, file.path(here, "lavaan_infusion_estimates.csv"), row.names = FALSE)

lrt_rows <- do.call(rbind, lapply(names(PATHS), function(path) {
  rbind(
    local({
      a <- anova(multigroup[[paste0("latent_equal_", path)]], multigroup$latent_free)
      data.frame(path = path, baseline = "configural", chisq_diff = a[["Chisq diff"]][2],
                 df_diff = a[["Df diff"]][2], pvalue = a[["Pr(>Chisq)"]][2])
    }),
    local({
      a <- anova(multigroup[[paste0("latent_metric_equal_", path)]], multigroup$latent_metric)
      data.frame(path = path, baseline = "metric", chisq_diff = a[["Chisq diff"]][2],
                 df_diff = a[["Df diff"]][2], pvalue = a[["Pr(>Chisq)"]][2])
    }))
}))
write.csv(lrt_rows, file.path(here, "lavaan_infusion_lrt.csv"), row.names = FALSE)

r2_rows <- do.call(rbind, lapply(fits[grepl("^(latent|composite)_sem\\.", names(fits))], function(entry) {
  r2 <- lavInspect(entry$fit, "r2")
  data.frame(model = entry$model, channel = entry$channel, variable = names(r2), r2 = unname(r2))
}))
write.csv(r2_rows, file.path(here, "lavaan_infusion_r2.csv"), row.names = FALSE)

write.csv(data.frame(name = c("CFA", "LATENT_SEM", "COMPOSITE_SEM"),
                     syntax = c(CFA, LATENT_SEM, COMPOSITE_SEM),
                     lavaan = as.character(packageVersion("lavaan")),
                     r = paste(R.version$major, R.version$minor, sep = ".")),
          file.path(here, "lavaan_infusion_models.csv"), row.names = FALSE)
