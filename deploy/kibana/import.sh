#!/usr/bin/env bash
# Load the Wirestream data views, map, charts, saved search and dashboard into a running
# Kibana through its saved-objects API. Safe to re-run: objects have fixed ids and are
# overwritten. Settings (environment):
#   KIBANA_URL       default http://localhost:5601
#   KIBANA_API_KEY   or KIBANA_USERNAME + KIBANA_PASSWORD, when security is on
#   KIBANA_CA_FILE   CA certificate for https
#   KIBANA_WAIT      seconds to wait for Kibana to become available (default 120)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${KIBANA_URL:-http://localhost:5601}"
file="$here/wirestream.ndjson"
curl_args=(--silent --show-error)
# Credentials reach curl through a config on a pipe, never on its command line (ps shows that).
auth_config() {
  if [[ -n "${KIBANA_API_KEY:-}" ]]; then
    printf 'header = "Authorization: ApiKey %s"\n' "$KIBANA_API_KEY"
  elif [[ -n "${KIBANA_USERNAME:-}" ]]; then
    printf 'user = "%s:%s"\n' "$KIBANA_USERNAME" "${KIBANA_PASSWORD:-}"
  fi
}
kibana_curl() { auth_config | curl --config - "${curl_args[@]}" "$@"; }
if [[ -n "${KIBANA_CA_FILE:-}" ]]; then
  curl_args+=(--cacert "$KIBANA_CA_FILE")
fi

deadline=$((SECONDS + ${KIBANA_WAIT:-120}))
# Kibana answers 503 while it starts; the import only works once it reports "available".
until kibana_curl --fail "$url/api/status" 2>/dev/null | grep -q '"level":"available"'; do
  if ((SECONDS >= deadline)); then
    echo "kibana: not available at $url after ${KIBANA_WAIT:-120}s" >&2
    exit 1
  fi
  sleep 3
done

response="$(kibana_curl --request POST "$url/api/saved_objects/_import?overwrite=true" \
  --header 'kbn-xsrf: wirestream' --form "file=@$file")"
if ! grep -q '"success":true' <<<"$response"; then
  echo "kibana: import failed: $response" >&2
  exit 1
fi
echo "kibana: imported $(grep -o '"successCount":[0-9]*' <<<"$response" | cut -d: -f2) objects;" \
  "dashboard: $url/app/dashboards#/view/wirestream-dashboard"
