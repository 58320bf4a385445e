#!/usr/bin/env bash
# Builds a throwaway Swift package that depends on this repository and calls SDDCore: proves that
# another package can depend on the library (no unsafeFlags; no BLAS or ncurses needed for SDDCore).
#
#   scripts/check_consumer_package.sh            # dependency by path (the working tree)
#   scripts/check_consumer_package.sh --url      # dependency by file:// URL at the current commit (git clone)
#   scripts/check_consumer_package.sh -c release # either mode, release build
#
# Prints the consumer's output: events, cells and 2-day batches of Sample/events.bin.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=path; config=debug
while [ $# -gt 0 ]; do
  case "$1" in
    --url) mode=url ;;
    -c) config="$2"; shift ;;
    *) echo "usage: $0 [--url] [-c debug|release]" >&2; exit 2 ;;
  esac
  shift
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sddcal-consumer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Consumer/Sources/Consumer"

if [ "$mode" = url ]; then
  # SwiftPM clones only a plain repository (not a git worktree): clone the current commit first.
  rev="$(git -C "$repo" rev-parse HEAD)"
  git clone --quiet --no-checkout "$repo" "$tmp/sddcal.git"
  git -C "$tmp/sddcal.git" fetch --quiet "$repo" "$rev"
  dependency=".package(url: \"file://$tmp/sddcal.git\", revision: \"$rev\")"
  # SwiftPM names a URL dependency after the last path component of the URL, without .git.
  identity="sddcal"
else
  dependency=".package(path: \"$repo\")"
  identity="$(basename "$repo" | tr 'A-Z' 'a-z')"
fi

cat > "$tmp/Consumer/Package.swift" <<SWIFT
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [$dependency],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "SDDCore", package: "$identity")]),
    ]
)
SWIFT

cat > "$tmp/Consumer/Sources/Consumer/main.swift" <<'SWIFT'
import Foundation
import SDDCore

// Reads an event file with SDDCore and prints what is in it.
let path = CommandLine.arguments.dropFirst().first ?? "events.bin"
do {
    let events = try EventFile.read(path)
    let batched = BatchedEvents(events, spec: .duration(2 * 86400))
    let days = events.timeRange.map { ($0.upperBound - $0.lowerBound) / 86400 } ?? 0
    print("\(path): \(events.count) events, \(events.cells.count) cells, \(String(format: "%.1f", days)) days, \(batched.batches.count) batches of 2 days")
    for cell in events.cells.prefix(3) {
        let mine = batched.batches.filter { $0.cell == cell }
        print("  cell \(cell): \(mine.reduce(0) { $0 + $1.count }) events in \(mine.count) batches")
    }
} catch {
    FileHandle.standardError.write(Data("consumer: \(error)\n".utf8))
    exit(1)
}
SWIFT

echo "consumer package in $tmp/Consumer, depending on sddcal by $mode ($config build)" >&2
(cd "$tmp/Consumer" && swift build -c "$config" 2>&1 | tail -3 >&2)
"$tmp/Consumer/.build/$config/Consumer" "$repo/Sample/events.bin"
