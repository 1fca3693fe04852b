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
