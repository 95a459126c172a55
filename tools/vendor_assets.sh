#!/usr/bin/env bash
# Refetch the JavaScript that the built book serves itself (vendor/), from the npm registry.
# Run only to upgrade a version: then update the versions here, in vendor/README.md and in
# vendor/SHA256SUMS (this script rewrites the latter). Needs node and npm; the book build does not.
set -euo pipefail
HTML_MANAGER=1.0.15   # @jupyter-widgets/html-manager, the embed script for ipywidgets 8
REQUIREJS=2.3.8
MATHJAX=3.2.2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER" "requirejs@$REQUIREJS" "mathjax@$MATHJAX" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
out="$root/vendor"
rm -rf "$out/widgets" "$out/mathjax"
mkdir -p "$out/widgets" "$out/mathjax/output/chtml/fonts" "$out/mathjax/input/tex"
hm="jupyter-widgets-html-manager-$HTML_MANAGER/package/dist"
cp "requirejs-$REQUIREJS/package/require.js" "$hm/embed-amd.js" "$hm"/*.woff2 "$hm"/*.woff "$hm"/*.ttf "$out/widgets/"
cp "$hm/embed.js.LICENSE.txt" "$out/widgets/THIRD-PARTY-NOTICES.txt"
mj="mathjax-$MATHJAX/package"
cp "$mj/LICENSE" "$mj/es5/tex-chtml.js" "$out/mathjax/"
cp -r "$mj/es5/output/chtml/fonts/woff-v2" "$out/mathjax/output/chtml/fonts/"
cp -r "$mj/es5/input/tex/extensions" "$out/mathjax/input/tex/"
cd "$out" && find widgets mathjax -type f | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
echo "vendor/ refreshed; review git diff vendor/"
