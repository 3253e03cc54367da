#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and fails on the
# first crash, printing the reproducer. Builds once, then runs the targets one
# after the other (the machine has 2 cores shared with other builds).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 20),
#                                           all targets unless named
#   FUZZ_SANITIZER=address scripts/fuzz.sh  AddressSanitizer (default: none;
#                                           the crate forbids unsafe code)
#   FUZZ_ARGS="-jobs=2 -workers=2" ...      more libFuzzer flags for each run
#   FUZZ_SEED=N FUZZ_RUNS=M ...             repeatable: random seed N (not 0,
#                                           which libFuzzer reads as "pick
#                                           one"), M inputs per target, from
#                                           the committed seeds only, without
#                                           the two inputs a seed does not fix
#                                           (see REPEATABLE below);
#                                           scripts/test.sh uses this, so a
#                                           test run that passed on a commit
#                                           passes again (same toolchain, all
#                                           runs within the time cap);
#                                           exploring is for longer runs
#                                           without them
#
# Seeds: fuzz/corpus/<target>/ (committed, read only). What libFuzzer finds
# goes to fuzz/target/corpus/<target>/ and is reused by the next run on this
# machine. Crashes land in fuzz/artifacts/<target>/. See docs/SECURITY.md.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RWS_ROOT/fuzz"

SECONDS_PER_TARGET="${1:-20}"
if [ $# -gt 0 ]; then shift; fi
case "$SECONDS_PER_TARGET" in
  '' | *[!0-9]*) rws_say "fuzz: SECONDS must be a whole number, got '$SECONDS_PER_TARGET'"; exit 2 ;;
esac
for setting in FUZZ_SEED FUZZ_RUNS; do
  case "${!setting:-1}" in
    *[!0-9]* | 0) rws_say "fuzz: $setting must be a whole number above 0, got '${!setting}'"; exit 2 ;;
  esac
done
REPEATABLE=()
if [ -n "${FUZZ_SEED:-}" ]; then
  # A seed alone does not repeat a run. -use_cmp=0: the values the target
  # compares feed libFuzzer's mutations, and some are addresses, which
  # differ from run to run. -reload=0: re-reading the corpus every second
  # makes the inputs depend on timing. Measured: the same seed gave corpora
  # of 896 to 971 inputs (config) without these two flags, one size every
  # time with them. The cost: no mutations from the compared values (longer
  # exploring runs, without a seed, keep them).
  REPEATABLE+=("-seed=$FUZZ_SEED" -use_cmp=0 -reload=0)
fi
if [ -n "${FUZZ_RUNS:-}" ]; then REPEATABLE+=("-runs=$FUZZ_RUNS"); fi
SANITIZER="${FUZZ_SANITIZER:-none}"
# Without a sanitizer, cargo fuzz's flags (SanitizerCoverage through -C
# llvm-args) work on the stable toolchain as they are. A sanitizer needs
# -Zsanitizer=..., which stable rustc accepts only with RUSTC_BOOTSTRAP=1.
if [ "$SANITIZER" != none ]; then
  export RUSTC_BOOTSTRAP=1
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  rws_say "fuzz: cargo-fuzz is missing; run scripts/setup.sh"
  exit 1
fi

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  # Not `mapfile < <(...)`: that would hide a failing `cargo fuzz list`.
  listed="$(cargo fuzz list)"
  mapfile -t TARGETS <<<"$listed"
fi
if [ "${#TARGETS[@]}" -eq 0 ] || [ -z "${TARGETS[0]}" ]; then
  rws_say "fuzz: no fuzz targets found"
  exit 1
fi

# Debug assertions (-a) turn on overflow checks: an overflow is a finding.
FUZZ_FLAGS=(--sanitizer "$SANITIZER" --debug-assertions)

started=$SECONDS
rws_say "fuzz: building ${#TARGETS[@]} targets (sanitizer $SANITIZER)"
nice -n 10 cargo fuzz build "${FUZZ_FLAGS[@]}" >target-build.log 2>&1 || {
  cat target-build.log >&2
  rws_say "fuzz: build failed"
  exit 1
}
rm -f target-build.log
rws_say "fuzz: built in $((SECONDS - started))s; ${SECONDS_PER_TARGET}s per target${FUZZ_RUNS:+, at most $FUZZ_RUNS runs}${FUZZ_SEED:+, seed $FUZZ_SEED}"

mkdir -p target/logs
# The hand-written seeds (`#!ops` scripts, fuzz/corpus/engine) each run once
# in strict mode first: one whose options the engine refuses, or with no
# step the parser knows, fails here instead of running nothing unseen.
for target in "${TARGETS[@]}"; do
  [ "$target" = engine ] || continue
  mapfile -t scripts < <(grep -l '^#!ops$' corpus/engine/* 2>/dev/null || true)
  if [ "${#scripts[@]}" -eq 0 ]; then continue; fi
  if ! RWS_FUZZ_STRICT_SCRIPTS=1 nice -n 10 cargo fuzz run "${FUZZ_FLAGS[@]}" engine "${scripts[@]}" \
      >target/logs/engine-seeds.log 2>&1; then
    rws_say "fuzz: engine: a hand-written seed runs nothing; log: fuzz/target/logs/engine-seeds.log"
    grep -m1 -A3 "panicked at" target/logs/engine-seeds.log >&2 || tail -n 20 target/logs/engine-seeds.log >&2
    exit 1
  fi
  rws_say "fuzz: engine: ${#scripts[@]} hand-written seeds checked"
done
for target in "${TARGETS[@]}"; do
  work="target/corpus/$target"
  if [ -n "${FUZZ_SEED:-}" ]; then
    # Repeatable: what earlier runs found must not change this one's inputs.
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
  fi
  seeds="corpus/$target"
  log="target/logs/$target.log"
  mkdir -p "$work" "$seeds"
  dict=()
  if [ -f "dict/$target.dict" ]; then
    dict=("-dict=dict/$target.dict")
  elif [ -f dict/text.dict ] && [ "$target" != engine ]; then
    dict=("-dict=dict/text.dict")
  fi
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  if nice -n 10 cargo fuzz run "${FUZZ_FLAGS[@]}" "$target" "$work" "$seeds" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
      "${dict[@]}" "${REPEATABLE[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1; then
    runs="$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')"
    corpus="$(find "$work" -type f | wc -l)"
    if [ -n "${FUZZ_RUNS:-}" ] && [ "$runs" != "$FUZZ_RUNS" ]; then
      # A cut run passes where the full one might fail: the repeatable run
      # is all FUZZ_RUNS inputs or a failure, never a part of it.
      rws_say "fuzz: $target FAILED: $runs of $FUZZ_RUNS runs in the ${SECONDS_PER_TARGET}s limit (a slow or busy machine?); log: fuzz/$log"
      exit 1
    fi
    rws_say "fuzz: $target ok ($runs runs, corpus $corpus)"
    if [ -n "${FUZZ_SEED:-}" ]; then rm -rf "$work"; fi
  else
    rws_say "fuzz: $target FAILED; log: fuzz/$log"
    grep -m1 -A6 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" >&2 || tail -n 20 "$log" >&2
    artifact="$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -n1 | sed 's/^Test unit written to //')"
    if [ -n "$artifact" ]; then
      rws_say "fuzz: reproducer: $artifact"
      rws_say "fuzz: rerun it: (cd fuzz && ${RUSTC_BOOTSTRAP:+RUSTC_BOOTSTRAP=1 }cargo fuzz run ${FUZZ_FLAGS[*]} $target ${artifact#"$PWD"/})"
      rws_say "fuzz: shrink it: (cd fuzz && ${RUSTC_BOOTSTRAP:+RUSTC_BOOTSTRAP=1 }cargo fuzz tmin ${FUZZ_FLAGS[*]} $target ${artifact#"$PWD"/})"
    fi
    exit 1
  fi
done
rws_say "fuzz: all ${#TARGETS[@]} targets passed ($((SECONDS - started))s)"
