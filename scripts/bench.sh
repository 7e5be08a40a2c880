#!/usr/bin/env bash
# kiwo benchmarks on local mode (a real Kafka broker and the services as JVMs on this machine).
#
#   bash scripts/bench.sh isolation|ingest|classifier|startup|routing|all [--quick] [--name value ...]
#   bash scripts/bench.sh --help
#
# --quick runs each experiment in two to four minutes (figures for checking the harness, not for publishing);
# without it each takes up to about ten. Any parameter an experiment prints in its report can be overridden,
# e.g. --light-rate 8 or --duration=120s (both forms, as every kiwo tool). Results go to bench-results/<date>-<experiment>/: results.json
# (raw figures), summary.md and PNG plots; logs of every process in run/logs/. See docs/benchmarks.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
MODULES=(api-service classifier-service worker-light worker-heavy load-generator)

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

require() {
  command -v java >/dev/null || die "java (a JDK 17 or newer) is not on PATH"
  command -v mvn >/dev/null || die "mvn (Apache Maven 3.8 or newer) is not on PATH"
}

# Build when a jar the harness runs is missing or older than the sources it comes from.
needs_build() {
  local module jar
  for module in "${MODULES[@]}"; do
    jar="$ROOT/$module/target/$module-$VERSION-exec.jar"
    [[ -f "$jar" ]] || return 0
    [[ -n "$(find "$ROOT/$module" "$ROOT/common-model" "$ROOT/worker-core" "$ROOT/pom.xml" \
      -path '*/target' -prune -o -newer "$jar" -type f -print -quit 2>/dev/null)" ]] && return 0
  done
  jar="$ROOT/bench/target/bench-$VERSION.jar"
  [[ -f "$jar" && -d "$ROOT/bench/target/lib" && -d "$ROOT/local-kafka/target/lib" ]] || return 0
  [[ -n "$(find "$ROOT/bench" "$ROOT/launcher" -path '*/target' -prune -o -newer "$jar" -type f -print -quit)" ]] \
    && return 0
  return 1
}

build() {
  if [[ "${BENCH_SKIP_BUILD:-}" == 1 ]]; then
    printf '[build] skipped (BENCH_SKIP_BUILD=1)\n'
  elif needs_build; then
    printf '[build] building the services, the load generator, the broker classpath and the harness...\n'
    (cd "$ROOT" && mvn -B -q -DskipTests package \
      -pl api-service,classifier-service,worker-light,worker-heavy,load-generator,local-kafka,bench -am) \
      || die "the build failed; run 'mvn -DskipTests package' to see why"
  else
    printf '[build] up to date\n'
  fi
}

main() {
  case "${1:-}" in
    isolation | ingest | classifier | startup | routing | all) ;;
    -h | --help | help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  require
  build
  # Run from a copy of the harness, so a build during the run cannot swap classes under it.
  HARNESS="$ROOT/bench-results/.harness-$$"
  mkdir -p "$HARNESS"
  trap 'rm -rf "$HARNESS"' EXIT
  cp -r "$ROOT/bench/target/bench-$VERSION.jar" "$ROOT/bench/target/lib" "$HARNESS/"
  # shellcheck disable=SC2086
  java ${BENCH_JAVA_OPTS:--Xmx1g} -Djava.awt.headless=true -Dkiwo.root="$ROOT" \
    -cp "$HARNESS/bench-$VERSION.jar:$HARNESS/lib/*" dev.kiwo.bench.Bench "$@"
}

main "$@"
