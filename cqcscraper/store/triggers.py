"""The archive's triggers, as the migrations of ``store.schema`` create them: the count and log
of the releases' changes, and the full-text index kept with the searched columns."""

from __future__ import annotations

# How many times the releases changed (``archive_info``), counted by triggers on every insert,
# update and delete of a row of ``press_releases``: an export that wrote this version of them
# need not be written again (``store.export.write_jsonl``). Schema 9.
RECORDS_VERSION = "records_version"
_COUNT = (
    "BEGIN UPDATE archive_info SET value = CAST(value AS INTEGER) + 1 "
    "WHERE name = 'records_version'; END"
)
COUNTED = (
    "CREATE TRIGGER records_version_insert AFTER INSERT ON press_releases " + _COUNT,
    "CREATE TRIGGER records_version_delete AFTER DELETE ON press_releases " + _COUNT,
    "CREATE TRIGGER records_version_update AFTER UPDATE ON press_releases " + _COUNT,
)


# Which release each change was (``records_changes``): the version it made, the row's id and
# whether it was an insert, an update or a delete. An export reads what changed since the
# version it wrote; a run that only added releases dated after every other is appended.
# Schema 10.
_COUNT_AND_LOG = (
    "UPDATE archive_info SET value = CAST(value AS INTEGER) + 1 "
    "WHERE name = 'records_version'; "
    "INSERT INTO records_changes (version, id, kind) VALUES ((SELECT CAST(value AS INTEGER) "
    "FROM archive_info WHERE name = 'records_version'), "
)
LOGGED = (
    "CREATE TRIGGER records_version_insert AFTER INSERT ON press_releases BEGIN "
    + _COUNT_AND_LOG
    + "NEW.id, 'insert'); END",
    "CREATE TRIGGER records_version_delete AFTER DELETE ON press_releases BEGIN "
    + _COUNT_AND_LOG
    + "OLD.id, 'delete'); END",
    "CREATE TRIGGER records_version_update AFTER UPDATE ON press_releases BEGIN "
    + _COUNT_AND_LOG
    + "NEW.id, 'update'); END",
)


# The trigger that keeps the full-text index when a searched column (``schema.SEARCHED``) or
# the id changes: sqlite-utils' own (``enable_fts(create_triggers=True)``), which ran on any
# update, with ``OF`` the columns. Schema 13.
FTS_UPDATE = (
    'CREATE TRIGGER "press_releases_au" '
    'AFTER UPDATE OF "id", "title", "body", "attachment_text" ON "press_releases" BEGIN '
    'INSERT INTO "press_releases_fts" '
    '("press_releases_fts", rowid, "title", "body", "attachment_text") '
    """VALUES('delete', old.rowid, old."title", old."body", old."attachment_text"); """
    'INSERT INTO "press_releases_fts" (rowid, "title", "body", "attachment_text") '
    'VALUES (new.rowid, new."title", new."body", new."attachment_text"); END'
)
