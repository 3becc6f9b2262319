#!/bin/bash
# Start-up and idle footprint of one Airlock jar with the launcher's JVM options: time until /-/ping answers, RSS
# two seconds later, and RSS after 50 console page views. Used to compare two builds (docs/benchmarks.md).
# usage: bench/startup.sh JAR PORT
JAR=$1; PORT=$2; D=$(mktemp -d)
S=$(date +%s%N)
java -Xmx256m -XX:+UseSerialGC -jar $JAR serve --port $PORT --data $D >/dev/null 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$PORT/-/ping >/dev/null; do sleep 0.02; done
E=$(date +%s%N)
sleep 2
R1=$(grep VmRSS /proc/$PID/status | awk '{print $2}')
for i in $(seq 50); do curl -s -o /dev/null http://localhost:$PORT/-/console/login; curl -s -o /dev/null http://127.0.0.1:$PORT/-/ping; done
sleep 1
R2=$(grep VmRSS /proc/$PID/status | awk '{print $2}')
echo "ready_ms=$(( (E-S)/1000000 )) idle_rss_kib=$R1 after_console_rss_kib=$R2"
kill $PID; wait $PID 2>/dev/null; rm -rf $D
