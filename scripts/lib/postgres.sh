# shellcheck shell=bash
# The PG_* variables are set here for the scripts that source this file.
# shellcheck disable=SC2034
#
# scripts/lib/postgres.sh - a private, throw-away PostgreSQL cluster for the
# News API's scripts (scripts/run, scripts/test, scripts/bench).
#
# Sourced, not executed. The caller is expected to run with
# `set -euo pipefail`.
#
# The cluster lives in a git-ignored folder of the working tree (by default
# <repo>/.data/<name>), listens on 127.0.0.1 only, over TCP only (no unix
# socket), and uses scram-sha-256 password authentication for the superuser
# `postgres` with a random password kept in <data dir>/postgres.password.
#
# Layout of a data dir (DATA_DIR below):
#   DATA_DIR/postgres.password   superuser password (mode 600, invoking user)
#   DATA_DIR/*.lock              lock files taken with newsapi_lock
#   DATA_DIR/postgres/data       the cluster (PGDATA)
#   DATA_DIR/postgres/postgres.log  server log
#   DATA_DIR/postgres/replica    a hot standby of the cluster (pg_replica_up)
#   DATA_DIR/postgres/replica.log   its log
# When the script runs as root, the server runs as the `postgres` system user
# (or `newsapi-pg`, created on demand). If that user cannot reach DATA_DIR
# (e.g. the clone lives under /root, mode 700), DATA_DIR/postgres is replaced
# by /tmp/newsapi-pg-<uid>-<hash of DATA_DIR>.
#
# Public functions:
#   newsapi_lock FILE            take an exclusive, non-blocking flock on FILE
#                                on fd 9 for the life of the shell; returns 1
#                                if another process holds it.
#                                Long-lived children should be started with
#                                `9>&-` so they do not inherit the lock.
#   newsapi_port_in_use PORT     true if something accepts TCP connections on
#                                127.0.0.1:PORT.
#   pg_up DATA_DIR PORT PORT_VAR [EXTRA_SERVER_OPTIONS]
#                                install PostgreSQL if needed (root only),
#                                create the cluster on first use, start it (or
#                                reuse it if already running there). PORT_VAR
#                                names the environment variable that sets PORT
#                                (used in error messages). EXTRA_SERVER_OPTIONS
#                                are appended to the postgres command line,
#                                e.g. "-c fsync=off". Callers must hold a lock
#                                on DATA_DIR (newsapi_lock) first.
#   pg_down                      stop the cluster set up by pg_up (fast mode).
#   pg_is_running                true if the cluster set up by pg_up runs.
#   pg_connection_string DB      print an Npgsql connection string for DB.
#   pg_ensure_database DB        create database DB unless it exists.
#   pg_psql ARGS...              run psql against the cluster as `postgres`
#                                (add -d DB; defaults to database postgres).
#   pg_replica_up PORT PORT_VAR  after pg_up: make the cluster a primary with
#                                a hot standby on 127.0.0.1:PORT and return
#                                once the standby accepts connections, is in
#                                recovery, streams from the primary and has
#                                replayed what the primary had written. The
#                                standby is a pg_basebackup -R copy that
#                                streams through the physical replication slot
#                                `newsapi_replica` (so the primary keeps the
#                                WAL it has not received yet) and runs with
#                                hot_standby_feedback=on and the primary's
#                                EXTRA_SERVER_OPTIONS. An existing standby is
#                                reused (restarted if needed) unless it is not
#                                a copy of this cluster (system identifiers
#                                differ, e.g. the cluster was re-created), does
#                                not follow PORT of the primary, lost its slot
#                                or does not come up: then it is re-created.
#   pg_replica_down              stop the standby (fast mode); call it before
#                                pg_down.
#   pg_replica_is_running        true if the standby set up by
#                                pg_replica_up runs.
#   pg_replica_connection_string DB
#                                print an Npgsql connection string for DB on
#                                the standby (same credentials as the primary).
#   pg_replica_psql ARGS...      like pg_psql, against the standby.
#   pg_find_bindir               print the server binaries' directory.
#   pg_ensure_installed          set PG_BINDIR, installing PostgreSQL with
#                                apt-get when root (else print what to install
#                                and exit 1).
#
# Variables set by pg_up:
#   PG_BINDIR         directory with initdb, pg_ctl, postgres
#   PG_DATA_DIR       DATA_DIR, absolute
#   PG_PORT           PORT
#   PG_RUN_USER       user the server runs as (empty: the invoking user)
#   PG_BASE_DIR       folder holding the cluster and its log
#   PG_CLUSTER_DIR    the cluster (PGDATA)
#   PG_LOG_FILE       the server log
#   PG_PASSWORD_FILE  the superuser password file
#   PG_STARTED_HERE   1 if pg_up started the server, 0 if it was running
#
# Variables set by pg_replica_up:
#   PG_REPLICA_PORT   PORT
#   PG_REPLICA_DIR    the standby (its PGDATA), PG_BASE_DIR/replica
#   PG_REPLICA_LOG_FILE  its log, PG_BASE_DIR/replica.log
#   PG_REPLICA_STARTED_HERE  1 if pg_replica_up started the standby, 0 if it
#                     was running

PG_BINDIR=""
PG_DATA_DIR=""
PG_PORT=""
PG_PORT_VAR=""
PG_EXTRA_OPTIONS=""
PG_RUN_USER=""
PG_BASE_DIR=""
PG_CLUSTER_DIR=""
PG_LOG_FILE=""
PG_PASSWORD_FILE=""
PG_STARTED_HERE=0
PG_REPLICA_PORT=""
PG_REPLICA_PORT_VAR=""
PG_REPLICA_DIR=""
PG_REPLICA_LOG_FILE=""
PG_REPLICA_STARTED_HERE=0
PG_REPLICA_SLOT=newsapi_replica

newsapi_note() {
    printf '%s\n' "$*" >&2
}

newsapi_die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

newsapi_lock() {
    local file=$1
    exec 9>>"$file"
    flock -n 9
}

newsapi_port_in_use() {
    local port=$1
    # shellcheck disable=SC2016
    timeout --foreground 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
}

# Prints the `ss` line of whatever listens on PORT, when ss is available.
_pg_port_owner() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$port" 2>/dev/null || true
    fi
}

_pg_check_port_number() {
    local port=$1 var=$2
    if [[ ! $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        newsapi_die "$var must be a TCP port number (1-65535), got '$port'"
    fi
}

# Directory with the server binaries, or return 1.
pg_find_bindir() {
    local dir candidate best=""
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x $candidate/initdb && -x $candidate/pg_ctl ]] || continue
        if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best" "$candidate" | sort -V | tail -n 1) == "$candidate" ]]; then
            best=$candidate
        fi
    done
    if [[ -n $best ]]; then
        printf '%s\n' "$best"
        return 0
    fi
    if candidate=$(command -v initdb 2>/dev/null); then
        dir=$(dirname "$(readlink -f "$candidate")")
        if [[ -x $dir/pg_ctl ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    return 1
}

# Sets PG_BINDIR, installing Debian's PostgreSQL first when running as root.
pg_ensure_installed() {
    if PG_BINDIR=$(pg_find_bindir); then
        return 0
    fi
    if ((EUID != 0)); then
        newsapi_note "PostgreSQL server binaries (initdb, pg_ctl) were not found."
        newsapi_note "Install them with:  sudo apt-get install postgresql"
        newsapi_note "or point the scripts at an existing server with ConnectionStrings__Content."
        exit 1
    fi
    newsapi_note "PostgreSQL not found; installing Debian's postgresql package..."
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql postgresql-contrib
    PG_BINDIR=$(pg_find_bindir) || newsapi_die "PostgreSQL was installed but initdb/pg_ctl are still not found"
}

# Runs a command as the server's user, from /, without the lock fd.
_pg_as_user() {
    if [[ -n $PG_RUN_USER ]]; then
        (cd / && runuser -u "$PG_RUN_USER" -- "$@" 9>&-)
    else
        (cd / && "$@" 9>&-)
    fi
}

# Picks PG_RUN_USER (root only): the owner of an existing cluster, else the
# `postgres` system user, else `newsapi-pg` (created if needed).
_pg_choose_user() {
    local tmp_base=$1 dir owner
    PG_RUN_USER=""
    ((EUID == 0)) || return 0
    command -v runuser >/dev/null 2>&1 || newsapi_die "runuser (util-linux) is needed to run PostgreSQL as an unprivileged user"
    for dir in "$PG_DATA_DIR/postgres/data" "$tmp_base/data"; do
        if [[ -f $dir/PG_VERSION ]]; then
            owner=$(stat -c %U "$dir")
            if [[ $owner != root && $owner != UNKNOWN ]]; then
                PG_RUN_USER=$owner
                return 0
            fi
        fi
    done
    if id -u postgres >/dev/null 2>&1; then
        PG_RUN_USER=postgres
        return 0
    fi
    if ! id -u newsapi-pg >/dev/null 2>&1; then
        newsapi_note "creating system user newsapi-pg to run PostgreSQL"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin --user-group newsapi-pg
    fi
    PG_RUN_USER=newsapi-pg
}

# Creates DIR (mode 700) for the server's user, or checks an existing one.
_pg_make_base_dir() {
    local dir=$1 owner
    if [[ -L $dir || (-e $dir && ! -d $dir) ]]; then
        newsapi_die "$dir exists and is not a directory; remove it"
    fi
    if [[ ! -d $dir ]]; then
        mkdir -m 700 "$dir"
        if [[ -n $PG_RUN_USER ]]; then
            chown "$PG_RUN_USER:$(id -gn "$PG_RUN_USER")" "$dir"
        fi
    fi
    owner=$(stat -c %u "$dir")
    if [[ -n $PG_RUN_USER ]]; then
        if [[ $owner != "$(id -u "$PG_RUN_USER")" ]]; then
            if [[ $dir == /tmp/* ]]; then
                newsapi_die "$dir is not owned by $PG_RUN_USER; remove it"
            fi
            chown -R "$PG_RUN_USER:$(id -gn "$PG_RUN_USER")" "$dir"
        fi
    elif [[ $owner != "$EUID" ]]; then
        newsapi_die "$dir is owned by uid $owner, not by you; remove it (it may need sudo)"
    fi
}

_pg_choose_layout() {
    local hash tmp_base
    hash=$(printf '%s' "$PG_DATA_DIR" | sha256sum | cut -c1-10)
    tmp_base="/tmp/newsapi-pg-$EUID-$hash"
    _pg_choose_user "$tmp_base"
    PG_BASE_DIR="$PG_DATA_DIR/postgres"
    if [[ -n $PG_RUN_USER ]] && ! runuser -u "$PG_RUN_USER" -- test -x "$PG_DATA_DIR" 9>&- 2>/dev/null; then
        PG_BASE_DIR=$tmp_base
        newsapi_note "note: user $PG_RUN_USER cannot reach $PG_DATA_DIR; keeping the PostgreSQL cluster in $PG_BASE_DIR instead"
    fi
    _pg_make_base_dir "$PG_BASE_DIR"
    PG_CLUSTER_DIR="$PG_BASE_DIR/data"
    PG_LOG_FILE="$PG_BASE_DIR/postgres.log"
    PG_PASSWORD_FILE="$PG_DATA_DIR/postgres.password"
}

_pg_new_password() {
    local pw
    pw=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
    pw=${pw:0:32}
    ((${#pw} == 32)) || newsapi_die "could not generate a password from /dev/urandom"
    printf '%s\n' "$pw"
}

_pg_password() {
    local pw
    IFS= read -r pw <"$PG_PASSWORD_FILE" || true
    [[ -n $pw ]] || newsapi_die "$PG_PASSWORD_FILE is empty"
    printf '%s' "$pw"
}

# initdb, once per cluster folder.
_pg_init_cluster() {
    local locale=C pwfile locales out
    if [[ -f $PG_CLUSTER_DIR/PG_VERSION ]]; then
        [[ -s $PG_PASSWORD_FILE ]] || newsapi_die "the cluster in $PG_CLUSTER_DIR exists but its password file $PG_PASSWORD_FILE is missing; stop any server using it and remove $PG_CLUSTER_DIR to start afresh"
        return 0
    fi
    if [[ -e $PG_CLUSTER_DIR ]] && [[ -n $(ls -A "$PG_CLUSTER_DIR" 2>/dev/null) ]]; then
        newsapi_die "$PG_CLUSTER_DIR is not empty but holds no cluster (no PG_VERSION); remove it"
    fi
    if [[ ! -s $PG_PASSWORD_FILE ]]; then
        (umask 077 && _pg_new_password >"$PG_PASSWORD_FILE")
    fi
    chmod 600 "$PG_PASSWORD_FILE"
    locales=$(locale -a 2>/dev/null || true)
    if grep -qiE '^c\.utf-?8$' <<<"$locales"; then
        locale=C.UTF-8
    fi
    pwfile=$PG_PASSWORD_FILE
    if [[ -n $PG_RUN_USER ]]; then
        pwfile="$PG_BASE_DIR/.initdb-pwfile"
        rm -f "$pwfile"
        (umask 077 && cp "$PG_PASSWORD_FILE" "$pwfile")
        chown "$PG_RUN_USER" "$pwfile"
    fi
    newsapi_note "initialising PostgreSQL cluster in $PG_CLUSTER_DIR"
    if ! out=$(_pg_as_user "$PG_BINDIR/initdb" -D "$PG_CLUSTER_DIR" \
        --auth=scram-sha-256 --username=postgres --pwfile="$pwfile" \
        --encoding=UTF8 --locale="$locale" 2>&1); then
        [[ $pwfile == "$PG_PASSWORD_FILE" ]] || rm -f "$pwfile"
        printf '%s\n' "$out" >&2
        newsapi_die "initdb failed"
    fi
    [[ $pwfile == "$PG_PASSWORD_FILE" ]] || rm -f "$pwfile"
}

pg_is_running() {
    [[ -n $PG_CLUSTER_DIR && -f $PG_CLUSTER_DIR/PG_VERSION ]] || return 1
    _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_CLUSTER_DIR" status >/dev/null 2>&1
}

# Port recorded in postmaster.pid by the server running in DIR (default: the
# cluster).
_pg_running_port() {
    local dir=${1:-$PG_CLUSTER_DIR}
    sed -n '4p' "$dir/postmaster.pid" 2>/dev/null || true
}

# The postgres command-line options of a private server on PORT. A standby
# gets the same ones as its primary (a hot standby needs max_connections and
# the like at least as high as the primary's).
_pg_server_options() {
    local port=$1 opts
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=200"
    if [[ -n $PG_EXTRA_OPTIONS ]]; then
        opts+=" $PG_EXTRA_OPTIONS"
    fi
    printf '%s\n' "$opts"
}

_pg_start() {
    local opts running_port
    PG_STARTED_HERE=0
    if pg_is_running; then
        running_port=$(_pg_running_port)
        if [[ $running_port == "$PG_PORT" ]]; then
            newsapi_note "PostgreSQL is already running in $PG_CLUSTER_DIR on 127.0.0.1:$PG_PORT; reusing it"
            return 0
        fi
        newsapi_note "PostgreSQL is already running in $PG_CLUSTER_DIR on port ${running_port:-?}; restarting it on port $PG_PORT"
        _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_CLUSTER_DIR" -m fast -w -t 60 -s stop
    fi
    if newsapi_port_in_use "$PG_PORT"; then
        newsapi_note "error: port $PG_PORT on 127.0.0.1 is already in use by another process:"
        _pg_port_owner "$PG_PORT" >&2
        newsapi_die "choose another port for the private PostgreSQL cluster with $PG_PORT_VAR=<port>"
    fi
    opts=$(_pg_server_options "$PG_PORT")
    if ! _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_CLUSTER_DIR" -l "$PG_LOG_FILE" \
        -w -t 60 -s -o "$opts" start; then
        newsapi_note "PostgreSQL failed to start; last lines of $PG_LOG_FILE:"
        tail -n 20 "$PG_LOG_FILE" >&2 || true
        newsapi_die "could not start PostgreSQL (port $PG_PORT, change it with $PG_PORT_VAR)"
    fi
    PG_STARTED_HERE=1
    newsapi_note "PostgreSQL started on 127.0.0.1:$PG_PORT (data: $PG_CLUSTER_DIR, log: $PG_LOG_FILE)"
}

pg_up() {
    local data_dir=$1
    PG_PORT=$2
    PG_PORT_VAR=$3
    PG_EXTRA_OPTIONS=${4:-}
    _pg_check_port_number "$PG_PORT" "$PG_PORT_VAR"
    mkdir -p "$data_dir"
    PG_DATA_DIR=$(cd "$data_dir" && pwd -P)
    pg_ensure_installed
    _pg_choose_layout
    _pg_init_cluster
    _pg_start
}

pg_down() {
    if pg_is_running; then
        newsapi_note "stopping PostgreSQL ($PG_CLUSTER_DIR)"
        if ! _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_CLUSTER_DIR" -m fast -w -t 60 -s stop; then
            newsapi_note "fast shutdown failed; trying immediate shutdown"
            _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_CLUSTER_DIR" -m immediate -w -t 30 -s stop
        fi
    fi
}

_pg_psql_bin() {
    if [[ -x $PG_BINDIR/psql ]]; then
        printf '%s\n' "$PG_BINDIR/psql"
    elif command -v psql >/dev/null 2>&1; then
        command -v psql
    else
        newsapi_die "psql not found (install postgresql-client)"
    fi
}

# psql as `postgres` against the private server on PORT.
_pg_psql_at() {
    local port=$1 psql pw
    shift
    psql=$(_pg_psql_bin)
    pw=$(_pg_password)
    PGPASSWORD=$pw PGCONNECT_TIMEOUT=10 "$psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

pg_psql() {
    _pg_psql_at "$PG_PORT" "$@"
}

_pg_connection_string_at() {
    local port=$1 db=$2
    printf 'Host=127.0.0.1;Port=%s;Username=postgres;Password=%s;Database=%s\n' \
        "$port" "$(_pg_password)" "$db"
}

pg_connection_string() {
    _pg_connection_string_at "$PG_PORT" "$1"
}

pg_ensure_database() {
    local db=$1 exists
    [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || newsapi_die "invalid database name '$db'"
    exists=$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")
    if [[ $exists != 1 ]]; then
        pg_psql -c "CREATE DATABASE \"$db\""
        newsapi_note "created database $db"
    fi
}

# ---------------------------------------------------------------------------
# The hot standby (pg_replica_up).

# "Database system identifier" of the cluster in DIR (pg_controldata).
_pg_system_id() {
    local dir=$1
    _pg_as_user env LC_ALL=C "$PG_BINDIR/pg_controldata" -D "$dir" 2>/dev/null |
        sed -n 's/^Database system identifier:[[:space:]]*//p'
}

# The primary must let the standby in: wal_level replica (the default) or
# logical, WAL senders for pg_basebackup's two connections and the standby's
# one, a replication slot, and a pg_hba.conf line for replication connections
# of `postgres` from 127.0.0.1. initdb writes that line; it is added (with the
# authentication method of the other loopback lines) if it is missing.
_pg_replica_check_primary() {
    local settings wal_level senders slots rules method hba
    settings=$(pg_psql -tA -F ' ' -c "SELECT current_setting('wal_level'), current_setting('max_wal_senders'), current_setting('max_replication_slots')")
    read -r wal_level senders slots <<<"$settings"
    if [[ $wal_level != replica && $wal_level != logical ]]; then
        newsapi_die "the cluster runs with wal_level=$wal_level; a standby needs replica (the default)"
    fi
    if ((senders < 3)); then
        newsapi_die "the cluster runs with max_wal_senders=$senders; a standby needs 3 (pg_basebackup uses two, the standby one; the default is 10)"
    fi
    if ((slots < 1)); then
        newsapi_die "the cluster runs with max_replication_slots=$slots; a standby needs 1 (the default is 10)"
    fi
    rules=$(pg_psql -tAc "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL AND type = 'host' AND 'replication' = ANY (database) AND ('all' = ANY (user_name) OR 'postgres' = ANY (user_name)) AND address = '127.0.0.1' AND netmask = '255.255.255.255'")
    if ((rules == 0)); then
        method=$(pg_psql -tAc "SELECT auth_method FROM pg_hba_file_rules WHERE error IS NULL AND type = 'host' AND address = '127.0.0.1' ORDER BY line_number LIMIT 1")
        hba=$(pg_psql -tAc "SHOW hba_file")
        newsapi_note "allowing replication connections of postgres from 127.0.0.1 in $hba"
        printf 'host    replication     postgres        127.0.0.1/32            %s\n' "${method:-scram-sha-256}" |
            _pg_as_user tee -a "$hba" >/dev/null
        pg_psql -tAc "SELECT pg_reload_conf()" >/dev/null
        sleep 1
    fi
}

pg_replica_is_running() {
    [[ -n $PG_REPLICA_DIR && -f $PG_REPLICA_DIR/PG_VERSION ]] || return 1
    _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DIR" status >/dev/null 2>&1
}

_pg_replica_stop() {
    if ! _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DIR" -m fast -w -t 60 -s stop; then
        newsapi_note "fast shutdown of the standby failed; trying immediate shutdown"
        _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DIR" -m immediate -w -t 30 -s stop
    fi
}

pg_replica_down() {
    if pg_replica_is_running; then
        newsapi_note "stopping the PostgreSQL standby ($PG_REPLICA_DIR)"
        _pg_replica_stop
    fi
}

# Prints why the standby in PG_REPLICA_DIR cannot be reused by the primary
# whose system identifier is PRIMARY_ID; prints nothing if it can.
_pg_replica_unusable_reason() {
    local primary_id=$1 replica_id slot conf=$PG_REPLICA_DIR/postgresql.auto.conf
    if [[ ! -f $PG_REPLICA_DIR/PG_VERSION ]]; then
        echo "it holds no cluster (no PG_VERSION)"
        return 0
    fi
    if [[ ! -f $PG_REPLICA_DIR/standby.signal ]]; then
        echo "it is not a standby (no standby.signal)"
        return 0
    fi
    replica_id=$(_pg_system_id "$PG_REPLICA_DIR") || true
    if [[ $replica_id != "$primary_id" ]]; then
        echo "it is a copy of another cluster (database system identifier ${replica_id:-unreadable}, the cluster's is $primary_id)"
        return 0
    fi
    if ! _pg_as_user grep -q "^primary_conninfo = '.*port=${PG_PORT}[ ']" "$conf"; then
        echo "it does not follow port $PG_PORT"
        return 0
    fi
    if ! _pg_as_user grep -q "^primary_slot_name = '$PG_REPLICA_SLOT'" "$conf"; then
        echo "it does not stream through the replication slot $PG_REPLICA_SLOT"
        return 0
    fi
    slot=$(pg_psql -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$PG_REPLICA_SLOT' AND slot_type = 'physical'")
    if [[ $slot != 1 ]]; then
        echo "the cluster has no replication slot $PG_REPLICA_SLOT for it"
    fi
}

# A fresh standby in PG_REPLICA_DIR: pg_basebackup with -R (standby.signal,
# primary_conninfo with the password, primary_slot_name), -X stream and a new
# replication slot, so the primary keeps every WAL segment the standby has
# not received, from the backup's start on.
_pg_replica_create() {
    local active out
    [[ -n $PG_BASE_DIR && $PG_REPLICA_DIR == "$PG_BASE_DIR/replica" ]] ||
        newsapi_die "internal error: unexpected standby folder '$PG_REPLICA_DIR'"
    if pg_replica_is_running; then
        _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DIR" -m immediate -w -t 30 -s stop
    fi
    rm -rf -- "$PG_REPLICA_DIR"
    active=$(pg_psql -tAc "SELECT active FROM pg_replication_slots WHERE slot_name = '$PG_REPLICA_SLOT'")
    if [[ $active == t ]]; then
        newsapi_die "the replication slot $PG_REPLICA_SLOT of the cluster in $PG_CLUSTER_DIR is in use by another standby (see pg_stat_replication); stop it first"
    elif [[ $active == f ]]; then
        pg_psql -tAc "SELECT pg_drop_replication_slot('$PG_REPLICA_SLOT')" >/dev/null
    fi
    newsapi_note "creating a hot standby of $PG_CLUSTER_DIR in $PG_REPLICA_DIR (pg_basebackup)"
    if ! out=$(PGPASSWORD=$(_pg_password) PGCONNECT_TIMEOUT=10 _pg_as_user "$PG_BINDIR/pg_basebackup" \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres --no-password -D "$PG_REPLICA_DIR" \
        --write-recovery-conf --wal-method=stream --create-slot --slot="$PG_REPLICA_SLOT" \
        --checkpoint=fast 2>&1); then
        printf '%s\n' "$out" >&2
        newsapi_die "pg_basebackup failed"
    fi
}

# Starts the standby, or keeps it if it runs on PG_REPLICA_PORT already.
# Returns 1 if pg_ctl could not start it.
_pg_replica_start() {
    local opts running_port
    PG_REPLICA_STARTED_HERE=0
    if pg_replica_is_running; then
        running_port=$(_pg_running_port "$PG_REPLICA_DIR")
        if [[ $running_port == "$PG_REPLICA_PORT" ]]; then
            newsapi_note "the PostgreSQL standby is already running in $PG_REPLICA_DIR on 127.0.0.1:$PG_REPLICA_PORT; reusing it"
            return 0
        fi
        newsapi_note "the PostgreSQL standby is already running in $PG_REPLICA_DIR on port ${running_port:-?}; restarting it on port $PG_REPLICA_PORT"
        _pg_replica_stop
    fi
    if newsapi_port_in_use "$PG_REPLICA_PORT"; then
        newsapi_note "error: port $PG_REPLICA_PORT on 127.0.0.1 is already in use by another process:"
        _pg_port_owner "$PG_REPLICA_PORT" >&2
        newsapi_die "choose another port for the PostgreSQL standby with $PG_REPLICA_PORT_VAR=<port>"
    fi
    # Later -c options win: whatever EXTRA_SERVER_OPTIONS say, this is a hot
    # standby whose queries the primary's vacuum does not cancel.
    opts="$(_pg_server_options "$PG_REPLICA_PORT") -c hot_standby=on -c hot_standby_feedback=on"
    if ! _pg_as_user "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DIR" -l "$PG_REPLICA_LOG_FILE" \
        -w -t 60 -s -o "$opts" start; then
        return 1
    fi
    PG_REPLICA_STARTED_HERE=1
    newsapi_note "PostgreSQL standby started on 127.0.0.1:$PG_REPLICA_PORT (data: $PG_REPLICA_DIR, log: $PG_REPLICA_LOG_FILE)"
}

# Waits until the standby accepts connections, is in recovery, streams from
# the primary and has replayed the WAL the primary had flushed when the wait
# began. Returns 1 after 60 seconds.
_pg_replica_wait() {
    local target state deadline=$((SECONDS + 60))
    target=$(pg_psql -tAc "SELECT pg_current_wal_flush_lsn()")
    while :; do
        state=$(pg_replica_psql -tA -F ' ' -c "SELECT pg_is_in_recovery(), coalesce((SELECT status FROM pg_stat_wal_receiver), 'none'), coalesce(pg_last_wal_replay_lsn() >= '$target'::pg_lsn, false)" 2>/dev/null) || state=""
        if [[ $state == 't streaming t' ]]; then
            return 0
        fi
        if ((SECONDS >= deadline)); then
            newsapi_note "the standby on 127.0.0.1:$PG_REPLICA_PORT did not catch up with the cluster within 60 s (in recovery, receiver status, replayed up to $target: ${state:-no connection})"
            return 1
        fi
        sleep 0.2
    done
}

pg_replica_up() {
    local primary_id reason running_port bin
    PG_REPLICA_PORT=$1
    PG_REPLICA_PORT_VAR=$2
    _pg_check_port_number "$PG_REPLICA_PORT" "$PG_REPLICA_PORT_VAR"
    if [[ $PG_REPLICA_PORT == "$PG_PORT" ]]; then
        newsapi_die "$PG_REPLICA_PORT_VAR must differ from the primary's port $PG_PORT"
    fi
    pg_is_running || newsapi_die "pg_replica_up: the cluster is not running (call pg_up first)"
    for bin in pg_basebackup pg_controldata; do
        [[ -x $PG_BINDIR/$bin ]] || newsapi_die "$PG_BINDIR/$bin not found; it comes with the PostgreSQL server package"
    done
    PG_REPLICA_DIR=$PG_BASE_DIR/replica
    PG_REPLICA_LOG_FILE=$PG_BASE_DIR/replica.log
    PG_REPLICA_STARTED_HERE=0
    # Fail on a foreign listener before a base backup is made for nothing.
    running_port=""
    if pg_replica_is_running; then
        running_port=$(_pg_running_port "$PG_REPLICA_DIR")
    fi
    if [[ $running_port != "$PG_REPLICA_PORT" ]] && newsapi_port_in_use "$PG_REPLICA_PORT"; then
        newsapi_note "error: port $PG_REPLICA_PORT on 127.0.0.1 is already in use by another process:"
        _pg_port_owner "$PG_REPLICA_PORT" >&2
        newsapi_die "choose another port for the PostgreSQL standby with $PG_REPLICA_PORT_VAR=<port>"
    fi
    _pg_replica_check_primary
    primary_id=$(_pg_system_id "$PG_CLUSTER_DIR") || true
    [[ -n $primary_id ]] || newsapi_die "could not read the database system identifier of $PG_CLUSTER_DIR with pg_controldata"
    if [[ -e $PG_REPLICA_DIR ]]; then
        reason=$(_pg_replica_unusable_reason "$primary_id")
        if [[ -z $reason ]]; then
            if _pg_replica_start && _pg_replica_wait; then
                return 0
            fi
            reason="it did not come up as a streaming standby (see $PG_REPLICA_LOG_FILE)"
        fi
        newsapi_note "re-creating the PostgreSQL standby in $PG_REPLICA_DIR: $reason"
    fi
    _pg_replica_create
    if ! _pg_replica_start || ! _pg_replica_wait; then
        newsapi_note "last lines of $PG_REPLICA_LOG_FILE:"
        tail -n 20 "$PG_REPLICA_LOG_FILE" >&2 || true
        newsapi_die "could not start the PostgreSQL standby (port $PG_REPLICA_PORT, change it with $PG_REPLICA_PORT_VAR)"
    fi
}

pg_replica_psql() {
    _pg_psql_at "$PG_REPLICA_PORT" "$@"
}

pg_replica_connection_string() {
    _pg_connection_string_at "$PG_REPLICA_PORT" "$1"
}

# newsapi_test_services_up DATA_DIR
#   The tests' servers (scripts/test, scripts/test-db): the private cluster in
#   DATA_DIR on NEWSAPI_TEST_PG_PORT (default 55433), with durability off (its
#   data is disposable), and its hot standby on NEWSAPI_TEST_REPLICA_PORT
#   (default 55435). Sets NEWSAPI_TEST_DB and NEWSAPI_TEST_REPLICA to
#   superuser connection strings of their `postgres` databases.
newsapi_test_services_up() {
    local data_dir=$1
    pg_up "$data_dir" "${NEWSAPI_TEST_PG_PORT:-55433}" NEWSAPI_TEST_PG_PORT \
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    NEWSAPI_TEST_DB=$(pg_connection_string postgres)
    pg_replica_up "${NEWSAPI_TEST_REPLICA_PORT:-55435}" NEWSAPI_TEST_REPLICA_PORT
    NEWSAPI_TEST_REPLICA=$(pg_replica_connection_string postgres)
}
