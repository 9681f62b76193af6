#!/usr/bin/env bash
# make run's training, quiet like the shell: Rasa's output goes to a log file and the terminal gets
# one progress line (the elapsed seconds). On failure the end of the log is printed.
#   scripts/train-quietly.sh LOG COMMAND...
set -u
log=$1
shift
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
began=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
	if [ -t 1 ]; then
		printf '\rTraining the assistant: %3d s (Rasa'"'"'s output in %s)' $((SECONDS - began)) "$log"
	fi
	sleep 1
done
wait "$pid"
status=$?
[ -t 1 ] && printf '\r\033[K'
if [ "$status" -ne 0 ]; then
	echo "Training failed (exit $status); the end of $log:" >&2
	tail -n 40 "$log" >&2
	exit "$status"
fi
echo "Trained in $((SECONDS - began)) s (Rasa's output in $log)."
