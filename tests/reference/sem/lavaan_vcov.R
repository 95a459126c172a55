# lavaan's vcov() of reference models, for tests/test_sem_vcov.py (SemFit.vcov, GroupFit.vcov).
# Run from the repository root:  Rscript tests/reference/sem/lavaan_vcov.R   (R 4, lavaan 0.6-14)
# Writes tests/reference/sem/lavaan_vcov.csv: model, row, col, value for the lower triangle
# (row >= col) of each model's vcov(). Parameters are named as lavaan names unlabelled free
# parameters, "lhs op rhs" without spaces and ".gK" for group K > 1, here for every free
# parameter (lavaan itself uses labels such as ".p2." for parameters held equal, which repeat);
# the names come from parTable(), whose "free" column numbers the rows and columns of vcov().
# Defaults as utils.sem: ML, expected information, fixed.x = TRUE.
suppressPackageStartupMessages(library(lavaan))
here <- "tests/reference/sem"
hs <- read.csv(file.path(here, "HolzingerSwineford1939.csv"))
pd <- read.csv(file.path(here, "PoliticalDemocracy.csv"))
cfa_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
poldem_model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"
path_label <- paste(cfa_model, "textual ~ c(b, b)*visual
speed ~ visual
textual ~~ speed", sep = "\n")
fits <- list(
  hs_cfa = cfa(cfa_model, data = hs),
  poldem_sem = sem(poldem_model, data = pd),
  poldem_path = sem("y1 ~ x1 + x2\ny5 ~ y1 + x1", data = pd),
  configural = cfa(cfa_model, data = hs, group = "school"),
  metric = cfa(cfa_model, data = hs, group = "school", group.equal = "loadings"),
  path_label = sem(path_label, data = hs, group = "school")
)
rows <- list()
for (name in names(fits)) {
  pt <- parTable(fits[[name]])
  pt <- pt[pt$free > 0, ]
  pt <- pt[order(pt$free), ]
  names_free <- paste0(pt$lhs, pt$op, pt$rhs, ifelse(pt$group > 1, paste0(".g", pt$group), ""))
  v <- vcov(fits[[name]])
  stopifnot(nrow(v) == length(names_free))
  idx <- which(lower.tri(v, diag = TRUE), arr.ind = TRUE)
  rows[[name]] <- data.frame(model = name, row = names_free[idx[, 1]], col = names_free[idx[, 2]],
                             value = v[idx])
}
write.csv(do.call(rbind, rows), file.path(here, "lavaan_vcov.csv"), row.names = FALSE)
