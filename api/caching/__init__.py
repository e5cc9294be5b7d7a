"""HTTP caching of public reads: a response cache validated by a data generation."""
