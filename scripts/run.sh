#!/usr/bin/env bash
# make run: set everything up, install or upgrade the addon and the WhatsApp simulator addon in
# database $DB, then serve Odoo. (A production install is mp15_grievance alone: README.md.)
#
#   scripts/run.sh           set up, install/upgrade, serve on http://localhost:$PORT
#   scripts/run.sh --setup   set up only (make setup)
#   scripts/run.sh --reset-db  drop database $DB and its files (make reset-db)
#   scripts/run.sh --no-serve  set up and install/upgrade, then stop (make cluster serves on two servers)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

step "Odoo $ODOO_SERIES source"
locate_odoo download || die_without_odoo run
note "$ODOO_DIR"

step "Python environment"
ensure_venv

step "PostgreSQL"
ensure_postgres
write_odoo_conf
odoo_command

case "${1:-}" in
--setup)
    step "Set-up done: Odoo configuration in ${ODOO_CONF#"$REPO_ROOT"/}"
    exit 0
    ;;
--reset-db)
    step "Dropping database $DB and its filestore"
    sql postgres 'DROP DATABASE IF EXISTS :"name" WITH (FORCE)' name="$DB"
    rm -rf "${DATA_DIR:?}/filestore/$DB"
    note "make run will create it again."
    exit 0
    ;;
esac

log=$LOG_DIR/install-$DB.log
if [ "${DEMO:-1}" = 0 ]; then
    ADDONS=$ADDON # a production database: no demo data and no simulator
fi
state=""
if db_exists "$DB"; then
    state=$(module_state "$DB" "$ADDON")
fi
if [ "$state" = installed ]; then
    if [ "$ADDONS" = "$ADDON" ] || [ "$(module_state "$DB" "$SIMULATOR_ADDON")" = installed ]; then
        step "Upgrading $ADDONS in database $DB (picks up code and data changes)"
        action=(-u "$ADDONS")
    else
        step "Upgrading $ADDON and installing $SIMULATOR_ADDON in database $DB"
        action=(-u "$ADDON" -i "$SIMULATOR_ADDON")
    fi
else
    if db_exists "$DB"; then
        step "Installing $ADDONS into the existing database $DB, with demo data and Hindi ($LANGUAGE)"
    else
        step "Creating database $DB with $ADDONS, demo data and Hindi ($LANGUAGE) beside English"
    fi
    action=(-i "$ADDONS" "--load-language=$LANGUAGE")
    if [ "${DEMO:-1}" = 0 ]; then
        action+=(--without-demo=all)
        note "Without demo data and without the simulator (DEMO=0): set the admin password, departments," \
            "wards and WhatsApp account yourself."
    fi
fi
note "log: ${log#"$REPO_ROOT"/}"
run_logged "$log" "$DB" odoo "${ODOO_COMMAND[@]}" -d "$DB" "${action[@]}" --stop-after-init ||
    die "Odoo could not install or upgrade $ADDON in database $DB (the log's end is above; all of it in $log)." \
        "After fixing the cause, run make run again; to start over from an empty database: make reset-db"
state=$(module_state "$DB" "$ADDON")
[ "$state" = installed ] ||
    die "$ADDON is '${state:-unknown}' in database $DB, not installed; see $log."

if [ "${1:-}" = --no-serve ]; then
    exit 0
fi

url="http://localhost:$PORT"
[ "$HTTP_INTERFACE" = 127.0.0.1 ] || [ "$HTTP_INTERFACE" = localhost ] || url="http://$(hostname -f 2>/dev/null || hostname):$PORT"
cat <<EOF

${BOLD}Odoo is starting on $url  (database $DB; Ctrl-C stops it)${RESET}
    Log in as admin / admin (administrator and commissioner).
$([ "$ADDONS" = "$ADDON" ] || echo "    WhatsApp simulator (talk to the bot as a citizen): $url/odoo/whatsapp-simulator")
    Citizen portal: $url/my/grievances  (login citizen / citizen)
    Demo users of every role (heads, officers, councillors) and their passwords: README.md, "Demo logins".

EOF
exec "${ODOO_COMMAND[@]}" -d "$DB" --http-port="$PORT"
