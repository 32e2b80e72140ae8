#!/usr/bin/env bash
# A real Prefect server (SQLite, loopback, a free port, telemetry off) and process workers, for
# development and the test suite. Everything runs from $SOHOA_RUN_DIR/prefect (default .cache/run/prefect).
#   infra/prefect.sh start                      the server; its API URL goes to prefect.env there
#   infra/prefect.sh worker NAME [POOL] [LIMIT] a `prefect worker start --type process` named NAME, whose
#                                               claims and reports say machine NAME (SOHOA_HOST)
#   infra/prefect.sh kill-worker NAME           SIGKILL the worker and every process under it (a machine dies)
#   infra/prefect.sh stop                       workers (and their flow runs), then the server
#   infra/prefect.sh status|env
# Stops exactly the processes it started (pid files, and the processes under them), never by name.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P_DIR="$RUN_DIR/prefect"
P_ENV="$P_DIR/prefect.env"
SERVER_PID="$P_DIR/server.pid"

# Nothing phones home, from the server, the workers or the flow runs they start.
export PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY=false DO_NOT_TRACK=1

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api_url() { sed -n 's/^PREFECT_API_URL=//p' "$P_ENV" 2>/dev/null | tail -1; }

descendants() {  # descendants PID: every process under PID, children first found by /proc's ppid
  local kids
  kids="$(ps -o pid= --ppid "$1" 2>/dev/null || true)"
  for k in $kids; do echo "$k"; descendants "$k"; done
}

proc_start() { awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null || true; }
tree_of() {  # tree_of PID: "pid:start" of the process and everything under it (flow runs start own sessions)
  local p
  for p in "$1" $(descendants "$1"); do echo "$p:$(proc_start "$p")"; done
}
signal_tree() {  # signal_tree SIGNAL "pid:start"...: only processes still the same (a pid may be reused)
  local sig="$1" e p; shift
  for e in "$@"; do
    p="${e%%:*}"
    [ -n "${e#*:}" ] && [ "$(proc_start "$p")" = "${e#*:}" ] && kill "-$sig" "$p" 2>/dev/null || true
  done
}

start_server() {
  mkdir -p "$P_DIR/home"
  if alive "$SERVER_PID"; then log "prefect: already running ($(api_url))"; return; fi
  [ -x "$VENV/bin/prefect" ] || die "prefect is not installed: run infra/setup.sh python"
  local port; port="${SOHOA_PREFECT_PORT:-$(free_port)}"
  log "prefect: starting the server on 127.0.0.1:$port (SQLite in $P_DIR)"
  PREFECT_HOME="$P_DIR/home" \
    PREFECT_API_DATABASE_CONNECTION_URL="sqlite+aiosqlite:///$P_DIR/prefect.db" \
    PREFECT_UI_ENABLED="${SOHOA_PREFECT_UI:-false}" \
    PREFECT_LOGGING_LEVEL=WARNING \
    setsid "$VENV/bin/prefect" server start --host 127.0.0.1 --port "$port" >"$P_DIR/server.log" 2>&1 &
  echo $! >"$SERVER_PID"
  echo "PREFECT_API_URL=http://127.0.0.1:$port/api" >"$P_ENV"
  local deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/health"; do
    alive "$SERVER_PID" || { tail -n 30 "$P_DIR/server.log" >&2; die "prefect server exited during start-up"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$P_DIR/server.log" >&2; die "prefect server not ready after 120 s"; }
    sleep 1
  done
  log "prefect: ready at http://127.0.0.1:$port/api"
}

start_worker() {  # start_worker NAME [POOL] [LIMIT]
  local name="$1" pool="${2:-sohoa-process}" limit="${3:-1}" url
  local pidfile="$P_DIR/worker-$name.pid"
  url="$(api_url)"; [ -n "$url" ] || die "no Prefect server: run infra/prefect.sh start first"
  if alive "$pidfile"; then log "prefect: worker $name already running"; return; fi
  mkdir -p "$P_DIR/tmp-$name"
  log "prefect: worker $name on pool $pool (limit $limit)"
  # --limit: without it one worker takes every due run of the pool
  PREFECT_API_URL="$url" PREFECT_HOME="$P_DIR/home" SOHOA_HOST="$name" TMPDIR="$P_DIR/tmp-$name" \
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY="${PREFECT_FLOWS_HEARTBEAT_FREQUENCY:-30}" \
    PREFECT_WORKER_QUERY_SECONDS="${PREFECT_WORKER_QUERY_SECONDS:-3}" \
    OMP_THREAD_LIMIT=1 \
    setsid "$VENV/bin/prefect" worker start --pool "$pool" --type process --limit "$limit" --name "$name" \
    >"$P_DIR/worker-$name.log" 2>&1 &
  echo $! >"$pidfile"
}

stop_pidfile() {  # stop_pidfile NAME PIDFILE: TERM the tree, KILL what is left after 20 s
  alive "$2" || { rm -f "$2"; return; }
  local pid; pid="$(cat "$2")"
  log "prefect: stopping $1 (pid $pid)"
  local tree; mapfile -t tree < <(tree_of "$pid")
  signal_tree TERM "${tree[@]}"
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  signal_tree KILL "${tree[@]}"  # what ignored TERM (the same processes only)
  rm -f "$2"
}

stop_all() {
  for f in "$P_DIR"/worker-*.pid; do
    [ -e "$f" ] || continue
    local n; n="$(basename "$f" .pid)"; stop_pidfile "${n#worker-}" "$f"
  done
  stop_pidfile server "$SERVER_PID"
}

status() {
  if alive "$SERVER_PID"; then echo "prefect: running at $(api_url)"; else echo "prefect: stopped"; fi
  for f in "$P_DIR"/worker-*.pid; do
    [ -e "$f" ] || continue
    local n; n="$(basename "$f" .pid)"
    if alive "$f"; then echo "${n}: running (pid $(cat "$f"))"; else echo "${n}: stopped"; fi
  done
}

case "${1:-}" in
  start) start_server ;;
  worker) shift; [ -n "${1:-}" ] || die "usage: infra/prefect.sh worker NAME [POOL] [LIMIT]"; start_worker "$@" ;;
  kill-worker)
    f="$P_DIR/worker-${2:?name}.pid"
    if alive "$f"; then
      log "prefect: SIGKILL worker $2 and its flow runs"
      mapfile -t tree < <(tree_of "$(cat "$f")")
      signal_tree KILL "${tree[@]}"
    fi
    rm -f "$f" ;;
  stop) stop_all ;;
  status) status ;;
  env) cat "$P_ENV" ;;
  *) die "usage: infra/prefect.sh start|worker NAME [POOL] [LIMIT]|kill-worker NAME|stop|status|env" ;;
esac
