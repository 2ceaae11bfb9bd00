#!/bin/sh
# Copy the web UI's browser assets from the pinned npm packages (tools/node/package.json) into the
# package, with their licences: htmx (0BSD), sigma.js (MIT), graphology (MIT). Usage: SRC DEST
set -eu
src=$1
dest=$2
mkdir -p "$dest"
cp "$src/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$src/htmx.org/LICENSE" "$dest/htmx.LICENSE.txt"
cp "$src/sigma/dist/sigma.min.js" "$dest/sigma.min.js"
cp "$src/sigma/LICENSE.txt" "$dest/sigma.LICENSE.txt" 2>/dev/null || cp "$src/sigma/LICENSE" "$dest/sigma.LICENSE.txt"
cp "$src/graphology/dist/graphology.umd.min.js" "$dest/graphology.umd.min.js"
cp "$src/graphology/LICENSE.txt" "$dest/graphology.LICENSE.txt" 2>/dev/null || cp "$src/graphology/LICENSE" "$dest/graphology.LICENSE.txt"
for f in "$dest"/*; do
  [ -s "$f" ] || { echo "vendor_web_assets: $f is empty" >&2; exit 1; }
done
