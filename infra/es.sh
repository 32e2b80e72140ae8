# Running Elasticsearch as its own user, from state it can reach. Sourced after lib.sh, not run.
#
# A run dir (.cache/run, or a test's private one) keeps servers.env; the Elasticsearch process keeps its
# config copy, data, logs, temp files and pid file in a state folder under $SOHOA_SYSTEM_DIR/run/, named by
# a hash of the run dir's path, so that a checkout in a 0700 home folder works without opening that folder.
# The run dir gets a symlink `es` to it, and the state folder a file `owner` naming the run dir and its
# inode: a new checkout at the path of a deleted one does not inherit its data.

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pick_port() { if port_free "$1"; then echo "$1"; else free_port; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() {  # wait_for NAME URL SECONDS PIDFILE LOG [CURL_ARGS...]
  local name="$1" url="$2" deadline=$((SECONDS + $3)) pidfile="$4" logfile="$5"
  shift 5
  until curl -fs -o /dev/null "$@" "$url"; do
    alive "$pidfile" || { tail -n 30 "$logfile" >&2 || true; die "$name exited during start-up (log: $logfile)"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$logfile" >&2 || true; die "$name not ready after $3 s (log: $logfile)"; }
    sleep 1
  done
}

stop_pid() {  # stop_pid NAME PIDFILE: stop the one process named in PIDFILE, nothing else
  if ! alive "$2"; then rm -f "$2"; return; fi
  local pid; pid="$(cat "$2")"
  log "$1: stopping (pid $pid)"
  kill "$pid"
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$2"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

as_es() {  # run a command as the Elasticsearch user (root), or as oneself
  if is_root; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

es_state_dir() {  # es_state_dir RUN_DIR: the state folder of that run dir (the run dir must exist)
  local abs; abs="$(cd "$1" && pwd -P)"
  echo "$SOHOA_SYSTEM_DIR/run/$(printf '%s' "$abs" | sha256sum | cut -c1-16)"
}

es_check_installed() {
  [ -x "$ES_HOME/bin/elasticsearch" ] || die "Elasticsearch is not installed in $ES_HOME: run infra/setup.sh es"
  [ -n "$ES_JAVA_HOME" ] || die "no JDK for Elasticsearch: set ES_JAVA_HOME (Temurin 25 expected in /usr/lib/jvm)"
  if is_root; then
    id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
  fi
}

run_dir_id() { local abs; abs="$(cd "$1" && pwd -P)"; printf '%s\n%s\n' "$abs" "$(stat -c %i "$abs")"; }

es_prepare() {  # es_prepare RUN_DIR STATE: the state folder with a config copy the ES user owns
  local run_dir="$1" state="$2"
  if [ -f "$state/owner" ] && [ "$(cat "$state/owner")" != "$(run_dir_id "$run_dir")" ] && ! alive "$state/es.pid"; then
    rm -rf "$state"  # left by an earlier run dir at the same path
  fi
  mkdir -p "$SOHOA_SYSTEM_DIR/run" "$state"
  chmod 755 "$SOHOA_SYSTEM_DIR" "$SOHOA_SYSTEM_DIR/run" "$state"
  run_dir_id "$run_dir" >"$state/owner"
  if [ "$(cat "$state/config/.sohoa-es-version" 2>/dev/null)" != "$ES_VERSION" ]; then
    rm -rf "$state/config"
    cp -R "$ES_HOME/config" "$state/config"
    echo "$ES_VERSION" >"$state/config/.sohoa-es-version"
  fi
  mkdir -p "$state/data" "$state/logs" "$state/tmp" "$state/pid"
  # ES writes its keystore into its config folder; only it (and root) may read its data and keys.
  if is_root; then chown -R "$ES_USER:" "$state/config" "$state/data" "$state/logs" "$state/tmp" "$state/pid"; fi
  chmod 750 "$state/config" "$state/data" "$state/logs" "$state/tmp" "$state/pid"
  if [ -d "$run_dir/es" ] && [ ! -L "$run_dir/es" ]; then  # the state of an older checkout layout
    alive "$run_dir/es/es.pid" && die "es: an Elasticsearch started by an older infra/servers.sh is still \
running (pid $(cat "$run_dir/es/es.pid")); stop it with: kill $(cat "$run_dir/es/es.pid")"
    mv "$run_dir/es" "$run_dir/es.before-$(date +%Y%m%d%H%M%S)"
  fi
  ln -sfn "$state" "$run_dir/es"
}

es_launch() {  # es_launch STATE PORT [-Esetting=value...]: start ES as a daemon, pid in STATE/es.pid
  # Another process may take a free port between the check and ES's bind (other checkouts start servers
  # on this machine too): then ES is started again on another free port. ES_PORT holds the port used.
  local state="$1" attempt
  ES_PORT="$2"
  shift 2
  for attempt in 1 2 3; do
    rm -f "$state/es.pid" "$state/pid/es.pid"
    # CLI_JAVA_OPTS: the launcher's own temp files (final-flags*/) stay in the state folder, not /tmp
    if as_es env ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$state/config" ES_TMPDIR="$state/tmp" \
      CLI_JAVA_OPTS="-Djava.io.tmpdir=$state/tmp" \
      ES_JAVA_OPTS="-Xms512m -Xmx1g ${SOHOA_ES_JAVA_OPTS:-}" \
      "$ES_HOME/bin/elasticsearch" -d -p "$state/pid/es.pid" \
      -Ediscovery.type=single-node -Enetwork.host=127.0.0.1 -Ehttp.port="$ES_PORT" -Etransport.port=0 \
      -Epath.data="$state/data" -Epath.logs="$state/logs" \
      -Ecluster.routing.allocation.disk.threshold_enabled=false \
      -Eaction.destructive_requires_name=false "$@" >"$state/stdout.log" 2>&1; then
      # The daemon has written its pid by the time `-d` returns. Root keeps its own copy, which the ES
      # user cannot change: stop_pid kills exactly that process.
      cp "$state/pid/es.pid" "$state/es.pid"
      return 0
    fi
    if [ "$attempt" -lt 3 ] && grep -q "BindHttpException" "$state/stdout.log"; then
      ES_PORT="$(free_port)"
      log "es: the port was taken meanwhile; trying $ES_PORT"
      continue
    fi
    cat "$state/stdout.log" >&2
    die "es: failed to start (log: $state/stdout.log)"
  done
}

es_purge() {  # es_purge STATE: remove a stopped server's state folder
  alive "$1/es.pid" && die "es: still running from $1 (pid $(cat "$1/es.pid")); stop it first"
  case "$1" in "$SOHOA_SYSTEM_DIR"/run/?*) rm -rf "$1" ;; *) die "es: refusing to remove $1" ;; esac
}

es_gc() {  # remove the state folders whose run dir is gone (a deleted checkout or test folder)
  local state owner
  for state in "$SOHOA_SYSTEM_DIR"/run/*/; do
    state="${state%/}"
    [ -f "$state/owner" ] || continue
    owner="$(head -1 "$state/owner")"
    [ -n "$owner" ] && [ ! -e "$owner" ] && ! alive "$state/es.pid" || continue
    rm -rf "$state"
  done
}
