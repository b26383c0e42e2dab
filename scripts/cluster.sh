#!/usr/bin/env bash
# make cluster: what make run does, but served by two Odoo servers on the one database behind nginx,
# as a corporation scales out (README → Deploying for the city). Ctrl-C stops both servers and nginx.
#
#   CLUSTER_PORT  where nginx listens (8070); each Odoo server takes free ports of its own
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$SCRIPTS_DIR/run.sh" --no-serve

step "nginx (the reverse proxy in front of both servers)"
ensure_nginx
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    die "nginx is needed for make cluster:  sudo apt-get install nginx"

step "Two Odoo servers on database $DB (2 HTTP workers and 1 cron worker each), nginx on port ${CLUSTER_PORT:-8070}"
exec "$VENV_PYTHON" "$REPO_ROOT/bench/cluster.py" serve --db "$DB" --port "${CLUSTER_PORT:-8070}"
