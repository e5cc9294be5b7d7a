"""我来帮: residents' help requests, dispatched to volunteer teams (点单·派单·接单·评单)."""
