"""Running unattended: the backup job, the sensors that chain the daily cycle, failure notices
and the single-writer run queue (the instance's dagster.yaml)."""
