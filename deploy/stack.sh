#!/usr/bin/env bash
# Wirestream local stack: a REAL Kafka broker (KRaft, single node) and a REAL
# Elasticsearch node, fetched from Maven Central and run from .stack/ (git-ignored).
#
#   deploy/stack.sh fetch                   resolve artifacts into .stack/ (no-op when present)
#   deploy/stack.sh up   [kafka|elasticsearch]   start (fetching first if needed) and wait until healthy
#   deploy/stack.sh down [kafka|elasticsearch]   stop gracefully (SIGTERM, then SIGKILL); data is kept
#   deploy/stack.sh status [kafka|elasticsearch]
#   deploy/stack.sh reset                   down + delete .stack/data
#
# Environment (defaults): KAFKA_HOST=127.0.0.1 KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093
#   ES_HOST=127.0.0.1 ES_PORT=9200 ES_TRANSPORT_PORT=9300 STACK_TIMEOUT=120 (seconds)
#   WIRESTREAM_ES_JAVA_HOME  JDK >= 21 for Elasticsearch (else newest /usr/lib/jvm/* that qualifies)
#   KAFKA_JAVA_HOME          JDK >= 17 for Kafka (else `java` on PATH, else the Elasticsearch JDK)
#   KAFKA_HEAP_OPTS          (-Xms512m -Xmx1g)
#   WIRESTREAM_ES_USER       user Elasticsearch runs as when this script runs as root (nobody)
# Secured test stack (use its own STACK_DIR and ports; tests/integration/test_secured_stack.py):
#   ES_SECURITY=true ES_BOOTSTRAP_PASSWORD=...   x-pack security on, `elastic`'s first password
#   KAFKA_SCRAM_USER=wirestream KAFKA_SCRAM_PASSWORD=...   SASL_PLAINTEXT + SCRAM-SHA-256 listener
#   KAFKA_TLS=true           SASL_SSL instead: keytool makes a key pair for 127.0.0.1; clients
#                            trust STACK_DIR/conf/kafka/tls/ca.pem
# Secrets are read from the environment and written only into files under STACK_DIR (mode 600).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY_DIR="$REPO_ROOT/deploy/stack"
STACK_DIR="${STACK_DIR:-$REPO_ROOT/.stack}"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
DATA_DIR="$STACK_DIR/data"
CONF_DIR="$STACK_DIR/conf"

KAFKA_VERSION=4.0.2
ES_VERSION=9.2.4
KAFKA_LIBS="$STACK_DIR/kafka/libs"
ES_HOME="$STACK_DIR/elasticsearch/elasticsearch-$ES_VERSION"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
ES_HOST="${ES_HOST:-127.0.0.1}"
ES_PORT="${ES_PORT:-9200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300}"
STACK_TIMEOUT="${STACK_TIMEOUT:-120}"
ES_SECURITY="${ES_SECURITY:-false}"
KAFKA_SCRAM_USER="${KAFKA_SCRAM_USER:-wirestream}"
KAFKA_SCRAM_PASSWORD="${KAFKA_SCRAM_PASSWORD:-}"
KAFKA_TLS="${KAFKA_TLS:-false}"
KAFKA_LISTENER=PLAINTEXT
if [[ -n "$KAFKA_SCRAM_PASSWORD" ]]; then
  if [[ "$KAFKA_TLS" == true ]]; then KAFKA_LISTENER=SASL_SSL; else KAFKA_LISTENER=SASL_PLAINTEXT; fi
fi
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

# Kafka 4.0 main classes (no kafka-server-start.sh here: we only have jars).
KAFKA_MAIN=kafka.Kafka
KAFKA_STORAGE_TOOL=kafka.tools.StorageTool

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- JDKs

# Major version of a java binary ("17", "25"), or empty if it does not run.
java_major() {
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')" || true
  v="${v#1.}"            # 1.8.0 -> 8.0
  printf '%s' "${v%%[.+-]*}"
}

# ES 9 needs JDK 21+ and the integ-test zip bundles none.
find_es_java_home() {
  local cand best="" best_major=0 major
  if [[ -n "${WIRESTREAM_ES_JAVA_HOME:-}" ]]; then
    major="$(java_major "$WIRESTREAM_ES_JAVA_HOME/bin/java")"
    [[ -n "$major" && "$major" -ge 21 ]] \
      || die "WIRESTREAM_ES_JAVA_HOME=$WIRESTREAM_ES_JAVA_HOME is not a JDK >= 21 (got '${major:-none}')"
    printf '%s' "$WIRESTREAM_ES_JAVA_HOME"; return
  fi
  for cand in /usr/lib/jvm/*/; do
    cand="${cand%/}"
    [[ -x "$cand/bin/java" && ! -L "$cand" ]] || continue
    major="$(java_major "$cand/bin/java")"
    if [[ -n "$major" && "$major" -ge 21 && "$major" -gt "$best_major" ]]; then
      best="$cand"; best_major="$major"
    fi
  done
  [[ -n "$best" ]] || die "Elasticsearch $ES_VERSION needs a JDK >= 21 and none was found: \
set WIRESTREAM_ES_JAVA_HOME or install one under /usr/lib/jvm (e.g. Temurin 21/25)."
  printf '%s' "$best"
}

# Kafka 4 brokers need Java 17+.
find_kafka_java() {
  local major
  if [[ -n "${KAFKA_JAVA_HOME:-}" ]]; then
    printf '%s' "$KAFKA_JAVA_HOME/bin/java"; return
  fi
  if command -v java >/dev/null 2>&1; then
    major="$(java_major java)"
    if [[ -n "$major" && "$major" -ge 17 ]]; then command -v java; return; fi
  fi
  printf '%s' "$(find_es_java_home)/bin/java"
}

# ---------------------------------------------------------------- fetch

artifacts_present() {
  [[ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" && -x "$ES_HOME/bin/elasticsearch" ]] \
    && compgen -G "$KAFKA_LIBS/log4j-core-*.jar" >/dev/null
}

cmd_fetch() {
  if artifacts_present; then
    log "artifacts already in $STACK_DIR (Kafka $KAFKA_VERSION, Elasticsearch $ES_VERSION)"
    return
  fi
  local missing=()
  command -v java >/dev/null 2>&1 || missing+=("java (JDK 17+, needed by Maven and Kafka)")
  command -v mvn  >/dev/null 2>&1 || missing+=("mvn (Apache Maven 3.8+, e.g. apt-get install maven)")
  ((${#missing[@]} == 0)) || die "cannot fetch the stack, missing: ${missing[*]}"
  find_es_java_home >/dev/null   # fail now, not after a download, if ES could never run
  log "fetching Kafka $KAFKA_VERSION + Elasticsearch $ES_VERSION with Maven into $STACK_DIR ..."
  # Maven caches in ~/.m2, so a re-fetch after `rm -rf .stack` works offline (-o is tried first).
  local mvn_args=(-B -q -Dstyle.color=never -f "$DEPLOY_DIR/pom.xml" -Dstack.dir="$STACK_DIR" package)
  mvn -o "${mvn_args[@]}" >/dev/null 2>&1 || mvn "${mvn_args[@]}" \
    || die "maven could not fetch the stack artifacts (see output above)"
  artifacts_present || die "maven finished but $KAFKA_LIBS or $ES_HOME is incomplete"
}

# ---------------------------------------------------------------- process helpers

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# The pid recorded for a service, if that process is still alive.
live_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && { printf '%s' "$pid"; return 0; }
  return 1
}

port_open() {  # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Writes a template from deploy/stack, substituting @NAME@ placeholders.
render() {  # src dst
  mkdir -p "$(dirname "$2")"
  sed -e "s|@STACK_DIR@|$STACK_DIR|g" \
      -e "s|@KAFKA_HOST@|$KAFKA_HOST|g" -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@ES_HOST@|$ES_HOST|g" -e "s|@ES_PORT@|$ES_PORT|g" \
      -e "s|@ES_TRANSPORT_PORT@|$ES_TRANSPORT_PORT|g" -e "s|@ES_SECURITY@|$ES_SECURITY|g" \
      -e "s|@KAFKA_LISTENER@|$KAFKA_LISTENER|g" "$1" > "$2"
}

# Appends the SCRAM listener settings, the user's password substituted in (never echoed).
render_scram() {  # dst
  local line listener_name tls_dir="$CONF_DIR/kafka/tls" tls_password=""
  listener_name="$(tr '[:upper:]' '[:lower:]' <<<"$KAFKA_LISTENER")"
  chmod 600 "$1"
  if [[ "$KAFKA_TLS" == true ]]; then tls_password="$(kafka_tls_keystore "$tls_dir")" || exit 1; fi
  for template in scram.properties $([[ "$KAFKA_TLS" == true ]] && echo tls.properties); do
    while IFS= read -r line || [[ -n "$line" ]]; do
      line="${line//@KAFKA_SCRAM_USER@/$KAFKA_SCRAM_USER}"
      line="${line//@KAFKA_LISTENER_NAME@/$listener_name}"
      line="${line//@KAFKA_TLS_DIR@/$tls_dir}"
      line="${line//@KAFKA_TLS_PASSWORD@/$tls_password}"
      printf '%s\n' "${line//@KAFKA_SCRAM_PASSWORD@/$KAFKA_SCRAM_PASSWORD}"
    done <"$DEPLOY_DIR/kafka/$template" >>"$1"
  done
}

# A key pair and self-signed certificate for the broker (JDK keytool, PKCS12), made once;
# prints the store password (random, kept in the directory, mode 600); ca.pem for clients.
kafka_tls_keystore() {  # dir
  local dir="$1" keytool
  keytool="$(dirname "$(find_kafka_java)")/keytool"
  mkdir -p "$dir"; chmod 700 "$dir"
  if [[ ! -f "$dir/broker.p12" ]]; then
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/store-password"
    chmod 600 "$dir/store-password"
    "$keytool" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 30 \
      -dname "CN=$KAFKA_HOST" -ext "SAN=IP:$KAFKA_HOST,DNS:localhost" \
      -keystore "$dir/broker.p12" -storetype PKCS12 -storepass:file "$dir/store-password" >/dev/null 2>&1 \
      || die "kafka: keytool could not make the broker's key pair"
    "$keytool" -exportcert -rfc -alias broker -keystore "$dir/broker.p12" \
      -storepass:file "$dir/store-password" -file "$dir/ca.pem" >/dev/null 2>&1 \
      || die "kafka: keytool could not export the broker's certificate"
    "$keytool" -importcert -noprompt -alias broker -file "$dir/ca.pem" -keystore "$dir/truststore.p12" \
      -storetype PKCS12 -storepass:file "$dir/store-password" >/dev/null 2>&1 \
      || die "kafka: keytool could not make the truststore"
    chmod 644 "$dir/ca.pem"; chmod 755 "$dir"
  fi
  cat "$dir/store-password"
}

# curl options for the node: `elastic`'s password from a config on stdin, not the command line.
es_curl() {  # curl args...
  if [[ "$ES_SECURITY" == true && -n "${ES_BOOTSTRAP_PASSWORD:-}" ]]; then
    printf 'user = "elastic:%s"\n' "$ES_BOOTSTRAP_PASSWORD" | curl --config - "$@"
  else
    curl "$@"
  fi
}

# Sends SIGTERM to the service's process group, waits, then SIGKILL.
stop_service() {  # name
  local name="$1" pid waited=0
  if ! pid="$(live_pid "$name")"; then
    log "$name: not running"
    rm -f "$(pid_file "$name")"
    return
  fi
  log "$name: stopping (pid $pid) ..."
  # Each service runs in its own session (setsid), so -pid reaches the
  # Elasticsearch launcher and its server JVM alike.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT)); then
      log "$name: still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 1; break
    fi
    sleep 1; waited=$((waited + 1))
  done
  rm -f "$(pid_file "$name")"
  log "$name: stopped"
}

show_logs() {  # logfile...
  local f
  for f in "$@"; do
    [[ -s "$f" ]] || continue
    printf -- '----- %s -----\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

# Waits until `check` succeeds, the process dies, or STACK_TIMEOUT passes.
wait_healthy() {  # name check_fn logfile...
  local name="$1" check="$2" start=$SECONDS pid
  shift 2
  pid="$(<"$(pid_file "$name")")"
  while ! "$check"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name: process $pid exited during startup; last lines of its logs:"
      show_logs "$@"
      rm -f "$(pid_file "$name")"
      return 1
    fi
    if ((SECONDS - start >= STACK_TIMEOUT)); then
      log "$name: not healthy after ${STACK_TIMEOUT}s; last lines of its logs:"
      show_logs "$@"
      return 1
    fi
    log "$name: waiting ($((SECONDS - start))s) ..."
    sleep 2
  done
  log "$name: up after $((SECONDS - start))s"
}

# A python that can import kafka-python (for a real metadata request), if any.
kafka_python() {
  local py
  for py in "${WIRESTREAM_PYTHON:-}" "$REPO_ROOT/.venv/bin/python" python3; do
    [[ -n "$py" ]] && command -v "$py" >/dev/null 2>&1 || continue
    "$py" -c 'import kafka' >/dev/null 2>&1 && { printf '%s' "$py"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------- kafka

kafka_healthy() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  local py
  py="$(kafka_python)" || return 0   # no client available: an open port is the best we can do
  # A metadata round trip proves the broker is serving, not just listening.
  # `timeout` bounds a client that hangs on a half-started broker.
  KAFKA_LISTENER="$KAFKA_LISTENER" KAFKA_CA_FILE="$CONF_DIR/kafka/tls/ca.pem" \
  timeout 20 "$py" - "$KAFKA_HOST:$KAFKA_PORT" >/dev/null 2>&1 <<'PY'
import sys
from kafka import KafkaConsumer
# Only options that kafka-python 2.x and 3.x both accept.
import os
auth = {}
if os.environ.get("KAFKA_SCRAM_PASSWORD"):
    auth = {"security_protocol": os.environ["KAFKA_LISTENER"], "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": os.environ.get("KAFKA_SCRAM_USER", "wirestream"),
            "sasl_plain_password": os.environ["KAFKA_SCRAM_PASSWORD"]}
    if os.environ["KAFKA_LISTENER"] == "SASL_SSL":
        auth["ssl_cafile"] = os.environ["KAFKA_CA_FILE"]
c = KafkaConsumer(bootstrap_servers=sys.argv[1], request_timeout_ms=10000, **auth)
try:
    c.topics()
finally:
    c.close()
PY
}

kafka_classpath() {
  local cp
  cp="$(printf '%s:' "$KAFKA_LIBS"/*.jar)"
  printf '%s' "${cp%:}"
}

kafka_java_opts() {
  # Roughly what kafka-run-class.sh / kafka-server-start.sh would pass.
  printf '%s\n' ${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g} \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$DEPLOY_DIR/kafka/log4j2.properties" \
    "-Dkafka.logs.dir=$LOG_DIR/kafka"
}

# KRaft storage must be formatted once; reformatting would wipe the cluster id.
kafka_format_once() {
  local java="$1" conf="$2" cluster_id
  if [[ -f "$DATA_DIR/kafka/meta.properties" ]]; then return; fi
  mkdir -p "$DATA_DIR/kafka"
  cluster_id="$("$java" -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$LOG_DIR/kafka" -cp "$(kafka_classpath)" "$KAFKA_STORAGE_TOOL" random-uuid)"
  log "kafka: formatting $DATA_DIR/kafka (cluster id $cluster_id)"
  local scram=()
  if [[ -n "$KAFKA_SCRAM_PASSWORD" ]]; then  # KRaft keeps SCRAM users in its metadata log
    scram=(--add-scram "SCRAM-SHA-256=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]")
  fi
  "$java" -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$LOG_DIR/kafka" -cp "$(kafka_classpath)" \
    "$KAFKA_STORAGE_TOOL" format -t "$cluster_id" -c "$conf" ${scram[@]+"${scram[@]}"} >>"$LOG_DIR/kafka/format.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/kafka/format.log" >&2; die "kafka: storage format failed"; }
}

# Starts the broker unless ours is already running (no waiting here).
kafka_start() {
  local pid java conf="$CONF_DIR/kafka/server.properties" out="$LOG_DIR/kafka/stdout.log"
  if pid="$(live_pid kafka)"; then
    log "kafka: already running (pid $pid)"
    return
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    die "kafka: $KAFKA_HOST:$KAFKA_PORT is already taken by a process this stack did not start"
  fi
  java="$(find_kafka_java)"
  mkdir -p "$RUN_DIR" "$LOG_DIR/kafka"
  render "$DEPLOY_DIR/kafka/server.properties" "$conf"
  if [[ -n "$KAFKA_SCRAM_PASSWORD" ]]; then render_scram "$conf"; fi
  kafka_format_once "$java" "$conf"
  log "kafka: starting $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (java $(java_major "$java")) ..."
  local opts; mapfile -t opts < <(kafka_java_opts)
  # setsid: own process group, detached from this shell, so `down` can signal it as a unit.
  setsid nohup "$java" "${opts[@]}" -cp "$(kafka_classpath)" "$KAFKA_MAIN" "$conf" \
    >"$out" 2>&1 </dev/null &
  echo $! >"$(pid_file kafka)"
}

# ---------------------------------------------------------------- elasticsearch

es_url() { printf 'http://%s:%s' "$ES_HOST" "$ES_PORT"; }

es_healthy() {
  es_curl -fsS --max-time 5 "$(es_url)/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1
}

# ES writes into its config dir (keystore), so it gets its own copy under .stack/conf.
es_prepare_conf() {
  local conf="$CONF_DIR/elasticsearch"
  mkdir -p "$conf/jvm.options.d"
  if [[ ! -f "$conf/jvm.options" ]]; then
    cp -R "$ES_HOME/config/." "$conf/"
  fi
  render "$DEPLOY_DIR/elasticsearch/elasticsearch.yml" "$conf/elasticsearch.yml"
  cp "$DEPLOY_DIR/elasticsearch/wirestream.options" "$conf/jvm.options.d/wirestream.options"
  if [[ "$ES_SECURITY" == true ]]; then es_bootstrap_password "$conf"; fi
}

# `elastic`'s first password goes into the node's keystore (read once, at first start).
es_bootstrap_password() {  # conf dir
  [[ -n "${ES_BOOTSTRAP_PASSWORD:-}" ]] || die "ES_SECURITY=true needs ES_BOOTSTRAP_PASSWORD"
  local keystore=(env ES_JAVA_HOME="$(find_es_java_home)" ES_PATH_CONF="$1" CLI_JAVA_OPTS=-Xmx256m
    "$ES_HOME/bin/elasticsearch-keystore")
  rm -f "$1/elasticsearch.keystore"  # written anew each start (owner changes when run as root)
  "${keystore[@]}" create >/dev/null
  printf '%s' "$ES_BOOTSTRAP_PASSWORD" | "${keystore[@]}" add --stdin --force bootstrap.password >/dev/null
}

# Elasticsearch refuses to run as root ("can not run elasticsearch as root", no
# override since 5.x), and CI/dev sessions here are root: drop to an
# unprivileged user and give it the directories ES writes to.
# Sets ES_AS_USER to the command prefix (empty when not root).
ES_AS_USER=()
es_run_as() {
  ES_AS_USER=()
  if [[ "$(id -u)" != 0 ]]; then return; fi
  local user="${WIRESTREAM_ES_USER:-nobody}"
  id "$user" >/dev/null 2>&1 || die "elasticsearch: user '$user' does not exist (set WIRESTREAM_ES_USER)"
  chown -R "$user" "$DATA_DIR/elasticsearch" "$LOG_DIR/elasticsearch" \
    "$CONF_DIR/elasticsearch" "$STACK_DIR/tmp"
  ES_AS_USER=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --clear-groups)
}

# Starts the node unless ours is already running (no waiting here).
es_start() {
  local pid java_home out="$LOG_DIR/elasticsearch/stdout.log"
  if pid="$(live_pid elasticsearch)"; then
    if plugin_current && ! es_lacks_plugin; then
      log "elasticsearch: already running (pid $pid)"
      return
    fi
    # Templates name the plugin's filter: a node started before it was installed must restart.
    log "elasticsearch: restarting to load the current $PLUGIN_NAME plugin"
    stop_service elasticsearch
  fi
  if port_open "$ES_HOST" "$ES_PORT"; then
    die "elasticsearch: $ES_HOST:$ES_PORT is already taken by a process this stack did not start"
  fi
  java_home="$(find_es_java_home)"
  es_plugin_install
  mkdir -p "$RUN_DIR" "$LOG_DIR/elasticsearch" "$DATA_DIR/elasticsearch" "$STACK_DIR/tmp"
  es_prepare_conf
  es_run_as
  log "elasticsearch: starting $ES_VERSION on $(es_url) (JDK $java_home) ..."
  ES_JAVA_HOME="$java_home" ES_PATH_CONF="$CONF_DIR/elasticsearch" ES_TMPDIR="$STACK_DIR/tmp" \
    setsid nohup ${ES_AS_USER[@]+"${ES_AS_USER[@]}"} "$ES_HOME/bin/elasticsearch" >"$out" 2>&1 </dev/null &
  echo $! >"$(pid_file elasticsearch)"
}

# ---------------------------------------------------------------- analysis plugin

# Wirestream's English stemming filter (deploy/analysis-plugin), built with Maven against
# the zip's own Lucene and installed into ES_HOME/plugins; rebuilt and reinstalled when its
# sources change. Needs a JDK >= 21 to compile (the one Elasticsearch runs on).
PLUGIN_DIR="$REPO_ROOT/deploy/analysis-plugin"
PLUGIN_NAME=wirestream-analysis
PLUGIN_BUILD="$STACK_DIR/build/analysis-plugin"

plugin_stamp() {  # a digest of the plugin's sources: what is installed is what is checked in
  (cd "$PLUGIN_DIR" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha1sum) | sha1sum | cut -c1-12
}

plugin_current() {
  local stamp_file="$ES_HOME/plugins/$PLUGIN_NAME/.wirestream-stamp"
  [[ -f "$stamp_file" && "$(<"$stamp_file")" == "$(plugin_stamp)" ]]
}

# True only when the running node answers and does not list the plugin (started before it was installed).
es_lacks_plugin() {
  local listed
  listed="$(es_curl -fsS --max-time 5 "$(es_url)/_cat/plugins?h=component" 2>/dev/null)" || return 1
  ! grep -qx "$PLUGIN_NAME" <<<"$listed"
}

es_plugin_install() {
  local java_home stamp installed="$ES_HOME/plugins/$PLUGIN_NAME" zip
  plugin_current && return
  stamp="$(plugin_stamp)"
  java_home="$(find_es_java_home)"
  command -v mvn >/dev/null 2>&1 || die "mvn (Apache Maven) is needed to build $PLUGIN_NAME"
  log "elasticsearch: building the $PLUGIN_NAME plugin (stemming) ..."
  mkdir -p "$PLUGIN_BUILD" "$LOG_DIR"
  local mvn_args=(-B -q -Dstyle.color=never -f "$PLUGIN_DIR/pom.xml" -Des.home="$ES_HOME"
    -Dplugin.build.dir="$PLUGIN_BUILD" package)
  JAVA_HOME="$java_home" mvn -o "${mvn_args[@]}" >"$LOG_DIR/analysis-plugin-build.log" 2>&1 \
    || JAVA_HOME="$java_home" mvn "${mvn_args[@]}" >>"$LOG_DIR/analysis-plugin-build.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/analysis-plugin-build.log" >&2; die "could not build $PLUGIN_NAME"; }
  zip="$(compgen -G "$PLUGIN_BUILD/$PLUGIN_NAME-*.zip" | head -n 1)"
  [[ -n "$zip" ]] || die "maven built no $PLUGIN_NAME zip in $PLUGIN_BUILD"
  if [[ -d "$installed" ]]; then
    ES_JAVA_HOME="$java_home" "$ES_HOME/bin/elasticsearch-plugin" remove "$PLUGIN_NAME" >/dev/null 2>&1 \
      || rm -rf "$installed"
  fi
  # The plugin CLI's default heap is too small to unpack and verify a plugin on this JDK.
  ES_JAVA_HOME="$java_home" CLI_JAVA_OPTS="-Xmx512m" \
    "$ES_HOME/bin/elasticsearch-plugin" install --batch "file://$zip" >"$LOG_DIR/analysis-plugin-install.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/analysis-plugin-install.log" >&2; die "could not install $PLUGIN_NAME"; }
  printf '%s' "$stamp" >"$installed/.wirestream-stamp"
  log "elasticsearch: $PLUGIN_NAME installed (token filter wirestream_english_stem)"
}

# ---------------------------------------------------------------- commands

services_for() {  # [kafka|elasticsearch|all]
  case "${1:-all}" in
    all|"") echo kafka elasticsearch ;;
    kafka) echo kafka ;;
    elasticsearch|es) echo elasticsearch ;;
    *) die "unknown service '$1' (kafka|elasticsearch)" ;;
  esac
}

cmd_up() {
  local svc rc=0
  cmd_fetch
  # Start everything first, then wait: the two JVMs boot in parallel.
  for svc in $(services_for "${1:-}"); do
    case "$svc" in
      kafka) kafka_start ;;
      elasticsearch) es_start ;;
    esac
  done
  for svc in $(services_for "${1:-}"); do
    case "$svc" in
      kafka) wait_healthy kafka kafka_healthy "$LOG_DIR/kafka/stdout.log" "$LOG_DIR/kafka/server.log" || rc=1 ;;
      elasticsearch) wait_healthy elasticsearch es_healthy "$LOG_DIR/elasticsearch/stdout.log" || rc=1 ;;
    esac
  done
  ((rc == 0)) || die "stack is not healthy (see above); \`$0 down\` stops what did start"
}

cmd_down() {
  local svc
  for svc in $(services_for "${1:-}"); do stop_service "$svc"; done
}

cmd_status() {
  local svc pid rc=0 health
  for svc in $(services_for "${1:-}"); do
    pid="$(live_pid "$svc")" || pid=""
    case "$svc" in
      kafka) health=kafka_healthy; where="$KAFKA_HOST:$KAFKA_PORT" ;;
      elasticsearch) health=es_healthy; where="$(es_url)" ;;
    esac
    if [[ -n "$pid" ]] && "$health"; then
      echo "$svc: up (pid $pid, $where)"
    elif [[ -n "$pid" ]]; then
      echo "$svc: starting or unhealthy (pid $pid, $where)"; rc=1
    else
      echo "$svc: down"; rc=1
    fi
  done
  return "$rc"
}

cmd_reset() {
  cmd_down
  log "deleting $DATA_DIR"
  rm -rf "$DATA_DIR"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    fetch) cmd_fetch ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    reset) cmd_reset ;;
    *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
}

main "$@"
