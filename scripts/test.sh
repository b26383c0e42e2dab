#!/usr/bin/env bash
# make test: set up what the tests need, then run them (scripts/run_tests.py counts).
#
#   scripts/test.sh [SUITES]   SUITES: comma-separated pure, install, odoo, cluster (default: all four)
#   (cluster: two Odoo servers on one database behind nginx, webhooks on one, processing on the other)
#
# Without an Odoo source the pure tests still run and a banner says what did not.
# TAGS=/mp15_grievance:TestClass (or /mp15_grievance_simulator) narrows the Odoo tests.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

suites=${1:-pure,install,odoo,cluster}
export MP15_STARTED=$(($(date +%s) - SECONDS))
needs_odoo=""
case ",$suites," in *,install,* | *,odoo,* | *,cluster,*) needs_odoo=1 ;; esac

step "Odoo $ODOO_SERIES source"
odoo_missing=""
if [ -z "$needs_odoo" ]; then
    # Not needed, but when it is at hand .venv keeps Odoo's requirements up to date too.
    if locate_odoo no-download; then note "$ODOO_DIR (not needed for these tests)"; else note "not needed for these tests."; fi
elif locate_odoo download; then
    note "$ODOO_DIR"
else
    odoo_missing=$ODOO_MISSING_REASON
    case ",$suites," in
    *,pure,*) warn "$ODOO_MISSING_REASON" "The Odoo tests will not run; the pure tests will." ;;
    *) die_without_odoo "test-$suites" ;;
    esac
fi

step "Python environment"
ensure_venv

postgres_error=""
if [ -n "$needs_odoo" ] && [ -n "$ODOO_DIR" ]; then
    step "PostgreSQL"
    pg_settings
    # In a subshell so that a PostgreSQL problem still lets the pure tests run (and counts as a failure).
    if ! (ensure_postgres) 2>"$LOG_DIR/postgresql-setup.err"; then
        cat "$LOG_DIR/postgresql-setup.err" >&2
        postgres_error=$(head -n 1 "$LOG_DIR/postgresql-setup.err" | sed 's/^[^:]*ERROR:[^ ]* //')
    fi
    write_odoo_conf
    step "Chromium (browser tours)"
    ensure_chromium
    case ",$suites," in *,cluster,*)
        step "nginx (the two-server smoke)"
        ensure_nginx
        ;;
    esac
fi

exec "$VENV_PYTHON" "$SCRIPTS_DIR/run_tests.py" \
    --suites "$suites" \
    --odoo-dir "$ODOO_DIR" \
    --odoo-missing "$odoo_missing" \
    --postgres-error "$postgres_error" \
    --conf "$ODOO_CONF" \
    --data-dir "$DATA_DIR" \
    --addon-dir "$ADDON_DIR" \
    --simulator-dir "$SIMULATOR_DIR" \
    --tags "${TAGS:-}" \
    --test-port "$TEST_PORT"
