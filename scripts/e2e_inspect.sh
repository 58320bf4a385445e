#!/usr/bin/env bash
# End-to-end test of `sddcal inspect` driven by keys under tmux (lazygit's approach: send keys,
# read the screen). Opens the sample, moves between cells, nudges a seed and undoes it, writes a
# batch's refit into the calibration (saved with --out), runs the optimization to the end, accepts
# it (written with --out), opens before/after, shows help, resizes to 80x24 and quits;
# then checks that the terminal was restored (alternate screen left, `stty` back to icanon+echo).
# A second run in the C locale checks the ASCII fallback and that Ctrl-C restores the terminal too.
#
# Usage: scripts/e2e_inspect.sh [events-file]   (env SDDCAL_BIN: the sddcal binary,
#        default .build/debug/sddcal; SDDCAL_E2E_TIMEOUT: seconds per long wait, default 300)
# Exit: 0 pass, 1 fail, 77 skipped (no tmux or no binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SDDCAL_BIN:-$root/.build/debug/sddcal}
data=${1:-$root/Sample/events.bin}
long=${SDDCAL_E2E_TIMEOUT:-300}
command -v tmux >/dev/null || { echo "e2e_inspect: SKIP: tmux not installed"; exit 77; }
[ -x "$bin" ] || { echo "e2e_inspect: SKIP: $bin not built"; exit 77; }
[ -f "$data" ] || { echo "e2e_inspect: FAIL: $data missing"; exit 1; }

tmp=$(mktemp -d)
T=(tmux -L "sddcal-e2e-$$" -f /dev/null)
cleanup() { "${T[@]}" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

screen() { "${T[@]}" capture-pane -p -t e2e; }
keys() { "${T[@]}" send-keys -t e2e "$@"; }
fail() { echo "e2e_inspect: FAIL: $*"; echo "---- screen ----"; screen || true; echo "----------------"; exit 1; }
step() { echo "e2e_inspect: $*"; }
# wait_for REGEX [SECONDS]: until the screen matches (extended regex).
wait_for() {
  local deadline=$((SECONDS + ${2:-60}))
  until screen | grep -qE -- "$1"; do
    ((SECONDS < deadline)) || fail "timed out waiting for /$1/"
    sleep 0.2
  done
}
# wait_gone REGEX [SECONDS]: until the screen no longer matches.
wait_gone() {
  local deadline=$((SECONDS + ${2:-60}))
  while screen | grep -qE -- "$1"; do
    ((SECONDS < deadline)) || fail "timed out waiting for /$1/ to go"
    sleep 0.2
  done
}
absent() { if screen | grep -qE -- "$1"; then fail "unexpected /$1/ on screen"; fi; }
# start LOCALE ARGS...: the inspector in a fresh 100x30 tmux session; afterwards the pane prints
# the exit status and the tty modes that matter for "restored". `trap : INT` keeps the pane's shell
# alive through the Ctrl-C step (a handler, unlike an ignore, is reset in the inspector): under load
# the shell sometimes took the SIGINT too and closed the session ("server exited unexpectedly").
start() {
  local loc=$1; shift
  "${T[@]}" kill-session -t e2e 2>/dev/null || true
  "${T[@]}" new-session -d -s e2e -x 100 -y 30 \
    "trap : INT; cd '$root'; echo E2E-BEFORE; LANG=$loc LC_ALL=$loc TERM=xterm-256color '$bin' inspect '$data' $*; \
     echo EXIT:\$?; echo STTY: \$(stty -a | tr ' ;' '\n\n' | grep -xE 'icanon|echo|-icanon|-echo' | tr '\n' ' '); sleep 600"
}

step "open the sample (UTF-8 locale, 256 colours)"
start C.UTF-8 --stats "$tmp/stats.json" --out "$tmp/accepted.json" --seeds "$tmp/hand.json"
wait_for "1 Overview .*2 Spectrum"
wait_for "cells 0–7 of 8"
wait_for "standard calibration ready" "$long"
wait_for "Cu 1[0-9][0-9] hw 1[0-9][0-9]" 60

step "move between cells"
keys Right Right Enter
wait_for "cell 2 · all [0-9]+ batches"
wait_for "cursor ADC [0-9]+"
wait_for "SciPy centroids"
# With the shipped model the CNN overlay is drawn and its lines are labelled.
if [ -f "$root/Assets/cnn-vip2.sddnn" ]; then wait_for "CNN centroids"; wait_for "Mn Kα"; fi
keys n
wait_for "cell 3 · all"
keys ']'
wait_for "cell 3 · batch 1/[0-9]+"
keys p
wait_for "cell 2 · all"

step "nudge a seed, refit, undo (the fits show at once, before any nudge)"
keys 3
wait_for "line +E \(eV\) +seed"
wait_for "refit: E = "
keys Down Down
wait_for "▶ Mn Kα"
seed=$(screen | grep "▶ Mn Kα" | awk '{print $5}')
[[ "$seed" =~ ^[0-9]+$ ]] || fail "no Mn Kα seed on screen ($seed)"
keys Right
wait_for "▶ Mn Kα +[0-9.]+ +$((seed + 1)) "
wait_for "1 nudge\(s\)"
wait_for "refit: E = "
wait_gone "fitting…"
keys PPage
wait_for "▶ Mn Kα +[0-9.]+ +$((seed + 11)) "
wait_for "saved to $tmp/hand.json"
deadline=$((SECONDS + 20))   # written after each nudge, off the UI thread
until grep -q "\"MnKa\" : $((seed + 11))" "$tmp/hand.json" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "the nudged seed is not in the seeds file: $(cat "$tmp/hand.json")"
  sleep 0.2
done
keys u u
wait_for "▶ Mn Kα +[0-9.]+ +$seed "
wait_gone "nudge\(s\)"

step "write a batch's refit into the calibration (saved with --out)"
wait_for "w writes it into the calibration"
keys w
wait_for "choose a batch with \[ or \] first"
keys ']'
wait_for "cell 2 · batch 1/[0-9]+"
wait_gone "fitting…"             # the batch's fits come at once, no r needed
wait_for "w writes it into the calibration"
keys w
wait_for "calibration written to"
grep -q 'inspector seeds refit' "$tmp/accepted.json" || fail "the refit calibration was not written"

step "run the optimization to the end and accept it"
keys 4
wait_for "ready: o or Enter starts"
keys o
wait_for "finished: a accepts, d discards" "$long"
wait_for "iteration [1-9][0-9]*"
keys a
wait_for "accepted: before/after"
wait_for "accepted calibration written to"
grep -q '"schema" *: *"sddcal.calibration"' "$tmp/accepted.json" || fail "accepted calibration not written as a calibration file"

step "before/after"
keys 5
wait_for "Pauli-forbidden 7746.73"
wait_for "before +80[0-9][0-9]\.[0-9] ± [0-9.]+ +1[0-9][0-9]\.[0-9] ±" "$long"
wait_for "after +80[0-9][0-9]\.[0-9] ± [0-9.]+ +1[0-9][0-9]\.[0-9] ±"

step "help overlay"
keys '?'
wait_for "keys: Before/after"
keys Escape
wait_gone "keys: Before/after"

step "resize to 80x24"
"${T[@]}" resize-window -t e2e -x 80 -y 24
wait_for "^ sddcal  1 Overview  2 Spectrum  3 Seeds  4 Optimize  5 Before/after *$"
widest=$(screen | LC_ALL=C.UTF-8 wc -L)
((widest <= 80)) || fail "a line is $widest columns wide after resizing to 80"
wait_for "\? help  q quit"

step "quit restores the terminal"
keys q
wait_for "^EXIT:0" 20
wait_for "^STTY: icanon echo"
wait_for "^E2E-BEFORE"
absent "1 Overview  2 Spectrum"
[ -s "$tmp/stats.json" ] || fail "no frame statistics written"
echo "e2e_inspect: frame statistics: $(tr -d '\n ' < "$tmp/stats.json")"

step "ASCII fallback (C locale) and Ctrl-C"
start C --colors mono
wait_for "1 Overview .*2 Spectrum"
wait_for "cells 0-7 of 8"
keys 2
wait_for "cursor ADC"
if screen | LC_ALL=C grep -q '[^ -~]'; then fail "non-ASCII characters on screen in the C locale"; fi
keys C-c
wait_for "^EXIT:130" 20
wait_for "^STTY: icanon echo"
absent "1 Overview  2 Spectrum"

echo "e2e_inspect: PASS"
