# Reference values for tests/test_customers.py: lavaan's ML fits (CB-SEM) of the ECSI model on
# the mobi data and of the simple corporate-reputation model on corp_rep_data.
#
# Run from the repository root:   Rscript tests/reference/customers/lavaan_customers.R
# Written with R 4.2 and lavaan 0.6-14. It writes, into tests/reference/customers/:
# - lavaan_customers_fit.csv: one row per model and fit measure (model, measure, value);
# - lavaan_customers_estimates.csv: parameterEstimates() with std.all, one row per parameter;
# - lavaan_customers_cor_lv.csv: the model-implied correlations of the latent variables
#   (lavInspect(fit, "cor.lv")), long format (model, lhs, rhs, value).
# The model strings are the same as utils.customers.ECSI_MODEL and REPUTATION_MODEL. lavaan's
# defaults: ML, expected information, first loading fixed to 1, no residual covariances among
# the endogenous latents. The corporate-reputation data code missing answers as -99; rows with a
# missing value among the model's items are dropped (listwise), as utils.customers does.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/customers"
ecsi_model <- "
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
CUSCO ~ Satisfaction
Loyalty ~ Image + Satisfaction + CUSCO
"
reputation_model <- "
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSL =~ cusl_1 + cusl_2 + cusl_3
cusa ~ COMP + LIKE
CUSL ~ COMP + LIKE + cusa
"
mobi <- read.csv("data/ecsi/mobi.csv")
rep <- read.csv("data/reputation/corp_rep_data.csv")
rep[rep == -99] <- NA
items <- c("comp_1", "comp_2", "comp_3", "like_1", "like_2", "like_3", "cusl_1", "cusl_2", "cusl_3", "cusa")
rep <- rep[complete.cases(rep[, items]), ]

fits <- list(ecsi = sem(ecsi_model, data = mobi), reputation = sem(reputation_model, data = rep))
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "logl", "aic", "bic", "npar", "ntotal")
fit_rows <- do.call(rbind, lapply(names(fits), function(name) {
  values <- fitMeasures(fits[[name]], measures)
  data.frame(model = name, measure = names(values), value = as.numeric(values))
}))
write.csv(fit_rows, file.path(out, "lavaan_customers_fit.csv"), row.names = FALSE)

est_rows <- do.call(rbind, lapply(names(fits), function(name) {
  pe <- parameterEstimates(fits[[name]], standardized = TRUE)
  data.frame(model = name, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
             z = pe$z, pvalue = pe$pvalue, std.all = pe$std.all)
}))
write.csv(est_rows, file.path(out, "lavaan_customers_estimates.csv"), row.names = FALSE)

cor_rows <- do.call(rbind, lapply(names(fits), function(name) {
  r <- lavInspect(fits[[name]], "cor.lv")
  grid <- expand.grid(lhs = rownames(r), rhs = colnames(r), stringsAsFactors = FALSE)
  data.frame(model = name, grid, value = as.vector(r))
}))
write.csv(cor_rows, file.path(out, "lavaan_customers_cor_lv.csv"), row.names = FALSE)
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
