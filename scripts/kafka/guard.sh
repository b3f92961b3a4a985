#!/usr/bin/env bash
# Runs the Kafka broker JVM for scripts/kafka/broker.mjs and makes sure it never outlives its parent.
#
#   bash guard.sh WORK_DIR GRACE_SECONDS java ARGS...
#
# - fd 3 (a pipe to the parent): the JVM's pid is written there as one line, then fd 3 is closed.
# - stdin (a pipe from the parent): when it reaches EOF -- the parent closed it to stop the broker,
#   or the parent died, however it died -- the JVM gets SIGTERM, and SIGKILL GRACE_SECONDS later.
# - When the JVM has exited: WORK_DIR (server.properties and data/, the broker's log.dirs) is
#   removed and the guard exits with the JVM's status.
set -u
work_dir=$1 grace=$2
shift 2

"$@" </dev/null 3>&- &
jpid=$!
echo "$jpid" >&3
exec 3>&-

# Forward termination signals instead of dying and leaving the JVM behind.
trap 'kill -TERM "$jpid" 2>/dev/null' TERM INT HUP

exec 4<&0
(
  while IFS= read -r _ <&4; do :; done
  kill -TERM "$jpid" 2>/dev/null || exit 0
  i=0
  while [ "$i" -lt $((grace * 10)) ]; do
    kill -0 "$jpid" 2>/dev/null || exit 0
    sleep 0.1
    i=$((i + 1))
  done
  echo "sluice-kafka guard: broker did not stop within ${grace}s of SIGTERM; sending SIGKILL" >&2
  kill -KILL "$jpid" 2>/dev/null
) </dev/null &
wpid=$!
exec 4<&-

rc=0
while kill -0 "$jpid" 2>/dev/null; do
  wait "$jpid"
  rc=$?
done
kill "$wpid" 2>/dev/null
rm -rf -- "$work_dir"
exit "$rc"
