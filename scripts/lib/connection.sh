# shellcheck shell=bash
#
# scripts/lib/connection.sh - turns the API's Npgsql connection string into libpq's environment
# (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE), so that pg_dump, pg_restore and psql
# reach the same database as the API. Sourced, not executed.
#
#   newsapi_libpq_env "Host=db;Port=5432;Username=news;Password=...;Database=news"
#
# Only the keywords those tools need are read (any of Npgsql's spellings, case-insensitively); of
# several hosts (Host=db1,db2) the first is used, which should be the primary.

newsapi_libpq_env() {
    local connection_string=$1 part key value host=""
    local IFS=';'
    for part in $connection_string; do
        [[ $part == *=* ]] || continue
        key=${part%%=*}
        value=${part#*=}
        key=$(printf '%s' "$key" | tr '[:upper:]' '[:lower:]' | tr -d ' ')
        value=${value#"${value%%[![:space:]]*}"}
        value=${value%"${value##*[![:space:]]}"}
        case $key in
            host | server) host=$value ;;
            port) export PGPORT=$value ;;
            username | userid | user | uid) export PGUSER=$value ;;
            password | pwd | psw) export PGPASSWORD=$value ;;
            database | db | initialcatalog) export PGDATABASE=$value ;;
            sslmode)
                case $(printf '%s' "$value" | tr '[:upper:]' '[:lower:]') in
                    disable) export PGSSLMODE=disable ;;
                    allow) export PGSSLMODE=allow ;;
                    prefer) export PGSSLMODE=prefer ;;
                    require) export PGSSLMODE=require ;;
                    verifyca | verify-ca) export PGSSLMODE=verify-ca ;;
                    verifyfull | verify-full) export PGSSLMODE=verify-full ;;
                esac
                ;;
        esac
    done
    host=${host%%,*}
    if [[ $host == *:* && $host != \[* ]]; then
        export PGPORT=${host##*:}
        host=${host%:*}
    fi
    [[ -n $host ]] && export PGHOST=$host
    return 0
}

# Points libpq's environment at the database the API uses: ConnectionStrings__Content when set, or
# else database `newsapi` of scripts/run's private cluster (NEWSAPI_DATA_DIR, NEWSAPI_PG_PORT), which
# is started when it is not running; then NEWSAPI_STOP_CLUSTER is 1 and the caller stops it with
# pg_down when done. Needs scripts/lib/postgres.sh.
newsapi_database_env() {
    NEWSAPI_STOP_CLUSTER=0
    if [[ -n ${ConnectionStrings__Content:-} ]]; then
        newsapi_libpq_env "$ConnectionStrings__Content"
        return 0
    fi
    local data_dir=${NEWSAPI_DATA_DIR:-$repo/.data/run}
    pg_up "$data_dir" "${NEWSAPI_PG_PORT:-55432}" NEWSAPI_PG_PORT
    ((PG_STARTED_HERE)) && NEWSAPI_STOP_CLUSTER=1
    newsapi_libpq_env "$(pg_connection_string newsapi)"
}

# Prints the path of PostgreSQL client tool NAME (pg_dump, pg_restore, psql): the server's own
# binaries first (they match its version), else the one on PATH.
newsapi_pg_tool() {
    local name=$1 dir
    if dir=$(pg_find_bindir 2>/dev/null) && [[ -x $dir/$name ]]; then
        printf '%s\n' "$dir/$name"
    elif command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
    else
        newsapi_die "$name not found (Debian: apt-get install postgresql-client)"
    fi
}
