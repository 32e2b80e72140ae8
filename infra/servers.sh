#!/usr/bin/env bash
# Start, stop or check the local Elasticsearch and S3 servers, on loopback only.
#   infra/servers.sh start|stop|status|env      (start-web / stop-web: `sohoa serve`, for `make demo`)
#   infra/servers.sh run -- CMD...   start what is not running, run CMD, then stop only what it started
#                                    (refused while another `run` of the same run dir is going)
#   infra/servers.sh purge           stop this run dir's servers and remove Elasticsearch's state folder
# Ports: SOHOA_ES_PORT (default 9200) and SOHOA_S3_PORT (default 7070); a busy default is replaced by a
# free port. The URLs are written to .cache/run/servers.env, where `sohoa` picks them up.
# Stops exactly the processes it started (pid files), never by name. Elasticsearch's config copy, data,
# logs and pid file live in a state folder under $SOHOA_SYSTEM_DIR/run/ (see infra/es.sh), linked as
# $RUN_DIR/es.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/infra/es.sh"

ENV_FILE="$RUN_DIR/servers.env"
mkdir -p "$RUN_DIR"
ES_RUN="$(es_state_dir "$RUN_DIR")"
S3_RUN="$RUN_DIR/s3"
WEB_RUN="$RUN_DIR/web"
S3_ACCESS_KEY="${SOHOA_S3_ACCESS_KEY:-sohoa-dev}"
S3_SECRET_KEY="${SOHOA_S3_SECRET_KEY:-sohoa-dev-secret}"

env_value() { [ -f "$ENV_FILE" ] && sed -n "s/^$1=//p" "$ENV_FILE" | tail -1; }

start_es() {
  local pidfile="$ES_RUN/es.pid" port
  if alive "$pidfile"; then log "es: already running ($(env_value SOHOA_ES_URL))"; return; fi
  es_check_installed
  es_gc
  port="$(pick_port "${SOHOA_ES_PORT:-9200}")"
  es_prepare "$RUN_DIR" "$ES_RUN"
  log "es: starting Elasticsearch $ES_VERSION on 127.0.0.1:$port (state: $ES_RUN)"
  es_launch "$ES_RUN" "$port" -Expack.security.enabled=false
  port="$ES_PORT"
  set_env SOHOA_ES_URL "http://127.0.0.1:$port"
  wait_for es "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=5s" 120 "$pidfile" \
    "$ES_RUN/logs/elasticsearch.log"
  log "es: ready"
}

start_s3() {
  local pidfile="$S3_RUN/versitygw.pid" port
  if alive "$pidfile"; then log "s3: already running ($(env_value SOHOA_S3_ENDPOINT))"; return; fi
  [ -x "$VERSITYGW" ] || die "versitygw is not installed: run infra/setup.sh s3"
  port="$(pick_port "${SOHOA_S3_PORT:-7070}")"
  mkdir -p "$S3_RUN/data" "$S3_RUN/iam" "$S3_RUN/meta"
  log "s3: starting versitygw $VERSITYGW_VERSION on 127.0.0.1:$port"
  # Keys go through the environment, not argv, so they do not show in `ps`.
  ROOT_ACCESS_KEY="$S3_ACCESS_KEY" ROOT_SECRET_KEY="$S3_SECRET_KEY" \
    setsid "$VERSITYGW" --port "127.0.0.1:$port" --health /health --quiet --iam-dir "$S3_RUN/iam" \
    posix --sidecar "$S3_RUN/meta" "$S3_RUN/data" >"$S3_RUN/versitygw.log" 2>&1 &
  echo $! >"$pidfile"
  set_env SOHOA_S3_ENDPOINT "127.0.0.1:$port"
  wait_for s3 "http://127.0.0.1:$port/health" 30 "$pidfile" "$S3_RUN/versitygw.log"
  log "s3: ready"
}

demo_login() {  # a demo editor for the local viewer: the password is made once, kept 0600 beside the pid
  local file="$WEB_RUN/demo-login.txt" password
  [ -f "$file" ] && return 0
  password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
  printf '%s\n' "$password" | "$VENV/bin/sohoa" users add demo.editor --role editor --password-stdin >/dev/null 2>&1 \
    || printf '%s\n' "$password" | "$VENV/bin/sohoa" users set-password demo.editor --password-stdin >/dev/null
  (umask 077; printf 'user: demo.editor\npassword: %s\n' "$password" >"$file")
}

start_web() {  # `sohoa serve` on loopback (after start_es and start_s3), for `make demo`
  local pidfile="$WEB_RUN/web.pid" port
  if alive "$pidfile"; then log "web: already running ($(cat "$WEB_RUN/url"))"; return; fi
  mkdir -p "$WEB_RUN"
  demo_login
  port="$(pick_port "${SOHOA_WEB_PORT:-8080}")"
  log "web: starting sohoa serve on 127.0.0.1:$port"
  setsid "$VENV/bin/sohoa" serve --host 127.0.0.1 --port "$port" >"$WEB_RUN/web.log" 2>&1 &
  echo $! >"$pidfile"
  echo "http://localhost:$port" >"$WEB_RUN/url"  # localhost: browsers keep the Secure cookie there
  wait_for web "http://127.0.0.1:$port/healthz" 60 "$pidfile" "$WEB_RUN/web.log"
  log "web: ready at http://localhost:$port (log in as in $WEB_RUN/demo-login.txt)"
}

set_env() {  # set_env KEY VALUE: replace one line of servers.env
  mkdir -p "$RUN_DIR"; touch "$ENV_FILE"
  { grep -v "^$1=" "$ENV_FILE" || true; echo "$1=$2"; } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

status() {
  local rc=0
  if alive "$ES_RUN/es.pid"; then echo "es: running at $(env_value SOHOA_ES_URL)"; else echo "es: stopped"; rc=1; fi
  if alive "$S3_RUN/versitygw.pid"; then echo "s3: running at $(env_value SOHOA_S3_ENDPOINT)"; else echo "s3: stopped"; rc=1; fi
  if alive "$WEB_RUN/web.pid"; then echo "web: running at $(cat "$WEB_RUN/url")"; else echo "web: stopped"; fi
  return $rc
}

# globals, not locals: the EXIT trap runs after run_with_servers has returned
ES_WAS_RUNNING=0
S3_WAS_RUNNING=0

stop_started() {
  [ "$S3_WAS_RUNNING" -eq 1 ] || stop_pid s3 "$S3_RUN/versitygw.pid"
  [ "$ES_WAS_RUNNING" -eq 1 ] || stop_pid es "$ES_RUN/es.pid"
}

# One `run` per run dir at a time: a second one would share the first's servers and pid files, and whichever
# ends first would stop the servers under the other. The lock is an flock on fd 9, held by this shell for
# the run's lifetime; the kernel drops it when the shell dies, so a killed run leaves no lock behind (the
# file keeps its stale pid, which only the error message reads). Children get fd 9 closed (`9>&-`): a server
# or test process that outlives this shell must not keep the lock.
RUN_LOCK="$RUN_DIR/run.lock"

lock_run() {
  local other
  exec 9<>"$RUN_LOCK"  # <>: open without truncating the holder's pid
  if ! flock -n 9; then
    other="$(cat "$RUN_LOCK" 2>/dev/null || true)"
    die "another 'infra/servers.sh run' in $ROOT is still going (pid ${other:-unknown}, lock $RUN_LOCK); \
wait for it to end, or run from another checkout"
  fi
  echo $$ >"$RUN_LOCK"
}

run_with_servers() {  # start what is not running, run the command, stop only what this call started
  local rc=0
  lock_run
  alive "$ES_RUN/es.pid" && ES_WAS_RUNNING=1
  alive "$S3_RUN/versitygw.pid" && S3_WAS_RUNNING=1
  trap stop_started EXIT
  start_es 9>&-; start_s3 9>&-
  "$@" 9>&- || rc=$?
  return $rc
}

case "${1:-}" in
  run) shift; [ "${1:-}" = "--" ] && shift; run_with_servers "$@" ;;
  start) start_es; start_s3 ;;
  start-es) start_es ;;
  start-s3) start_s3 ;;
  stop) stop_pid web "$WEB_RUN/web.pid"; stop_pid s3 "$S3_RUN/versitygw.pid"; stop_pid es "$ES_RUN/es.pid" ;;
  start-web) start_web ;;
  stop-web) stop_pid web "$WEB_RUN/web.pid" ;;
  stop-es) stop_pid es "$ES_RUN/es.pid" ;;
  stop-s3) stop_pid s3 "$S3_RUN/versitygw.pid" ;;
  status) status ;;
  env) cat "$ENV_FILE" ;;
  purge) stop_pid web "$WEB_RUN/web.pid"; stop_pid s3 "$S3_RUN/versitygw.pid"; stop_pid es "$ES_RUN/es.pid"; es_purge "$ES_RUN"; rm -f "$RUN_DIR/es" ;;
  *) die "usage: infra/servers.sh start|stop|status|env|purge|run -- CMD... (also start-es, start-s3, start-web, stop-es, stop-s3, stop-web)" ;;
esac
