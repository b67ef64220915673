"""Append-only triggers for core_event, shared by migration 0003 and the test flush."""

SQLITE = [
    """CREATE TRIGGER event_no_update BEFORE UPDATE ON core_event
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER event_no_delete BEFORE DELETE ON core_event
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS event_no_update", "DROP TRIGGER IF EXISTS event_no_delete"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER event_no_update BEFORE UPDATE OR DELETE ON core_event
       FOR EACH ROW EXECUTE FUNCTION core_event_append_only()""",
    # TRUNCATE (used only by the test runner's flush) skips row triggers.
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS event_no_update ON core_event",
    "DROP FUNCTION IF EXISTS core_event_append_only()",
]
