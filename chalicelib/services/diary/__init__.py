"""The work diary, one module per use case: `entries` (log, revise, delete and read entries),
`clock` (clock in and out, the sweep of due clocks); `writes` is how both read, check and commit.
Callers import the module they need; nothing is re-exported here."""
