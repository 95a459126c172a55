# lavaan reference for a mediated two-group model on the book's own simulated data
# (two_group_mediation.csv, written by make_two_group_mediation.py). Run from the repository
# root: Rscript tests/reference/sem/lavaan_mediation.R   (lavaan 0.6-14, Debian r-cran-lavaan)
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/sem"
d <- read.csv(file.path(here, "two_group_mediation.csv"))
# group order as in the data (face_to_face first), as lavaan does by default
free <- '
  m ~ c(a1, a2)*x
  y ~ c(b1, b2)*m + c(c1, c2)*x
  ind1 := a1*b1
  ind2 := a2*b2
  diff := ind2 - ind1
'
equal_b <- '
  m ~ c(a1, a2)*x
  y ~ c(b, b)*m + c(c1, c2)*x
'
fits <- list(free = sem(free, data = d, group = "channel"),
             equal_b = sem(equal_b, data = d, group = "channel"))
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic", "npar")
fit_rows <- do.call(rbind, lapply(names(fits), function(name) {
  data.frame(model = name, measure = measures, value = unname(fitMeasures(fits[[name]], measures)))
}))
write.csv(fit_rows, file.path(here, "lavaan_mediation_fit.csv"), row.names = FALSE)
pe <- parameterEstimates(fits$free, standardized = TRUE)
pe <- pe[pe$op %in% c("~", ":="), c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "std.all")]
write.csv(pe, file.path(here, "lavaan_mediation_estimates.csv"), row.names = FALSE)
lrt <- anova(fits$equal_b, fits$free)
write.csv(data.frame(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                     pvalue = lrt[["Pr(>Chisq)"]][2]),
          file.path(here, "lavaan_mediation_lrt.csv"), row.names = FALSE)
