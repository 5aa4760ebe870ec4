#!/usr/bin/env bash
# Vendor the front-end assets pinned in package.json / package-lock.json into
# static/vendor/ so that pages never load anything from a CDN at run time.
#
# - installs with `npm ci` in a throw-away temporary directory (no node_modules
#   is ever left in the repository);
# - copies only the files the pages use, plus each package's LICENSE;
# - strips `sourceMappingURL` comments (the .map files are not vendored, and
#   whitenoise's CompressedManifestStaticFilesStorage would fail on them);
# - writes static/vendor/sarabun/sarabun.css and static/vendor/VERSIONS.txt;
# - makes the PDF-only Sarabun (scripts/make_pdf_fonts.py, needs fontTools from the venv).
# - copies the test-only packages (package.json's devDependencies: axe-core) into
#   tests/browser/vendor/, outside static/, so that they are never served.
#
# Idempotent: static/vendor/ is rebuilt from scratch on every run (the old
# tree is replaced only after the new one has been built successfully).
#
# Usage: bash scripts/vendor_static.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
TEST_DEST="$ROOT/tests/browser/vendor"

command -v npm >/dev/null || { echo "vendor_static: npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "vendor_static: node is required" >&2; exit 1; }
for f in package.json package-lock.json; do
    [[ -f "$ROOT/$f" ]] || { echo "vendor_static: $ROOT/$f is missing" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "vendor_static: installing pinned packages in $WORK (npm ci)"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/"
(cd "$WORK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

NM="$WORK/node_modules"
OUT="$WORK/vendor"          # staging tree, moved into place at the end
TEST_OUT="$WORK/test-vendor"  # staging tree of the test-only files
mkdir -p "$OUT/bootstrap" "$OUT/sarabun/files" "$TEST_OUT/axe-core"

# copy_stripped SRC DST: copy a css/js file without its sourceMappingURL line(s).
copy_stripped() {
    sed -E '/^[[:space:]]*(\/\/|\/\*)[#@][[:space:]]*sourceMappingURL=.*$/d' "$1" > "$2"
    if grep -q 'sourceMappingURL' "$2"; then
        echo "vendor_static: could not strip sourceMappingURL from $2" >&2
        exit 1
    fi
    echo "  ${2#"$WORK"/}  (from ${1#"$NM"/}, sourceMappingURL stripped)"
}

copy_plain() {
    cp "$1" "$2"
    echo "  ${2#"$WORK"/}  (from ${1#"$NM"/})"
}

echo "vendor_static: copying files"

# --- Bootstrap -------------------------------------------------------------
copy_stripped "$NM/bootstrap/dist/css/bootstrap.min.css"        "$OUT/bootstrap/bootstrap.min.css"
copy_stripped "$NM/bootstrap/dist/js/bootstrap.bundle.min.js"   "$OUT/bootstrap/bootstrap.bundle.min.js"
copy_plain    "$NM/bootstrap/LICENSE"                           "$OUT/bootstrap/LICENSE"
# bootstrap.bundle.min.js includes Popper; ship its licence too.
copy_plain    "$NM/@popperjs/core/LICENSE.md"                   "$OUT/bootstrap/LICENSE.popperjs-core.md"

# --- Tom Select (searchable pickers; no jQuery) -----------------------------
mkdir -p "$OUT/tom-select"
copy_stripped "$NM/tom-select/dist/js/tom-select.complete.min.js"       "$OUT/tom-select/tom-select.complete.min.js"
copy_stripped "$NM/tom-select/dist/css/tom-select.bootstrap5.min.css"   "$OUT/tom-select/tom-select.bootstrap5.min.css"
copy_plain    "$NM/tom-select/LICENSE"                                  "$OUT/tom-select/LICENSE"

# --- Sarabun (Fontsource) --------------------------------------------------
FS="$NM/@fontsource/sarabun"
SUBSETS=(thai latin)
WEIGHTS=(400 700)
for subset in "${SUBSETS[@]}"; do
    for weight in "${WEIGHTS[@]}"; do
        f="sarabun-$subset-$weight-normal.woff2"
        copy_plain "$FS/files/$f" "$OUT/sarabun/files/$f"
    done
done
copy_plain "$FS/LICENSE" "$OUT/sarabun/LICENSE"
# PDF-only copies of the Thai subset with a glyph of its own for the SARA AA of SARA AM, so
# that a PDF's text layer keeps "ำ" (see the script). Same OFL licence as above.
PYTHON="$ROOT/.venv/bin/python"
[[ -x "$PYTHON" ]] || PYTHON="$(bash "$ROOT/scripts/find_python.sh")"
"$PYTHON" "$ROOT/scripts/make_pdf_fonts.py" "$OUT/sarabun/files"

# @font-face rules; unicode-range comes from the package's own unicode.json and
# is checked against the package's own <weight>.css so that they cannot drift.
node - "$FS" "$OUT/sarabun/sarabun.css" "${SUBSETS[*]}" "${WEIGHTS[*]}" <<'JS'
const fs = require('fs');
const path = require('path');
const [fsDir, outFile, subsetsArg, weightsArg] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(fsDir, 'package.json'), 'utf8'));
const ranges = JSON.parse(fs.readFileSync(path.join(fsDir, 'unicode.json'), 'utf8'));
const subsets = subsetsArg.split(' ');
const weights = weightsArg.split(' ');
let css = `/* Sarabun (${pkg.name} ${pkg.version}, ${pkg.license}) - subsets ${subsets.join(', ')};` +
          ` weights ${weights.join(', ')}; normal style.\n` +
          ` * Generated by scripts/vendor_static.sh - do not edit. */\n`;
for (const weight of weights) {
  const pkgCss = fs.readFileSync(path.join(fsDir, `${weight}.css`), 'utf8');
  for (const subset of subsets) {
    const range = ranges[subset];
    if (!range) throw new Error(`no unicode-range for subset ${subset}`);
    const name = `sarabun-${subset}-${weight}-normal`;
    const block = pkgCss.split('@font-face').find(b => b.includes(`/${name}.woff2`));
    if (!block || !block.includes(`unicode-range: ${range};`)) {
      throw new Error(`unicode-range for ${name} differs from ${weight}.css`);
    }
    css += `\n/* ${name} */\n@font-face {\n` +
           `  font-family: 'Sarabun';\n` +
           `  font-style: normal;\n` +
           `  font-display: swap;\n` +
           `  font-weight: ${weight};\n` +
           `  src: url(files/${name}.woff2) format('woff2');\n` +
           `  unicode-range: ${range};\n}\n`;
  }
}
fs.writeFileSync(outFile, css);
JS
echo "  sarabun/sarabun.css  (generated: @font-face for ${SUBSETS[*]} x ${WEIGHTS[*]})"

# --- axe-core (accessibility checks injected by tests/browser; never served) ---
copy_stripped "$NM/axe-core/axe.min.js"                          "$TEST_OUT/axe-core/axe.min.js"
copy_plain    "$NM/axe-core/LICENSE"                             "$TEST_OUT/axe-core/LICENSE"

# --- VERSIONS.txt ------------------------------------------------------------
node - "$WORK" "$OUT/VERSIONS.txt" "$(date -u +%Y-%m-%d)" <<'JS'
const fs = require('fs');
const path = require('path');
const [work, outFile, today] = process.argv.slice(2);
const lock = JSON.parse(fs.readFileSync(path.join(work, 'package-lock.json'), 'utf8'));
const root = lock.packages[''];
const direct = Object.keys({...root.dependencies, ...root.devDependencies}).sort();
const lines = [
  `# Generated by scripts/vendor_static.sh on ${today} - do not edit; re-run the script instead.`,
  '# name version license integrity (from package-lock.json)',
];
for (const name of direct) {
  const entry = lock.packages[`node_modules/${name}`];
  const installed = JSON.parse(fs.readFileSync(path.join(work, 'node_modules', name, 'package.json'), 'utf8'));
  if (!entry || entry.version !== installed.version) throw new Error(`lock/install mismatch for ${name}`);
  lines.push([name, entry.version, entry.license || installed.license || 'UNKNOWN', entry.integrity].join(' '));
}
lines.push('# bundled inside the files above (licences copied alongside):',
           '#   @popperjs/core in bootstrap/bootstrap.bundle.min.js',
           '#   @orchidjs/sifter and @orchidjs/unicode-variants in tom-select/tom-select.complete.min.js',
           '# test-only (devDependencies), copied to tests/browser/vendor/ and never served:',
           ...Object.keys(root.devDependencies || {}).sort().map(name => `#   ${name}`));
fs.writeFileSync(outFile, lines.join('\n') + '\n');
JS
echo "  VERSIONS.txt  (generated)"

# --- swap into place ---------------------------------------------------------
for pair in "$OUT:$DEST" "$TEST_OUT:$TEST_DEST"; do
    staged="${pair%%:*}" dest="${pair#*:}"
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    cp -R "$staged" "$dest"
    echo "vendor_static: wrote $dest ($(du -sk "$dest" | cut -f1) KiB):"
    (cd "$dest" && find . -type f | sort | while read -r f; do printf '  %8d  %s\n' "$(wc -c < "$f")" "${f#./}"; done)
done
