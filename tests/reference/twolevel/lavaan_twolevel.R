# lavaan references for utils.sem.twolevel (tests/test_sem_twolevel.py): two-level SEMs fitted by
# lavaan 0.6-14 (R 4.2) on lavaan's own example and on the book's simulated customers.
#
# Run from the repository root (written with R 4.2.2, lavaan 0.6-14):
#   Rscript tests/reference/twolevel/lavaan_twolevel.R
# It writes, into tests/reference/twolevel/:
# - demo_twolevel.csv: lavaan's data(Demo.twolevel) (2,500 rows, 200 clusters), for the tests;
# - lavaan_twolevel_fit.csv: one row per model with fitMeasures() chisq, df, pvalue, cfi, tli,
#   rmsea, rmsea.ci.lower, rmsea.ci.upper, srmr_within, srmr_between, logl, unrestricted.logl,
#   aic, bic, npar, ntotal, baseline.chisq, baseline.df, and the number of clusters;
# - lavaan_twolevel_estimates.csv: parameterEstimates(standardized = TRUE), every row (fixed ones
#   with se 0): model, group (the group label, "" for one group), level, lhs, op, rhs, label, est,
#   se, std_all;
# - lavaan_twolevel_lrt.csv: anova() of nested two-group infusion models: test, chisq_diff,
#   df_diff, pvalue;
# - lavaan_twolevel_models.csv: every model string used, the lavaan and R versions (the tests
#   check the infusion strings against utils/infusion_twolevel.py).
#
# Models:
# - demo: the two-level example of the lavaan tutorial on Demo.twolevel;
# - demo_labels: the same data with one label shared by a loading at both levels, a within-only
#   dependent variable (y4) and a residual covariance;
# - demo_contextual: x1 named at both levels as a covariate (a "both" exogenous variable, whose
#   moments lavaan fixes at its unrestricted EM estimates), x2 within-only, w1 between-only;
# - demo_cfa2: two factors at each level (a two-level CFA, factor covariances free);
# - demo_between_endogenous: a between-only dependent variable (w2 ~ fb + w1), on the data with
#   clusters 3 and 7 cut to their first row (clusters of one row inform only the between level);
# - demo_saturated_between: a within model with a covariate and a between level of free
#   covariances only;
# - demo_paths: observed paths at both levels, a between-only covariate at level 2;
# - infusion_free_<channel>, infusion_<channel>: utils.infusion_twolevel.MODEL_FREE and MODEL on the
#   customers of one channel (the book's simulated study, data/chen2021/, the analysis sample of
#   utils.infusion.aggregation.employee_data: employees who answered wave 2 with at least seven
#   customers);
# - infusion_groups_configural, infusion_groups_loadings (every loading equal across channels, both
#   levels), infusion_groups_h1 (CONF ~ INF equal), infusion_groups_h3 (CSAT ~ CONF equal):
#   MODEL_FREE in two groups. lavaan 0.6-14 needs "group:" blocks in the syntax for two-level
#   multi-group models and does not accept group.equal there, so equalities are written as shared
#   labels. (MODEL in two groups fails in lavaan 0.6-14 at its starting values, "Model estimation
#   FAILED! Returning starting values", although it fits each channel alone; MODEL_FREE converges.)
# Defaults throughout: sem(), ML, observed information (lavaan's two-level default), fixed.x,
# nlminb with lavaan's stopping rule (rel.tol 1e-10). That rule leaves lavaan's estimates a little
# short of the maximum where the likelihood is nearly flat: level-2 intercepts of the infusion
# model (standard errors about 0.7) up to 0.002 away (log-likelihood 3e-6 lower), and the
# two-group model with equal loadings 0.0056 short in log-likelihood (chi-square 0.011 high).
# Tighter tolerances make nlminb report false convergence. The tests therefore also store what
# they need to check such cases: every estimate, so that utils.sem can evaluate its own
# log-likelihood at lavaan's estimates (it equals lavaan's) and show that its maximum is higher.
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/twolevel"

data(Demo.twolevel)
write.csv(Demo.twolevel, file.path(here, "demo_twolevel.csv"), row.names = FALSE)
demo <- read.csv(file.path(here, "demo_twolevel.csv"))  # fit exactly what the tests read
singletons <- demo[!(demo$cluster %in% c(3, 7)) | !duplicated(demo$cluster), ]

# ------------------------------------------------------------------ the book's customers
employees <- read.csv("data/chen2021/employees.csv")
customers <- read.csv("data/chen2021/customers.csv")
counts <- table(customers$employee_id)
employees$n_customers <- as.integer(counts[employees$employee_id])
employees$n_customers[is.na(employees$n_customers)] <- 0L
sample <- employees[employees$wave2 == 1 & employees$n_customers >= 7, ]
sample$log_tenure <- log(sample$tenure_months)
sample$log_contacts <- log(sample$monthly_contacts)
keep <- c("employee_id", "channel", "inf1", "inf2", "inf3", "usat1", "usat2", "usat3", "log_tenure", "log_contacts")
infusion <- merge(customers, sample[, keep], by = "employee_id", sort = FALSE)
infusion <- infusion[order(match(infusion$customer_id, customers$customer_id)), ]
CHANNELS <- c("retail_store", "contact_center")

# ------------------------------------------------------------------ model strings
DEMO <- "level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2 + x3
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1 + w2"
DEMO_LABELS <- "level: 1
  fw =~ y1 + a*y2 + y3
  fw ~ x1 + x2
  y4 ~ fw + x3
  y3 ~~ y4
level: 2
  fb =~ y1 + a*y2 + y3
  fb ~ w1"
DEMO_CONTEXTUAL <- "level: 1
  y1 ~ x1 + x2
  y2 ~ y1 + x1
level: 2
  y1 ~ x1 + w1
  y2 ~ y1"
DEMO_CFA2 <- "level: 1
  f1 =~ y1 + y2 + y3
  f2 =~ y4 + y5 + y6
level: 2
  g1 =~ y1 + y2 + y3
  g2 =~ y4 + y5 + y6"
DEMO_BETWEEN_ENDOGENOUS <- "level: 1
  fw =~ y1 + y2 + y3
level: 2
  fb =~ y1 + y2 + y3
  w2 ~ fb + w1"
DEMO_SATURATED_BETWEEN <- "level: 1
  fw =~ y1 + y2 + y3 + y4
  fw ~ x1
level: 2
  y1 ~~ y2 + y3 + y4
  y2 ~~ y3 + y4
  y3 ~~ y4"
DEMO_PATHS <- "level: 1
  y2 ~ y1
  y3 ~ y2 + y1
level: 2
  y2 ~ y1 + w1
  y3 ~ y2"
# utils.infusion_twolevel.MODEL_FREE and MODEL, written out (the tests compare them).
WITHIN <- "CONF_W =~ conf1 + conf2 + conf3
CSAT_W =~ csat1 + csat2 + csat3
CSAT_W ~ CONF_W"
BETWEEN <- "INF =~ inf1 + inf2 + inf3
USAT =~ usat1 + usat2 + usat3
CONF =~ conf1 + conf2 + conf3
CSAT =~ csat1 + csat2 + csat3
INF ~ log_tenure
USAT ~ INF
CONF ~ INF + USAT + log_tenure + log_contacts
CSAT ~ CONF + log_contacts"
ZERO <- "conf1 ~~ 0*conf1
conf2 ~~ 0*conf2
conf3 ~~ 0*conf3
csat1 ~~ 0*csat1
csat2 ~~ 0*csat2
csat3 ~~ 0*csat3"
MODEL_FREE <- paste0("level: 1\n", WITHIN, "\nlevel: 2\n", BETWEEN)
MODEL <- paste0(MODEL_FREE, "\n", ZERO)

# Label every loading but the first of each factor, at both levels (level-specific labels), so
# that writing the same block in both groups holds the loadings equal.
label_loadings <- function(model) {
  lines <- strsplit(model, "\n", fixed = TRUE)[[1]]
  level <- 0
  for (i in seq_along(lines)) {
    if (grepl("^level:", lines[i])) level <- level + 1
    if (grepl("=~", lines[i], fixed = TRUE)) {
      parts <- strsplit(lines[i], " =~ ", fixed = TRUE)[[1]]
      terms <- strsplit(parts[2], " + ", fixed = TRUE)[[1]]
      terms[-1] <- paste0("L", level, "_", parts[1], "_", terms[-1], "*", terms[-1])
      lines[i] <- paste0(parts[1], " =~ ", paste(terms, collapse = " + "))
    }
  }
  paste(lines, collapse = "\n")
}
label_path <- function(model, outcome, predictor, label) {
  lines <- strsplit(model, "\n", fixed = TRUE)[[1]]
  at <- which(startsWith(lines, paste0(outcome, " ~ ")))
  stopifnot(length(at) == 1)
  terms <- strsplit(sub("^[^~]*~ ", "", lines[at]), " + ", fixed = TRUE)[[1]]
  stopifnot(predictor %in% terms)
  terms[terms == predictor] <- paste0(label, "*", predictor)
  lines[at] <- paste0(outcome, " ~ ", paste(terms, collapse = " + "))
  paste(lines, collapse = "\n")
}
in_groups <- function(model) paste0("group: retail_store\n", model, "\ngroup: contact_center\n", model)

# ------------------------------------------------------------------ fits
fits <- list()
fits$demo <- sem(DEMO, data = demo, cluster = "cluster")
fits$demo_labels <- sem(DEMO_LABELS, data = demo, cluster = "cluster")
fits$demo_contextual <- sem(DEMO_CONTEXTUAL, data = demo, cluster = "cluster")
fits$demo_cfa2 <- sem(DEMO_CFA2, data = demo, cluster = "cluster")
fits$demo_between_endogenous <- sem(DEMO_BETWEEN_ENDOGENOUS, data = singletons, cluster = "cluster")
fits$demo_saturated_between <- sem(DEMO_SATURATED_BETWEEN, data = demo, cluster = "cluster")
fits$demo_paths <- sem(DEMO_PATHS, data = demo, cluster = "cluster")
for (channel in CHANNELS) {
  part <- infusion[infusion$channel == channel, ]
  fits[[paste0("infusion_free_", channel)]] <- sem(MODEL_FREE, data = part, cluster = "employee_id")
  fits[[paste0("infusion_", channel)]] <- sem(MODEL, data = part, cluster = "employee_id")
}
GROUP_MODELS <- list(
  infusion_groups_configural = MODEL_FREE,
  infusion_groups_loadings = label_loadings(MODEL_FREE),
  infusion_groups_h1 = label_path(MODEL_FREE, "CONF", "INF", "h1"),
  infusion_groups_h3 = label_path(MODEL_FREE, "CSAT", "CONF", "h3")
)
for (name in names(GROUP_MODELS)) {
  fits[[name]] <- sem(in_groups(GROUP_MODELS[[name]]), data = infusion, cluster = "employee_id", group = "channel")
  stopifnot(identical(lavInspect(fits[[name]], "group.label"), CHANNELS))
}

not_converged <- names(fits)[!vapply(fits, lavInspect, logical(1), what = "converged")]
if (length(not_converged) > 0) stop("lavaan did not converge for: ", paste(not_converged, collapse = ", "))

# ------------------------------------------------------------------ outputs
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr_within", "srmr_between", "logl", "unrestricted.logl", "aic", "bic", "npar", "ntotal",
              "baseline.chisq", "baseline.df")
fit_rows <- lapply(names(fits), function(name) {
  fm <- fitMeasures(fits[[name]], measures)
  clusters <- sum(unlist(lavInspect(fits[[name]], "nclusters")))
  data.frame(model = name, t(unclass(fm)), clusters = clusters, check.names = FALSE)
})
write.csv(do.call(rbind, fit_rows), file.path(here, "lavaan_twolevel_fit.csv"), row.names = FALSE)

estimate_rows <- lapply(names(fits), function(name) {
  pe <- parameterEstimates(fits[[name]], standardized = TRUE)
  labels <- lavInspect(fits[[name]], "group.label")
  group <- if (is.null(pe$group) || length(labels) == 0) "" else if (is.numeric(pe$group)) labels[pe$group] else pe$group
  label <- if (is.null(pe$label)) "" else pe$label
  data.frame(model = name, group = group, level = pe$level, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
             label = label, est = pe$est, se = pe$se, std_all = pe$std.all)
})
write.csv(do.call(rbind, estimate_rows), file.path(here, "lavaan_twolevel_estimates.csv"), row.names = FALSE)

lrt <- function(test, smaller, larger) {
  a <- anova(fits[[smaller]], fits[[larger]])
  data.frame(test = test, chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2],
             pvalue = a[["Pr(>Chisq)"]][2])
}
write.csv(rbind(lrt("loadings", "infusion_groups_loadings", "infusion_groups_configural"),
                lrt("h1", "infusion_groups_h1", "infusion_groups_configural"),
                lrt("h3", "infusion_groups_h3", "infusion_groups_configural"),
                lrt("zero_between_retail_store", "infusion_retail_store", "infusion_free_retail_store")),
          file.path(here, "lavaan_twolevel_lrt.csv"), row.names = FALSE)

model_strings <- c(demo = DEMO, demo_labels = DEMO_LABELS, demo_contextual = DEMO_CONTEXTUAL,
                   demo_cfa2 = DEMO_CFA2, demo_between_endogenous = DEMO_BETWEEN_ENDOGENOUS,
                   demo_saturated_between = DEMO_SATURATED_BETWEEN, demo_paths = DEMO_PATHS,
                   MODEL_FREE = MODEL_FREE, MODEL = MODEL, unlist(GROUP_MODELS))
write.csv(data.frame(name = names(model_strings), syntax = unname(model_strings),
                     lavaan = as.character(packageVersion("lavaan")),
                     r = paste(R.version$major, R.version$minor, sep = ".")),
          file.path(here, "lavaan_twolevel_models.csv"), row.names = FALSE)
cat("wrote", here, "\n")
