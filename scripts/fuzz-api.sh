#!/usr/bin/env bash
# kiwo API fuzz: schemathesis generates requests from the API's own OpenAPI document (/openapi.yaml) and sends them
# to local mode; it fails on any 5xx and on any answer the document does not describe (status, content type,
# headers, body schema).
#
#   bash scripts/fuzz-api.sh
#
#   1  prerequisites; schemathesis installed (pinned) into a venv of the tools cache .ci/run uses
#   2  local mode (scripts/demo.sh local, in its own run directory; ports 8080-8083, 8180 and 9092-9093)
#   3  the document is served at /openapi.yaml
#   4  schemathesis, twice, each bounded by examples per operation, a time budget and a hard timeout: its
#      examples, coverage and fuzzing phases (every operation on its own), then its stateful phase (POST, then GET,
#      DELETE and the event stream of the jobs it created). The event stream is fuzzed too: schemathesis reads a
#      stream to its end and checks each event, and a stream ends after its job's terminal event, which comes
#      within seconds as the workers here spend next to no time on a job
#   5  local mode stopped (also on failure or Ctrl-C)
#
# Exit 0 when schemathesis found nothing; 1 otherwise, with the API's errors from its log. Where python3, java,
# mvn or curl is missing it skips with a message, except under CI=true, where that fails.
# Settings (environment):
#   FUZZ_MAX_EXAMPLES=40     test cases per operation and phase
#   FUZZ_TIME=70             seconds for the examples, coverage and fuzzing phases; fuzzing repeats until spent
#   FUZZ_STATEFUL_TIME=50    seconds for the stateful phase, which also repeats until they are spent
#   FUZZ_REQUEST_TIMEOUT=70  seconds per request: above the longest Prefer: wait (60 s)
#   FUZZ_SEED=               a seed to repeat an earlier run (schemathesis prints the seed of each run)
#   FUZZ_RUN_DIR=.run/fuzz-api  pids, logs, broker data (wiped at start), schemathesis's cache
#   KIWO_TOOLS_DIR=~/.cache/kiwo-ci  where the venv goes
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCHEMATHESIS_VERSION=4.32.5
TOOLS="${KIWO_TOOLS_DIR:-$HOME/.cache/kiwo-ci}"
VENV="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION"
FUZZ_MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-40}"
FUZZ_TIME="${FUZZ_TIME:-70}"
FUZZ_STATEFUL_TIME="${FUZZ_STATEFUL_TIME:-50}"
FUZZ_REQUEST_TIMEOUT="${FUZZ_REQUEST_TIMEOUT:-70}"
FUZZ_SEED="${FUZZ_SEED:-}"
export KIWO_RUN_DIR="${FUZZ_RUN_DIR:-$ROOT/.run/fuzz-api}"
API_URL="http://localhost:8080"
# The workers' simulated CPU time is no part of the API: without it the hundreds of jobs the fuzzer creates leave
# no backlog, each ends within seconds (retries of simulated failures included), and so do its event streams and
# waits.
worker_args="--kiwo.worker.cost.scale=0"
export KIWO_ARGS_WORKER_LIGHT="${KIWO_ARGS_WORKER_LIGHT:-$worker_args}"
export KIWO_ARGS_WORKER_HEAVY="${KIWO_ARGS_WORKER_HEAVY:-$worker_args}"

step() { printf '\n[%s] %s\n' "$1" "$2"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A missing tool skips the run on a developer's machine; in CI it is an error.
skip_or_fail() {
  if [[ "${CI:-}" == true ]]; then
    die "$*"
  fi
  printf 'fuzz-api skipped: %s\n' "$*"
  exit 0
}

step 1/5 "Prerequisites and schemathesis $SCHEMATHESIS_VERSION"
missing=()
command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null \
  || missing+=("python3 with venv and ensurepip (Debian: apt-get install python3-venv)")
command -v java >/dev/null || missing+=("java: a JDK 17 or newer")
command -v mvn >/dev/null || missing+=("mvn: Apache Maven 3.8 or newer")
command -v curl >/dev/null || missing+=("curl")
command -v timeout >/dev/null || missing+=("timeout (GNU coreutils)")
if ((${#missing[@]})); then
  skip_or_fail "missing: $(printf '%s; ' "${missing[@]}")"
fi
if ! "$VENV/bin/schemathesis" --version >/dev/null 2>&1; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION" \
    || skip_or_fail "could not install schemathesis $SCHEMATHESIS_VERSION from the package index"
fi
"$VENV/bin/schemathesis" --version

step 2/5 "Local mode (run directory $KIWO_RUN_DIR)"
# Whatever an interrupted run left in this run directory goes first; the broker then starts empty.
bash "$ROOT/scripts/demo.sh" stop >/dev/null
rm -rf "$KIWO_RUN_DIR"
mkdir -p "$KIWO_RUN_DIR"
trap 'step 5/5 "Clean-up"; bash "$ROOT/scripts/demo.sh" stop' EXIT
bash "$ROOT/scripts/demo.sh" local

step 3/5 "The document at $API_URL/openapi.yaml"
curl -fsS -o /dev/null -w '    %{http_code} %{content_type}, %{size_download} bytes\n' "$API_URL/openapi.yaml" \
  || die "the API does not serve /openapi.yaml"

step 4/5 "schemathesis: at most $FUZZ_MAX_EXAMPLES examples per operation, ${FUZZ_TIME}s + ${FUZZ_STATEFUL_TIME}s"
# schemathesis has no NDJSON support of its own: the document gives a batch as an array of lines, and these
# hooks write and read it as one JSON value per line.
hooks="$KIWO_RUN_DIR/hooks"
mkdir -p "$hooks"
cat >"$hooks/kiwo_ndjson.py" <<'EOF'
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson_lines(ctx, value):
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@schemathesis.deserializer("application/x-ndjson")
def ndjson_answer(ctx, response):
    # NDJSON lines end at LF only; str.splitlines would also cut at U+2028 or NEL inside a JSON string.
    return [json.loads(line) for line in response.content.decode("utf-8").split("\n") if line]
EOF
seed=()
[[ -z "$FUZZ_SEED" ]] || seed=(--seed "$FUZZ_SEED")
# Any 5xx, and any status, content type, header or body the document does not describe for the operation.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
CHECKS+=,response_schema_conformance

# fuzz PHASES SECONDS: one schemathesis run. Phases that repeat until their time is spent get a budget of their
# own, so that fuzzing cannot leave the stateful phase none. One worker: parallel workers parse sources in
# threads, which Python before 3.11.8 can fail at ("AST constructor recursion depth mismatch"). The hard timeout
# only catches a hung run: schemathesis stops by itself after its time and the request in flight.
fuzz() {
  local phases="$1" seconds="$2" start=$SECONDS status=0
  printf '\n    phases %s, %ss\n' "$phases" "$seconds"
  (cd "$KIWO_RUN_DIR" && SCHEMATHESIS_HOOKS=kiwo_ndjson PYTHONPATH="$hooks" \
    timeout --kill-after=10 $((seconds + FUZZ_REQUEST_TIMEOUT + 60)) \
    "$VENV/bin/schemathesis" run "$API_URL/openapi.yaml" \
      --phases "$phases" \
      --checks "$CHECKS" \
      --max-examples "$FUZZ_MAX_EXAMPLES" \
      --max-time "$seconds" \
      --request-timeout "$FUZZ_REQUEST_TIMEOUT" \
      --workers 1 \
      --no-color \
      ${seed[@]+"${seed[@]}"}) || status=$?
  printf '    phases %s took %ss\n' "$phases" $((SECONDS - start))
  return "$status"
}

failed=0
fuzz examples,coverage,fuzzing "$FUZZ_TIME" || failed=1
fuzz stateful "$FUZZ_STATEFUL_TIME" || failed=1
if ((failed)); then
  printf '\nThe API logged these errors (%s):\n' "$KIWO_RUN_DIR/logs/api.log"
  grep -A 3 ' ERROR ' "$KIWO_RUN_DIR/logs/api.log" | head -n 60 || true
  die "schemathesis found problems; each is listed above with a curl command that repeats it"
fi
printf '\n    no problem found\n'
