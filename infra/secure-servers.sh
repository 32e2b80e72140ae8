#!/usr/bin/env bash
# Servers with security on, for the tests that prove the Elasticsearch roles and the MinIO policies:
#   infra/secure-servers.sh tls DIR     a new CA and a server certificate for 127.0.0.1/localhost in DIR
#                                       (ca.crt, server.crt, server.key; the CA key is not kept)
#   infra/secure-servers.sh start-es    Elasticsearch, security on, TLS on HTTP, file realm and file roles
#   infra/secure-servers.sh start-minio MinIO over TLS
#   infra/secure-servers.sh stop-es|stop-minio|stop|status|purge
# Inputs, from the environment (no secret on a command line):
#   SOHOA_RUN_DIR        a private run dir (required; it may be in a 0700 folder)
#   SOHOA_TLS_DIR        a folder made by `tls`
#   SOHOA_ES_PORT, SOHOA_MINIO_PORT   loopback ports (a busy one is replaced by a free one)
#   SOHOA_ES_ROLES       roles.yml to load as file roles
#   SOHOA_ES_USERS       a 0600 file of `user:role:password` lines, one file-realm user each
#   MINIO_ROOT_USER, MINIO_ROOT_PASSWORD   MinIO's root identity
# Writes $SOHOA_RUN_DIR/servers.env (URLs and the CA file, never a secret). Stops by pid, never by name.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/infra/es.sh"

ENV_FILE="$RUN_DIR/servers.env"
MINIO_RUN="$RUN_DIR/minio"
if [ "${1:-}" != tls ]; then
  [ -n "${SOHOA_RUN_DIR:-}" ] || die "SOHOA_RUN_DIR must name a private run dir"
  mkdir -p "$RUN_DIR"
  ES_RUN="$(es_state_dir "$RUN_DIR")"
fi

set_env() {  # set_env KEY VALUE: replace one line of servers.env
  touch "$ENV_FILE"
  { grep -v "^$1=" "$ENV_FILE" || true; echo "$1=$2"; } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

certutil() {  # elasticsearch-certutil from the same distribution, as the current user
  ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$ES_HOME/config" "$ES_HOME/bin/elasticsearch-certutil" "$@"
}

unzip_to() { python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; }

make_tls() {  # make_tls DIR
  local dir="$1"
  [ -n "$dir" ] || die "usage: infra/secure-servers.sh tls DIR"
  [ -f "$dir/server.key" ] && [ -f "$dir/ca.crt" ] && return 0
  es_check_installed
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  local work; work="$(mktemp -d "$dir/.certutil-XXXXXX")"
  chmod 700 "$work"
  log "tls: a new CA and a certificate for 127.0.0.1/localhost in $dir"
  certutil ca --pem --silent --days 30 --out "$work/ca.zip" >"$work/log" 2>&1 \
    || { cat "$work/log" >&2; die "tls: elasticsearch-certutil ca failed"; }
  unzip_to "$work/ca.zip" "$work"
  certutil cert --pem --silent --days 30 --ca-cert "$work/ca/ca.crt" --ca-key "$work/ca/ca.key" \
    --name server --ip 127.0.0.1 --dns localhost --out "$work/server.zip" >"$work/log" 2>&1 \
    || { cat "$work/log" >&2; die "tls: elasticsearch-certutil cert failed"; }
  unzip_to "$work/server.zip" "$work"
  install -m 644 "$work/ca/ca.crt" "$dir/ca.crt"
  install -m 644 "$work/server/server.crt" "$dir/server.crt"
  install -m 600 "$work/server/server.key" "$dir/server.key"
  rm -rf "$work"  # with the CA key: nothing else will be signed by this CA
}

tls_dir() {
  [ -n "${SOHOA_TLS_DIR:-}" ] && [ -f "$SOHOA_TLS_DIR/server.key" ] \
    || die "SOHOA_TLS_DIR must name a folder made by: infra/secure-servers.sh tls DIR"
  cd "$SOHOA_TLS_DIR" && pwd -P
}

# -- Elasticsearch with security on ---------------------------------------------------------------------
es_users() {  # (re)create the file realm from SOHOA_ES_USERS: users and users_roles, nothing else
  local conf="$ES_RUN/config" user role password
  [ -f "${SOHOA_ES_USERS:-}" ] || die "SOHOA_ES_USERS must name a file of user:role:password lines"
  : >"$conf/users"; : >"$conf/users_roles"
  if is_root; then chown "$ES_USER:" "$conf/users" "$conf/users_roles"; fi
  chmod 640 "$conf/users" "$conf/users_roles"
  while IFS=: read -r user role password; do
    [ -n "$user" ] || continue
    # The password goes in on stdin (twice: asked and confirmed), never on a command line.
    printf '%s\n%s\n' "$password" "$password" | as_es env ES_JAVA_HOME="$ES_JAVA_HOME" \
      ES_PATH_CONF="$conf" "$ES_HOME/bin/elasticsearch-users" useradd "$user" -r "$role" >/dev/null 2>&1 \
      || die "es: could not add the file-realm user $user"
  done <"$SOHOA_ES_USERS"
}

start_es() {
  local pidfile="$ES_RUN/es.pid" port tls conf code
  if alive "$pidfile"; then log "secure es: already running"; return; fi
  es_check_installed
  tls="$(tls_dir)"
  [ -f "${SOHOA_ES_ROLES:-}" ] || die "SOHOA_ES_ROLES must name a roles.yml"
  port="$(pick_port "${SOHOA_ES_PORT:-9201}")"
  es_prepare "$RUN_DIR" "$ES_RUN"
  conf="$ES_RUN/config"
  mkdir -p "$conf/certs"
  cp "$tls/ca.crt" "$tls/server.crt" "$tls/server.key" "$conf/certs/"
  cp "$SOHOA_ES_ROLES" "$conf/roles.yml"
  if is_root; then chown -R "$ES_USER:" "$conf/certs" "$conf/roles.yml"; fi
  chmod 700 "$conf/certs"; chmod 600 "$conf/certs/server.key"
  es_users
  log "secure es: starting Elasticsearch $ES_VERSION with security and TLS on https://127.0.0.1:$port"
  # Only the file realm: the native realm, API keys and the reserved users need the .security index,
  # which this distribution cannot create (it lacks analysis-common).
  es_launch "$ES_RUN" "$port" -Expack.security.enabled=true \
    -Expack.security.http.ssl.enabled=true \
    -Expack.security.http.ssl.certificate=certs/server.crt -Expack.security.http.ssl.key=certs/server.key \
    -Expack.security.http.ssl.certificate_authorities=certs/ca.crt \
    -Expack.security.transport.ssl.enabled=false -Expack.license.self_generated.type=basic \
    -Expack.security.authc.realms.file.file1.order=0 -Expack.security.authc.reserved_realm.enabled=false \
    -Expack.security.authc.api_key.enabled=false -Expack.security.enrollment.enabled=false
  port="$ES_PORT"
  set_env SOHOA_ES_URL "https://127.0.0.1:$port"
  set_env SOHOA_ES_CA_FILE "$tls/ca.crt"
  # Ready when it answers TLS with 401 (no credentials here): the tests check health with a user.
  local deadline=$((SECONDS + 180))
  until code="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tls/ca.crt" "https://127.0.0.1:$port/")" \
    && [ "$code" = 401 ]; do
    alive "$pidfile" || { tail -n 30 "$ES_RUN/logs/elasticsearch.log" >&2 || true; die "secure es exited during start-up"; }
    [ $SECONDS -lt $deadline ] || die "secure es not ready after 180 s (log: $ES_RUN/logs/elasticsearch.log)"
    sleep 1
  done
  log "secure es: ready"
}

# -- MinIO over TLS --------------------------------------------------------------------------------------
start_minio() {
  local pidfile="$MINIO_RUN/minio.pid" port console tls
  if alive "$pidfile"; then log "minio: already running"; return; fi
  [ -x "$MINIO" ] || die "MinIO is not installed: run infra/setup.sh minio"
  [ -n "${MINIO_ROOT_USER:-}" ] && [ -n "${MINIO_ROOT_PASSWORD:-}" ] || die "MINIO_ROOT_USER/MINIO_ROOT_PASSWORD unset"
  tls="$(tls_dir)"
  port="$(pick_port "${SOHOA_MINIO_PORT:-9000}")"
  console="$(free_port)"
  mkdir -p "$MINIO_RUN/data" "$MINIO_RUN/certs/CAs"
  chmod 700 "$MINIO_RUN/certs"
  install -m 644 "$tls/server.crt" "$MINIO_RUN/certs/public.crt"
  install -m 600 "$tls/server.key" "$MINIO_RUN/certs/private.key"
  install -m 644 "$tls/ca.crt" "$MINIO_RUN/certs/CAs/ca.crt"
  log "minio: starting MinIO on https://127.0.0.1:$port"
  # The root identity goes through the environment (not argv); no console, no update checks.
  MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
    setsid "$MINIO" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
    --certs-dir "$MINIO_RUN/certs" "$MINIO_RUN/data" >"$MINIO_RUN/minio.log" 2>&1 &
  echo $! >"$pidfile"
  set_env SOHOA_S3_ENDPOINT "127.0.0.1:$port"
  set_env SOHOA_S3_SECURE true
  set_env SOHOA_S3_CA_FILE "$tls/ca.crt"
  wait_for minio "https://127.0.0.1:$port/minio/health/ready" 60 "$pidfile" "$MINIO_RUN/minio.log" \
    --cacert "$tls/ca.crt"
  log "minio: ready"
}

status() {
  local rc=0
  if alive "$ES_RUN/es.pid"; then echo "secure es: running"; else echo "secure es: stopped"; rc=1; fi
  if alive "$MINIO_RUN/minio.pid"; then echo "minio: running"; else echo "minio: stopped"; rc=1; fi
  return $rc
}

case "${1:-}" in
  tls) make_tls "${2:-}" ;;
  start-es) start_es ;;
  start-minio) start_minio ;;
  stop-es) stop_pid "secure es" "$ES_RUN/es.pid" ;;
  stop-minio) stop_pid minio "$MINIO_RUN/minio.pid" ;;
  stop) stop_pid minio "$MINIO_RUN/minio.pid"; stop_pid "secure es" "$ES_RUN/es.pid" ;;
  status) status ;;
  purge)
    stop_pid minio "$MINIO_RUN/minio.pid"; stop_pid "secure es" "$ES_RUN/es.pid"
    [ -d "$ES_RUN" ] && es_purge "$ES_RUN"
    rm -rf "$MINIO_RUN" "$RUN_DIR/es" ;;
  *) die "usage: infra/secure-servers.sh tls DIR|start-es|start-minio|stop-es|stop-minio|stop|status|purge" ;;
esac
