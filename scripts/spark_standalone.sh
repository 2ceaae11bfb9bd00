#!/usr/bin/env bash
# A one-machine Spark standalone cluster (one master, one worker) on 127.0.0.1, from the pyspark wheel in
# the project's venv, and the Spark parity tests run against it.
#
#   scripts/spark_standalone.sh start        start the master and the worker, wait until the worker registered
#   scripts/spark_standalone.sh stop         stop both (by their pid files) and any executor the worker left
#   scripts/spark_standalone.sh status       say what runs; exit 0 when both run, 3 otherwise
#   scripts/spark_standalone.sh test [ARGS]  start, run `pytest -q tests/spark ARGS` with
#                                            HOTPURSUIT_SPARK_MASTER=spark://127.0.0.1:$MASTER_PORT, stop
#                                            (also when the tests fail), exit with pytest's status
#
# Settings (environment):
#   STATE_DIR            logs, pid files, the worker's work dir   (default: <repo>/.spark-standalone)
#   PYTHON               the interpreter with pyspark; executors run it too  (default: <repo>/.venv/bin/python)
#   MASTER_PORT          the master's port                        (default 7077)
#   MASTER_UI_PORT       the master's web UI                      (default 18080)
#   WORKER_PORT          the worker's port, 0 = any free one      (default 0)
#   WORKER_UI_PORT       the worker's web UI                      (default 18081)
#   SPARK_WORKER_CORES   cores the worker offers                  (default 2)
#   SPARK_WORKER_MEMORY  memory the worker offers to executors    (default 4g)
#   START_TIMEOUT        seconds to wait for each daemon          (default 90)
# Everything binds to 127.0.0.1. Two clusters at once need another STATE_DIR and other ports.
#
# The PyPI wheel has no sbin/start-master.sh or start-worker.sh; it ships bin/spark-class and
# sbin/spark-daemon.sh, which start org.apache.spark.deploy.master.Master and ...worker.Worker here.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
STATE_DIR=${STATE_DIR:-$REPO/.spark-standalone}
MASTER_PORT=${MASTER_PORT:-7077}
MASTER_UI_PORT=${MASTER_UI_PORT:-18080}
WORKER_PORT=${WORKER_PORT:-0}
WORKER_UI_PORT=${WORKER_UI_PORT:-18081}
START_TIMEOUT=${START_TIMEOUT:-90}
MASTER_CLASS=org.apache.spark.deploy.master.Master
WORKER_CLASS=org.apache.spark.deploy.worker.Worker
URL=spark://127.0.0.1:$MASTER_PORT

fail() { echo "spark_standalone: $*" >&2; exit 1; }

setup_env() {
  [ -x "$PYTHON" ] || fail "no Python at $PYTHON (set PYTHON, or create the venv: make install)"
  SPARK_HOME=$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null) \
    || fail "pyspark is not installed in $PYTHON (pip install -e '.[scale]')"
  [ -x "$SPARK_HOME/sbin/spark-daemon.sh" ] || fail "$SPARK_HOME/sbin/spark-daemon.sh is missing"
  command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || fail "no java on PATH and JAVA_HOME unset (Java 17 is needed)"
  if [ -z "${JAVA_HOME:-}" ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  export SPARK_HOME JAVA_HOME
  export PYSPARK_PYTHON=${PYSPARK_PYTHON:-$PYTHON}
  export SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1 SPARK_IDENT_STRING=hotpursuit
  export SPARK_LOG_DIR=$STATE_DIR/logs SPARK_PID_DIR=$STATE_DIR/pids SPARK_WORKER_DIR=$STATE_DIR/work
  # our own (empty) conf dir, so no spark-env.sh or spark-defaults.conf from elsewhere changes the daemons
  export SPARK_CONF_DIR=$STATE_DIR/conf
  # the REST submission server (port 6066) is not needed
  export SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false ${SPARK_MASTER_OPTS:-}"
  # spark-daemon.sh rsyncs from $SPARK_MASTER when it is set: never pass one down
  unset SPARK_MASTER
  mkdir -p "$SPARK_LOG_DIR" "$SPARK_PID_DIR" "$SPARK_WORKER_DIR" "$SPARK_CONF_DIR"
}

pid_file() { echo "$SPARK_PID_DIR/spark-$SPARK_IDENT_STRING-$1-1.pid"; }
log_file() { echo "$SPARK_LOG_DIR/spark-$SPARK_IDENT_STRING-$1-1-${HOSTNAME:-$(hostname)}.out"; }

# the daemon's pid when its pid file names a live java process, else nothing
daemon_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if [ -n "$pid" ] && [ "$(ps -p "$pid" -o comm= 2>/dev/null)" = java ]; then echo "$pid"; fi
}

port_busy() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
finally:
    s.close()
sys.exit(1)
EOF
}

# wait until the daemon's log says `$2`; fail (with the log's tail) when it dies or the time is up
wait_for() {
  local class=$1 phrase=$2 what=$3 log waited=0
  log=$(log_file "$class")
  while ! grep -q "$phrase" "$log" 2>/dev/null; do
    if [ -z "$(daemon_pid "$class")" ]; then
      echo "spark_standalone: the $what exited during start-up; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if [ "$waited" -ge $((START_TIMEOUT * 2)) ]; then
      echo "spark_standalone: the $what did not log \"$phrase\" within ${START_TIMEOUT}s; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

start() {
  if [ -n "$(daemon_pid "$MASTER_CLASS")" ] || [ -n "$(daemon_pid "$WORKER_CLASS")" ]; then
    fail "a cluster from $STATE_DIR is already running (scripts/spark_standalone.sh stop, or another STATE_DIR)"
  fi
  local port
  for port in "$MASTER_PORT" "$MASTER_UI_PORT" "$WORKER_UI_PORT"; do
    if port_busy "$port"; then
      fail "port $port on 127.0.0.1 is in use (set MASTER_PORT, MASTER_UI_PORT or WORKER_UI_PORT)"
    fi
  done
  if [ "$WORKER_PORT" != 0 ] && port_busy "$WORKER_PORT"; then fail "port $WORKER_PORT on 127.0.0.1 is in use (set WORKER_PORT)"; fi
  rm -rf "${SPARK_WORKER_DIR:?}"/app-*  # executors' folders of earlier runs
  "$SPARK_HOME/sbin/spark-daemon.sh" start "$MASTER_CLASS" 1 \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT" >/dev/null
  if ! wait_for "$MASTER_CLASS" "I have been elected leader" "master"; then stop >/dev/null; exit 1; fi
  "$SPARK_HOME/sbin/spark-daemon.sh" start "$WORKER_CLASS" 1 \
    --host 127.0.0.1 --port "$WORKER_PORT" --webui-port "$WORKER_UI_PORT" \
    --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-4g}" --work-dir "$SPARK_WORKER_DIR" "$URL" >/dev/null
  if ! wait_for "$WORKER_CLASS" "Successfully registered with master" "worker"; then stop >/dev/null; exit 1; fi
  echo "master $URL (UI http://127.0.0.1:$MASTER_UI_PORT), one worker (${SPARK_WORKER_CORES:-2} cores, ${SPARK_WORKER_MEMORY:-4g}); state in $STATE_DIR"
}

# every live descendant of a pid (the worker's executors and their Python workers; zombies left out)
descendants() {
  local child state
  # ps fails when there is none: under pipefail and errexit that would end `stop` half-way
  { ps -o pid=,stat= --ppid "$1" 2>/dev/null || true; } | while read -r child state; do
    case "$state" in Z*) continue ;; esac
    echo "$child"
    descendants "$child"
  done
}

stop_daemon() {
  local class=$1 what=$2 pid others waited=0
  pid=$(daemon_pid "$class")
  if [ -z "$pid" ]; then
    rm -f "$(pid_file "$class")"
    echo "no $what running"
    return 0
  fi
  others=$(descendants "$pid" | tr '\n' ' ')
  kill "$pid" 2>/dev/null || true
  # shellcheck disable=SC2086  # $others is a list of pids
  while kill -0 "$pid" $others 2>/dev/null; do
    if [ "$waited" -ge 40 ]; then  # 20 s: then force, by the same pids
      echo "spark_standalone: the $what (pid $pid) did not stop within 20s; killing it" >&2
      # shellcheck disable=SC2086
      kill -9 "$pid" $others 2>/dev/null || true
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$class")"
  echo "stopped the $what (pid $pid${others:+; with ${others% }})"
}

stop() {
  stop_daemon "$WORKER_CLASS" worker
  stop_daemon "$MASTER_CLASS" master
}

status() {
  local master worker
  master=$(daemon_pid "$MASTER_CLASS")
  worker=$(daemon_pid "$WORKER_CLASS")
  if [ -n "$master" ]; then echo "master: running, pid $master, $URL"; else echo "master: not running"; fi
  if [ -n "$worker" ]; then echo "worker: running, pid $worker"; else echo "worker: not running"; fi
  echo "state:  $STATE_DIR"
  [ -n "$master" ] && [ -n "$worker" ] || exit 3
}

run_tests() {
  start
  trap 'stop' EXIT
  local rc=0
  (cd "$REPO" && HOTPURSUIT_SPARK_MASTER=$URL "$PYTHON" -m pytest -q tests/spark "$@") || rc=$?
  exit "$rc"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start) setup_env; start ;;
  stop) setup_env; stop ;;
  status) setup_env; status ;;
  test) setup_env; run_tests "$@" ;;
  *) echo "usage: $0 start|stop|status|test [pytest args]" >&2; exit 2 ;;
esac
