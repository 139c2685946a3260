#!/usr/bin/env bash
# Build GOV.UK Frontend assets for the app into ../static/govuk/.
#
#   bash assets/build.sh        (from the repo root, or from anywhere)
#
# - npm ci (exact versions from package-lock.json)
# - compile scss/application.scss -> static/govuk/govuk-frontend.min.css
#   (compressed, no source map; Arial, no GDS Transport @font-face)
# - copy govuk-frontend.min.js and the assets folder (images, manifest.json,
#   rebrand/ if the package has it); fonts are NOT copied: we use Arial.
set -euo pipefail

ASSETS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${ASSETS_DIR}/.." && pwd)"
GOVUK_DIST="${ASSETS_DIR}/node_modules/govuk-frontend/dist/govuk"
OUT_DIR="${ROOT_DIR}/static/govuk"

cd "${ASSETS_DIR}"
npm ci --no-audit --no-fund

rm -rf "${OUT_DIR}"
mkdir -p "${OUT_DIR}/assets"

"${ASSETS_DIR}/node_modules/.bin/sass" \
  --pkg-importer=node \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  "${ASSETS_DIR}/scss/application.scss" \
  "${OUT_DIR}/govuk-frontend.min.css"

cp "${GOVUK_DIST}/govuk-frontend.min.js" "${OUT_DIR}/govuk-frontend.min.js"

# Assets: everything except fonts/ (Arial is a system font).
for entry in "${GOVUK_DIST}/assets/"*; do
  name="$(basename "${entry}")"
  if [[ "${name}" == "fonts" ]]; then
    continue
  fi
  cp -R "${entry}" "${OUT_DIR}/assets/"
done

# Sanity checks on the compiled CSS.
css="${OUT_DIR}/govuk-frontend.min.css"
if grep -qi "GDS Transport" "${css}"; then
  echo "build.sh: ERROR: compiled CSS still mentions GDS Transport" >&2
  exit 1
fi
if grep -q "@font-face" "${css}"; then
  echo "build.sh: ERROR: compiled CSS contains @font-face" >&2
  exit 1
fi
if ! grep -q "/static/govuk/assets/images/" "${css}"; then
  echo "build.sh: ERROR: compiled CSS does not reference /static/govuk/assets/images/" >&2
  exit 1
fi

echo "build.sh: built $(cd "${ROOT_DIR}" && find static/govuk -type f | sort | tr '\n' ' ')"
