#!/usr/bin/env bash
# make lint: ruff over the repository; on each addon, pylint-odoo with the OCA's mandatory
# checks (.pylintrc-mandatory) and the OCA's module and .po checks (oca-odoo-pre-commit-hooks),
# which took over the XML, CSV and .po checks that pylint-odoo used to do.
# Every check runs; the exit status is non-zero when any of them complained.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

step "Python environment"
locate_odoo no-download || true # so that .venv keeps Odoo's requirements when Odoo is at hand
ensure_venv

failures=()
# check NAME COMMAND...: run one linter, remember whether it complained.
check() {
    local name=$1
    shift
    step "$name"
    if "$@"; then
        note "ok"
    else
        failures+=("$name")
    fi
}

cd "$REPO_ROOT"
# ruff reads pyproject.toml and skips what .gitignore lists (.venv, var).
check "ruff check" "$VENV/bin/ruff" check --output-format=concise .
check "ruff format --check" "$VENV/bin/ruff" format --check .
pylint_format=text
[ ! -t 1 ] || pylint_format=colorized
for addon_dir in "$ADDON_DIR" "$SIMULATOR_DIR"; do
    addon=$(basename "$addon_dir")
    check "pylint-odoo (mandatory checks) on $addon" \
        "$VENV/bin/pylint" --rcfile="$REPO_ROOT/.pylintrc-mandatory" --output-format="$pylint_format" "$addon_dir"
    check "OCA module checks on $addon" "$VENV/bin/oca-checks-odoo-module" "$addon_dir"
    mapfile -t po_files < <(find "$addon_dir/i18n" -maxdepth 1 \( -name '*.po' -o -name '*.pot' \) 2>/dev/null | sort)
    if [ ${#po_files[@]} -gt 0 ]; then
        check "OCA .po checks on $addon" "$VENV/bin/oca-checks-po" --disable=po-pretty-format "${po_files[@]}"
    fi
done

if [ ${#failures[@]} -gt 0 ]; then
    printf '%sLint failed:%s\n' "$RED" "$RESET"
    printf '    %s\n' "${failures[@]}"
    exit 1
fi
step "Lint passed."
