"""Support code of the integration suite: services, backends, the fault proxy, checks."""
