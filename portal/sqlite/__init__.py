"""SQLite as a multi-user database: reads never take the write lock (see `base`)."""
