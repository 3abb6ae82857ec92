#!/usr/bin/env bash
# Nightly retraining for cron: one run id per day (a re-run the same day is a no-op; a killed run resumes from its
# epoch checkpoint), flock so that two invocations never overlap on this host (the registry lock protects the
# registry across hosts), one log file per run.
#
# crontab -e:
#   # m h dom mon dow  command
#   30 2 * * *  /opt/reviewnet/submit-scripts/schedule/retrain-cron.sh >/dev/null 2>&1
#
# Environment (set in the crontab line or here): REVIEWNET_MASTER (default local[*]), REVIEWNET_LOG_DIR
# (default <checkout>/output/logs), extra key=value settings as arguments.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log_dir="${REVIEWNET_LOG_DIR:-$home/output/logs}"
mkdir -p "$log_dir"
run_id="nightly-$(date -u +%Y%m%d)"
log="$log_dir/retrain-$run_id-$(date -u +%H%M%S).log"
exec 9>"$log_dir/retrain.flock"
if ! flock -n 9; then
  echo "$(date -u +%FT%TZ) retrain already running on this host; skipping $run_id" >> "$log_dir/retrain-skipped.log"
  exit 0
fi
cd "$home"
"$home/submit-scripts/submit.sh" --master "${REVIEWNET_MASTER:-local[*]}" jobs/retrain.conf \
  "reviewnet.retrain.run-id=$run_id" "$@" > "$log" 2>&1
