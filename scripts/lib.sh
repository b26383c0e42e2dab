# shellcheck shell=bash disable=SC2034
# Shared settings and set-up steps for `make run`, `make test` and `make lint`
# (SC2034: the settings are used by the scripts that source this file).
# Sourced by the scripts beside it, never run on its own.
#
# Settings (environment variables, all optional):
#   ODOO_SRC     an Odoo 18.0 source tree; default ~/.cache/mp15/odoo-18.0, downloaded when missing
#   ADDON_DIR    the addon to install and test; default ./mp15_grievance (the production install)
#                make run and make test also install the simulator addon beside it ($SIMULATOR_ADDON)
#   DB, PORT     database and HTTP port for `make run` (mp15, 8069)
#   TEST_PORT    HTTP port Odoo's tests listen on, so they can run beside `make run` (8169)
#   MP15_TEST_DB the database make test uses (mp15_test; its install check: <name>_install), for parallel runs
#   HTTP_INTERFACE  address `make run` listens on (127.0.0.1; 0.0.0.0 for every interface)
#   PGHOST, PGPORT, PGUSER, PGPASSWORD  PostgreSQL connection
#   PYTHON       the Python that builds .venv (python3)

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS_DIR=$REPO_ROOT/scripts
VAR_DIR=$REPO_ROOT/var
LOG_DIR=$VAR_DIR/log
DATA_DIR=$VAR_DIR/data
ODOO_CONF=$VAR_DIR/odoo.conf
VENV=$REPO_ROOT/.venv
VENV_PYTHON=$VENV/bin/python
PYTHON=${PYTHON:-python3}

ODOO_SERIES=18.0
ODOO_CACHE_DIR=$HOME/.cache/mp15/odoo-$ODOO_SERIES
ODOO_GIT_URL=https://github.com/odoo/odoo.git
ODOO_TARBALL_URL=https://codeload.github.com/odoo/odoo/tar.gz/refs/heads/$ODOO_SERIES

ADDON_DIR=$(cd "${ADDON_DIR:-$REPO_ROOT/mp15_grievance}" 2>/dev/null && pwd) || {
    echo "ERROR: ADDON_DIR=${ADDON_DIR} is not a directory." >&2
    exit 1
}
ADDON=$(basename "$ADDON_DIR")
# The WhatsApp simulator: its own addon beside the main one, for demonstrations, training and
# tests; installed by make run and make test, never part of a production install.
SIMULATOR_ADDON=mp15_grievance_simulator
SIMULATOR_DIR=$(dirname "$ADDON_DIR")/$SIMULATOR_ADDON
ADDONS=$ADDON,$SIMULATOR_ADDON
DB=${DB:-mp15}
PORT=${PORT:-8069}
TEST_PORT=${TEST_PORT:-8169}
HTTP_INTERFACE=${HTTP_INTERFACE:-127.0.0.1}
LANGUAGE=hi_IN  # loaded beside English in every database make creates

ODOO_DIR=""             # set by locate_odoo
ODOO_MISSING_REASON=""  # set by locate_odoo when there is no usable Odoo source

mkdir -p "$LOG_DIR"

# ---------------------------------------------------------------- messages

if [ -t 1 ]; then
    BOLD=$'\e[1m' RED=$'\e[31m' YELLOW=$'\e[33m' RESET=$'\e[0m'
else
    BOLD="" RED="" YELLOW="" RESET=""
fi

elapsed() {
    printf '%d:%02d' $((SECONDS / 60)) $((SECONDS % 60))
}

step() {
    printf '%s==> [%s] %s%s\n' "$BOLD" "$(elapsed)" "$*" "$RESET"
}

note() {
    printf '    %s\n' "$@"
}

warn() {
    printf '%sWARNING:%s %s\n' "$YELLOW" "$RESET" "$1" >&2
    shift
    [ $# -eq 0 ] || printf '         %s\n' "$@" >&2
}

# die "first line" ["more lines" ...]: explain and stop.
die() {
    printf '%sERROR:%s %s\n' "$RED" "$RESET" "$1" >&2
    shift
    [ $# -eq 0 ] || printf '       %s\n' "$@" >&2
    exit 1
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# run_logged LOG LABEL KIND COMMAND...: run COMMAND with its output in LOG, showing progress.
run_logged() {
    local log=$1 label=$2 kind=$3
    shift 3
    "$PYTHON" "$SCRIPTS_DIR/run_logged.py" --log "$log" --label "$label" --kind "$kind" -- "$@"
}

# ---------------------------------------------------------------- Debian packages

APT_UPDATED=""

# apt_install PACKAGE...: install Debian packages as root, or say how to.
apt_install() {
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "These system packages are needed: $*" \
            "Install them (as root), then run make again:" \
            "    sudo apt-get install $*"
    fi
    local log=$LOG_DIR/apt-get.log
    step "Installing system packages: $*"
    if [ -z "$APT_UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 ||
            warn "apt-get update failed (see $log); trying the install anyway."
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1 || {
        tail -n 20 "$log" >&2
        die "apt-get install $* failed; the full output is in $log."
    }
}

# ---------------------------------------------------------------- browser for the tours

# ensure_chromium: Odoo's browser tests (tours) need Chromium. As root, install Debian's package when
# it is missing; otherwise, or with NO_BROWSER=1, say that the tours will be skipped. Never fails.
ensure_chromium() {
    local browser log=$LOG_DIR/apt-get.log
    for browser in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$browser" >/dev/null 2>&1 && return 0
    done
    if [ -n "${NO_BROWSER:-}" ] || ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        note "No Chromium: the browser tours will be skipped (to run them: sudo apt-get install chromium)."
        return 0
    fi
    note "Installing Chromium for the browser tours (NO_BROWSER=1 skips this; log: $log)"
    if [ -z "$APT_UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || true
        APT_UPDATED=1
    fi
    # fonts-noto-core: Devanagari, so that Hindi screens render in the tours and screenshots.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-core \
        >>"$log" 2>&1 || warn "Could not install Chromium (see $log): the browser tours will be skipped."
    return 0
}

# ensure_nginx: the reverse proxy of `make cluster` and of the two-server smoke in `make test`. As root,
# install Debian's package when it is missing (without starting its system service); otherwise say so.
ensure_nginx() {
    local log=$LOG_DIR/apt-get.log
    if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
        return 0
    fi
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        warn "nginx is missing: the two-server smoke will not run (to run it: sudo apt-get install nginx)."
        return 0
    fi
    note "Installing nginx (log: $log)"
    if [ -z "$APT_UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || true
        APT_UPDATED=1
    fi
    # policy-rc.d 101: the package must not start a system-wide nginx on port 80; ours runs on its own.
    local policy=/usr/sbin/policy-rc.d placed=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && placed=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >>"$log" 2>&1 ||
        warn "Could not install nginx (see $log): the two-server smoke will not run."
    [ -z "$placed" ] || rm -f "$policy"
    return 0
}

# ---------------------------------------------------------------- Odoo source

# check_odoo_tree DIR: succeed when DIR holds Odoo 18.0; else set ODOO_MISSING_REASON.
check_odoo_tree() {
    local dir=$1 release=$1/odoo/release.py
    if [ ! -d "$dir" ]; then
        ODOO_MISSING_REASON="$dir does not exist."
        return 1
    fi
    if [ ! -f "$release" ] || [ ! -f "$dir/odoo-bin" ]; then
        ODOO_MISSING_REASON="$dir is not an Odoo source tree (no odoo/release.py or odoo-bin)."
        return 1
    fi
    if ! grep -Eq '^version_info = \(18, 0,' "$release"; then
        local found
        found=$(grep -E '^version_info = ' "$release" | head -n 1)
        ODOO_MISSING_REASON="$dir is not Odoo $ODOO_SERIES (its odoo/release.py says: ${found:-no version_info})."
        return 1
    fi
}

# download_odoo: fetch the official 18.0 source into the cache (git, else a tarball with
# curl), or set ODOO_MISSING_REASON to why not.
download_odoo() {
    local partial=$ODOO_CACHE_DIR.partial git_log=$LOG_DIR/odoo-download-git.log curl_log=$LOG_DIR/odoo-download-curl.log
    step "Downloading Odoo $ODOO_SERIES source into $ODOO_CACHE_DIR (about 300 MB, only once)"
    rm -rf "$partial"
    mkdir -p "$(dirname "$ODOO_CACHE_DIR")"
    : >"$git_log"
    : >"$curl_log"
    if command -v git >/dev/null 2>&1 &&
        git -c http.lowSpeedLimit=1000 -c http.lowSpeedTime=60 clone --quiet --depth 1 \
            --branch "$ODOO_SERIES" "$ODOO_GIT_URL" "$partial" >"$git_log" 2>&1; then
        :
    elif rm -rf "$partial" && mkdir -p "$partial" && command -v curl >/dev/null 2>&1 &&
        curl -fsSL --connect-timeout 20 --speed-limit 1000 --speed-time 60 "$ODOO_TARBALL_URL" 2>"$curl_log" |
        tar -xz -C "$partial" --strip-components=1 2>>"$curl_log"; then
        :
    else
        rm -rf "$partial"
        local why
        why=$(cat "$git_log" "$curl_log" | grep -m1 -iE 'fatal|error|curl' |
            sed -e "s/^fatal: unable to access '[^']*': //" -e 's/^curl: ([0-9]*) //')
        ODOO_MISSING_REASON="Could not download Odoo $ODOO_SERIES from github.com (${why:-see $git_log}); is this machine offline?"
        return 1
    fi
    check_odoo_tree "$partial" || return 1
    mv "$partial" "$ODOO_CACHE_DIR"
    note "Odoo $ODOO_SERIES source is in $ODOO_CACHE_DIR"
}

# locate_odoo [no-download]: set ODOO_DIR to an Odoo 18.0 source tree, downloading it when
# needed (unless told not to). Returns 1, with ODOO_MISSING_REASON set, when there is none.
locate_odoo() {
    local candidate may_download=${1:-download}
    if [ -n "${ODOO_SRC:-}" ]; then
        candidate=$ODOO_SRC
        check_odoo_tree "$candidate" || {
            ODOO_MISSING_REASON="ODOO_SRC=$ODOO_SRC: $ODOO_MISSING_REASON"
            return 1
        }
    else
        candidate=$ODOO_CACHE_DIR
        if [ -e "$candidate" ]; then
            check_odoo_tree "$candidate" || return 1
        elif [ "$may_download" = download ]; then
            download_odoo || return 1
        else
            ODOO_MISSING_REASON="no Odoo source at $candidate and ODOO_SRC is not set."
            return 1
        fi
    fi
    ODOO_DIR=$(cd "$candidate" && pwd)
}

# die_without_odoo TARGET: stop, saying why there is no Odoo source and how to give one.
die_without_odoo() {
    die "$ODOO_MISSING_REASON" \
        "make $1 needs an Odoo $ODOO_SERIES source tree (a copy of https://github.com/odoo/odoo, branch $ODOO_SERIES)." \
        "Point ODOO_SRC at one:    ODOO_SRC=/path/to/odoo-$ODOO_SERIES make $1" \
        "or unpack one at $ODOO_CACHE_DIR, where make looks by default."
}

# ---------------------------------------------------------------- Python environment

# ensure_build_tools: what creating .venv and compiling psycopg2 (pinned by Odoo) need.
ensure_build_tools() {
    local missing=() include
    if [ ! -x "$VENV_PYTHON" ]; then
        "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    fi
    if [ -n "$ODOO_DIR" ] && ! { [ -x "$VENV_PYTHON" ] && "$VENV_PYTHON" -c 'import psycopg2' >/dev/null 2>&1; }; then
        include=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
        [ -f "$include/Python.h" ] || missing+=(python3-dev)
        command -v gcc >/dev/null 2>&1 || missing+=(gcc)
        command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
    fi
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# ensure_venv: build .venv with the addon's and the dev tools' requirements, and Odoo's when
# there is an Odoo source. A stamp in .venv remembers what was installed: pip runs again only
# when one of those lists changed. The OCA addons of requirements.txt (odoo-addon-* lines) land
# in .venv's odoo/addons namespace, where Odoo finds them; their wheels require the `odoo`
# package, which is not on PyPI (Odoo runs from its source tree), so they are installed on their
# own with --no-deps, and requirements.txt lists each one's OCA dependencies beside it.
ensure_venv() {
    command -v "$PYTHON" >/dev/null 2>&1 ||
        die "$PYTHON was not found. Install Python 3.10 or newer:  sudo apt-get install python3 python3-venv"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "Odoo $ODOO_SERIES needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1)."

    local odoo_requirements=$VAR_DIR/requirements-odoo.txt stamp=$VENV/.mp15-requirements
    local own_hash odoo_hash="" requirement_files
    own_hash=$({
        "$PYTHON" --version 2>&1
        cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-dev.txt"
    } | sha256sum | cut -d' ' -f1)
    local own_requirements=$VAR_DIR/requirements-own.txt oca_requirements=$VAR_DIR/requirements-oca.txt
    grep -viE '^[[:space:]]*odoo-addon-' "$REPO_ROOT/requirements.txt" >"$own_requirements" || true
    grep -iE '^[[:space:]]*odoo-addon-' "$REPO_ROOT/requirements.txt" >"$oca_requirements" || true
    requirement_files=(-r "$own_requirements" -r "$REPO_ROOT/requirements-dev.txt")
    if [ -n "$ODOO_DIR" ]; then
        "$PYTHON" "$SCRIPTS_DIR/odoo_requirements.py" "$ODOO_DIR/requirements.txt" >"$odoo_requirements" ||
            die "Could not read Odoo's requirements from $ODOO_DIR/requirements.txt."
        odoo_hash=$(sha256sum <"$odoo_requirements" | cut -d' ' -f1)
        requirement_files=(-r "$odoo_requirements" "${requirement_files[@]}")
    fi

    if [ -x "$VENV_PYTHON" ] && "$VENV_PYTHON" -c '' 2>/dev/null &&
        grep -qx "own $own_hash" "$stamp" 2>/dev/null &&
        { [ -z "$odoo_hash" ] || grep -qx "odoo $odoo_hash" "$stamp"; }; then
        note "Python environment .venv is up to date."
        return
    fi

    ensure_build_tools
    if [ ! -x "$VENV_PYTHON" ] || ! "$VENV_PYTHON" -c '' 2>/dev/null; then
        step "Creating the Python environment .venv ($("$PYTHON" --version 2>&1))"
        "$PYTHON" -m venv --clear "$VENV" || die "Could not create .venv with: $PYTHON -m venv $VENV"
    fi
    local what="the addon's and the test tools' requirements"
    [ -z "$ODOO_DIR" ] || what="Odoo's, the addon's and the test tools' requirements"
    step "Installing $what into .venv (a few minutes the first time)"
    rm -f "$stamp"
    run_logged "$LOG_DIR/pip-install.log" "pip install" pip \
        "$VENV_PYTHON" -m pip install --disable-pip-version-check --progress-bar off "${requirement_files[@]}" ||
        die "pip install failed; the end of its log is above, all of it in $LOG_DIR/pip-install.log." \
            "Packages that compile need: sudo apt-get install gcc python3-dev libpq-dev"
    if [ -s "$oca_requirements" ]; then
        run_logged "$LOG_DIR/pip-install-oca.log" "pip install (OCA addons)" pip \
            "$VENV_PYTHON" -m pip install --disable-pip-version-check --progress-bar off --no-deps \
            -r "$oca_requirements" ||
            die "pip install of the OCA addons failed; its log is in $LOG_DIR/pip-install-oca.log."
    fi
    {
        echo "own $own_hash"
        [ -z "$odoo_hash" ] || echo "odoo $odoo_hash"
    } >"$stamp"
}

# ---------------------------------------------------------------- PostgreSQL

# pg_settings: choose connection settings (see the file header) and export them for psql and Odoo.
pg_settings() {
    PGPORT=${PGPORT:-5432}
    if is_root; then
        # Odoo refuses the postgres superuser; root connects as a role of its own over TCP.
        PGUSER=${PGUSER:-mp15}
        PGPASSWORD=${PGPASSWORD:-mp15}
        PGHOST=${PGHOST:-localhost}
    else
        PGUSER=${PGUSER:-$(id -un)}
    fi
    export PGPORT PGUSER
    if [ -n "${PGHOST:-}" ]; then export PGHOST; else unset PGHOST; fi
    if [ -n "${PGPASSWORD:-}" ]; then export PGPASSWORD; else unset PGPASSWORD; fi
    unset PGDATABASE
}

pg_is_local() {
    case "${PGHOST:-}" in
    "" | localhost | 127.0.0.1 | ::1 | /*) return 0 ;;
    *) return 1 ;;
    esac
}

# as_postgres COMMAND...: run a command as the postgres system user, on its own connection settings.
as_postgres() {
    local clean_env=(env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE)
    if command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "${clean_env[@]}" "$@")
    else
        (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "${clean_env[@]}" "$@")")
    fi
}

# start_local_cluster: start the Debian cluster that serves PGPORT when it is down.
start_local_cluster() {
    local version name port status rest found=""
    while read -r version name port status rest; do
        [ "$port" = "$PGPORT" ] || continue
        found=1
        case "$status" in
        *down*)
            step "Starting PostgreSQL $version/$name (port $port)"
            if ! pg_ctlcluster "$version" "$name" start >>"$LOG_DIR/postgresql-start.log" 2>&1; then
                is_root || die "Could not start PostgreSQL $version/$name as $(id -un)." \
                    "Start it as root:  sudo pg_ctlcluster $version $name start"
                tail -n 20 "$LOG_DIR/postgresql-start.log" >&2
                die "pg_ctlcluster $version $name start failed; see above and /var/log/postgresql/."
            fi
            ;;
        esac
        break
    done < <(pg_lsclusters --no-header 2>/dev/null)
    [ -n "$found" ] || die "No PostgreSQL cluster uses port $PGPORT. Clusters on this machine:" \
        "$(pg_lsclusters 2>&1)" "Set PGPORT to one of their ports."
    local tries=30
    until pg_isready -q -h /var/run/postgresql -p "$PGPORT"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || die "PostgreSQL on port $PGPORT did not come up within 30 s; see /var/log/postgresql/."
        sleep 1
    done
}

# ensure_role: as root, create the login role Odoo uses (idempotent).
ensure_role() {
    local sql
    sql=$(printf '%s\n' \
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS present \\gset" \
        "\\if :present" \
        "    ALTER ROLE :\"role\" LOGIN CREATEDB;" \
        "\\else" \
        "    CREATE ROLE :\"role\" LOGIN CREATEDB PASSWORD :'password';" \
        "    \\echo created" \
        "\\endif")
    local out
    out=$(printf '%s\n' "$sql" | as_postgres psql -X -q -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 \
        -v role="$PGUSER" -v password="${PGPASSWORD:-}" 2>&1) ||
        die "Could not create the PostgreSQL role $PGUSER:" "$out"
    [ "$out" != created ] || note "Created PostgreSQL role $PGUSER (LOGIN CREATEDB)."
}

check_pg_login() {
    local out
    out=$(psql -X -d postgres -tAc 'SELECT 1' 2>&1) && return 0
    local where="${PGHOST:-the local socket}, port $PGPORT,"
    case "$out" in
    *"role \"$PGUSER\" does not exist"*)
        die "PostgreSQL at $where has no role $PGUSER." \
            "Create it once (it needs CREATEDB):  sudo -u postgres createuser --createdb $PGUSER" \
            "or set PGUSER/PGPASSWORD to a role that can create databases."
        ;;
    *"password authentication failed"*)
        die "PostgreSQL at $where refused the password for role $PGUSER." \
            "Set PGPASSWORD to its password, or reset it:" \
            "    sudo -u postgres psql -c \"ALTER ROLE \\\"$PGUSER\\\" PASSWORD 'mp15'\""
        ;;
    *)
        die "Cannot connect to PostgreSQL at $where as $PGUSER:" "$out"
        ;;
    esac
}

# ensure_postgres: install, start and prepare PostgreSQL as far as this user may.
ensure_postgres() {
    pg_settings
    [ "$PGUSER" != postgres ] ||
        die "Odoo refuses to connect as the postgres superuser. Set PGUSER to another role" \
            "(create one with: sudo -u postgres createuser --createdb --pwprompt mp15)."
    if pg_is_local; then
        if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
            is_root || die "The PostgreSQL server is not installed." \
                "Install it (as root), then run make again:  sudo apt-get install postgresql"
            apt_install postgresql
        fi
        start_local_cluster
        ! is_root || ensure_role
    fi
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
    check_pg_login
    note "PostgreSQL: ${PGUSER}@${PGHOST:-local socket}:$PGPORT"
}

# sql DATABASE QUERY [NAME=VALUE...]: run one query (with psql :'NAME' variables), print its rows.
sql() {
    local database=$1 query=$2 vars=() pair
    shift 2
    for pair in "$@"; do vars+=(-v "$pair"); done
    printf '%s\n' "$query" | psql -X -q -tA -v ON_ERROR_STOP=1 -d "$database" "${vars[@]}"
}

# db_exists NAME
db_exists() {
    [ "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = :'name'" name="$1")" = 1 ]
}

# module_state DB MODULE: the module's state in DB ("installed", "uninstalled", ...), or nothing.
module_state() {
    sql "$1" "SELECT state FROM ir_module_module WHERE name = :'name'" name="$2" 2>/dev/null || true
}

# ---------------------------------------------------------------- Odoo configuration

# write_odoo_conf: var/odoo.conf from the settings above; rewritten on every run.
write_odoo_conf() {
    mkdir -p "$DATA_DIR"
    cat >"$ODOO_CONF" <<EOF
; Written by scripts/lib.sh on every make run/test: edit the settings there, not here.
[options]
addons_path = $ODOO_DIR/addons,$ODOO_DIR/odoo/addons,$(dirname "$ADDON_DIR")
data_dir = $DATA_DIR
db_host = ${PGHOST:-False}
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
db_name = $DB
http_interface = $HTTP_INTERFACE
http_port = $PORT
proxy_mode = False
without_demo = $( [ "${DEMO:-1}" = 0 ] && echo all || echo False )
EOF
    chmod 600 "$ODOO_CONF"
}

# odoo_command: set ODOO_COMMAND, the start of every Odoo command line.
odoo_command() {
    ODOO_COMMAND=("$VENV_PYTHON" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF")
}
