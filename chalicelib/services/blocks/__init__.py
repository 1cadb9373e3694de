"""More hours for a block contract, one module per use case: `purchase` (the business buys a
further block, sets the automatic top-up, or an entry sets it off), `withdrawal` (a block not paid
is cancelled, or withdrawn when the contract ends), `payment` (its minutes added once it is paid);
`hours` reads the balance and the blocks bought. Callers import the module they need; nothing is
re-exported here."""
