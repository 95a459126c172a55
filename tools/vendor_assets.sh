#!/usr/bin/env bash
# Refetch the JavaScript that the built book serves itself (vendor/), from the npm registry.
# Run only to upgrade a version: then update the versions here, in vendor/README.md and in
# vendor/SHA256SUMS (this script rewrites the latter). Needs node and npm; the book build does not.
set -euo pipefail
HTML_MANAGER=1.0.15   # @jupyter-widgets/html-manager, the embed script for ipywidgets 8
REQUIREJS=2.3.8
MATHJAX=3.2.2
AXE_CORE=4.14.1       # accessibility rules the browser tests run (tools/pagecheck.py); never served
# npm's integrity string of each tarball (npm view PACKAGE@VERSION dist.integrity), recorded when
# the version was chosen: a tarball that differs from the one vendor/ was taken from stops the script.
SHA512="jupyter-widgets-html-manager-$HTML_MANAGER.tgz 5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==
requirejs-$REQUIREJS.tgz 7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==
mathjax-$MATHJAX.tgz Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
axe-core-$AXE_CORE.tgz FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER" "requirejs@$REQUIREJS" "mathjax@$MATHJAX" \
  "axe-core@$AXE_CORE" >/dev/null
while read -r tarball expected; do
  got=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
  [ "$got" = "$expected" ] || { echo "$tarball: sha512 $got, expected $expected" >&2; exit 1; }
done <<< "$SHA512"
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
out="$root/vendor"
rm -rf "$out/widgets" "$out/mathjax" "$out/axe-core"
mkdir -p "$out/widgets" "$out/mathjax/output/chtml/fonts" "$out/mathjax/input/tex" "$out/axe-core"
hm="jupyter-widgets-html-manager-$HTML_MANAGER/package/dist"
cp "requirejs-$REQUIREJS/package/require.js" "$hm/embed-amd.js" "$hm"/*.woff2 "$hm"/*.woff "$hm"/*.ttf "$out/widgets/"
cp "$hm/embed.js.LICENSE.txt" "$out/widgets/THIRD-PARTY-NOTICES.txt"
mj="mathjax-$MATHJAX/package"
cp "$mj/LICENSE" "$mj/es5/tex-chtml.js" "$out/mathjax/"
cp -r "$mj/es5/output/chtml/fonts/woff-v2" "$out/mathjax/output/chtml/fonts/"
cp -r "$mj/es5/input/tex/extensions" "$out/mathjax/input/tex/"
ax="axe-core-$AXE_CORE/package"
cp "$ax/axe.min.js" "$ax/LICENSE" "$ax/LICENSE-3RD-PARTY.txt" "$out/axe-core/"
cd "$out" && find widgets mathjax axe-core -type f | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
echo "vendor/ refreshed; review git diff vendor/"
