"""The read layer both APIs share: dataloaders, cursors, the errors a read can answer, and
the compiler from GraphQL selections to SQL. REST and GraphQL import from here, never from
each other."""
