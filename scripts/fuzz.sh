#!/bin/sh
# Coverage-guided fuzzing of every sddcal reader (issue 16) with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 0 [TARGET ...]    # a number of executions instead
#
# Builds the package in Fuzz/ (which depends on this one by path, so the sanitizer flags never
# reach a normal build) with -sanitize=fuzzer,address, seeds each target's corpus from the test
# fixtures and Fuzz/Seeds, and runs the targets one after another for SECONDS_PER_TARGET (default
# 180) on one core, or for FUZZ_RUNS executions each. Prints the executions and executions per
# second of each target; a crash (or leak, timeout, out-of-memory) leaves crash-* files in
# .build-fuzz/findings/TARGET and makes the script exit non-zero. Turn every crash into a
# regression test (Tests/SDDCoreTests/HostileInputTests.swift).
# Targets: EventCSV EventBinary AmptekMCA OrtecSpe TextSpectrum Numpy CalibrationJSON TruthJSON
# ModelFile ROOTFile.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PER=${1:-180}
[ $# -gt 0 ] && shift
TARGETS=${*:-"EventCSV EventBinary AmptekMCA OrtecSpe TextSpectrum Numpy CalibrationJSON TruthJSON ModelFile ROOTFile"}
SCRATCH="$ROOT/.build-fuzz"
CONFIG=${FUZZ_CONFIG:-release}

swift build --package-path Fuzz -c "$CONFIG" --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BIN=$(swift build --package-path Fuzz -c "$CONFIG" --scratch-path "$SCRATCH" --show-bin-path \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

FIX="$ROOT/Tests/SDDCoreTests/Fixtures"
seeds() {
    case "$1" in
        EventCSV) ls "$FIX"/events/*.csv ;;
        AmptekMCA) ls "$FIX"/spectra/*.mca "$FIX"/spectra/amptek-saved.txt ;;
        OrtecSpe) ls "$FIX"/spectra/*.Spe ;;
        TextSpectrum) ls "$FIX"/spectra/*.csv "$FIX"/spectra/*.dat "$FIX"/spectra/counts-one-column.txt ;;
        Numpy) ls "$FIX"/spectra/*.npy ;;
        ROOTFile) ls "$FIX"/root/*.root ;;
    esac
    [ -d "$ROOT/Fuzz/Seeds/$1" ] && ls "$ROOT/Fuzz/Seeds/$1"/* || true
}

status=0
for t in $TARGETS; do
    corpus="$SCRATCH/corpus/$t"; findings="$SCRATCH/findings/$t"
    mkdir -p "$corpus" "$findings"
    for s in $(seeds "$t" 2>/dev/null); do cp "$s" "$corpus/" 2>/dev/null || true; done
    log="$SCRATCH/findings/$t.log"
    # Inputs up to 64 KB reach past every header; 4 GB of RSS is far above any valid input's need.
    if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$PER"; fi
    if (cd "$findings" && "$BIN/Fuzz$t" "$limit" -max_len=65536 -rss_limit_mb=4096 \
            -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 "$corpus") > "$log" 2>&1; then
        result=ok
    else
        result=FINDING; status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "$t: $execs executions, $rate exec/s, $result (log: $log)"
done
exit $status
