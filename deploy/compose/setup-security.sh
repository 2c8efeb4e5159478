#!/usr/bin/env bash
# docker-compose one-shot `setup`: with x-pack security on, give the built-in kibana_system
# user its password and create the `wirestream` user the stages connect as (role:
# wirestream_writer, its own indices and templates only). Idempotent: safe on every `up`.
# Passwords come from the environment (docker-compose reads them from .env), and are passed
# to curl on standard input, never on a command line.
set -euo pipefail

es="${ES_URL:-http://elasticsearch:9200}"
: "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD in .env}"
: "${KIBANA_PASSWORD:?set KIBANA_PASSWORD in .env}"
: "${STAGE_USER_PASSWORD:?set STAGES_PASSWORD in .env}"

as_elastic() {  # method path json-body
  printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD" \
    | curl --silent --show-error --fail --config - --request "$1" "$es$2" \
        --header 'Content-Type: application/json' --data @<(printf '%s' "$3") >/dev/null
}

json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/["\\]/\\&/g')"; }

until printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD" \
    | curl --silent --fail --config - "$es/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do
  echo "setup: waiting for Elasticsearch at $es" >&2
  sleep 3
done

as_elastic POST /_security/user/kibana_system/_password "{\"password\": $(json_string "$KIBANA_PASSWORD")}"
as_elastic PUT /_security/role/wirestream_writer '{
  "cluster": ["monitor", "manage_index_templates", "manage_own_api_key"],
  "indices": [{"names": ["articles*", "events*", "deadletter*"], "privileges": ["all"]}]
}'
as_elastic PUT /_security/user/wirestream \
  "{\"password\": $(json_string "$STAGE_USER_PASSWORD"), \"roles\": [\"wirestream_writer\"]}"
echo "setup: kibana_system password set; user wirestream (role wirestream_writer) ready"
