#!/bin/sh
# The load test at 1, 10 and 50 users, one after the other, against a portal already running
# at $HOST: users start two a second, then the figures start afresh (--reset-stats) and run
# for $SECONDS_MEASURED (60) seconds; logins still under way then are counted, on their own
# lines. Each run's report is appended to $LOAD_REPORT.
set -e
HOST=${HOST:-http://127.0.0.1:8000}
SECONDS_MEASURED=${SECONDS_MEASURED:-60}
export LOAD_REPORT=${LOAD_REPORT:-load-report.txt}
LOCUST=${LOCUST:-locust}
cd "$(dirname "$0")"
for users in ${USERS:-1 10 50}; do
    uptime
    ramp=$(( (users + 1) / 2 + 5 ))
    "$LOCUST" -f locustfile.py --headless --users "$users" --spawn-rate 2 --reset-stats \
        --run-time "$(( SECONDS_MEASURED + ramp ))s" --host "$HOST" --only-summary \
        --loglevel WARNING > /dev/null || true
done
cat "$LOAD_REPORT"
