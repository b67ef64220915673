"""Import batches: the state that makes a file import resumable and auditable."""
