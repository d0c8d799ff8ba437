"""Running govwh unattended: what follows what in the daily cycle, failure notices, the
local production stack. No Dagster here: dagster_project/operations wires these in."""
